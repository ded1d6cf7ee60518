"""Spoke stack: the workload's network, peered to its regional hub."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.config.models import Environment, Region
from constructs_lib.network.hub_spoke_peering import HubSpokePeering, HubSpokePeeringProps
from constructs_lib.network.public_ip import PublicIp, PublicIpProps
from constructs_lib.network.spoke_network import SpokeNetwork, SpokeNetworkProps
from constructs_lib.stacks.lookups import HubLookup, HubLookupProps
from constructs_lib.stacks.regional_stack import RegionalStack


class SpokeStack(RegionalStack):
    """Resource group, spoke VNet/subnets/NSGs/routes, both peerings, App Gateway public IP (with a
    DNS label); behind Front Door, the App Gateway subnet admits 443 only from Front Door."""

    kind = "spoke"

    def __init__(self, scope: Construct, environment: Environment, region: Region):
        super().__init__(scope, environment, region)
        hub_names, names = self.names.hub, self.names.spoke
        location = region.name
        group = self.resource_group(names.resource_group)
        rg = group.name
        self.hub = HubLookup(self, "Hub", HubLookupProps(
            resource_group_name=hub_names.resource_group,
            virtual_network_name=hub_names.virtual_network,
            firewall_name=hub_names.firewall,
            log_analytics_workspace_name=hub_names.log_analytics,
        ))
        workspace = self.hub.log_analytics_workspace.id
        self.network = SpokeNetwork(self, "Network", SpokeNetworkProps(
            plan=region.spoke,
            virtual_network_name=names.virtual_network,
            route_table_name=names.route_table,
            nsg_name_prefix=names.nsg_prefix,
            location=location,
            resource_group_name=rg,
            firewall_private_ip=self.hub.firewall_private_ip,
            log_analytics_workspace_id=workspace,
            front_door=environment.front_door_enabled,
        ))
        spoke_vnet = self.network.virtual_network
        HubSpokePeering(self, "Peering", HubSpokePeeringProps(
            spoke_resource_group_name=rg,
            spoke_virtual_network_name=spoke_vnet.name,
            spoke_virtual_network_id=spoke_vnet.id,
            hub_resource_group_name=hub_names.resource_group,
            hub_virtual_network_name=hub_names.virtual_network,
            hub_virtual_network_id=self.hub.virtual_network.id,
        ))
        self.app_gateway_public_ip = PublicIp(self, "AppGatewayPublicIp", PublicIpProps(
            name=names.app_gateway_public_ip, location=location,
            resource_group_name=rg, log_analytics_workspace_id=workspace, zones=region.zones,
            # Front Door's origin host name for this region (resource_names.SpokeNames.app_gateway_fqdn).
            domain_name_label=names.app_gateway_dns_label))
        TerraformOutput(self, "virtual_network_id", value=spoke_vnet.id,
                        description="Spoke VNet of the cluster (peer a runner network to it for the workload stack).")
        TerraformOutput(self, "app_gateway_public_ip_address", value=self.app_gateway_public_ip.resource.ip_address,
                        description="Public IP of the Application Gateway (the public host's DNS A record).")
