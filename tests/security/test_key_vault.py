"""KeyVault: locked-down settings, private endpoint, diagnostics, Key Vault-generated
certificates and their ordering, and every validation rule."""

from __future__ import annotations

import dataclasses
import re

import pytest
from cdktf import TerraformOutput

from constructs_lib.network.private_dns_zone import PrivateDnsZone, PrivateDnsZoneProps
from constructs_lib.security.key_vault import KeyVault, KeyVaultCertificateSpec, KeyVaultProps
from tests.synth import StackJson, empty_stack, synth_construct

TENANT = "11111111-2222-3333-4444-555555555555"
SPOKE = "/subscriptions/s/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
SUBNET = f"{SPOKE}/subnets/snet-privatelinkendpoints"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-x"
ZONE = ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones"
        "/privatelink.vaultcore.azure.net")
DEPLOYER = "11111111-2222-3333-4444-555555555555"

INGRESS = KeyVaultCertificateSpec(key="ingress", name="traefik-ingress-tls",
                                  common_name="*.aks-ingress.contoso.com")
GATEWAY = KeyVaultCertificateSpec(key="gateway", name="gateway-listener", common_name="bicycle.contoso.com",
                                  subject_alternative_names=("www.bicycle.contoso.com",),
                                  issuer="DigiCert-issuer", validity_in_months=6, key_size=4096,
                                  renew_days_before_expiry=30)

PROPS = KeyVaultProps(
    name="kv-workload-dev-abcde",
    location="eastus2",
    resource_group_name="rg-workload",
    tenant_id=TENANT,
    private_endpoint_name="pep-kv-workload",
    private_endpoint_subnet_id=SUBNET,
    private_dns_zone_id=ZONE,
    log_analytics_workspace_id=WORKSPACE,
)


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        zone = PrivateDnsZone(stack, "Zone", PrivateDnsZoneProps(
            name="privatelink.vaultcore.azure.net", resource_group_name="rg-workload",
            virtual_network_links={"spoke": SPOKE}))
        vault = KeyVault(stack, "Vault", dataclasses.replace(
            PROPS, private_dns_zone_id=zone.id, certificates=(INGRESS, GATEWAY),
            certificate_officer_principal_ids={"deployer": DEPLOYER},
            certificate_dependencies=tuple(zone.links.values())))
        KeyVault(stack, "Dev", dataclasses.replace(
            PROPS, name="kv-dev", private_endpoint_name="pep-kv-dev", purge_protection_enabled=False,
            soft_delete_retention_days=7))
        TerraformOutput(stack, "vault_id", value=vault.id)
        TerraformOutput(stack, "vault_name", value=vault.name)
        TerraformOutput(stack, "vault_uri", value=vault.vault_uri)
        TerraformOutput(stack, "listener_secret", value=vault.certificates["gateway"].versionless_secret_id)
        TerraformOutput(stack, "trusted_root", value=vault.certificates["ingress"].certificate_data_base64)
    return synth_construct(build)


def vault_ref(out: StackJson, attribute: str = "id") -> str:
    return out.ref("azurerm_key_vault", attribute, name=PROPS.name)


def test_vault_is_rbac_private_and_deny_by_default(out):
    vault = out.named("azurerm_key_vault", PROPS.name)
    assert vault["sku_name"] == "standard"
    assert vault["tenant_id"] == TENANT
    assert vault["rbac_authorization_enabled"] is True
    assert "access_policy" not in vault
    assert vault["public_network_access_enabled"] is False
    assert vault["network_acls"] == {"bypass": "AzureServices", "default_action": "Deny"}
    assert vault["enabled_for_deployment"] is False
    assert vault["enabled_for_disk_encryption"] is False
    assert vault["enabled_for_template_deployment"] is False


def test_recovery_defaults_are_production_grade(out):
    vault = out.named("azurerm_key_vault", PROPS.name)
    assert vault["purge_protection_enabled"] is True
    assert vault["soft_delete_retention_days"] == 90


def test_recovery_settings_can_be_relaxed_for_dev(out):
    vault = out.named("azurerm_key_vault", "kv-dev")
    assert vault["purge_protection_enabled"] is False
    assert vault["soft_delete_retention_days"] == 7


def test_private_endpoint_targets_the_vault(out):
    endpoint = out.named("azurerm_private_endpoint", "pep-kv-workload")
    assert endpoint["subnet_id"] == SUBNET
    connection = endpoint["private_service_connection"]
    assert connection["private_connection_resource_id"] == vault_ref(out)
    assert connection["subresource_names"] == ["vault"]
    assert connection["is_manual_connection"] is False
    zone = out.address("azurerm_private_dns_zone", "privatelink.vaultcore.azure.net")
    assert endpoint["private_dns_zone_group"]["private_dns_zone_ids"] == [f"${{{zone}.id}}"]


def test_diagnostics_send_audit_events_to_the_workspace(out):
    settings = [s for s in out.resources("azurerm_monitor_diagnostic_setting").values()
                if s["target_resource_id"] == vault_ref(out)]
    assert len(settings) == 1
    assert settings[0]["log_analytics_workspace_id"] == WORKSPACE
    assert [log["category"] for log in settings[0]["enabled_log"]] == ["AuditEvent"]
    assert [m["category"] for m in settings[0]["enabled_metric"]] == ["AllMetrics"]


def test_certificate_policy_is_a_renewing_tls_server_certificate(out):
    certificate = out.named("azurerm_key_vault_certificate", "traefik-ingress-tls")
    assert certificate["key_vault_id"] == vault_ref(out)
    assert "certificate" not in certificate  # nothing imported: the key is generated in the vault
    policy = certificate["certificate_policy"]
    assert policy["issuer_parameters"] == {"name": "Self"}
    assert policy["key_properties"] == {"key_type": "RSA", "key_size": 2048, "exportable": True,
                                        "reuse_key": True}
    assert policy["secret_properties"] == {"content_type": "application/x-pkcs12"}
    x509 = policy["x509_certificate_properties"]
    assert x509["subject"] == "CN=*.aks-ingress.contoso.com"
    assert x509["subject_alternative_names"]["dns_names"] == ["*.aks-ingress.contoso.com"]
    assert x509["validity_in_months"] == 12
    assert sorted(x509["key_usage"]) == ["digitalSignature", "keyEncipherment"]
    assert x509["extended_key_usage"] == ["1.3.6.1.5.5.7.3.1"]
    assert policy["lifetime_action"] == [{"action": {"action_type": "AutoRenew"},
                                          "trigger": {"lifetime_percentage": 80}}]


def test_certificate_with_ca_issuer_and_days_before_expiry(out):
    policy = out.named("azurerm_key_vault_certificate", "gateway-listener")["certificate_policy"]
    assert policy["issuer_parameters"] == {"name": "DigiCert-issuer"}
    assert policy["key_properties"]["key_size"] == 4096
    x509 = policy["x509_certificate_properties"]
    assert x509["subject_alternative_names"]["dns_names"] == [
        "bicycle.contoso.com", "www.bicycle.contoso.com"]
    assert x509["validity_in_months"] == 6
    assert policy["lifetime_action"][0]["trigger"] == {"days_before_expiry": 30}


def test_certificates_wait_for_endpoint_dns_links_and_the_propagated_role(out):
    (wait_key, wait), = out.resources("time_sleep").items()
    expected = {
        out.address("azurerm_private_endpoint", "pep-kv-workload"),
        out.address("azurerm_private_dns_zone_virtual_network_link", "link-spoke"),
        f"time_sleep.{wait_key}",
    }
    for name in ("traefik-ingress-tls", "gateway-listener"):
        assert set(out.named("azurerm_key_vault_certificate", name)["depends_on"]) == expected
    # The wait starts once the officer role exists, and a new assignment restarts it.
    officer = next(iter(out.resources("azurerm_role_assignment")))
    assert wait["depends_on"] == [f"azurerm_role_assignment.{officer}"]
    assert wait["create_duration"] == "120s"
    assert wait["triggers"] == {"deployer": f"${{azurerm_role_assignment.{officer}.id}}"}


def test_deployer_is_certificates_officer_on_the_vault(out):
    assignment = out.only("azurerm_role_assignment")
    assert assignment["scope"] == vault_ref(out)
    assert assignment["role_definition_name"] == "Key Vault Certificates Officer"
    assert assignment["principal_id"] == DEPLOYER


def test_vault_without_certificates_has_none(out):
    dev = out.address("azurerm_key_vault", "kv-dev")
    assert not [c for c in out.resources("azurerm_key_vault_certificate").values()
                if c["key_vault_id"] == f"${{{dev}.id}}"]


def test_exposes_vault_and_certificate_attributes(out):
    outputs = out.doc["output"]
    assert outputs["vault_id"]["value"] == vault_ref(out, "id")
    assert outputs["vault_name"]["value"] == vault_ref(out, "name")
    assert outputs["vault_uri"]["value"] == vault_ref(out, "vault_uri")
    gateway = out.address("azurerm_key_vault_certificate", "gateway-listener")
    ingress = out.address("azurerm_key_vault_certificate", "traefik-ingress-tls")
    assert outputs["listener_secret"]["value"] == f"${{{gateway}.versionless_secret_id}}"
    assert outputs["trusted_root"]["value"] == f"${{{ingress}.certificate_data_base64}}"


# --- validation ----------------------------------------------------------------------------------

def _vault(**changes) -> None:
    KeyVault(empty_stack("v"), "Vault", dataclasses.replace(PROPS, **changes))


def _certificate(**changes) -> None:
    _vault(certificates=(dataclasses.replace(INGRESS, **changes),))


@pytest.mark.parametrize("field_name", [
    "name", "location", "resource_group_name", "tenant_id", "private_endpoint_name",
    "private_endpoint_subnet_id", "private_dns_zone_id", "log_analytics_workspace_id"])
def test_required_fields(field_name):
    with pytest.raises(ValueError, match=f"{re.escape(field_name)} is required"):
        _vault(**{field_name: ""})


def test_tenant_id_is_a_guid():
    with pytest.raises(ValueError, match=r"tenant_id 'contoso\.onmicrosoft\.com' is not a GUID"):
        _vault(tenant_id="contoso.onmicrosoft.com")


@pytest.mark.parametrize("days", [6, 91])
def test_soft_delete_range(days):
    with pytest.raises(ValueError, match=f"soft_delete_retention_days: {days} days is outside 7-90"):
        _vault(soft_delete_retention_days=days)


@pytest.mark.parametrize(("changes", "message"), [
    ({"key": "with space"}, "certificates key 'with space' must be letters"),
    ({"name": "under_score"}, r"certificates\[ingress\]\.name: 'under_score' is not a Key Vault object"),
    ({"name": "x" * 128}, r"\.name: '.*' is not a Key Vault object"),
    ({"common_name": ""}, r"certificates\[ingress\]\.common_name is required"),
    ({"subject_alternative_names": ("a.contoso.com", "")}, "subject_alternative_names contains an empty"),
    ({"subject_alternative_names": ("a.contoso.com", "A.contoso.com")}, "subject_alternative_names repeats"),
    ({"subject_alternative_names": ("*.aks-ingress.contoso.com",)}, "subject_alternative_names repeats"),
    ({"issuer": ""}, r"issuer is required"),
    ({"issuer": "Unknown"}, r"issuer 'Unknown' needs a CSR"),
    ({"validity_in_months": 0}, r"validity_in_months 0 is outside 1-120"),
    ({"validity_in_months": 121}, r"validity_in_months 121 is outside 1-120"),
    ({"key_size": 1024}, r"key_size 1024 must be one of \(2048, 3072, 4096\)"),
    ({"renew_at_lifetime_percentage": 0}, r"renew_at_lifetime_percentage 0 is outside 1-99"),
    ({"renew_at_lifetime_percentage": 100}, r"renew_at_lifetime_percentage 100 is outside 1-99"),
    ({"renew_days_before_expiry": -1}, r"renew_days_before_expiry -1 is outside 0-324"),
    ({"validity_in_months": 1, "renew_days_before_expiry": 28},
     r"renew_days_before_expiry 28 is outside 0-27 \(27 x validity_in_months\)"),
])
def test_certificate_rules(changes, message):
    with pytest.raises(ValueError, match=message):
        _certificate(**changes)


def test_certificate_keys_are_unique():
    with pytest.raises(ValueError, match="certificates keys must be unique"):
        _vault(certificates=(INGRESS, dataclasses.replace(INGRESS, name="other")))


def test_certificate_names_are_unique_ignoring_case():
    with pytest.raises(ValueError, match="certificates names must be unique"):
        _vault(certificates=(INGRESS, dataclasses.replace(INGRESS, key="copy", name="Traefik-Ingress-TLS")))


@pytest.mark.parametrize(("officers", "message"), [
    ({"dep loyer": DEPLOYER}, "certificate_officer_principal_ids key 'dep loyer' must be"),
    ({"deployer": ""}, r"certificate_officer_principal_ids\[deployer\] needs an object ID"),
    ({"a": DEPLOYER, "b": DEPLOYER}, "certificate_officer_principal_ids lists a principal twice"),
])
def test_certificate_officer_rules(officers, message):
    with pytest.raises(ValueError, match=message):
        _vault(certificate_officer_principal_ids=officers)
