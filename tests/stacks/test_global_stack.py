"""`<env>-global`: one shared registry per environment, and with Front Door on the profile, the
edge WAF in Prevention with the current managed rule sets, the custom domain and its validation
record, with diagnostics on everything that has them."""

from __future__ import annotations

import pytest

from constructs_lib.config.regions import REGION_PAIRS
from constructs_lib.config.resource_names import EnvironmentNames
from constructs_lib.config.rules import check_public_dns_zone
from constructs_lib.core.diagnostics import DIAGNOSTIC_CATEGORIES
from tests.envfiles import env_named, environments_under_test

ENVIRONMENTS = [env.name for env in environments_under_test()]
FRONT_DOOR_ENVIRONMENTS = [env.name for env in environments_under_test() if env.front_door_enabled]
with_front_door = pytest.mark.parametrize("env", FRONT_DOOR_ENVIRONMENTS, indirect=True)
"""For tests of Front Door resources: the environments that turn it on."""


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def env(request, environments):
    return env_named(environments, request.param)


@pytest.fixture(scope="module")
def shared(env, synthesized):
    return synthesized.stack(f"{env.name}-global")


def test_one_registry_per_environment(env, synthesized):
    registries = [(stack.name, body) for stack in synthesized.stacks.values()
                  if stack.name.startswith(f"{env.name}-")
                  for body in stack.resources("azurerm_container_registry").values()]
    assert len(registries) == 1, [name for name, _ in registries]
    stack, registry = registries[0]
    assert stack == f"{env.name}-global"
    assert registry["name"] == EnvironmentNames.of(env).container_registry


def test_the_registry_is_premium_zone_redundant_private_and_replicated_to_the_other_regions(env, shared):
    registry = shared.only("azurerm_container_registry")
    assert registry["sku"] == "Premium" and registry["zone_redundancy_enabled"] is True
    assert registry["public_network_access_enabled"] is False and registry["admin_enabled"] is False
    assert registry["location"] == env.regions[0].name
    others = [r.name for r in env.regions[1:]] or [env.paired_region or REGION_PAIRS[env.regions[0].name]]
    assert [g["location"] for g in registry.get("georeplications") or []] == (
        others if env.container_registry.geo_replication else [])
    assert all(g["zone_redundancy_enabled"] for g in registry.get("georeplications") or [])


def test_front_door_exists_exactly_when_the_environment_turns_it_on(env, shared):
    types = ("azurerm_cdn_frontdoor_profile", "azurerm_cdn_frontdoor_endpoint", "azurerm_cdn_frontdoor_firewall_policy",
             "azurerm_cdn_frontdoor_security_policy", "azurerm_cdn_frontdoor_custom_domain")
    counts = [len(shared.resources(t)) for t in types]
    assert counts == ([1] * len(types) if env.front_door_enabled else [0] * len(types))


@with_front_door
def test_profile_is_premium_and_its_waf_blocks_with_the_current_rule_sets(env, shared):
    names = EnvironmentNames.of(env)
    assert shared.named("azurerm_cdn_frontdoor_profile", names.front_door_profile)["sku_name"] == "Premium_AzureFrontDoor"
    waf = shared.named("azurerm_cdn_frontdoor_firewall_policy", names.front_door_firewall_policy)
    assert (waf["sku_name"], waf["mode"], waf["enabled"]) == ("Premium_AzureFrontDoor", "Prevention", True)
    assert waf["request_body_check_enabled"] is True
    assert {(r["type"], r["version"], r["action"]) for r in waf["managed_rule"]} == {
        ("Microsoft_DefaultRuleSet", "2.1", "Block"), ("Microsoft_BotManagerRuleSet", "1.1", "Block")}


@with_front_door
def test_the_security_policy_puts_the_waf_in_front_of_the_endpoint_and_the_custom_domain(env, shared):
    policy = shared.only("azurerm_cdn_frontdoor_security_policy")
    assert policy["cdn_frontdoor_profile_id"] == shared.ref("azurerm_cdn_frontdoor_profile")
    firewall = policy["security_policies"]["firewall"]
    assert firewall["cdn_frontdoor_firewall_policy_id"] == shared.ref("azurerm_cdn_frontdoor_firewall_policy")
    assert firewall["association"]["patterns_to_match"] == ["/*"]
    assert {d["cdn_frontdoor_domain_id"] for d in firewall["association"]["domain"]} == {
        shared.ref("azurerm_cdn_frontdoor_endpoint"), shared.ref("azurerm_cdn_frontdoor_custom_domain")}


@with_front_door
def test_custom_domain_is_the_public_host_with_a_managed_certificate_and_its_validation_record(env, shared):
    domain = shared.only("azurerm_cdn_frontdoor_custom_domain")
    assert domain["host_name"] == env.ingress.public_fqdn
    assert domain["tls"] == {"certificate_type": "ManagedCertificate", "minimum_tls_version": "TLS12"}
    zone = env.front_door.public_dns_zone
    records = shared.resources("azurerm_dns_txt_record")
    if zone is None:
        assert not records and "dns_zone_id" not in domain
        return
    assert domain["dns_zone_id"] == shared.data_ref("azurerm_dns_zone", zone.name)
    record = shared.only("azurerm_dns_txt_record")
    relative = check_public_dns_zone(zone.name, env.ingress.public_fqdn)
    assert (record["name"], record["zone_name"], record["resource_group_name"]) == (
        f"_dnsauth.{relative}", zone.name, zone.resource_group_name)
    assert record["record"] == [{"value": shared.ref("azurerm_cdn_frontdoor_custom_domain", "validation_token")}]


def test_every_diagnostic_capable_resource_of_the_global_layer_is_observed(env, shared):
    workspace = shared.ref("azurerm_log_analytics_workspace")
    targets = {s["target_resource_id"]: s for s in shared.resources("azurerm_monitor_diagnostic_setting").values()}
    capable = [(rtype, key) for rtype in DIAGNOSTIC_CATEGORIES for key in shared.resources(rtype)]
    assert ("azurerm_cdn_frontdoor_profile" in {t for t, _ in capable}) == env.front_door_enabled
    for rtype, key in capable:
        setting = targets[f"${{{rtype}.{key}.id}}"]
        assert setting["log_analytics_workspace_id"] in (workspace, f"${{{rtype}.{key}.id}}")
    if env.front_door_enabled:
        profile = targets[shared.ref("azurerm_cdn_frontdoor_profile")]
        assert {log["category"] for log in profile["enabled_log"]} == {
            "FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"}
        assert [m["category"] for m in profile["enabled_metric"]] == ["AllMetrics"]
