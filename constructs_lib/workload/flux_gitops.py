"""Flux v2 through the AKS extension, reconciling the cluster baseline from a Git repository."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.kubernetes_cluster_extension import (
    KubernetesClusterExtension,
)
from cdktf_cdktf_provider_azurerm.kubernetes_flux_configuration import (
    KubernetesFluxConfiguration,
    KubernetesFluxConfigurationGitRepository,
    KubernetesFluxConfigurationKustomizations,
    KubernetesFluxConfigurationKustomizationsPostBuild,
)
from constructs import Construct

# Only the controllers a kustomization-based GitOps flow needs; the rest stay off (as the
# reference) to keep the in-cluster footprint and privileges small.
FLUX_CONTROLLERS = {
    "helm-controller.enabled": "false",
    "source-controller.enabled": "true",
    "kustomize-controller.enabled": "true",
    "notification-controller.enabled": "false",
    "image-automation-controller.enabled": "false",
    "image-reflector-controller.enabled": "false",
}


@dataclass(frozen=True)
class FluxGitOpsProps:
    """Inputs of the Flux extension and its configuration."""

    cluster_id: str
    """The AKS cluster the extension and configuration are installed on."""
    repository_url: str
    """Public HTTPS Git repository holding the cluster baseline."""
    branch: str
    """Branch Flux follows."""
    path: str
    """Kustomization folder inside the repository, e.g. ./cluster-manifests."""
    substitutions: dict[str, str] = field(default_factory=dict)
    """Flux post-build variables (`${NAME}` in the manifests), e.g. Entra group IDs."""
    sync_interval_seconds: int = 300
    """Reference: 300."""


class FluxGitOps(Construct):
    """`microsoft.flux` extension (Stable train) plus a cluster-scoped `bootstrap` configuration
    with one pruning kustomization."""

    def __init__(self, scope: Construct, id: str, props: FluxGitOpsProps):
        super().__init__(scope, id)
        if not props.repository_url.startswith("https://"):
            raise ValueError(f"repository_url: {props.repository_url!r} must be an https:// URL")
        if not props.path.startswith("./"):
            raise ValueError(f"path: {props.path!r} must be relative to the repository root (./...)")
        if not 60 <= props.sync_interval_seconds <= 3600:
            raise ValueError(f"sync_interval_seconds: {props.sync_interval_seconds} is outside 60-3600")
        self.extension = KubernetesClusterExtension(
            self,
            "Extension",
            name="flux",
            cluster_id=props.cluster_id,
            extension_type="microsoft.flux",
            release_train="Stable",
            release_namespace="flux-system",
            configuration_settings=dict(FLUX_CONTROLLERS),
        )
        self.resource = KubernetesFluxConfiguration(
            self,
            "Resource",
            name="bootstrap",
            cluster_id=props.cluster_id,
            namespace="flux-system",
            scope="cluster",
            git_repository=KubernetesFluxConfigurationGitRepository(
                url=props.repository_url,
                reference_type="branch",
                reference_value=props.branch,
                timeout_in_seconds=180,
                sync_interval_in_seconds=props.sync_interval_seconds,
            ),
            kustomizations=[KubernetesFluxConfigurationKustomizations(
                name="unified",
                path=props.path,
                timeout_in_seconds=300,
                sync_interval_in_seconds=props.sync_interval_seconds,
                retry_interval_in_seconds=300,
                garbage_collection_enabled=True,
                recreating_enabled=False,
                post_build=KubernetesFluxConfigurationKustomizationsPostBuild(
                    substitute=dict(sorted(props.substitutions.items()))) if props.substitutions else None,
            )],
            depends_on=[self.extension],
        )
