"""Front Door constructs (profile, WAF policy, routing, DNS records), the App Gateway WAF's
Front Door rule, the NSG rules behind Front Door and the public IP's DNS label: synthesized
alone, and every validation with its message."""

from __future__ import annotations

import dataclasses

import pytest

from constructs_lib.ingress.front_door import FrontDoor, FrontDoorProps
from constructs_lib.ingress.front_door_dns import (
    FrontDoorCnameRecord,
    FrontDoorDnsRecordProps,
    FrontDoorValidationRecord,
)
from constructs_lib.ingress.front_door_routing import (
    FrontDoorOriginSpec,
    FrontDoorRouting,
    FrontDoorRoutingProps,
)
from constructs_lib.ingress.front_door_waf_policy import FrontDoorWafPolicy, FrontDoorWafPolicyProps
from constructs_lib.ingress.waf_policy import WafPolicy, WafPolicyProps
from constructs_lib.network.public_ip import PublicIp, PublicIpProps
from constructs_lib.network.spoke_network import app_gateway_rules
from tests.synth import empty_stack, synth_construct

LOG = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-global"
PROFILE = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Cdn/profiles/afd-x"
ENDPOINT = f"{PROFILE}/afdEndpoints/fde-x"
DOMAIN = f"{PROFILE}/customDomains/bicycle-contoso-com"
ORIGINS = (
    FrontDoorOriginSpec("eastus2", "origin-eastus2", "agw-a.eastus2.cloudapp.azure.com"),
    FrontDoorOriginSpec("centralus", "origin-centralus", "agw-b.centralus.cloudapp.azure.com", priority=2),
)


def routing_props(**changes) -> FrontDoorRoutingProps:
    return dataclasses.replace(FrontDoorRoutingProps(
        profile_id=PROFILE, endpoint_id=ENDPOINT, custom_domain_id=DOMAIN,
        origin_host_header="bicycle.contoso.com", origins=ORIGINS), **changes)


def front_door_props(**changes) -> FrontDoorProps:
    return dataclasses.replace(FrontDoorProps(
        profile_name="afd-x", endpoint_name="fde-x", resource_group_name="rg-global",
        firewall_policy_id=f"{PROFILE}-waf", log_analytics_workspace_id=LOG,
        custom_domain_name="bicycle-contoso-com", custom_domain_host_name="bicycle.contoso.com"), **changes)


@pytest.fixture(scope="module")
def single_origin():
    return synth_construct(lambda s: FrontDoorRouting(s, "Routing", routing_props(origins=ORIGINS[:1])))


def test_a_single_origin_group_has_no_health_probe(single_origin):
    # Nothing to fail over to: Microsoft advises turning probes off (best-practices.md).
    assert "health_probe" not in single_origin.only("azurerm_cdn_frontdoor_origin_group")
    assert single_origin.only("azurerm_cdn_frontdoor_origin")["enabled"] is True


def test_two_origins_are_probed_and_keep_their_priorities():
    out = synth_construct(lambda s: FrontDoorRouting(s, "Routing", routing_props()))
    assert out.only("azurerm_cdn_frontdoor_origin_group")["health_probe"]["protocol"] == "Https"
    assert sorted((o["name"], o["priority"]) for o in out.resources("azurerm_cdn_frontdoor_origin").values()) == [
        ("origin-centralus", 2), ("origin-eastus2", 1)]


def test_front_door_profile_diagnostics_and_timeout():
    out = synth_construct(lambda s: FrontDoor(s, "FrontDoor", front_door_props()))
    profile = out.only("azurerm_cdn_frontdoor_profile")
    assert (profile["sku_name"], profile["response_timeout_seconds"]) == ("Premium_AzureFrontDoor", 60)
    assert out.only("azurerm_monitor_diagnostic_setting")["target_resource_id"] == out.ref(
        "azurerm_cdn_frontdoor_profile")
    assert out.only("azurerm_cdn_frontdoor_endpoint")["enabled"] is True


@pytest.mark.parametrize(("changes", "message"), [
    ({"origins": ()}, "origins needs at least one origin"),
    ({"origins": (dataclasses.replace(ORIGINS[0], enabled=False),)}, "every region's origin is disabled"),
    ({"origins": (ORIGINS[0], dataclasses.replace(ORIGINS[1], host_name=ORIGINS[0].host_name))},
     "origin host_name agw-a.eastus2.cloudapp.azure.com listed more than once"),
    ({"origins": (dataclasses.replace(ORIGINS[0], weight=0),)}, r"origins\[eastus2\]\.weight: 0 is outside 1-1000"),
    ({"origins": (dataclasses.replace(ORIGINS[0], priority=6),)}, r"origins\[eastus2\]\.priority: 6 is outside 1-5"),
    ({"sample_size": 2, "successful_samples_required": 3}, "successful_samples_required: 3 is more than sample_size"),
    ({"probe_interval_seconds": 256}, "probe_interval_seconds: 256 s is outside 1-255 s"),
    ({"probe_path": "health"}, "probe_path: 'health' is not a URL path"),
    ({"origin_host_header": "Bicycle"}, "origin_host_header: 'Bicycle' is not a lowercase DNS name"),
    ({"custom_domain_id": ""}, "custom_domain_id is required"),
])
def test_routing_refuses(changes, message):
    with pytest.raises(ValueError, match=message):
        FrontDoorRouting(empty_stack("v"), "Routing", routing_props(**changes))


@pytest.mark.parametrize(("changes", "message"), [
    ({"endpoint_name": "e" * 47}, "endpoint_name 'e{47}' must be 1-46 letters"),
    ({"profile_name": "-afd"}, "profile_name '-afd' must be"),
    ({"custom_domain_host_name": "bicycle"}, "custom_domain_host_name: 'bicycle' is not a lowercase DNS name"),
    ({"response_timeout_seconds": 15}, "response_timeout_seconds 15 is outside 16-240"),
    ({"firewall_policy_id": ""}, "firewall_policy_id is required"),
])
def test_front_door_refuses(changes, message):
    with pytest.raises(ValueError, match=message):
        FrontDoor(empty_stack("v"), "FrontDoor", front_door_props(**changes))


@pytest.mark.parametrize("name", ["fdfp-x", "1fdfp", "", "f" * 129])
def test_front_door_waf_policy_name_is_letters_and_digits(name):
    with pytest.raises(ValueError, match="must be letters and digits, starting with a letter"):
        FrontDoorWafPolicy(empty_stack("v"), "Waf", FrontDoorWafPolicyProps(name=name, resource_group_name="rg"))


def test_front_door_rule_needs_prevention():
    with pytest.raises(ValueError, match="front_door_id needs a value and mode Prevention"):
        WafPolicy(empty_stack("v"), "Waf", WafPolicyProps(name="waf", location="eastus2", resource_group_name="rg",
                                                 mode="Detection", front_door_id="0000"))


def test_app_gateway_waf_front_door_rule_compares_lowercased_ids():
    out = synth_construct(lambda s: WafPolicy(s, "Waf", WafPolicyProps(
        name="waf", location="eastus2", resource_group_name="rg", front_door_id="ABCD-0001")))
    [rule] = out.only("azurerm_web_application_firewall_policy")["custom_rules"]
    assert rule["match_conditions"][0]["match_values"] == ['${lower("ABCD-0001")}']


def test_nsg_behind_front_door_admits_443_only_from_front_door():
    behind, direct = app_gateway_rules(front_door=True), app_gateway_rules(front_door=False)
    assert behind[0].source == ("AzureFrontDoor.Backend",) and direct[0].source == ("Internet",)
    assert behind[1:] == direct[1:]


def test_public_ip_dns_label_is_checked_and_written():
    with pytest.raises(ValueError, match="domain_name_label 'Agw' must be 3-63 lowercase letters"):
        PublicIp(empty_stack("v"), "Ip", PublicIpProps(name="pip", location="eastus2", resource_group_name="rg",
                                              log_analytics_workspace_id=LOG, domain_name_label="Agw"))
    out = synth_construct(lambda s: PublicIp(s, "Ip", PublicIpProps(
        name="pip", location="eastus2", resource_group_name="rg", log_analytics_workspace_id=LOG,
        domain_name_label="agw-x-1")))
    assert out.only("azurerm_public_ip")["domain_name_label"] == "agw-x-1"


def test_dns_records():
    props = FrontDoorDnsRecordProps(zone_name="contoso.com", zone_resource_group_name="rg-dns",
                                    relative_name="bicycle", value="token")
    out = synth_construct(lambda s: (FrontDoorValidationRecord(s, "Txt", props),
                                     FrontDoorCnameRecord(s, "Cname", dataclasses.replace(props, value="x.azurefd.net"))))
    assert out.only("azurerm_dns_txt_record")["name"] == "_dnsauth.bicycle"
    assert out.only("azurerm_dns_cname_record")["record"] == "x.azurefd.net"
    with pytest.raises(ValueError, match=r"relative_name: 'Bicycle\.' is not a record name"):
        FrontDoorCnameRecord(empty_stack("v"), "C", dataclasses.replace(props, relative_name="Bicycle."))
