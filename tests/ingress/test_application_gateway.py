"""WafPolicy and ApplicationGateway: the public HTTPS entry point, asserted on the synthesized JSON."""

from __future__ import annotations

import dataclasses

import pytest
from cdktf import TerraformVariable
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup

from constructs_lib.ingress.application_gateway import (
    ApplicationGateway,
    ApplicationGatewayProps,
)
from constructs_lib.ingress.waf_policy import WafPolicy, WafPolicyProps
from tests.synth import empty_stack, synth_construct

GATEWAY = "azurerm_application_gateway"
WAF = "azurerm_web_application_firewall_policy"
DIAGNOSTICS = "azurerm_monitor_diagnostic_setting"

LOG = "/subscriptions/0000/resourceGroups/rg-hub/providers/Microsoft.OperationalInsights/workspaces/log-hub"
IDENTITY = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-agw"
SUBNET = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-agw"
PUBLIC_IP = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-agw"
LISTENER_SECRET = "https://kv-aks-dev-eus2-abcde.vault.azure.net/secrets/gateway-external-pfx-cert"
ROOT_SECRET = "https://kv-aks-dev-eus2-abcde.vault.azure.net/secrets/traefik-ingress-internal-aks-ingress-tls"
PUBLIC_HOST = "bicycle.contoso.com"
BACKEND = "bu0001a0008-00.aks-ingress.contoso.com"


def waf_props(**changes) -> WafPolicyProps:
    return dataclasses.replace(
        WafPolicyProps(name="wafagwdeveastus2", location="eastus2", resource_group_name="rg-bu0001a0008"),
        **changes)


def gateway_props(**changes) -> ApplicationGatewayProps:
    return dataclasses.replace(ApplicationGatewayProps(
        name="agw-bu0001a0008-dev-eastus2",
        location="eastus2",
        resource_group_name="rg-bu0001a0008",
        subnet_id=SUBNET,
        public_ip_address_id=PUBLIC_IP,
        identity_id=IDENTITY,
        listener_host_name=PUBLIC_HOST,
        listener_certificate_secret_id=LISTENER_SECRET,
        backend_fqdn=BACKEND,
        waf_policy_id="/subscriptions/0000/resourceGroups/rg/providers/x/waf",
        log_analytics_workspace_id=LOG,
    ), **changes)


@pytest.fixture(scope="module")
def synth():
    def build(stack):
        prerequisite = ResourceGroup(stack, "KeyVaultAccess", name="rg-prerequisite", location="eastus2")
        waf = WafPolicy(stack, "Waf", waf_props())
        WafPolicy(stack, "WafDetection", waf_props(name="wafdetect", mode="Detection",
                                                   file_upload_limit_in_mb=100, request_body_check=False))
        ApplicationGateway(stack, "Gateway", gateway_props(
            waf_policy_id=waf.id, backend_trusted_root_secret_id=ROOT_SECRET,
            depends_on=(prerequisite,)))
        # Values only known at apply time (tokens) skip the literal checks; no trusted root.
        fqdn = TerraformVariable(stack, "backend_fqdn", type="string")
        ApplicationGateway(stack, "WellKnownCa", gateway_props(
            name="agw-wellknown", backend_fqdn=fqdn.string_value, zones=(), min_capacity=2,
            max_capacity=125, http2_enabled=False, health_probe_path="/healthz"))
    return synth_construct(build)


@pytest.fixture(scope="module")
def gateway(synth):
    return synth.named(GATEWAY, "agw-bu0001a0008-dev-eastus2")


@pytest.fixture(scope="module")
def well_known(synth):
    return synth.named(GATEWAY, "agw-wellknown")


def single(blocks: list[dict]) -> dict:
    assert len(blocks) == 1, blocks
    return blocks[0]


# --- WAF policy ---------------------------------------------------------------------------------

def test_waf_policy_prevents_with_owasp_32_and_bot_manager(synth):
    policy = synth.named(WAF, "wafagwdeveastus2")
    assert policy["policy_settings"] == {
        "enabled": True, "mode": "Prevention", "file_upload_limit_in_mb": 10, "request_body_check": True}
    rule_sets = [(s["type"], s["version"]) for s in policy["managed_rules"]["managed_rule_set"]]
    assert rule_sets == [("OWASP", "3.2"), ("Microsoft_BotManagerRuleSet", "1.0")]
    assert all("rule_group_override" not in s for s in policy["managed_rules"]["managed_rule_set"])
    assert "custom_rules" not in policy


def test_waf_policy_detection_mode_and_limits_are_settable(synth):
    settings = synth.named(WAF, "wafdetect")["policy_settings"]
    assert (settings["mode"], settings["file_upload_limit_in_mb"], settings["request_body_check"]) == (
        "Detection", 100, False)


@pytest.mark.parametrize("mode", ["prevention", "Block", ""])
def test_waf_policy_rejects_unknown_mode(mode):
    with pytest.raises(ValueError, match="mode must be one of Prevention, Detection"):
        WafPolicy(empty_stack("v"), "Waf", waf_props(mode=mode))


@pytest.mark.parametrize("limit", [0, 4001])
def test_waf_policy_rejects_upload_limit_out_of_range(limit):
    with pytest.raises(ValueError, match="file_upload_limit_in_mb must be within 1-4000"):
        WafPolicy(empty_stack("v"), "Waf", waf_props(file_upload_limit_in_mb=limit))


# --- Application Gateway ------------------------------------------------------------------------

def test_waf_v2_sku_autoscales_without_fixed_capacity(gateway, well_known):
    assert gateway["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert gateway["autoscale_configuration"] == {"min_capacity": 0, "max_capacity": 10}
    assert well_known["autoscale_configuration"] == {"min_capacity": 2, "max_capacity": 125}


def test_zone_redundant_by_default_and_zoneless_when_empty(gateway, well_known):
    assert gateway["zones"] == ["1", "2", "3"]
    assert "zones" not in well_known


def test_user_assigned_identity_reads_the_listener_certificate_from_key_vault(gateway):
    assert gateway["identity"] == {"type": "UserAssigned", "identity_ids": [IDENTITY]}
    assert single(gateway["ssl_certificate"]) == {
        "name": "listener-certificate", "key_vault_secret_id": LISTENER_SECRET}


def test_waf_policy_is_attached_at_gateway_level(synth, gateway):
    assert gateway["firewall_policy_id"] == synth.ref(WAF, name="wafagwdeveastus2")
    assert "waf_configuration" not in gateway
    assert all("firewall_policy_id" not in listener for listener in gateway["http_listener"])


def test_tls_policy_is_custom_tls12_with_two_ecdhe_gcm_suites(gateway):
    assert gateway["ssl_policy"] == {
        "policy_type": "Custom",
        "min_protocol_version": "TLSv1_2",
        "cipher_suites": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
    }


def test_http2_is_on_by_default_and_can_be_turned_off(gateway, well_known):
    assert gateway["enable_http2"] is True
    assert well_known["enable_http2"] is False


def test_gateway_sits_in_its_subnet_behind_the_public_ip_only(gateway):
    assert single(gateway["gateway_ip_configuration"])["subnet_id"] == SUBNET
    frontend = single(gateway["frontend_ip_configuration"])
    assert frontend["public_ip_address_id"] == PUBLIC_IP
    assert "subnet_id" not in frontend and "private_ip_address" not in frontend


def test_only_port_443_is_exposed(gateway):
    assert [port["port"] for port in gateway["frontend_port"]] == [443]
    assert all(listener["protocol"] == "Https" for listener in gateway["http_listener"])
    assert "redirect_configuration" not in gateway


def test_https_listener_requires_sni_for_the_public_host(gateway):
    listener = single(gateway["http_listener"])
    frontend = single(gateway["frontend_ip_configuration"])
    port = single(gateway["frontend_port"])
    assert listener["host_name"] == PUBLIC_HOST
    assert listener["require_sni"] is True
    assert listener["ssl_certificate_name"] == single(gateway["ssl_certificate"])["name"]
    assert listener["frontend_ip_configuration_name"] == frontend["name"]
    assert listener["frontend_port_name"] == port["name"]


def test_backend_is_reencrypted_to_the_ingress_fqdn(gateway):
    pool = single(gateway["backend_address_pool"])
    assert pool["fqdns"] == [BACKEND]
    assert "ip_addresses" not in pool
    settings = single(gateway["backend_http_settings"])
    assert (settings["protocol"], settings["port"]) == ("Https", 443)
    assert settings["pick_host_name_from_backend_address"] is True
    assert "host_name" not in settings
    assert settings["cookie_based_affinity"] == "Disabled"
    assert settings["request_timeout"] == 20


def test_backend_certificate_is_checked_against_the_trusted_root_in_key_vault(gateway):
    # Read from Key Vault by the gateway's identity, versionless: a renewed certificate reaches the
    # gateway without a Terraform run, and no certificate bytes are baked into the configuration.
    root = single(gateway["trusted_root_certificate"])
    assert root["key_vault_secret_id"] == ROOT_SECRET
    assert "data" not in root
    assert single(gateway["backend_http_settings"])["trusted_root_certificate_names"] == [root["name"]]


def test_no_trusted_root_when_the_backend_chains_to_a_well_known_ca(well_known):
    assert "trusted_root_certificate" not in well_known
    assert "trusted_root_certificate_names" not in single(well_known["backend_http_settings"])


def test_health_probe_over_https_on_the_backend_host(gateway, well_known):
    probe = single(gateway["probe"])
    assert single(gateway["backend_http_settings"])["probe_name"] == probe["name"]
    assert probe["protocol"] == "Https"
    assert probe["path"] == "/favicon.ico"
    assert (probe["interval"], probe["timeout"], probe["unhealthy_threshold"]) == (30, 30, 3)
    assert probe["pick_host_name_from_backend_http_settings"] is True
    assert "host" not in probe
    assert probe["minimum_servers"] == 0
    assert probe["match"] == {"status_code": ["200-399"]}
    assert single(well_known["probe"])["path"] == "/healthz"


def test_basic_routing_rule_joins_listener_pool_and_settings(gateway):
    rule = single(gateway["request_routing_rule"])
    assert (rule["rule_type"], rule["priority"]) == ("Basic", 100)
    assert rule["http_listener_name"] == single(gateway["http_listener"])["name"]
    assert rule["backend_address_pool_name"] == single(gateway["backend_address_pool"])["name"]
    assert rule["backend_http_settings_name"] == single(gateway["backend_http_settings"])["name"]


def test_gateway_waits_for_key_vault_access(synth, gateway, well_known):
    assert gateway["depends_on"] == [synth.address("azurerm_resource_group", "rg-prerequisite")]
    assert "depends_on" not in well_known


def test_diagnostics_send_gateway_logs_to_log_analytics(synth):
    gateway = synth.ref(GATEWAY, name="agw-bu0001a0008-dev-eastus2")
    settings = [body for body in synth.resources(DIAGNOSTICS).values() if body["target_resource_id"] == gateway]
    assert len(settings) == 1
    assert settings[0]["log_analytics_workspace_id"] == LOG
    assert {log["category"] for log in settings[0]["enabled_log"]} == {
        "ApplicationGatewayAccessLog", "ApplicationGatewayPerformanceLog", "ApplicationGatewayFirewallLog"}


def test_tokens_skip_literal_checks(synth, well_known):
    assert single(well_known["backend_address_pool"])["fqdns"] == ["${var.backend_fqdn}"]


# --- Application Gateway validation -------------------------------------------------------------

def build_gateway(**changes) -> None:
    ApplicationGateway(empty_stack("v"), "Gateway", gateway_props(**changes))


@pytest.mark.parametrize("min_capacity, max_capacity", [(11, 10), (3, 2)])
def test_rejects_min_capacity_above_max(min_capacity, max_capacity):
    with pytest.raises(ValueError, match=rf"min_capacity: {min_capacity} is more than max_capacity \({max_capacity}\); "
                                         rf"the minimum must not exceed the maximum, e\.g\. min_capacity: {max_capacity}"):
        build_gateway(min_capacity=min_capacity, max_capacity=max_capacity)


@pytest.mark.parametrize("max_capacity", [126, 1])
def test_rejects_max_capacity_out_of_range(max_capacity):
    with pytest.raises(ValueError, match=r"max_capacity: .* is outside 2-125"):
        build_gateway(max_capacity=max_capacity)


@pytest.mark.parametrize("min_capacity", [-1, 101])
def test_rejects_min_capacity_out_of_range(min_capacity):
    with pytest.raises(ValueError, match=r"min_capacity: .* is outside 0-100"):
        build_gateway(min_capacity=min_capacity, max_capacity=125)


@pytest.mark.parametrize("zones", [("1", "4"), ("0",), ("1", "1"), (1, 2)])
def test_rejects_zones_outside_1_to_3(zones):
    with pytest.raises(ValueError, match="zones must be distinct values from 1, 2, 3"):
        build_gateway(zones=zones)


@pytest.mark.parametrize("field_name", ["listener_host_name", "backend_fqdn"])
@pytest.mark.parametrize("host", ["*.contoso.com", "bicycle", "-bad.contoso.com", "bi_cycle.contoso.com",
                                  "https://bicycle.contoso.com", "bicycle.contoso.com.", "a" * 64 + ".com"])
def test_rejects_invalid_host_names(field_name, host):
    with pytest.raises(ValueError, match=f"{field_name}: .* is not a lowercase DNS name"):
        build_gateway(**{field_name: host})


@pytest.mark.parametrize("path", ["favicon.ico", "", "healthz/"])
def test_rejects_probe_path_without_leading_slash(path):
    with pytest.raises(ValueError, match="health_probe_path must start with '/'"):
        build_gateway(health_probe_path=path)


@pytest.mark.parametrize("secret_id", [
    LISTENER_SECRET + "/0123456789abcdef0123456789abcdef",
    "https://kv.vault.azure.net/certificates/gateway-cert",
    "gateway-external-pfx-cert",
])
def test_rejects_versioned_or_malformed_listener_secret_id(secret_id):
    with pytest.raises(ValueError, match="listener_certificate_secret_id must be a versionless Key Vault"):
        build_gateway(listener_certificate_secret_id=secret_id)


@pytest.mark.parametrize("secret_id", ["", f"{ROOT_SECRET}/0123456789abcdef0123456789abcdef", "MIIDfzCCAm"])
def test_rejects_a_trusted_root_that_is_not_a_versionless_secret(secret_id):
    with pytest.raises(ValueError, match="backend_trusted_root_secret_id must be a versionless Key Vault secret id"):
        build_gateway(backend_trusted_root_secret_id=secret_id)
