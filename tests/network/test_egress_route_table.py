"""EgressRouteTable: the default route to the hub firewall and one association per subnet."""

from __future__ import annotations

import pytest

from constructs_lib.network.egress_route_table import EgressRouteTable, EgressRouteTableProps
from tests.synth import empty_stack, synth_construct

NODES = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"
INGRESS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/ingress"


def props(**changes) -> EgressRouteTableProps:
    base = {"name": "rt-a", "location": "eastus2", "resource_group_name": "rg",
            "firewall_private_ip": "10.200.0.4", "subnet_ids": {"nodes": NODES, "ingress": INGRESS}}
    return EgressRouteTableProps(**{**base, **changes})


def test_everything_goes_to_the_firewall_from_each_subnet():
    out = synth_construct(lambda stack: EgressRouteTable(stack, "Routes", props()))
    assert out.only("azurerm_route_table")["route"] == [{
        "name": "r-nexthop-to-fw", "address_prefix": "0.0.0.0/0",
        "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.200.0.4"}]
    associations = out.resources("azurerm_subnet_route_table_association").values()
    assert sorted(a["subnet_id"] for a in associations) == sorted([NODES, INGRESS])
    assert {a["route_table_id"] for a in associations} == {out.ref("azurerm_route_table")}


def test_a_route_table_without_subnets_is_refused():
    with pytest.raises(ValueError, match="rt-a: a route table needs at least one subnet to route"):
        EgressRouteTable(empty_stack(), "Routes", props(subnet_ids={}))
