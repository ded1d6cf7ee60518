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
    container_registry: str
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
            ),
            cluster=ClusterNames(
                resource_group=n.name("resource_group", w),
                node_resource_group=n.name("resource_group", w, "aksnodes"),
                cluster=cluster,
                dns_prefix=cluster[:54].rstrip("-"),
                log_analytics=n.name("log_analytics", w),
                defender_log_analytics=n.name("log_analytics", w, "defender"),
                container_registry=n.unique_name("container_registry"),
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
