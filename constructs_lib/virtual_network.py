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

from constructs_lib.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.primary_resource import PrimaryResource


@dataclass(frozen=True)
class SubnetSpec:
    """One subnet of the network."""

    key: str
    """Stable construct ID of the subnet (a config key such as `nodes`)."""
    name: str
    """Azure name; fixed by Azure for AzureFirewallSubnet, GatewaySubnet and AzureBastionSubnet."""
    address_prefix: ipaddress.IPv4Network
    delegation: str | None = None
    """Service the subnet is delegated to, e.g. Microsoft.ContainerService/managedClusters."""
    private_link_service_network_policies_enabled: bool = False
    """Reference: enabled only on the private-endpoint subnet."""


@dataclass(frozen=True)
class VirtualNetworkProps:
    """Inputs of a virtual network."""

    name: str
    location: str
    resource_group_name: str
    address_space: ipaddress.IPv4Network
    log_analytics_workspace_id: str
    subnets: tuple[SubnetSpec, ...] = field(default_factory=tuple)


class VirtualNetwork(PrimaryResource, Construct):
    """VNet plus subnets with default outbound access off and private-endpoint policies off."""

    def __init__(self, scope: Construct, id: str, props: VirtualNetworkProps):
        super().__init__(scope, id)
        self.resource = AzureVirtualNetwork(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            address_space=[str(props.address_space)],
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
                private_endpoint_network_policies="Disabled",
                private_link_service_network_policies_enabled=spec.private_link_service_network_policies_enabled,
                delegation=[SubnetDelegation(
                    name="delegation",
                    service_delegation=SubnetDelegationServiceDelegation(name=spec.delegation),
                )] if spec.delegation else None,
            )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
