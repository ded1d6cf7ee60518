"""Name-based lookups of a regional spoke (and its hub VNet) from the cluster stack.

Like `HubLookup`, this reads what the network team's stacks created by name, so the cluster stack
has no remote-state coupling and the dependency stays one-way (spoke -> cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.data_azurerm_public_ip import DataAzurermPublicIp
from cdktf_cdktf_provider_azurerm.data_azurerm_subnet import DataAzurermSubnet
from cdktf_cdktf_provider_azurerm.data_azurerm_virtual_network import (
    DataAzurermVirtualNetwork,
)
from constructs import Construct

from constructs_lib.network.spoke_network import SPOKE_SUBNETS


@dataclass(frozen=True)
class SpokeLookupProps:
    """Names of the spoke (and hub VNet) resources to look up."""

    resource_group_name: str
    virtual_network_name: str
    app_gateway_public_ip_name: str
    hub_resource_group_name: str
    hub_virtual_network_name: str


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
            for key, (subnet_name, _, _, _) in SPOKE_SUBNETS.items()
        }
        self.app_gateway_public_ip = DataAzurermPublicIp(
            self, "AppGatewayPublicIp", name=props.app_gateway_public_ip_name,
            resource_group_name=props.resource_group_name)

    def subnet_id(self, key: str) -> str:
        return self.subnets[key].id
