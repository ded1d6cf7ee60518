"""Name-based lookups of the hub from another stack.

Consumer stacks read the hub through data sources by name (names come from the same naming
helper and config), instead of cdktf's remote-state references. That keeps every synthesized
stack folder self-contained (no `terraform_remote_state` pointing at another backend), lets a
consumer be re-planned without re-applying the hub to publish new outputs, and keeps the graph
one-way: hub -> spoke -> cluster -> workload.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.data_azurerm_firewall import DataAzurermFirewall
from cdktf_cdktf_provider_azurerm.data_azurerm_log_analytics_workspace import (
    DataAzurermLogAnalyticsWorkspace,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_virtual_network import (
    DataAzurermVirtualNetwork,
)
from constructs import Construct


@dataclass(frozen=True)
class HubLookupProps:
    """Names of the hub resources to look up."""

    resource_group_name: str
    virtual_network_name: str
    firewall_name: str
    log_analytics_workspace_name: str


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
