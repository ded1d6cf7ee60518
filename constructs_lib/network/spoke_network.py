"""The spoke network of one region: VNet, subnets, an NSG per subnet and firewall-bound routes."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.config.models import SpokeNetwork as SpokeNetworkPlan
from constructs_lib.network.egress_route_table import EgressRouteTable, EgressRouteTableProps
from constructs_lib.network.subnet_security_group import (
    SecurityRule,
    SubnetSecurityGroup,
    SubnetSecurityGroupProps,
    deny_all,
)
from constructs_lib.network.virtual_network import (
    SubnetSpec,
    VirtualNetwork,
    VirtualNetworkProps,
)

APP_GATEWAY_RULES: tuple[SecurityRule, ...] = (
    SecurityRule("Allow443Inbound", 100, "Inbound", "Allow", "Tcp", ("Internet",), ("VirtualNetwork",), ("443",)),
    # WAF_v2 health and management traffic; Azure refuses the gateway without it.
    SecurityRule("AllowControlPlaneInbound", 110, "Inbound", "Allow", "*", ("GatewayManager",), ("*",),
                 ("65200-65535",)),
    SecurityRule("AllowHealthProbesInbound", 120, "Inbound", "Allow", "*", ("AzureLoadBalancer",), ("*",), ("*",)),
    deny_all("Inbound"),
    SecurityRule("AllowAllOutbound", 1000, "Outbound", "Allow", "*", ("*",), ("*",), ("*",)),
)

PRIVATE_ENDPOINT_RULES: tuple[SecurityRule, ...] = (
    SecurityRule("AllowAll443InFromVnet", 100, "Inbound", "Allow", "Tcp", ("VirtualNetwork",),
                 ("VirtualNetwork",), ("443",)),
    deny_all("Inbound"),
    deny_all("Outbound"),
)

# Subnet key -> (Azure subnet name, NSG rules, routed through the firewall, delegation)
SPOKE_SUBNETS: dict[str, tuple[str, tuple[SecurityRule, ...], bool, str | None]] = {
    "nodes": ("snet-clusternodes", (), True, None),
    "ingress": ("snet-clusteringressservices", (), True, None),
    "app_gateway": ("snet-applicationgateway", APP_GATEWAY_RULES, False, None),
    "private_endpoints": ("snet-privatelinkendpoints", PRIVATE_ENDPOINT_RULES, False, None),
    "api_server": ("snet-privatecluster", (), True, "Microsoft.ContainerService/managedClusters"),
}


@dataclass(frozen=True)
class SpokeNetworkProps:
    """Inputs of a regional spoke network."""

    plan: SpokeNetworkPlan
    """Address plan from the environment file."""
    virtual_network_name: str
    route_table_name: str
    nsg_name_prefix: str
    """NSG names are `<prefix>-<subnet key>`."""
    location: str
    resource_group_name: str
    firewall_private_ip: str
    log_analytics_workspace_id: str


class SpokeNetwork(Construct):
    """Spoke VNet whose node, ingress and API-server subnets egress through the hub firewall.

    The App Gateway subnet keeps Azure's internet route (the gateway needs it) and the
    private-endpoint subnet needs no egress.
    """

    def __init__(self, scope: Construct, id: str, props: SpokeNetworkProps):
        super().__init__(scope, id)
        subnets = props.plan.subnets
        self.virtual_network = VirtualNetwork(self, "VirtualNetwork", VirtualNetworkProps(
            name=props.virtual_network_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            address_space=props.plan.address_space,
            log_analytics_workspace_id=props.log_analytics_workspace_id,
            # The firewall's DNS proxy: FQDN network rules resolve the same names the nodes do,
            # and the hub-linked private zones still answer through it.
            dns_servers=(props.firewall_private_ip,),
            subnets=tuple(
                SubnetSpec(key=key, name=name, address_prefix=getattr(subnets, key), delegation=delegation,
                           private_link_service_network_policies_enabled=key == "private_endpoints",
                           # Stronger than the reference: its NSG (443 from the VNet only) then
                           # really applies to the registry and key vault endpoints.
                           private_endpoint_network_policies=(
                               "NetworkSecurityGroupEnabled" if key == "private_endpoints" else "Disabled"))
                for key, (name, _, _, delegation) in SPOKE_SUBNETS.items()
            ),
        ))
        subnet_ids = {key: subnet.id for key, subnet in self.virtual_network.subnets.items()}
        self.security_groups = {
            key: SubnetSecurityGroup(self, f"SecurityGroup-{key}", SubnetSecurityGroupProps(
                name=f"{props.nsg_name_prefix}-{key.replace('_', '')}",
                location=props.location,
                resource_group_name=props.resource_group_name,
                subnet_id=subnet_ids[key],
                log_analytics_workspace_id=props.log_analytics_workspace_id,
                rules=rules,
            ))
            for key, (_, rules, _, _) in SPOKE_SUBNETS.items()
        }
        self.route_table = EgressRouteTable(self, "EgressRoutes", EgressRouteTableProps(
            name=props.route_table_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            firewall_private_ip=props.firewall_private_ip,
            subnet_ids={key: subnet_ids[key] for key, (_, _, routed, _) in SPOKE_SUBNETS.items() if routed},
        ))
