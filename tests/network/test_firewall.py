"""Firewall and FirewallPolicy: the Premium firewall across zones with its public IPs, and the
policy's DNS proxy, threat intelligence, IDPS and node IP group."""

from __future__ import annotations

import ipaddress

import pytest

from constructs_lib.config.egress import ClusterEgressSettings, egress_for
from constructs_lib.network.firewall import Firewall, FirewallProps
from constructs_lib.network.firewall_policy import FirewallPolicy, FirewallPolicyProps
from tests.synth import StackJson, empty_stack, synth_construct

SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/AzureFirewallSubnet"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"
NODES = (ipaddress.IPv4Network("10.240.0.0/22"),)


def settings(**changes) -> ClusterEgressSettings:
    base = {"region": "eastus2", "git_host": "github.com", "public_api_server_without_vnet_integration": False,
            "container_insights": True, "managed_prometheus": True, "defender": True}
    return ClusterEgressSettings(**{**base, **changes})


def policy_props(**changes) -> FirewallPolicyProps:
    base = {"name": "afwp", "ip_group_name": "ipg-nodes", "location": "eastus2", "resource_group_name": "rg",
            "log_analytics_workspace_id": WORKSPACE, "node_subnets": NODES, "egress": egress_for(settings())}
    return FirewallPolicyProps(**{**base, **changes})


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        policy = FirewallPolicy(stack, "Policy", policy_props(insights_retention_days=60))
        FirewallPolicy(stack, "PublicPolicy", policy_props(
            name="afwp-public", ip_group_name="ipg-public",
            egress=egress_for(settings(public_api_server_without_vnet_integration=True))))
        Firewall(stack, "Firewall", FirewallProps(
            name="afw", location="eastus2", resource_group_name="rg", subnet_id=SUBNET, policy=policy,
            public_ip_names=("pip-a", "pip-b", "pip-c"), log_analytics_workspace_id=WORKSPACE))
    return synth_construct(build)


def test_premium_firewall_across_zones_on_its_subnet(out):
    firewall = out.only("azurerm_firewall")
    assert (firewall["sku_name"], firewall["sku_tier"], firewall["zones"]) == ("AZFW_VNet", "Premium", ["1", "2", "3"])
    assert firewall["firewall_policy_id"] == out.ref("azurerm_firewall_policy", name="afwp")
    configs = firewall["ip_configuration"]
    assert [c["public_ip_address_id"] for c in configs] == [
        out.ref("azurerm_public_ip", name=name) for name in ("pip-a", "pip-b", "pip-c")]
    assert configs[0]["subnet_id"] == SUBNET
    assert all("subnet_id" not in c for c in configs[1:]), "Azure takes the subnet on the first configuration only"


def _groups_of(out, policy_name: str) -> dict[str, dict]:
    policy = out.ref("azurerm_firewall_policy", name=policy_name)
    return {key: group for key, group in out.resources("azurerm_firewall_policy_rule_collection_group").items()
            if group["firewall_policy_id"] == policy}


def test_firewall_waits_for_the_policy_rules_and_ip_group(out):
    groups = [f"azurerm_firewall_policy_rule_collection_group.{key}" for key in _groups_of(out, "afwp")]
    ip_group = out.ref("azurerm_ip_group", name="ipg-nodes").removeprefix("${").removesuffix(".id}")
    assert sorted(out.only("azurerm_firewall")["depends_on"]) == sorted([*groups, ip_group])


def test_public_ips_are_zone_redundant_and_observed(out):
    ips = out.resources("azurerm_public_ip").values()
    assert {(ip["sku"], ip["allocation_method"], tuple(ip["zones"])) for ip in ips} == {
        ("Standard", "Static", ("1", "2", "3"))}
    targets = {s["target_resource_id"] for s in out.resources("azurerm_monitor_diagnostic_setting").values()}
    assert {out.ref("azurerm_public_ip", name=n) for n in ("pip-a", "pip-b", "pip-c")} <= targets
    assert out.ref("azurerm_firewall") in targets


def test_policy_proxies_dns_and_denies_threats_and_intrusions(out):
    policy = out.named("azurerm_firewall_policy", "afwp")
    assert policy["sku"] == "Premium"
    assert policy["threat_intelligence_mode"] == "Deny"
    assert policy["intrusion_detection"] == {"mode": "Deny"}
    assert policy["dns"] == {"proxy_enabled": True}
    assert policy["insights"] == {"enabled": True, "default_log_analytics_workspace_id": WORKSPACE,
                                  "retention_in_days": 60}


def _rules(groups: dict[str, dict], kind: str) -> dict[str, dict]:
    return {rule["name"]: rule for group in groups.values()
            for collection in group.get(f"{kind}_rule_collection", []) for rule in collection["rule"]}


def test_node_ip_group_holds_the_node_subnets_and_sources_every_rule(out):
    assert out.named("azurerm_ip_group", "ipg-nodes")["cidrs"] == ["10.240.0.0/22"]
    for policy, ip_group in (("afwp", "ipg-nodes"), ("afwp-public", "ipg-public")):
        groups = _groups_of(out, policy)
        rules = {**_rules(groups, "network"), **_rules(groups, "application")}
        assert rules and all(r["source_ip_groups"] == [out.ref("azurerm_ip_group", name=ip_group)]
                             for r in rules.values())


def test_one_https_rule_per_feature_with_its_documented_destinations(out):
    rules = _rules(_groups_of(out, "afwp"), "application")
    expected = egress_for(settings())
    assert list(rules) == [entry.feature for entry in expected if entry.fqdns or entry.fqdn_tags]
    for entry in expected:
        rule = rules[entry.feature]
        assert rule["protocols"] == [{"type": "Https", "port": 443}]
        assert rule.get("destination_fqdns", []) == list(entry.fqdns)
        assert rule.get("destination_fqdn_tags", []) == list(entry.fqdn_tags)


def test_a_private_vnet_integrated_cluster_gets_no_network_rules(out):
    groups = _groups_of(out, "afwp")
    assert len(groups) == 1 and not _rules(groups, "network"), "no service-tag-wide or port rule"
    assert "AzureCloud" not in str(groups)


def test_a_public_api_server_without_vnet_integration_gets_its_tunnel_rules(out):
    groups = _groups_of(out, "afwp-public")
    network = _rules(groups, "network")
    assert {(tuple(r["protocols"]), tuple(r["destination_ports"]), tuple(r["destination_addresses"]))
            for r in network.values()} == {(("TCP",), ("443",), ("AzureCloud.eastus2",)),
                                            (("UDP",), ("1194",), ("AzureCloud.eastus2",))}
    assert _rules(groups, "application")["api-server-public"]["destination_fqdns"] == ["*.hcp.eastus2.azmk8s.io"]


def test_rule_collection_groups_are_applied_one_after_the_other(out):
    # They update the same policy; concurrent updates fail with "AnotherOperationInProgress".
    groups = _groups_of(out, "afwp-public")
    network = next(k for k, g in groups.items() if "network_rule_collection" in g)
    application = next(k for k, g in groups.items() if "application_rule_collection" in g)
    assert groups[application]["depends_on"] == [f"azurerm_firewall_policy_rule_collection_group.{network}"]


def test_a_policy_without_destinations_or_with_a_feature_twice_is_refused():
    with pytest.raises(ValueError, match="egress lists no destination"):
        FirewallPolicy(empty_stack(), "Policy", policy_props(egress=()))
    twice = egress_for(settings())[:1] * 2
    with pytest.raises(ValueError, match="egress lists a feature twice: aks-core, aks-core"):
        FirewallPolicy(empty_stack(), "Policy", policy_props(egress=twice))


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
