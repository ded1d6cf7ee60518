"""The spoke network of one region: VNet, subnets, an NSG per subnet and firewall-bound routes."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.config.models import SpokeNetwork as SpokeNetworkPlan
from constructs_lib.config.resource_names import SPOKE_SUBNET_NAMES
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

FRONT_DOOR_SERVICE_TAG = "AzureFrontDoor.Backend"
"""Source of Front Door's requests to its origins (shared by every Front Door customer, hence the
App Gateway WAF's X-Azure-FDID rule as well)."""


def app_gateway_rules(front_door: bool) -> tuple[SecurityRule, ...]:
    """The App Gateway subnet's NSG rules: HTTPS from the internet, or behind Front Door only from
    `AzureFrontDoor.Backend`; plus what App Gateway v2 needs (GatewayManager 65200-65535, the Azure
    load balancer, outbound internet), deny everything else inbound
    (https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups)."""
    clients = FRONT_DOOR_SERVICE_TAG if front_door else "Internet"
    return (
        SecurityRule("Allow443Inbound", 100, "Inbound", "Allow", "Tcp", (clients,), ("VirtualNetwork",), ("443",)),
        # WAF_v2 health and management traffic; Azure refuses the gateway without it.
        SecurityRule("AllowControlPlaneInbound", 110, "Inbound", "Allow", "*", ("GatewayManager",), ("*",),
                     ("65200-65535",)),
        SecurityRule("AllowHealthProbesInbound", 120, "Inbound", "Allow", "*", ("AzureLoadBalancer",), ("*",),
                     ("*",)),
        deny_all("Inbound"),
        SecurityRule("AllowAllOutbound", 1000, "Outbound", "Allow", "*", ("*",), ("*",), ("*",)),
    )


PRIVATE_ENDPOINT_RULES: tuple[SecurityRule, ...] = (
    SecurityRule("AllowAll443InFromVnet", 100, "Inbound", "Allow", "Tcp", ("VirtualNetwork",),
                 ("VirtualNetwork",), ("443",)),
    deny_all("Inbound"),
    deny_all("Outbound"),
)

API_SERVER_DELEGATION = "Microsoft.ContainerService/managedClusters"


@dataclass(frozen=True)
class SpokeSubnet:
    """One subnet of the spoke: its NSG rules and whether its egress is forced through the hub."""

    key: str
    """Config key (`regions[].spoke.subnets.<key>`) and construct-ID suffix."""
    rules: tuple[SecurityRule, ...] = ()
    """NSG rules on top of Azure's defaults; empty keeps only the defaults (reference)."""
    routed_through_firewall: bool = False
    """Whether the subnet's 0.0.0.0/0 route goes to the hub firewall."""
    delegation: str | None = None
    """Service the subnet is delegated to (the API-server subnet: AKS)."""
    private_endpoints: bool = False
    """Hosts private endpoints: private-link policies on, and its NSG applies to the endpoints."""

    @property
    def name(self) -> str:
        """Azure name of the subnet (`config.resource_names.SPOKE_SUBNET_NAMES`)."""
        return SPOKE_SUBNET_NAMES[self.key]


SPOKE_SUBNETS: tuple[SpokeSubnet, ...] = (
    SpokeSubnet("nodes", routed_through_firewall=True),
    SpokeSubnet("ingress", routed_through_firewall=True),
    # The App Gateway keeps Azure's internet route (the gateway needs it). Its NSG rules depend on
    # Front Door: `app_gateway_rules`.
    SpokeSubnet("app_gateway"),
    SpokeSubnet("private_endpoints", rules=PRIVATE_ENDPOINT_RULES, private_endpoints=True),
    SpokeSubnet("api_server", routed_through_firewall=True, delegation=API_SERVER_DELEGATION),
)
"""The spoke's five subnets in construct order."""


@dataclass(frozen=True)
class SpokeNetworkProps:
    """Inputs of a regional spoke network."""

    plan: SpokeNetworkPlan
    """Address plan from the environment file."""
    virtual_network_name: str
    """Azure name of the spoke VNet (CAF prefix `vnet-`)."""
    route_table_name: str
    """Azure name of the egress route table (CAF prefix `rt-`)."""
    nsg_name_prefix: str
    """NSG names are `<prefix>-<subnet key>`."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the VNet, NSGs and route table."""
    firewall_private_ip: str
    """The hub firewall's private IP: next hop of the default route and the VNet's DNS server (DNS proxy)."""
    log_analytics_workspace_id: str
    """Workspace receiving the VNet's and NSGs' diagnostics (the hub's)."""
    front_door: bool = False
    """The App Gateway is only reached through Front Door: its subnet admits 443 from
    `AzureFrontDoor.Backend` instead of `Internet`. Default false."""


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
                SubnetSpec(key=subnet.key, name=subnet.name, address_prefix=getattr(subnets, subnet.key),
                           delegation=subnet.delegation,
                           private_link_service_network_policies_enabled=subnet.private_endpoints,
                           # Stronger than the reference: its NSG (443 from the VNet only) then
                           # really applies to the registry and key vault endpoints.
                           private_endpoint_network_policies=(
                               "NetworkSecurityGroupEnabled" if subnet.private_endpoints else "Disabled"))
                for subnet in SPOKE_SUBNETS
            ),
        ))
        subnet_ids = {key: subnet.id for key, subnet in self.virtual_network.subnets.items()}
        self.security_groups = {
            subnet.key: SubnetSecurityGroup(self, f"SecurityGroup-{subnet.key}", SubnetSecurityGroupProps(
                name=f"{props.nsg_name_prefix}-{subnet.key.replace('_', '')}",
                location=props.location,
                resource_group_name=props.resource_group_name,
                subnet_id=subnet_ids[subnet.key],
                log_analytics_workspace_id=props.log_analytics_workspace_id,
                rules=app_gateway_rules(props.front_door) if subnet.key == "app_gateway" else subnet.rules,
            ))
            for subnet in SPOKE_SUBNETS
        }
        self.route_table = EgressRouteTable(self, "EgressRoutes", EgressRouteTableProps(
            name=props.route_table_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            firewall_private_ip=props.firewall_private_ip,
            subnet_ids={subnet.key: subnet_ids[subnet.key] for subnet in SPOKE_SUBNETS
                        if subnet.routed_through_firewall},
        ))
