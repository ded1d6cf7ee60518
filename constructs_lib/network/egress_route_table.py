"""Route table that forces a subnet's internet-bound traffic through the hub firewall."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.route_table import RouteTable, RouteTableRoute
from cdktf_cdktf_provider_azurerm.subnet_route_table_association import (
    SubnetRouteTableAssociation,
)
from constructs import Construct


@dataclass(frozen=True)
class EgressRouteTableProps:
    """Inputs of the egress route table."""

    name: str
    """Azure name of the route table (CAF prefix `rt-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the route table."""
    firewall_private_ip: str
    """Next hop for 0.0.0.0/0: the hub firewall's private address."""
    subnet_ids: dict[str, str] = field(default_factory=dict)
    """Subnets (by config key) whose default route goes to the firewall."""


class EgressRouteTable(Construct):
    """0.0.0.0/0 -> VirtualAppliance (firewall), associated with each given subnet."""

    def __init__(self, scope: Construct, id: str, props: EgressRouteTableProps):
        super().__init__(scope, id)
        if not props.subnet_ids:
            raise ValueError(f"{props.name}: a route table needs at least one subnet to route")
        self.resource = RouteTable(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            route=[RouteTableRoute(
                name="r-nexthop-to-fw",
                address_prefix="0.0.0.0/0",
                next_hop_type="VirtualAppliance",
                next_hop_in_ip_address=props.firewall_private_ip,
            )],
        )
        self.associations = {
            key: SubnetRouteTableAssociation(
                self, f"Association-{key}", subnet_id=subnet_id, route_table_id=self.resource.id)
            for key, subnet_id in props.subnet_ids.items()
        }
