"""VNet peering in both directions, owned by the spoke so the hub never depends on a spoke."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_azurerm.virtual_network_peering import VirtualNetworkPeering
from constructs import Construct


@dataclass(frozen=True)
class HubSpokePeeringProps:
    """Both ends of the peering."""

    spoke_resource_group_name: str
    """Resource group of the spoke VNet."""
    spoke_virtual_network_name: str
    """Name of the spoke VNet (names the hub-to-spoke peering `to_<name>`)."""
    spoke_virtual_network_id: str
    """Resource ID of the spoke VNet."""
    hub_resource_group_name: str
    """Resource group of the hub VNet (the hub-to-spoke peering is created there)."""
    hub_virtual_network_name: str
    """Name of the hub VNet (names the spoke-to-hub peering `to_<name>`)."""
    hub_virtual_network_id: str
    """Resource ID of the hub VNet (usually a lookup by name)."""
    hub_provider: TerraformProvider | None = None
    """Provider for the hub side when the hub lives in another subscription."""


class HubSpokePeering(Construct):
    """spoke->hub and hub->spoke peerings: VNet access on, forwarded traffic and gateway transit off."""

    def __init__(self, scope: Construct, id: str, props: HubSpokePeeringProps):
        super().__init__(scope, id)
        common = {"allow_virtual_network_access": True, "allow_forwarded_traffic": False,
                  "allow_gateway_transit": False, "use_remote_gateways": False}
        self.spoke_to_hub = VirtualNetworkPeering(
            self, "SpokeToHub",
            name=f"to_{props.hub_virtual_network_name}",
            resource_group_name=props.spoke_resource_group_name,
            virtual_network_name=props.spoke_virtual_network_name,
            remote_virtual_network_id=props.hub_virtual_network_id,
            **common)
        self.hub_to_spoke = VirtualNetworkPeering(
            self, "HubToSpoke",
            name=f"to_{props.spoke_virtual_network_name}",
            resource_group_name=props.hub_resource_group_name,
            virtual_network_name=props.hub_virtual_network_name,
            remote_virtual_network_id=props.spoke_virtual_network_id,
            provider=props.hub_provider,
            depends_on=[self.spoke_to_hub],
            **common)
