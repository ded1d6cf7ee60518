"""Hub stack: how the network team's constructs are wired per environment and region.

What each construct builds is tested with the construct (tests/network/); diagnostics on every
resource are enforced by the policy aspects (tests/policy/). Here: the address plan, names and
references that come from the environment file.
"""

from __future__ import annotations

import json

import pytest

from constructs_lib.config.egress import cluster_egress
from constructs_lib.config.resource_names import HUB_SUBNET_NAMES, RegionNames
from tests.envfiles import planned_stacks


@pytest.fixture(scope="module", params=planned_stacks("hub"))
def hub(request, synthesized):
    return synthesized.stack(request.param)


def test_resource_group_and_vnet_follow_the_region_plan(hub, environments):
    env, region = hub.environment(environments)
    names = RegionNames.of(env, region).hub
    group = hub.only("azurerm_resource_group")
    assert (group["name"], group["location"]) == (names.resource_group, region.name)
    vnet = hub.only("azurerm_virtual_network")
    assert (vnet["name"], vnet["address_space"]) == (names.virtual_network, [str(region.hub.address_space)])
    subnets = {body["name"]: body["address_prefixes"] for body in hub.resources("azurerm_subnet").values()}
    assert subnets == {name: [str(getattr(region.hub.subnets, key))] for key, name in HUB_SUBNET_NAMES.items()}


def test_firewall_sits_in_the_firewall_subnet_across_the_regions_zones(hub, environments):
    env, region = hub.environment(environments)
    firewall = hub.only("azurerm_firewall")
    assert firewall["name"] == RegionNames.of(env, region).hub.firewall
    assert firewall["zones"] == list(region.zones)
    assert firewall["ip_configuration"][0]["subnet_id"] == hub.ref("azurerm_subnet", name="AzureFirewallSubnet")
    if env.hub.bastion_sku != "none":
        assert hub.only("azurerm_bastion_host")["ip_configuration"]["subnet_id"] == hub.ref(
            "azurerm_subnet", name="AzureBastionSubnet")


def test_node_ip_group_is_this_regions_node_subnet_from_the_config(hub, environments):
    _, region = hub.environment(environments)
    assert hub.only("azurerm_ip_group")["cidrs"] == [str(region.spoke.subnets.nodes)]


def test_regional_and_gitops_endpoints_follow_the_environment(hub, environments):
    env, region = hub.environment(environments)
    fqdns = {fqdn for group in hub.resources("azurerm_firewall_policy_rule_collection_group").values()
             for collection in group.get("application_rule_collection", [])
             for rule in collection["rule"] for fqdn in rule.get("destination_fqdns", [])}
    assert f"{region.name}.dp.kubernetesconfiguration.azure.com" in fqdns
    assert env.gitops.host in fqdns


def test_workspace_retention_follows_the_environment(hub, environments):
    env, _ = hub.environment(environments)
    workspace = hub.only("azurerm_log_analytics_workspace")
    assert workspace["retention_in_days"] == env.hub.log_retention_days
    assert hub.only("azurerm_firewall_policy")["insights"]["retention_in_days"] == env.hub.log_retention_days
    settings = hub.resources("azurerm_monitor_diagnostic_setting").values()
    assert {s["log_analytics_workspace_id"] for s in settings} == {hub.ref("azurerm_log_analytics_workspace")}


def test_the_firewall_allows_what_this_regions_cluster_needs_and_no_service_tag(hub, environments):
    """The egress of the cluster this hub serves (config.egress), with this region's names: for the
    shipped private, VNet-integrated clusters no network rule and no AzureCloud tag at all."""
    env, region = hub.environment(environments)
    groups = hub.resources("azurerm_firewall_policy_rule_collection_group").values()
    allowed = {fqdn for group in groups for collection in group.get("application_rule_collection", [])
               for rule in collection["rule"] for fqdn in rule.get("destination_fqdns", [])}
    expected = {fqdn for entry in cluster_egress(env, region) for fqdn in entry.fqdns}
    assert allowed == expected
    add_ons = env.cluster.add_ons
    if add_ons.container_insights or add_ons.managed_prometheus:
        assert {"global.handler.control.monitor.azure.com", f"{region.name}.handler.control.monitor.azure.com"} <= allowed
    if add_ons.defender:
        assert "*.cloud.defender.microsoft.com" in allowed
    if env.cluster.private or env.cluster.api_server_vnet_integration:
        assert not any("network_rule_collection" in group for group in groups)
        assert "AzureCloud" not in json.dumps(list(groups))


def test_the_hub_reads_nothing_from_another_stack(hub):
    assert "data" not in hub.doc, "the hub is the first stack of a region: no lookups"
