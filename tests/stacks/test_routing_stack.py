"""`<env>-routing`: every origin is an App Gateway of this environment (one per region, by the
public IP's DNS label), configured from the environment file, behind an HTTPS-only route; the
CNAME points the public host at the endpoint. And the App Gateways only Front Door can reach: the
WAF's X-Azure-FDID rule carries this environment's profile resource_guid."""

from __future__ import annotations

import pytest

from constructs_lib.config.resource_names import EnvironmentNames, RegionNames, front_door_origin
from constructs_lib.config.rules import check_public_dns_zone
from constructs_lib.config.stack_plan import environment_of
from tests.envfiles import env_named, planned_stacks


@pytest.fixture(scope="module", params=[environment_of(name) for name in planned_stacks("routing")])
def env(request, environments):
    return env_named(environments, request.param)


@pytest.fixture(scope="module")
def routing(env, synthesized):
    return synthesized.stack(f"{env.name}-routing")


def test_only_environments_with_front_door_have_a_routing_stack(synthesized, environments):
    assert {n for n in synthesized.stacks if n.endswith("-routing")} == {
        f"{e.name}-routing" for e in environments if e.front_door_enabled}


def test_every_origin_is_an_app_gateway_of_this_environment(env, routing, synthesized):
    origins = routing.resources("azurerm_cdn_frontdoor_origin")
    assert len(origins) == len(env.regions), "one origin per region"
    by_host = {body["host_name"]: body for body in origins.values()}
    for region in env.regions:
        names = RegionNames.of(env, region)
        # The spoke's App Gateway public IP carries the label the origin is addressed by ...
        spoke = synthesized.stack(f"{env.name}-{region.name}-spoke")
        ip = spoke.named("azurerm_public_ip", names.spoke.app_gateway_public_ip)
        host = f"{ip['domain_name_label']}.{region.name}.cloudapp.azure.com"
        assert host in by_host, f"no origin for {region.name}'s App Gateway"
        # ... and that address is the frontend of the region's App Gateway.
        cluster = synthesized.stack(f"{env.name}-{region.name}-cluster")
        gateway = cluster.only("azurerm_application_gateway")
        assert [f["public_ip_address_id"] for f in gateway["frontend_ip_configuration"]] == [
            cluster.data_ref("azurerm_public_ip", names.spoke.app_gateway_public_ip)]
        origin = by_host[host]
        assert origin["name"] == front_door_origin(region.name)
        assert origin["origin_host_header"] == env.ingress.public_fqdn
        assert origin["certificate_name_check_enabled"] is True
        assert origin["https_port"] == 443
        assert (origin["enabled"], origin["priority"], origin["weight"]) == (
            region.origin.enabled, region.origin.priority, region.origin.weight)
        assert origin["cdn_frontdoor_origin_group_id"] == routing.ref("azurerm_cdn_frontdoor_origin_group")


def test_origin_group_probes_over_https_as_configured(env, routing):
    group = routing.only("azurerm_cdn_frontdoor_origin_group")
    probe = env.front_door.health_probe
    names = EnvironmentNames.of(env)
    assert group["cdn_frontdoor_profile_id"] == routing.data_ref("azurerm_cdn_frontdoor_profile", names.front_door_profile)
    assert routing.named_data("azurerm_cdn_frontdoor_profile", names.front_door_profile)["resource_group_name"] == (
        names.resource_group)
    assert group["health_probe"] == {"protocol": "Https", "request_type": "HEAD", "path": probe.path,
                                     "interval_in_seconds": probe.interval_seconds}
    assert group["load_balancing"] == {"sample_size": probe.sample_size,
                                       "successful_samples_required": probe.successful_samples_required,
                                       "additional_latency_in_milliseconds": 50}
    assert group["session_affinity_enabled"] is False


def test_route_is_https_only_for_every_path_of_the_endpoint_and_the_custom_domain(env, routing):
    names = EnvironmentNames.of(env)
    route = routing.only("azurerm_cdn_frontdoor_route")
    assert route["supported_protocols"] == ["Https"] and route["forwarding_protocol"] == "HttpsOnly"
    assert route["https_redirect_enabled"] is False and route["patterns_to_match"] == ["/*"]
    assert "cache" not in route
    assert route["cdn_frontdoor_endpoint_id"] == routing.data_ref(
        "azurerm_cdn_frontdoor_endpoint", names.front_door_endpoint)
    domain = routing.data_ref("azurerm_cdn_frontdoor_custom_domain", names.front_door_custom_domain)
    assert route["cdn_frontdoor_custom_domain_ids"] == [domain]
    assert sorted(route["cdn_frontdoor_origin_ids"]) == sorted(
        f"${{azurerm_cdn_frontdoor_origin.{key}.id}}" for key in routing.resources("azurerm_cdn_frontdoor_origin"))
    association = routing.only("azurerm_cdn_frontdoor_custom_domain_association")
    assert association["cdn_frontdoor_custom_domain_id"] == domain
    assert association["cdn_frontdoor_route_ids"] == [routing.ref("azurerm_cdn_frontdoor_route")]


def test_cname_points_the_public_host_at_the_endpoint_after_the_route(env, routing):
    zone = env.front_door.public_dns_zone
    if zone is None:
        assert not routing.resources("azurerm_dns_cname_record")
        return
    record = routing.only("azurerm_dns_cname_record")
    assert record["name"] == check_public_dns_zone(zone.name, env.ingress.public_fqdn)
    assert (record["zone_name"], record["resource_group_name"]) == (zone.name, zone.resource_group_name)
    assert record["record"] == routing.data_ref(
        "azurerm_cdn_frontdoor_endpoint", EnvironmentNames.of(env).front_door_endpoint, "host_name")
    route_key = next(iter(routing.resources("azurerm_cdn_frontdoor_route")))
    assert record["depends_on"] == [f"azurerm_cdn_frontdoor_route.{route_key}"]


def test_app_gateway_waf_blocks_requests_without_this_front_doors_id(env, synthesized):
    names = EnvironmentNames.of(env)
    for region in env.regions:
        cluster = synthesized.stack(f"{env.name}-{region.name}-cluster")
        lookup = cluster.named_data("azurerm_cdn_frontdoor_profile", names.front_door_profile)
        assert lookup["resource_group_name"] == names.resource_group
        guid = cluster.data_ref("azurerm_cdn_frontdoor_profile", names.front_door_profile, "resource_guid")
        waf = cluster.only("azurerm_web_application_firewall_policy")
        assert waf["policy_settings"]["mode"] == "Prevention"
        [rule] = waf["custom_rules"]
        assert (rule["name"], rule["priority"], rule["rule_type"], rule["action"], rule["enabled"]) == (
            "BlockIfNotThisFrontDoor", 1, "MatchRule", "Block", True)
        [condition] = rule["match_conditions"]
        assert condition["match_variables"] == [{"variable_name": "RequestHeaders", "selector": "X-Azure-FDID"}]
        assert (condition["operator"], condition["negation_condition"], condition["transforms"]) == (
            "Equal", True, ["Lowercase"])
        assert condition["match_values"] == [f"${{lower({guid[2:-1]})}}"]
        assert cluster.only("azurerm_application_gateway")["firewall_policy_id"] == cluster.ref(
            "azurerm_web_application_firewall_policy")


def test_without_front_door_the_waf_has_no_front_door_rule(synthesized, environments):
    for env in environments:
        if env.front_door_enabled:
            continue
        for region in env.regions:
            cluster = synthesized.stack(f"{env.name}-{region.name}-cluster")
            assert "custom_rules" not in cluster.only("azurerm_web_application_firewall_policy")
            assert not cluster.data("azurerm_cdn_frontdoor_profile")
