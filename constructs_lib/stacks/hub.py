"""Hub stack: the regional connectivity and egress point the network team owns."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.bastion import Bastion, BastionProps
from constructs_lib.config.models import Environment, Region
from constructs_lib.firewall import Firewall, FirewallProps
from constructs_lib.firewall_policy import FirewallPolicy, FirewallPolicyProps
from constructs_lib.log_analytics import LogAnalyticsWorkspace, LogAnalyticsWorkspaceProps
from constructs_lib.naming import Naming
from constructs_lib.stacks.regional_stack import RegionalStack
from constructs_lib.virtual_network import SubnetSpec, VirtualNetwork, VirtualNetworkProps


@dataclass(frozen=True)
class HubNames:
    """Azure names of the hub resources other stacks look up."""

    resource_group: str
    virtual_network: str
    firewall: str
    log_analytics: str

    @classmethod
    def of(cls, naming: Naming) -> "HubNames":
        return cls(
            resource_group=naming.name("resource_group", "hub"),
            virtual_network=naming.name("virtual_network", "hub"),
            firewall=naming.name("firewall", "hub"),
            log_analytics=naming.name("log_analytics", "hub"),
        )


class HubStack(RegionalStack):
    """Resource group, hub VNet, firewall (+policy, IP group, rules), Bastion, Log Analytics."""

    kind = "hub"

    def __init__(self, scope: Construct, environment: Environment, region: Region):
        super().__init__(scope, environment, region)
        names = HubNames.of(self.naming)
        location = region.name
        group = self.resource_group(names.resource_group)
        rg = group.name
        self.log_analytics = LogAnalyticsWorkspace(self, "LogAnalytics", LogAnalyticsWorkspaceProps(
            name=names.log_analytics, location=location, resource_group_name=rg,
            retention_in_days=environment.hub.log_retention_days))
        workspace = self.log_analytics.id
        subnets = region.hub.subnets
        self.network = VirtualNetwork(self, "VirtualNetwork", VirtualNetworkProps(
            name=names.virtual_network, location=location, resource_group_name=rg,
            address_space=region.hub.address_space, log_analytics_workspace_id=workspace,
            subnets=(
                SubnetSpec("firewall", "AzureFirewallSubnet", subnets.firewall),
                SubnetSpec("gateway", "GatewaySubnet", subnets.gateway),
                SubnetSpec("bastion", "AzureBastionSubnet", subnets.bastion),
            ),
        ))
        self.firewall_policy = FirewallPolicy(self, "FirewallPolicy", FirewallPolicyProps(
            name=self.naming.name("firewall_policy", "hub"),
            ip_group_name=self.naming.name("ip_group", "aksnodepools"),
            location=location, resource_group_name=rg, log_analytics_workspace_id=workspace,
            node_subnets=(region.spoke.subnets.nodes,),
            insights_retention_days=environment.hub.log_retention_days,
        ))
        self.firewall = Firewall(self, "Firewall", FirewallProps(
            name=names.firewall, location=location, resource_group_name=rg,
            subnet_id=self.network.subnets["firewall"].id, policy=self.firewall_policy,
            public_ip_names=tuple(self.naming.name("public_ip", "afw", f"{i:02d}") for i in range(3)),
            log_analytics_workspace_id=workspace, zones=region.zones,
        ))
        self.bastion = Bastion(self, "Bastion", BastionProps(
            name=self.naming.name("bastion", "hub"),
            nsg_name=self.naming.name("network_security_group", "bastion"),
            public_ip_name=self.naming.name("public_ip", "bas"),
            location=location, resource_group_name=rg, subnet_id=self.network.subnets["bastion"].id,
            log_analytics_workspace_id=workspace, zones=region.zones,
        ))
