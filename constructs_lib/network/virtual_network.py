"""A virtual network with its subnets as separate resources, and VNet diagnostics.

Subnets are `azurerm_subnet` resources (not inline blocks) so NSG and route-table associations can
be separate resources, which keeps the hub -> firewall -> route table -> association graph acyclic.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.subnet import (
    Subnet,
    SubnetDelegation,
    SubnetDelegationServiceDelegation,
)
from cdktf_cdktf_provider_azurerm.virtual_network import (
    VirtualNetwork as AzureVirtualNetwork,
)
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource

# The actions Azure attaches to each delegation this project uses. Declaring them keeps plans
# clean: the provider stores what Azure returns, and an empty list would diff forever.
DELEGATION_ACTIONS: dict[str, tuple[str, ...]] = {
    "Microsoft.ContainerService/managedClusters": ("Microsoft.Network/virtualNetworks/subnets/join/action",),
}
PRIVATE_ENDPOINT_POLICIES = ("Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled")


@dataclass(frozen=True)
class SubnetSpec:
    """One subnet of the network."""

    key: str
    """Stable construct ID of the subnet (a config key such as `nodes`)."""
    name: str
    """Azure name; fixed by Azure for AzureFirewallSubnet, GatewaySubnet and AzureBastionSubnet."""
    address_prefix: ipaddress.IPv4Network
    """The subnet's range; it must lie inside the VNet (checked in the address plan)."""
    delegation: str | None = None
    """Service the subnet is delegated to, e.g. Microsoft.ContainerService/managedClusters."""
    private_link_service_network_policies_enabled: bool = False
    """Reference: enabled only on the private-endpoint subnet."""
    private_endpoint_network_policies: str = "Disabled"
    """`NetworkSecurityGroupEnabled` makes the subnet's NSG apply to private-endpoint traffic;
    the default leaves private endpoints outside NSG and route-table evaluation."""

    def __post_init__(self) -> None:
        if self.delegation is not None and self.delegation not in DELEGATION_ACTIONS:
            raise ValueError(f"subnet {self.key}: delegation {self.delegation!r} is not one of "
                             f"{', '.join(DELEGATION_ACTIONS)}")
        if self.private_endpoint_network_policies not in PRIVATE_ENDPOINT_POLICIES:
            raise ValueError(f"subnet {self.key}: private_endpoint_network_policies must be one of "
                             f"{', '.join(PRIVATE_ENDPOINT_POLICIES)}")


@dataclass(frozen=True)
class VirtualNetworkProps:
    """Inputs of a virtual network."""

    name: str
    """Azure name of the VNet (CAF prefix `vnet-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the VNet and its subnets."""
    address_space: ipaddress.IPv4Network
    """The VNet's range."""
    log_analytics_workspace_id: str
    """Workspace receiving the VNet's metrics."""
    subnets: tuple[SubnetSpec, ...] = field(default_factory=tuple)
    """Subnets created as separate `azurerm_subnet` resources, keyed by `SubnetSpec.key`. Default none."""
    dns_servers: tuple[str, ...] = field(default_factory=tuple)
    """Custom DNS servers (e.g. the hub firewall's DNS proxy); empty uses Azure DNS."""


class VirtualNetwork(PrimaryResource, Construct):
    """VNet plus subnets with default outbound access off (private-endpoint policies per subnet)."""

    def __init__(self, scope: Construct, id: str, props: VirtualNetworkProps):
        super().__init__(scope, id)
        self.resource = AzureVirtualNetwork(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            address_space=[str(props.address_space)],
            dns_servers=list(props.dns_servers) or None,
        )
        self.subnets: dict[str, Subnet] = {}
        for spec in props.subnets:
            self.subnets[spec.key] = Subnet(
                self,
                f"Subnet-{spec.key}",
                name=spec.name,
                resource_group_name=props.resource_group_name,
                virtual_network_name=self.resource.name,
                address_prefixes=[str(spec.address_prefix)],
                default_outbound_access_enabled=False,
                private_endpoint_network_policies=spec.private_endpoint_network_policies,
                private_link_service_network_policies_enabled=spec.private_link_service_network_policies_enabled,
                delegation=[SubnetDelegation(
                    name="delegation",
                    service_delegation=SubnetDelegationServiceDelegation(
                        name=spec.delegation, actions=list(DELEGATION_ACTIONS[spec.delegation])),
                )] if spec.delegation else None,
            )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
