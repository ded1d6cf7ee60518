"""Firewall and FirewallPolicy: the Premium firewall across zones with its public IPs, and the
policy's DNS proxy, threat intelligence, IDPS and node IP group."""

from __future__ import annotations

import ipaddress

import pytest

from constructs_lib.network.firewall import Firewall, FirewallProps
from constructs_lib.network.firewall_policy import FirewallPolicy, FirewallPolicyProps
from tests.synth import StackJson, empty_stack, synth_construct

SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/AzureFirewallSubnet"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"
NODES = (ipaddress.IPv4Network("10.240.0.0/22"),)


def policy_props(**changes) -> FirewallPolicyProps:
    base = {"name": "afwp", "ip_group_name": "ipg-nodes", "location": "eastus2", "resource_group_name": "rg",
            "log_analytics_workspace_id": WORKSPACE, "node_subnets": NODES}
    return FirewallPolicyProps(**{**base, **changes})


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        policy = FirewallPolicy(stack, "Policy", policy_props(insights_retention_days=60))
        Firewall(stack, "Firewall", FirewallProps(
            name="afw", location="eastus2", resource_group_name="rg", subnet_id=SUBNET, policy=policy,
            public_ip_names=("pip-a", "pip-b", "pip-c"), log_analytics_workspace_id=WORKSPACE))
    return synth_construct(build)


def test_premium_firewall_across_zones_on_its_subnet(out):
    firewall = out.only("azurerm_firewall")
    assert (firewall["sku_name"], firewall["sku_tier"], firewall["zones"]) == ("AZFW_VNet", "Premium", ["1", "2", "3"])
    assert firewall["firewall_policy_id"] == out.ref("azurerm_firewall_policy")
    configs = firewall["ip_configuration"]
    assert [c["public_ip_address_id"] for c in configs] == [
        out.ref("azurerm_public_ip", name=name) for name in ("pip-a", "pip-b", "pip-c")]
    assert configs[0]["subnet_id"] == SUBNET
    assert all("subnet_id" not in c for c in configs[1:]), "Azure takes the subnet on the first configuration only"


def test_firewall_waits_for_the_policy_rules_and_ip_group(out):
    groups = [f"azurerm_firewall_policy_rule_collection_group.{key}"
              for key in out.resources("azurerm_firewall_policy_rule_collection_group")]
    ip_group = f"azurerm_ip_group.{next(iter(out.resources('azurerm_ip_group')))}"
    assert sorted(out.only("azurerm_firewall")["depends_on"]) == sorted([*groups, ip_group])


def test_public_ips_are_zone_redundant_and_observed(out):
    ips = out.resources("azurerm_public_ip").values()
    assert {(ip["sku"], ip["allocation_method"], tuple(ip["zones"])) for ip in ips} == {
        ("Standard", "Static", ("1", "2", "3"))}
    targets = {s["target_resource_id"] for s in out.resources("azurerm_monitor_diagnostic_setting").values()}
    assert {out.ref("azurerm_public_ip", name=n) for n in ("pip-a", "pip-b", "pip-c")} <= targets
    assert out.ref("azurerm_firewall") in targets


def test_policy_proxies_dns_and_denies_threats_and_intrusions(out):
    policy = out.only("azurerm_firewall_policy")
    assert policy["sku"] == "Premium"
    assert policy["threat_intelligence_mode"] == "Deny"
    assert policy["intrusion_detection"] == {"mode": "Deny"}
    assert policy["dns"] == {"proxy_enabled": True}
    assert policy["insights"] == {"enabled": True, "default_log_analytics_workspace_id": WORKSPACE,
                                  "retention_in_days": 60}


def test_node_ip_group_holds_the_node_subnets_and_sources_every_rule(out):
    assert out.only("azurerm_ip_group")["cidrs"] == ["10.240.0.0/22"]
    ip_group = out.ref("azurerm_ip_group")
    for group in out.resources("azurerm_firewall_policy_rule_collection_group").values():
        for kind in ("network", "application"):
            for collection in group.get(f"{kind}_rule_collection", []):
                for rule in collection["rule"]:
                    if rule["name"] != "dns":
                        assert rule["source_ip_groups"] == [ip_group], rule["name"]


def test_a_policy_without_node_subnets_is_refused():
    with pytest.raises(ValueError, match="at least one spoke node subnet is needed for the IP group"):
        FirewallPolicy(empty_stack(), "Policy", policy_props(node_subnets=()))


def test_a_firewall_without_public_ips_is_refused():
    stack = empty_stack()
    policy = FirewallPolicy(stack, "Policy", policy_props())
    with pytest.raises(ValueError, match="firewall: at least one public IP name is required"):
        Firewall(stack, "Firewall", FirewallProps(
            name="afw", location="eastus2", resource_group_name="rg", subnet_id=SUBNET, policy=policy,
            public_ip_names=(), log_analytics_workspace_id=WORKSPACE))
