"""Every Azure name of one region, computed in one place from the environment file.

Stacks read their names from here, so a stack that looks another stack's resources up by name
uses exactly the name the owning stack created. The config loader builds these names for every
region before any construct exists, so a name that breaks an Azure rule fails at load time.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import Environment, Region
from constructs_lib.config.naming import Naming

HUB_SUBNET_NAMES: dict[str, str] = {
    "firewall": "AzureFirewallSubnet",
    "gateway": "GatewaySubnet",
    "bastion": "AzureBastionSubnet",
}
"""Hub subnet key (as in `regions[].hub.subnets`) -> the name Azure requires for it."""

SPOKE_SUBNET_NAMES: dict[str, str] = {
    "nodes": "snet-clusternodes",
    "ingress": "snet-clusteringressservices",
    "app_gateway": "snet-applicationgateway",
    "private_endpoints": "snet-privatelinkendpoints",
    "api_server": "snet-privatecluster",
}
"""Spoke subnet key (as in `regions[].spoke.subnets`) -> Azure name (the reference's names)."""

LISTENER_CERTIFICATE = "appgw-listener-tls"
"""Key Vault certificate of the App Gateway's public listener."""
INGRESS_CERTIFICATE = "traefik-ingress-internal-aks-ingress-tls"
"""Key Vault certificate (wildcard for the internal zone) served by the ingress controller."""

REGISTRY_ZONE = "privatelink.azurecr.io"
"""Private Link zone of Azure Container Registry (login server and data endpoints)."""
KEY_VAULT_ZONE = "privatelink.vaultcore.azure.net"
"""Private Link zone of Key Vault."""


def api_server_zone(region: str) -> str:
    """BYO private DNS zone of a private AKS API server in `region`."""
    return f"privatelink.{region}.azmk8s.io"


def registry_login_server(registry_name: str) -> str:
    """Login server of a registry in Azure's public cloud."""
    return f"{registry_name}.azurecr.io"


def public_ip_fqdn(dns_label: str, region: str) -> str:
    """FQDN Azure gives a public IP with a DNS label: `<label>.<region>.cloudapp.azure.com`
    (azurerm `public_ip.fqdn`: the label and the regionalized DNS zone)."""
    return f"{dns_label}.{region}.cloudapp.azure.com"


def ingress_host(env: Environment) -> str:
    """FQDN the App Gateway re-encrypts to; the internal zone resolves it to the ingress ILB."""
    return f"{env.app.internal_host_label}.{env.ingress.internal_zone}"


@dataclass(frozen=True)
class HubNames:
    """Hub (network team) resources."""

    resource_group: str
    virtual_network: str
    log_analytics: str
    firewall: str
    firewall_policy: str
    firewall_public_ips: tuple[str, ...]
    node_ip_group: str
    bastion: str
    bastion_nsg: str
    bastion_public_ip: str


@dataclass(frozen=True)
class SpokeNames:
    """Spoke (network team, per workload) resources."""

    resource_group: str
    virtual_network: str
    route_table: str
    nsg_prefix: str
    app_gateway_public_ip: str
    app_gateway_dns_label: str
    """DNS label of the App Gateway public IP; Front Door addresses the region's origin by
    `public_ip_fqdn(label, region)`."""

    def app_gateway_fqdn(self, region: str) -> str:
        """The App Gateway public IP's FQDN (Front Door's origin host name for this region)."""
        return public_ip_fqdn(self.app_gateway_dns_label, region)


@dataclass(frozen=True)
class ClusterNames:
    """Cluster (workload team) resources."""

    resource_group: str
    node_resource_group: str
    cluster: str
    dns_prefix: str
    log_analytics: str
    defender_log_analytics: str
    """The Defender sensor's workspace (workspace-key auth; README "Deviations")."""
    key_vault: str
    application_gateway: str
    waf_policy: str
    control_plane_identity: str
    app_gateway_identity: str
    ingress_identity: str
    monitor_workspace: str
    prometheus_endpoint: str
    prometheus_rule: str
    container_insights_rule: str
    action_group: str
    budget: str
    registry_private_endpoint: str
    key_vault_private_endpoint: str
    ingress_tls_policy_definition: str
    """Subscription-scoped custom policy definition: one per environment and region, so stacks
    sharing a subscription never fight over it."""
    start_stop_identity: str
    """Identity of the stop-when-idle Logic Apps (`cluster.stop_schedule`)."""
    stop_workflow: str
    """Logic App that stops the cluster."""
    start_workflow: str
    """Logic App that starts the cluster."""


@dataclass(frozen=True)
class RegionNames:
    """All names of one environment x region."""

    hub: HubNames
    spoke: SpokeNames
    cluster: ClusterNames

    @classmethod
    def of(cls, env: Environment, region: Region | str) -> RegionNames:
        region_name = region if isinstance(region, str) else region.name
        n = Naming(env.name, env.workload, region_name, env.name_scope)
        w = env.workload
        cluster = n.name("kubernetes_cluster", w)
        return cls(
            hub=HubNames(
                resource_group=n.name("resource_group", "hub"),
                virtual_network=n.name("virtual_network", "hub"),
                log_analytics=n.name("log_analytics", "hub"),
                firewall=n.name("firewall", "hub"),
                firewall_policy=n.name("firewall_policy", "hub"),
                firewall_public_ips=tuple(n.name("public_ip", "afw", f"{i:02d}") for i in range(3)),
                node_ip_group=n.name("ip_group", "aksnodepools"),
                bastion=n.name("bastion", "hub"),
                bastion_nsg=n.name("network_security_group", "bastion"),
                bastion_public_ip=n.name("public_ip", "bas"),
            ),
            spoke=SpokeNames(
                resource_group=n.name("resource_group", "spoke", w),
                virtual_network=n.name("virtual_network", "spoke", w),
                route_table=n.name("route_table", "tohubfw", w),
                nsg_prefix=n.name("network_security_group", w),
                app_gateway_public_ip=n.name("public_ip", "agw", w),
                app_gateway_dns_label=n.unique_name("public_ip_dns_label", w),
            ),
            cluster=ClusterNames(
                resource_group=n.name("resource_group", w),
                node_resource_group=n.name("resource_group", w, "aksnodes"),
                cluster=cluster,
                dns_prefix=cluster[:54].rstrip("-"),
                log_analytics=n.name("log_analytics", w),
                defender_log_analytics=n.name("log_analytics", w, "defender"),
                key_vault=n.unique_name("key_vault"),
                application_gateway=n.name("application_gateway", w),
                waf_policy=n.name("waf_policy", w),
                control_plane_identity=n.name("managed_identity", w, "controlplane"),
                app_gateway_identity=n.name("managed_identity", w, "appgateway"),
                ingress_identity=n.name("managed_identity", w, "ingress"),
                monitor_workspace=n.name("monitor_workspace", w),
                prometheus_endpoint=n.name("data_collection_endpoint", "prom"),
                prometheus_rule=n.name("data_collection_rule", "prom", w),
                container_insights_rule=n.name("data_collection_rule", "ci", w),
                action_group=n.name("action_group", w),
                budget=n.name("budget", w),
                registry_private_endpoint=n.name("private_endpoint", "cr", w),
                key_vault_private_endpoint=n.name("private_endpoint", "kv", w),
                ingress_tls_policy_definition=f"K8sCustomIngressTlsHostsHaveDefinedDomainSuffix-{env.name}-{n.region_code}",
                start_stop_identity=n.name("managed_identity", w, "startstop"),
                stop_workflow=n.name("logic_app", w, "stop"),
                start_workflow=n.name("logic_app", w, "start"),
            ),
        )


FRONT_DOOR_ORIGIN_GROUP = "og-appgateways"
"""The one origin group: every region's App Gateway."""
FRONT_DOOR_ROUTE = "route-https"
"""The one route: every path of the public host, HTTPS only."""
FRONT_DOOR_SECURITY_POLICY = "sp-waf"
"""The security policy that attaches the WAF policy to the endpoint and the custom domain."""


def front_door_origin(region: str) -> str:
    """Name of a region's origin in the origin group."""
    return f"origin-{region}"


@dataclass(frozen=True)
class EnvironmentNames:
    """Resources that serve the whole environment (`<env>-global` and `<env>-routing` stacks)."""

    resource_group: str
    log_analytics: str
    """Workspace of the global layer's diagnostics (Front Door and the shared registry)."""
    container_registry: str
    """The one registry of the environment (globally unique name, homed in the first region)."""
    front_door_profile: str
    front_door_endpoint: str
    front_door_firewall_policy: str
    front_door_custom_domain: str
    """Front Door resource name of the public host's custom domain (dots become hyphens)."""

    @classmethod
    def of(cls, env: Environment) -> EnvironmentNames:
        w = env.workload
        n = Naming(env.name, w, "", env.name_scope)  # no region in the names of environment-wide resources
        home = Naming(env.name, w, env.registry_home, env.name_scope)
        return cls(
            resource_group=n.name("resource_group", w, "global"),
            log_analytics=n.name("log_analytics", w, "global"),
            # A new name (qualifier "shared"), never one of the former per-region registries' names.
            container_registry=home.unique_name("container_registry", f"{w}shared"),
            front_door_profile=n.name("front_door_profile", w),
            front_door_endpoint=n.name("front_door_endpoint", w),
            front_door_firewall_policy=n.name("front_door_firewall_policy", w),
            front_door_custom_domain=env.ingress.public_fqdn.replace(".", "-"),
        )


@dataclass(frozen=True)
class BootstrapNames:
    """The `<env>-bootstrap` stack's resources, in the environment's first region."""

    region: str
    """Where the state account, the workspace and the identities live: the first region."""
    resource_group: str
    """`state.resource_group_name` with azurerm state, else `rg-bootstrap-<env>-<region>`."""
    log_analytics: str
    """Workspace receiving the state account's diagnostics."""
    deploy_identity: str
    """The apply identity (GitHub environment `<env>`)."""
    plan_identity: str
    """The read identity (GitHub environment `<env>-plan`)."""

    @classmethod
    def of(cls, env: Environment) -> BootstrapNames:
        region = env.regions[0].name
        n = Naming(env.name, env.workload, region)
        state_group = getattr(env.state, "resource_group_name", None)
        return cls(
            region=region,
            resource_group=state_group or n.name("resource_group", "bootstrap"),
            log_analytics=n.name("log_analytics", "bootstrap"),
            deploy_identity=n.name("managed_identity", "deploy"),
            plan_identity=n.name("managed_identity", "plan"),
        )


def github_environments(env_name: str) -> dict[str, str]:
    """The GitHub environments of one environment `E`: `plan` -> `E-plan` (plan and drift jobs, read
    identity), `approval` -> `E-approval` (reviewers, no Azure login), `deploy` -> `E` (apply jobs,
    deploy identity; branch main only)."""
    return {"plan": f"{env_name}-plan", "approval": f"{env_name}-approval", "deploy": env_name}
