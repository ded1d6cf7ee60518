"""In-cluster manifests as Python data: the Traefik ingress controller and the sample workload
(shipped as generated Helm charts by the workload stack), plus the Flux-delivered cluster
baseline in `cluster-manifests/`.

    settings = WorkloadManifestSettings(registry_login_server=..., key_vault_name=..., tenant_id=...)
    write_chart(build / "traefik-ingress", "traefik-ingress", "1.0.0", "v3.4.5", traefik_manifests(settings))

Modules: `settings` (validated inputs and shared names), `traefik` and `sample_app` (the
manifests), `serialize` (YAML and chart writing), `cluster_baseline` (the Flux folder), and
`scan_bundle` (every manifest as plain YAML for scanners).
"""

from constructs_lib.workload.manifests.cluster_baseline import (
    CLUSTER_MANIFESTS_DIR,
    cluster_manifest_variables,
)
from constructs_lib.workload.manifests.sample_app import workload_manifests
from constructs_lib.workload.manifests.scan_bundle import write_all_manifests
from constructs_lib.workload.manifests.serialize import render_for_validation, write_chart
from constructs_lib.workload.manifests.settings import (
    HELM_VALUES,
    INGRESS_IDENTITY_CLIENT_ID,
    WorkloadManifestSettings,
)
from constructs_lib.workload.manifests.traefik import traefik_manifests

__all__ = [
    "CLUSTER_MANIFESTS_DIR",
    "HELM_VALUES",
    "INGRESS_IDENTITY_CLIENT_ID",
    "WorkloadManifestSettings",
    "cluster_manifest_variables",
    "render_for_validation",
    "traefik_manifests",
    "workload_manifests",
    "write_all_manifests",
    "write_chart",
]
