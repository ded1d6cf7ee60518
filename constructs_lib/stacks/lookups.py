"""Name-based lookups of what an earlier stack created, for the stacks that follow it.

Consumer stacks read the hub, the spoke and the cluster through data sources by name (every name
comes from `config.resource_names`), instead of cdktf's remote-state references. That keeps every
synthesized stack folder self-contained (no `terraform_remote_state` pointing at another
backend), lets a consumer be re-planned without re-applying its producer to publish new outputs,
and keeps the graph one-way: hub -> spoke -> cluster -> workload, and `<env>-global` -> every
cluster and `<env>-routing`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.data_azurerm_cdn_frontdoor_custom_domain import (
    DataAzurermCdnFrontdoorCustomDomain,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_cdn_frontdoor_endpoint import (
    DataAzurermCdnFrontdoorEndpoint,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_cdn_frontdoor_profile import (
    DataAzurermCdnFrontdoorProfile,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_container_registry import (
    DataAzurermContainerRegistry,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_dns_zone import DataAzurermDnsZone
from cdktf_cdktf_provider_azurerm.data_azurerm_firewall import DataAzurermFirewall
from cdktf_cdktf_provider_azurerm.data_azurerm_kubernetes_cluster import (
    DataAzurermKubernetesCluster,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_log_analytics_workspace import (
    DataAzurermLogAnalyticsWorkspace,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_public_ip import DataAzurermPublicIp
from cdktf_cdktf_provider_azurerm.data_azurerm_subnet import DataAzurermSubnet
from cdktf_cdktf_provider_azurerm.data_azurerm_subscription import DataAzurermSubscription
from cdktf_cdktf_provider_azurerm.data_azurerm_user_assigned_identity import (
    DataAzurermUserAssignedIdentity,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_virtual_network import (
    DataAzurermVirtualNetwork,
)
from constructs import Construct

from constructs_lib.config.models import PublicDnsZone
from constructs_lib.config.resource_names import SPOKE_SUBNET_NAMES


@dataclass(frozen=True)
class HubLookupProps:
    """Names of the hub resources to look up."""

    resource_group_name: str
    """The hub's resource group."""
    virtual_network_name: str
    """The hub VNet."""
    firewall_name: str
    """The hub firewall (its private IP is the spoke's next hop and DNS server)."""
    log_analytics_workspace_name: str
    """The hub's Log Analytics workspace."""


class HubLookup(Construct):
    """Read-only view of a regional hub: VNet, firewall private IP and workspace."""

    def __init__(self, scope: Construct, id: str, props: HubLookupProps):
        super().__init__(scope, id)
        self.virtual_network = DataAzurermVirtualNetwork(
            self, "VirtualNetwork", name=props.virtual_network_name,
            resource_group_name=props.resource_group_name)
        self.firewall = DataAzurermFirewall(
            self, "Firewall", name=props.firewall_name, resource_group_name=props.resource_group_name)
        self.log_analytics_workspace = DataAzurermLogAnalyticsWorkspace(
            self, "LogAnalytics", name=props.log_analytics_workspace_name,
            resource_group_name=props.resource_group_name)

    @property
    def firewall_private_ip(self) -> str:
        return self.firewall.ip_configuration.get(0).private_ip_address


@dataclass(frozen=True)
class SpokeLookupProps:
    """Names of the spoke (and hub VNet) resources to look up."""

    resource_group_name: str
    """The spoke's resource group."""
    virtual_network_name: str
    """The spoke VNet; its subnets are looked up by their fixed names."""
    app_gateway_public_ip_name: str
    """The App Gateway's public IP (created by the spoke stack)."""
    hub_resource_group_name: str
    """The hub's resource group."""
    hub_virtual_network_name: str
    """The hub VNet (private DNS zones link to it too)."""


class SpokeLookup(Construct):
    """Read-only view of a spoke: its VNet, every subnet by config key, the App Gateway IP."""

    def __init__(self, scope: Construct, id: str, props: SpokeLookupProps):
        super().__init__(scope, id)
        self.virtual_network = DataAzurermVirtualNetwork(
            self, "VirtualNetwork", name=props.virtual_network_name,
            resource_group_name=props.resource_group_name)
        self.hub_virtual_network = DataAzurermVirtualNetwork(
            self, "HubVirtualNetwork", name=props.hub_virtual_network_name,
            resource_group_name=props.hub_resource_group_name)
        self.subnets = {
            key: DataAzurermSubnet(
                self, f"Subnet-{key}", name=subnet_name, virtual_network_name=props.virtual_network_name,
                resource_group_name=props.resource_group_name)
            for key, subnet_name in SPOKE_SUBNET_NAMES.items()
        }
        self.app_gateway_public_ip = DataAzurermPublicIp(
            self, "AppGatewayPublicIp", name=props.app_gateway_public_ip_name,
            resource_group_name=props.resource_group_name)

    def subnet_id(self, key: str) -> str:
        return self.subnets[key].id


@dataclass(frozen=True)
class ClusterLookupProps:
    """Names of the cluster-stack resources to look up."""

    resource_group_name: str
    """The cluster's resource group."""
    cluster_name: str
    """The AKS cluster."""
    ingress_identity_name: str
    """The ingress controller's user-assigned identity."""


class ClusterLookup(Construct):
    """Read-only view of the AKS cluster (API endpoint and CA, never credentials) and the ingress
    controller's workload identity."""

    def __init__(self, scope: Construct, id: str, props: ClusterLookupProps):
        super().__init__(scope, id)
        self.cluster = DataAzurermKubernetesCluster(
            self, "Cluster", name=props.cluster_name, resource_group_name=props.resource_group_name)
        self.ingress_identity = DataAzurermUserAssignedIdentity(
            self, "IngressIdentity", name=props.ingress_identity_name,
            resource_group_name=props.resource_group_name)

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def host(self) -> str:
        """API server URL from the Entra-integrated user kubeconfig (no client key or token)."""
        return self.cluster.kube_config.get(0).host

    @property
    def cluster_ca_certificate(self) -> str:
        """Base64 PEM of the cluster CA."""
        return self.cluster.kube_config.get(0).cluster_ca_certificate


@dataclass(frozen=True)
class SharedLookupProps:
    """Names of what `<env>-global` created that a region's cluster uses."""

    resource_group_name: str
    """The global resource group."""
    registry_name: str
    """The environment's shared registry."""
    front_door_profile_name: str | None = None
    """The Front Door profile, when Front Door is on; None otherwise."""


class SharedLookup(Construct):
    """Read-only view of the environment's shared registry and (optionally) Front Door profile."""

    def __init__(self, scope: Construct, id: str, props: SharedLookupProps):
        super().__init__(scope, id)
        self.registry = DataAzurermContainerRegistry(
            self, "Registry", name=props.registry_name, resource_group_name=props.resource_group_name)
        self.front_door_profile = DataAzurermCdnFrontdoorProfile(
            self, "FrontDoorProfile", name=props.front_door_profile_name,
            resource_group_name=props.resource_group_name) if props.front_door_profile_name else None

    @property
    def front_door_id(self) -> str | None:
        """The profile's `resource_guid` (the `X-Azure-FDID` value), None without Front Door."""
        return self.front_door_profile.resource_guid if self.front_door_profile is not None else None


@dataclass(frozen=True)
class FrontDoorLookupProps:
    """Names of the Front Door resources `<env>-global` created."""

    resource_group_name: str
    """The global resource group."""
    profile_name: str
    """The Front Door profile."""
    endpoint_name: str
    """Its endpoint."""
    custom_domain_name: str
    """Its custom domain (the public host)."""


class FrontDoorLookup(Construct):
    """Read-only view of the Front Door profile, endpoint (host name) and custom domain."""

    def __init__(self, scope: Construct, id: str, props: FrontDoorLookupProps):
        super().__init__(scope, id)
        self.profile = DataAzurermCdnFrontdoorProfile(
            self, "Profile", name=props.profile_name, resource_group_name=props.resource_group_name)
        self.endpoint = DataAzurermCdnFrontdoorEndpoint(
            self, "Endpoint", name=props.endpoint_name, profile_name=props.profile_name,
            resource_group_name=props.resource_group_name)
        self.custom_domain = DataAzurermCdnFrontdoorCustomDomain(
            self, "CustomDomain", name=props.custom_domain_name, profile_name=props.profile_name,
            resource_group_name=props.resource_group_name)


def public_dns_zone_id(scope: Construct, zone: PublicDnsZone) -> str:
    """ID of an existing Azure public DNS zone, looked up by name (data source `PublicDnsZone`)."""
    return str(DataAzurermDnsZone(scope, "PublicDnsZone", name=zone.name,
                                  resource_group_name=zone.resource_group_name).id)


def environment_subscription_scope(scope: Construct, subscription_id: uuid.UUID | str | None) -> str:
    """`/subscriptions/<id>` of the environment's subscription, or, without an ID in the environment
    file, the ID of the subscription the provider signs in to (data source `Subscription`)."""
    if subscription_id:
        return f"/subscriptions/{subscription_id}"
    return str(DataAzurermSubscription(scope, "Subscription").id)
