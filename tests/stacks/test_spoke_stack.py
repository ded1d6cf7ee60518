"""Spoke stack: subnets, NSGs, egress routing to the hub firewall, peering and App Gateway IP."""

from __future__ import annotations

import pytest

SPOKE_STACKS = ["dev-eastus2-spoke", "prod-eastus2-spoke", "prod-centralus-spoke"]


@pytest.fixture(scope="module", params=SPOKE_STACKS)
def spoke(request, synthesized):
    return synthesized.stack(request.param)


def subnet_ids(stack) -> dict[str, str]:
    return {body["name"]: f"${{azurerm_subnet.{key}.id}}" for key, body in stack.resources("azurerm_subnet").items()}


def test_subnets_match_the_address_plan(spoke, environments):
    _, region = spoke.environment(environments)
    subnets = {b["name"]: b for b in spoke.resources("azurerm_subnet").values()}
    plan = region.spoke.subnets
    assert {name: s["address_prefixes"] for name, s in subnets.items()} == {
        "snet-clusternodes": [str(plan.nodes)],
        "snet-clusteringressservices": [str(plan.ingress)],
        "snet-applicationgateway": [str(plan.app_gateway)],
        "snet-privatelinkendpoints": [str(plan.private_endpoints)],
        "snet-privatecluster": [str(plan.api_server)],
    }
    assert subnets["snet-privatecluster"]["delegation"][0]["service_delegation"] == {
        "name": "Microsoft.ContainerService/managedClusters",
        "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"]}
    assert subnets["snet-privatelinkendpoints"]["private_link_service_network_policies_enabled"] is True
    assert all(s["default_outbound_access_enabled"] is False for s in subnets.values())
    # The private-endpoint NSG only applies to endpoint traffic with network policies on.
    assert {n: s["private_endpoint_network_policies"] for n, s in subnets.items()} == {
        "snet-clusternodes": "Disabled", "snet-clusteringressservices": "Disabled",
        "snet-applicationgateway": "Disabled", "snet-privatelinkendpoints": "NetworkSecurityGroupEnabled",
        "snet-privatecluster": "Disabled"}


def test_spoke_resolves_through_the_firewall_dns_proxy(spoke):
    vnet = spoke.only("azurerm_virtual_network")
    assert vnet["dns_servers"] == [
        "${data.azurerm_firewall.Hub_Firewall_E1AF5DE4.ip_configuration[0].private_ip_address}"]


def test_every_subnet_has_its_own_nsg(spoke):
    ids = subnet_ids(spoke)
    associations = spoke.resources("azurerm_subnet_network_security_group_association").values()
    associated = [a["subnet_id"] for a in associations]
    assert sorted(associated) == sorted(ids.values())
    assert len({a["network_security_group_id"] for a in associations}) == 5


def _nsg_rules(stack, nsg_suffix: str) -> dict[str, dict]:
    nsg_key = [k for k, b in stack.resources("azurerm_network_security_group").items() if b["name"].endswith(nsg_suffix)]
    assert len(nsg_key) == 1
    return {r["name"]: r for r in stack.resources("azurerm_network_security_rule").values()
            if r["network_security_group_name"] == f"${{azurerm_network_security_group.{nsg_key[0]}.name}}"}


def test_app_gateway_nsg_allows_only_https_and_platform_traffic(spoke):
    rules = _nsg_rules(spoke, "-appgateway")
    inbound_allows = {n: r for n, r in rules.items() if r["direction"] == "Inbound" and r["access"] == "Allow"}
    assert set(inbound_allows) == {"Allow443Inbound", "AllowControlPlaneInbound", "AllowHealthProbesInbound"}
    assert inbound_allows["Allow443Inbound"]["destination_port_range"] == "443"
    assert inbound_allows["Allow443Inbound"]["source_address_prefix"] == "Internet"
    assert inbound_allows["AllowControlPlaneInbound"]["destination_port_range"] == "65200-65535"
    assert rules["DenyAllInbound"]["access"] == "Deny"


def test_private_endpoint_nsg_only_443_from_the_vnet(spoke):
    rules = _nsg_rules(spoke, "-privateendpoints")
    assert set(rules) == {"AllowAll443InFromVnet", "DenyAllInbound", "DenyAllOutbound"}
    assert rules["AllowAll443InFromVnet"]["source_address_prefix"] == "VirtualNetwork"


def test_node_ingress_and_api_subnets_route_everything_to_the_firewall(spoke):
    route_table = spoke.only("azurerm_route_table")
    assert route_table["route"] == [{
        "name": "r-nexthop-to-fw",
        "address_prefix": "0.0.0.0/0",
        "next_hop_type": "VirtualAppliance",
        "next_hop_in_ip_address": "${data.azurerm_firewall.Hub_Firewall_E1AF5DE4.ip_configuration[0].private_ip_address}",
    }]
    firewall = spoke.data("azurerm_firewall")["Hub_Firewall_E1AF5DE4"]
    env_name, region, _ = spoke.name.split("-")
    assert (firewall["name"], firewall["resource_group_name"]) == (f"afw-hub-{env_name}-{region}", f"rg-hub-{env_name}-{region}")
    ids = subnet_ids(spoke)
    routed = sorted(a["subnet_id"] for a in spoke.resources("azurerm_subnet_route_table_association").values())
    assert routed == sorted([ids["snet-clusternodes"], ids["snet-clusteringressservices"], ids["snet-privatecluster"]])


def test_peering_both_ways_from_the_spoke(spoke):
    peerings = list(spoke.resources("azurerm_virtual_network_peering").values())
    assert len(peerings) == 2
    env_name, region, _ = spoke.name.split("-")
    to_hub = next(p for p in peerings if p["name"] == f"to_vnet-hub-{env_name}-{region}")
    to_spoke = next(p for p in peerings if p is not to_hub)
    assert to_hub["remote_virtual_network_id"].startswith("${data.azurerm_virtual_network.")
    assert to_spoke["resource_group_name"] == f"rg-hub-{env_name}-{region}"
    assert to_spoke["remote_virtual_network_id"].startswith("${azurerm_virtual_network.")
    for peering in peerings:
        assert peering["allow_virtual_network_access"] is True
        assert peering["allow_forwarded_traffic"] is False
        assert peering["allow_gateway_transit"] is False and peering["use_remote_gateways"] is False


def test_app_gateway_public_ip_zone_redundant(spoke):
    ip = spoke.only("azurerm_public_ip")
    assert ip["name"].startswith("pip-agw-")
    assert (ip["sku"], ip["allocation_method"], ip["zones"]) == ("Standard", "Static", ["1", "2", "3"])


def test_diagnostics_to_the_hub_workspace(spoke):
    settings = spoke.resources("azurerm_monitor_diagnostic_setting").values()
    assert all(s["log_analytics_workspace_id"].startswith("${data.azurerm_log_analytics_workspace.") for s in settings)
    targets = {s["target_resource_id"] for s in settings}
    for resource_type in ("azurerm_virtual_network", "azurerm_network_security_group", "azurerm_public_ip"):
        for key in spoke.resources(resource_type):
            assert f"${{{resource_type}.{key}.id}}" in targets
