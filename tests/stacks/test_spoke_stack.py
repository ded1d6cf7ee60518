"""Spoke stack: subnets, NSGs, egress routing to the hub firewall, peering and App Gateway IP."""

from __future__ import annotations

import pytest

from constructs_lib.config.resource_names import SPOKE_SUBNET_NAMES, RegionNames
from tests.envfiles import planned_stacks


@pytest.fixture(scope="module", params=planned_stacks("spoke"))
def spoke(request, synthesized):
    return synthesized.stack(request.param)


def firewall_ip(stack, environments) -> str:
    env, region = stack.environment(environments)
    return stack.data_ref("azurerm_firewall", RegionNames.of(env, region).hub.firewall,
                          "ip_configuration[0].private_ip_address")


def subnet_ids(stack) -> dict[str, str]:
    return {body["name"]: f"${{azurerm_subnet.{key}.id}}" for key, body in stack.resources("azurerm_subnet").items()}


def test_subnets_match_the_address_plan(spoke, environments):
    _, region = spoke.environment(environments)
    subnets = {b["name"]: b for b in spoke.resources("azurerm_subnet").values()}
    plan = region.spoke.subnets
    assert {name: s["address_prefixes"] for name, s in subnets.items()} == {
        name: [str(getattr(plan, key))] for key, name in SPOKE_SUBNET_NAMES.items()}
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


def test_spoke_resolves_through_the_firewall_dns_proxy(spoke, environments):
    assert spoke.only("azurerm_virtual_network")["dns_servers"] == [firewall_ip(spoke, environments)]


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


def test_app_gateway_nsg_allows_only_https_and_platform_traffic(spoke, environments):
    env, _ = spoke.environment(environments)
    rules = _nsg_rules(spoke, "-appgateway")
    inbound_allows = {n: r for n, r in rules.items() if r["direction"] == "Inbound" and r["access"] == "Allow"}
    assert set(inbound_allows) == {"Allow443Inbound", "AllowControlPlaneInbound", "AllowHealthProbesInbound"}
    assert inbound_allows["Allow443Inbound"]["destination_port_range"] == "443"
    # Behind Front Door only Front Door's backends reach 443; otherwise the internet.
    expected_clients = "AzureFrontDoor.Backend" if env.front_door_enabled else "Internet"
    assert inbound_allows["Allow443Inbound"]["source_address_prefix"] == expected_clients
    assert inbound_allows["AllowControlPlaneInbound"]["source_address_prefix"] == "GatewayManager"
    assert inbound_allows["AllowControlPlaneInbound"]["destination_port_range"] == "65200-65535"
    assert inbound_allows["AllowHealthProbesInbound"]["source_address_prefix"] == "AzureLoadBalancer"
    assert rules["DenyAllInbound"]["access"] == "Deny"
    assert rules["DenyAllInbound"]["priority"] > max(r["priority"] for r in inbound_allows.values())


def test_app_gateway_public_ip_has_the_dns_label_front_door_addresses(spoke, environments):
    env, region = spoke.environment(environments)
    names = RegionNames.of(env, region).spoke
    ip = spoke.named("azurerm_public_ip", names.app_gateway_public_ip)
    assert ip["domain_name_label"] == names.app_gateway_dns_label
    assert names.app_gateway_fqdn(region.name) == f"{ip['domain_name_label']}.{region.name}.cloudapp.azure.com"


def test_private_endpoint_nsg_only_443_from_the_vnet(spoke):
    rules = _nsg_rules(spoke, "-privateendpoints")
    assert set(rules) == {"AllowAll443InFromVnet", "DenyAllInbound", "DenyAllOutbound"}
    assert rules["AllowAll443InFromVnet"]["source_address_prefix"] == "VirtualNetwork"


def test_node_ingress_and_api_subnets_route_everything_to_the_firewall(spoke, environments):
    route_table = spoke.only("azurerm_route_table")
    assert route_table["route"] == [{
        "name": "r-nexthop-to-fw",
        "address_prefix": "0.0.0.0/0",
        "next_hop_type": "VirtualAppliance",
        "next_hop_in_ip_address": firewall_ip(spoke, environments),
    }]
    env, region = spoke.environment(environments)
    hub = RegionNames.of(env, region).hub
    firewall = spoke.named_data("azurerm_firewall", hub.firewall)
    assert firewall["resource_group_name"] == hub.resource_group
    ids = subnet_ids(spoke)
    routed = sorted(a["subnet_id"] for a in spoke.resources("azurerm_subnet_route_table_association").values())
    assert routed == sorted([ids["snet-clusternodes"], ids["snet-clusteringressservices"], ids["snet-privatecluster"]])


def test_peering_both_ways_from_the_spoke(spoke, environments):
    peerings = list(spoke.resources("azurerm_virtual_network_peering").values())
    assert len(peerings) == 2
    env, region = spoke.environment(environments)
    hub = RegionNames.of(env, region).hub
    to_hub = next(p for p in peerings if p["name"] == f"to_{hub.virtual_network}")
    to_spoke = next(p for p in peerings if p is not to_hub)
    assert to_hub["remote_virtual_network_id"] == spoke.data_ref("azurerm_virtual_network", hub.virtual_network)
    assert to_spoke["resource_group_name"] == hub.resource_group
    assert to_spoke["virtual_network_name"] == hub.virtual_network
    assert to_spoke["remote_virtual_network_id"] == spoke.ref("azurerm_virtual_network")
    for peering in peerings:
        assert peering["allow_virtual_network_access"] is True
        assert peering["allow_forwarded_traffic"] is False
        assert peering["allow_gateway_transit"] is False and peering["use_remote_gateways"] is False


def test_app_gateway_public_ip_in_the_regions_zones(spoke, environments):
    env, region = spoke.environment(environments)
    ip = spoke.only("azurerm_public_ip")
    assert ip["name"] == RegionNames.of(env, region).spoke.app_gateway_public_ip
    assert ip["zones"] == list(region.zones)


def test_diagnostics_go_to_the_hub_workspace(spoke, environments):
    env, region = spoke.environment(environments)
    workspace = spoke.data_ref("azurerm_log_analytics_workspace", RegionNames.of(env, region).hub.log_analytics)
    settings = spoke.resources("azurerm_monitor_diagnostic_setting").values()
    assert {s["log_analytics_workspace_id"] for s in settings} == {workspace}
