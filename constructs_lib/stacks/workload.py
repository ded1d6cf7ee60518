"""Workload stack: the inside of one regional cluster — GitOps baseline, Traefik, the sample app."""

from __future__ import annotations

from pathlib import Path

from cdktf import Fn, TerraformOutput
from cdktf_cdktf_provider_helm.provider import (
    HelmProvider,
    HelmProviderKubernetes,
    HelmProviderKubernetesExec,
)
from constructs import Construct

from constructs_lib.config.models import Environment, Region
from constructs_lib.config.resource_names import (
    INGRESS_CERTIFICATE,
    SPOKE_SUBNET_NAMES,
    EnvironmentNames,
    ingress_host,
    registry_login_server,
)
from constructs_lib.config.rules import image_tag
from constructs_lib.stacks.contracts import AKS_ENTRA_SERVER_APP_ID
from constructs_lib.stacks.lookups import ClusterLookup, ClusterLookupProps
from constructs_lib.stacks.regional_stack import RegionalStack
from constructs_lib.workload.chart_release import LocalChartRelease, LocalChartReleaseProps
from constructs_lib.workload.flux_gitops import FluxGitOps, FluxGitOpsProps
from constructs_lib.workload.manifests.cluster_baseline import cluster_substitutions
from constructs_lib.workload.manifests.sample_app import workload_manifests
from constructs_lib.workload.manifests.settings import WorkloadManifestSettings
from constructs_lib.workload.manifests.traefik import traefik_manifests

CHART_VERSION = "1.0.0"


def kubelogin_exec(login_mode: str, tenant_id: str) -> HelmProviderKubernetesExec:
    """Exec credential plugin: Entra ID tokens through kubelogin, never cluster admin credentials."""
    return HelmProviderKubernetesExec(
        api_version="client.authentication.k8s.io/v1beta1",
        command="kubelogin",
        args=["get-token", "--login", login_mode, "--server-id", AKS_ENTRA_SERVER_APP_ID,
              "--tenant-id", tenant_id, "--environment", "AzurePublicCloud"],
    )


def api_server_egress_cidr(env: Environment, region: Region) -> str:
    """Where pods reach the API server: the VNet-integration subnet, else (private) the private
    endpoint in the node subnet, else (public) anywhere on 443."""
    if env.cluster.api_server_vnet_integration:
        return str(region.spoke.subnets.api_server)
    return str(region.spoke.subnets.nodes) if env.cluster.private else "0.0.0.0/0"


def manifest_settings(env: Environment, region: Region, registry: str, key_vault: str) -> WorkloadManifestSettings:
    """The environment file's view of what runs inside the cluster."""
    plan = region.spoke.subnets
    return WorkloadManifestSettings(
        namespace=env.app.namespace,
        registry_login_server=registry_login_server(registry),
        traefik_image=env.app.traefik_image,
        app_image=env.app.image,
        user_pool_name=env.cluster.user_pool.name,
        spot_pool_name=env.cluster.spot_pool.name if env.cluster.spot_pool else None,
        ingress_load_balancer_ip=str(region.spoke.ingress_load_balancer_ip),
        ingress_subnet_name=SPOKE_SUBNET_NAMES["ingress"],
        app_gateway_subnet_cidr=str(plan.app_gateway),
        api_server_egress_cidr=api_server_egress_cidr(env, region),
        internal_host=ingress_host(env),
        key_vault_name=key_vault,
        tenant_id=str(env.entra.tenant_id),
        ingress_certificate_name=INGRESS_CERTIFICATE,
        traefik_replicas=env.app.traefik_replicas,
        app_min_replicas=env.app.min_replicas,
        app_max_replicas=env.app.max_replicas,
        kubernetes_version=env.cluster.kubernetes_minor,
        network_data_plane=env.cluster.network.data_plane,
    )


def flux_substitutions(env: Environment) -> dict[str, str]:
    """Values for the `${VARIABLES}` in cluster-manifests/ (Flux post-build substitution)."""
    readers = env.entra.namespace_reader_group_object_ids or env.entra.cluster_admin_group_object_ids
    return cluster_substitutions(env.app.namespace, namespace_reader_group_id=str(readers[0]),
                                 cluster_admin_group_id=str(env.entra.cluster_admin_group_object_ids[0]))


class WorkloadStack(RegionalStack):
    """Helm provider through kubelogin, Flux GitOps, the Traefik ingress controller and the sample
    workload as generated charts shipped inside the stack folder."""

    kind = "workload"

    def __init__(self, scope: Construct, environment: Environment, region: Region, build_dir: Path):
        super().__init__(scope, environment, region)
        env, names = environment, self.names.cluster
        lookup = ClusterLookup(self, "Cluster", ClusterLookupProps(
            resource_group_name=names.resource_group, cluster_name=names.cluster,
            ingress_identity_name=names.ingress_identity))
        HelmProvider(self, "helm", kubernetes=HelmProviderKubernetes(
            host=lookup.host,
            cluster_ca_certificate=Fn.base64decode(lookup.cluster_ca_certificate),
            exec=kubelogin_exec(env.deploy.kubelogin_login, str(env.entra.tenant_id)),
        ))
        self.add_override("terraform.required_providers.helm.source", "hashicorp/helm")

        gitops = FluxGitOps(self, "GitOps", FluxGitOpsProps(
            cluster_id=lookup.id, repository_url=env.gitops.repository_url, branch=env.gitops.branch,
            path=env.gitops.path, substitutions=flux_substitutions(env)))

        settings = manifest_settings(env, region, EnvironmentNames.of(env).container_registry, names.key_vault)
        charts = build_dir / self.node.id
        self.traefik = LocalChartRelease(self, "Traefik", LocalChartReleaseProps(
            release_name="traefik-ingress", namespace=env.app.namespace, chart_version=CHART_VERSION,
            app_version=image_tag(env.app.traefik_image),
            manifests=tuple(traefik_manifests(settings)), build_dir=charts,
            # Known only after the cluster stack is applied: set at apply time, never baked in.
            values={"ingressIdentityClientId": lookup.ingress_identity.client_id},
            depends_on=(gitops.resource,),
        ))
        self.workload = LocalChartRelease(self, "Workload", LocalChartReleaseProps(
            release_name="aspnetapp", namespace=env.app.namespace, chart_version=CHART_VERSION,
            app_version=image_tag(env.app.image),
            manifests=tuple(workload_manifests(settings)), build_dir=charts,
            depends_on=(self.traefik.resource,),
        ))
        TerraformOutput(self, "public_url", value=f"https://{env.ingress.public_fqdn}",
                        description="Where the sample workload answers once DNS points at the App Gateway.")
        TerraformOutput(self, "flux_configuration_id", value=gitops.resource.id,
                        description="Flux configuration that applies cluster-manifests/ (check its compliance).")
        TerraformOutput(self, "workload_namespace", value=env.app.namespace,
                        description="Namespace of Traefik and the sample workload.")
