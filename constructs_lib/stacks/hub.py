"""Hub stack: the regional connectivity and egress point the network team owns."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.config.egress import cluster_egress
from constructs_lib.config.models import Environment, Region
from constructs_lib.config.resource_names import HUB_SUBNET_NAMES
from constructs_lib.network.bastion import Bastion, BastionProps
from constructs_lib.network.firewall import Firewall, FirewallProps
from constructs_lib.network.firewall_policy import FirewallPolicy, FirewallPolicyProps
from constructs_lib.network.virtual_network import (
    SubnetSpec,
    VirtualNetwork,
    VirtualNetworkProps,
)
from constructs_lib.observability.log_analytics import (
    LogAnalyticsWorkspace,
    LogAnalyticsWorkspaceProps,
)
from constructs_lib.stacks.regional_stack import RegionalStack


class HubStack(RegionalStack):
    """Resource group, hub VNet, firewall (+policy, IP group, rules), Bastion, Log Analytics."""

    kind = "hub"

    def __init__(self, scope: Construct, environment: Environment, region: Region):
        super().__init__(scope, environment, region)
        names = self.names.hub
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
            subnets=tuple(
                SubnetSpec(key, name, getattr(subnets, key)) for key, name in HUB_SUBNET_NAMES.items()
            ),
        ))
        self.firewall_policy = FirewallPolicy(self, "FirewallPolicy", FirewallPolicyProps(
            name=names.firewall_policy,
            ip_group_name=names.node_ip_group,
            location=location, resource_group_name=rg, log_analytics_workspace_id=workspace,
            node_subnets=(region.spoke.subnets.nodes,),
            egress=cluster_egress(environment, region),
            insights_retention_days=environment.hub.log_retention_days,
            sku=environment.hub.firewall_sku,
        ))
        self.firewall = Firewall(self, "Firewall", FirewallProps(
            name=names.firewall, location=location, resource_group_name=rg,
            subnet_id=self.network.subnets["firewall"].id, policy=self.firewall_policy,
            public_ip_names=names.firewall_public_ips,
            log_analytics_workspace_id=workspace, zones=region.zones,
        ))
        self.bastion = Bastion(self, "Bastion", BastionProps(
            name=names.bastion,
            nsg_name=names.bastion_nsg,
            public_ip_name=names.bastion_public_ip,
            location=location, resource_group_name=rg, subnet_id=self.network.subnets["bastion"].id,
            log_analytics_workspace_id=workspace, zones=region.zones, sku=environment.hub.bastion_sku,
        ))
        TerraformOutput(self, "virtual_network_id", value=self.network.id,
                        description="Hub VNet (peer further spokes or a VPN/ExpressRoute gateway to it).")
        TerraformOutput(self, "firewall_private_ip", value=self.firewall.private_ip_address,
                        description="Next hop and DNS server of every spoke.")
        TerraformOutput(self, "bastion_name", value=names.bastion,
                        description="Bastion with tunnelling, for `az aks bastion` / `az network bastion tunnel`.")
        TerraformOutput(self, "log_analytics_workspace_id", value=self.log_analytics.id,
                        description="Hub Log Analytics workspace (firewall, Bastion and network logs).")
