"""Hub stack: what the network team deploys per region, asserted on the synthesized JSON."""

from __future__ import annotations

import pytest

HUB_STACKS = ["dev-eastus2-hub", "prod-eastus2-hub", "prod-centralus-hub"]


@pytest.fixture(scope="module", params=HUB_STACKS)
def hub(request, synthesized):
    return synthesized.stack(request.param)


def test_one_resource_group_in_the_region(hub):
    group = hub.only("azurerm_resource_group")
    region = hub.name.split("-")[1]
    assert group["location"] == region
    assert group["name"] == f"rg-hub-{hub.name.split('-')[0]}-{region}"


def test_vnet_and_fixed_subnets(hub, environments):
    env, region = hub.environment(environments)
    vnet = hub.only("azurerm_virtual_network")
    assert vnet["address_space"] == [str(region.hub.address_space)]
    subnets = {body["name"]: body for body in hub.resources("azurerm_subnet").values()}
    assert set(subnets) == {"AzureFirewallSubnet", "GatewaySubnet", "AzureBastionSubnet"}
    assert subnets["AzureFirewallSubnet"]["address_prefixes"] == [str(region.hub.subnets.firewall)]
    assert subnets["GatewaySubnet"]["address_prefixes"] == [str(region.hub.subnets.gateway)]
    assert subnets["AzureBastionSubnet"]["address_prefixes"] == [str(region.hub.subnets.bastion)]
    assert all(s["default_outbound_access_enabled"] is False for s in subnets.values())


def test_firewall_premium_across_zones_with_three_public_ips(hub):
    firewall = hub.only("azurerm_firewall")
    assert (firewall["sku_name"], firewall["sku_tier"]) == ("AZFW_VNet", "Premium")
    assert firewall["zones"] == ["1", "2", "3"]
    configs = firewall["ip_configuration"]
    assert len(configs) == 3
    assert "AzureFirewallSubnet" not in str(configs[0]["subnet_id"])  # a reference, not a literal
    assert configs[0]["subnet_id"].startswith("${azurerm_subnet.")
    assert all("subnet_id" not in c for c in configs[1:]), "only the first IP configuration has the subnet"
    public_ips = hub.resources("azurerm_public_ip")
    firewall_ips = [p for p in public_ips.values() if p["name"].startswith("pip-afw-")]
    assert len(firewall_ips) == 3
    for ip in firewall_ips:
        assert (ip["sku"], ip["allocation_method"], ip["zones"]) == ("Standard", "Static", ["1", "2", "3"])
    assert firewall["firewall_policy_id"].startswith("${azurerm_firewall_policy.")
    assert set(firewall["depends_on"]) >= {d for d in firewall["depends_on"] if "rule_collection_group" in d}
    assert sum("rule_collection_group" in d for d in firewall["depends_on"]) == 2
    # DNS proxy and threat intel belong on the policy, not the firewall.
    assert "dns_proxy_enabled" not in firewall and "threat_intel_mode" not in firewall


def test_policy_dns_proxy_threat_intel_and_idps_deny(hub):
    policy = hub.only("azurerm_firewall_policy")
    assert policy["sku"] == "Premium"
    assert policy["threat_intelligence_mode"] == "Deny"
    assert policy["intrusion_detection"] == {"mode": "Deny"}
    assert policy["dns"] == {"proxy_enabled": True}
    assert policy["insights"]["enabled"] is True
    assert policy["insights"]["default_log_analytics_workspace_id"].startswith("${azurerm_log_analytics_workspace.")


def test_ip_group_holds_the_regions_node_subnet(hub, environments):
    env, region = hub.environment(environments)
    assert hub.only("azurerm_ip_group")["cidrs"] == [str(region.spoke.subnets.nodes)]


def _rules(group: dict, kind: str) -> dict[str, dict]:
    return {rule["name"]: rule for collection in group[f"{kind}_rule_collection"] for rule in collection["rule"]}


def test_rule_collection_groups(hub):
    groups = {g["name"]: g for g in hub.resources("azurerm_firewall_policy_rule_collection_group").values()}
    network, application = groups["DefaultNetworkRuleCollectionGroup"], groups["DefaultApplicationRuleCollectionGroup"]
    assert (network["priority"], application["priority"]) == (200, 300)
    region = hub.name.split("-")[1]
    ip_group = hub.ref("azurerm_ip_group")

    net = _rules(network, "network")
    assert net["dns"]["destination_ports"] == ["53"] and net["dns"]["protocols"] == ["UDP"]
    assert net["ntp"]["destination_ports"] == ["123"] and net["ntp"]["protocols"] == ["UDP"]
    assert net["pods-to-api-server-konnectivity"]["destination_addresses"] == [f"AzureCloud.{region}"]
    assert net["pods-to-api-server-konnectivity"]["source_ip_groups"] == [ip_group]

    app = _rules(application, "application")
    assert app["service-requirements"]["destination_fqdn_tags"] == ["AzureKubernetesService"]
    assert f"{region}.monitoring.azure.com" in app["azure-monitor-addon"]["destination_fqdns"]
    assert set(app["azure-policy-addon"]["destination_fqdns"]) == {
        "data.policy.core.windows.net", "store.policy.core.windows.net"}
    assert f"{region}.dp.kubernetesconfiguration.azure.com" in app["flux-extension-runtime-requirements"]["destination_fqdns"]
    assert set(app["git-origin"]["destination_fqdns"]) == {"github.com", "api.github.com"}
    for rule in app.values():
        assert rule["protocols"] == [{"port": 443, "type": "Https"}]
        assert rule["source_ip_groups"] == [ip_group], f"{rule['name']} must be limited to the node subnets"


def test_bastion_standard_with_tunnelling_and_its_nsg(hub):
    bastion = hub.only("azurerm_bastion_host")
    assert bastion["sku"] == "Standard" and bastion["tunneling_enabled"] is True
    assert bastion["ip_configuration"]["subnet_id"].startswith("${azurerm_subnet.")
    assert any("azurerm_subnet_network_security_group_association" in d for d in bastion["depends_on"])
    rules = {r["name"]: r for r in hub.resources("azurerm_network_security_rule").values()}
    assert rules["AllowWebExperienceInbound"]["source_address_prefix"] == "Internet"
    assert rules["AllowControlPlaneInbound"]["source_address_prefix"] == "GatewayManager"
    assert rules["AllowBastionHostToHostOutbound"]["destination_port_ranges"] == ["443", "8080", "5701"]
    for direction in ("Inbound", "Outbound"):
        deny = rules[f"DenyAll{direction}"]
        assert (deny["access"], deny["priority"], deny["direction"]) == ("Deny", 1000, direction)
    association = hub.only("azurerm_subnet_network_security_group_association")
    bastion_subnet = [k for k, s in hub.resources("azurerm_subnet").items() if s["name"] == "AzureBastionSubnet"][0]
    assert association["subnet_id"] == f"${{azurerm_subnet.{bastion_subnet}.id}}"


def test_log_analytics_hardened(hub):
    workspace = hub.only("azurerm_log_analytics_workspace")
    assert workspace["sku"] == "PerGB2018" and workspace["retention_in_days"] == 30
    assert workspace["local_authentication_enabled"] is False
    assert workspace["daily_quota_gb"] == -1


DIAGNOSED = ["azurerm_log_analytics_workspace", "azurerm_virtual_network", "azurerm_firewall",
             "azurerm_public_ip", "azurerm_bastion_host", "azurerm_network_security_group"]


def test_every_hub_resource_that_supports_diagnostics_has_them(hub):
    targets = {d["target_resource_id"] for d in hub.resources("azurerm_monitor_diagnostic_setting").values()}
    for resource_type in DIAGNOSED:
        for logical_id in hub.resources(resource_type):
            assert f"${{{resource_type}.{logical_id}.id}}" in targets, f"{resource_type}.{logical_id} has no diagnostics"
    firewall_diag = [d for d in hub.resources("azurerm_monitor_diagnostic_setting").values()
                     if d["target_resource_id"].startswith("${azurerm_firewall.")][0]
    categories = {log["category"] for log in firewall_diag["enabled_log"]}
    assert {"AZFWIdpsSignature", "AZFWThreatIntel", "AZFWDnsQuery", "AZFWNetworkRule"} <= categories
    assert len(categories) == 12 and not any(c.startswith("AzureFirewall") for c in categories)
    assert firewall_diag["log_analytics_destination_type"] == "Dedicated"
    assert firewall_diag["enabled_metric"] == [{"category": "AllMetrics"}]


def test_hub_never_reads_a_spoke(hub):
    assert "terraform_remote_state" not in hub.doc.get("data", {})
    assert "spoke" not in str(hub.doc.get("data", {}))
