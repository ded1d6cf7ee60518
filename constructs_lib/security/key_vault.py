"""Key Vault reachable only through a private endpoint, authorized by Azure RBAC, with
diagnostics and TLS certificates generated inside the vault.

Differences from the reference, on purpose:
- purge protection is on and soft delete lasts 90 days by default (the reference: off, 7 days);
  a dev environment that is torn down often can turn both down;
- public network access is disabled (the reference leaves it on behind a Deny ACL);
- the TLS certificates are created by Key Vault from a certificate policy, so no private key ever
  passes through Terraform configuration or state (the reference imports a PFX by hand).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_azurerm.key_vault import KeyVault as AzureKeyVault
from cdktf_cdktf_provider_azurerm.key_vault import KeyVaultNetworkAcls
from cdktf_cdktf_provider_azurerm.key_vault_certificate import (
    KeyVaultCertificate,
    KeyVaultCertificateCertificatePolicy,
    KeyVaultCertificateCertificatePolicyIssuerParameters,
    KeyVaultCertificateCertificatePolicyKeyProperties,
    KeyVaultCertificateCertificatePolicyLifetimeAction,
    KeyVaultCertificateCertificatePolicyLifetimeActionAction,
    KeyVaultCertificateCertificatePolicyLifetimeActionTrigger,
    KeyVaultCertificateCertificatePolicySecretProperties,
    KeyVaultCertificateCertificatePolicyX509CertificateProperties,
    KeyVaultCertificateCertificatePolicyX509CertificatePropertiesSubjectAlternativeNames,
)
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

from constructs_lib.config.patterns import KEY_VAULT_OBJECT_NAME
from constructs_lib.config.rules import KEY_VAULT_SOFT_DELETE_DAYS, check_range
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.core.validation import is_guid, is_token
from constructs_lib.network.private_endpoint import PrivateEndpoint, PrivateEndpointProps
from constructs_lib.security.role_propagation import RolePropagationWait, RolePropagationWaitProps

VALIDITY_MONTHS_RANGE = (1, 120)
"""Bounds this library accepts for a certificate's validity."""
KEY_SIZES = (2048, 3072, 4096)
"""RSA key sizes Key Vault issues."""
SERVER_AUTH_EKU = "1.3.6.1.5.5.7.3.1"
"""Extended key usage of a TLS server certificate."""
CERTIFICATES_OFFICER_ROLE = "Key Vault Certificates Officer"

_KEY = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_]*$")


@dataclass(frozen=True)
class KeyVaultCertificateSpec:
    """A TLS server certificate Key Vault generates (self-signed or through a configured CA issuer)."""

    key: str
    """Stable key: construct ID and the key of `KeyVault.certificates`."""
    name: str
    """Certificate name in the vault (1-127 letters, digits and -)."""
    common_name: str
    """Subject CN, e.g. `*.aks-ingress.contoso.com`. It is also added to the DNS SANs, because
    TLS clients match the SANs only."""
    subject_alternative_names: tuple[str, ...] = field(default_factory=tuple)
    """Further DNS names. Empty by default."""
    issuer: str = "Self"
    """`Self` for a self-signed certificate (dev, or an internal hop whose trusted root is this
    certificate), or the name of a Key Vault certificate issuer configured for a CA."""
    validity_in_months: int = 12
    """Certificate lifetime (1-120). Default 12; public CAs cap it at about 13 months."""
    key_size: int = 2048
    """RSA key size: 2048, 3072 or 4096. Default 2048."""
    renew_at_lifetime_percentage: int = 80
    """Key Vault renews automatically at this share of the lifetime (1-99). Default 80."""
    renew_days_before_expiry: int = 0
    """When above 0, renew this many days before expiry instead of at a lifetime percentage
    (at most 27 x validity_in_months, Key Vault's rule). Default 0 (use the percentage)."""


@dataclass(frozen=True)
class KeyVaultProps:
    """Inputs of the workload's key vault."""

    name: str
    """Globally unique vault name: 3-24 letters, digits and hyphens (CAF prefix `kv-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the vault and its private endpoint."""
    tenant_id: str
    """Entra tenant (GUID) that authorizes access to the vault."""
    private_endpoint_name: str
    """Name of the vault's private endpoint (from the naming helper)."""
    private_endpoint_subnet_id: str
    """The spoke's private-endpoint subnet (reference: snet-privatelinkendpoints)."""
    private_dns_zone_id: str
    """The `privatelink.vaultcore.azure.net` zone."""
    log_analytics_workspace_id: str
    """Workspace receiving the vault's audit events."""
    purge_protection_enabled: bool = True
    """Deleted vaults and objects cannot be purged before soft delete expires. Default true
    (the reference: false). Cannot be turned off again once on."""
    soft_delete_retention_days: int = 90
    """Soft-delete retention (7-90). Default 90 (the reference: 7). Fixed after creation."""
    certificates: tuple[KeyVaultCertificateSpec, ...] = field(default_factory=tuple)
    """TLS certificates generated in the vault. Empty by default."""
    certificate_officer_principal_ids: dict[str, str] = field(default_factory=dict)
    """Key -> object ID of a principal granted Key Vault Certificates Officer on the vault, e.g.
    the deploying identity, which needs it to create `certificates` (the vault uses RBAC, so no
    access policy grants it). Certificates wait for these assignments. Empty by default."""
    role_propagation_seconds: int = 120
    """Seconds the certificates wait after the officer role assignments (Azure documents up to 10
    minutes for a role to take effect); 0-1800, 0 for no wait. Default 120. The stack must declare a
    `TimeProvider` when it is above 0."""
    certificate_dependencies: tuple[ITerraformDependable, ...] = field(default_factory=tuple)
    """Further resources of the same stack the certificates wait for, besides the private endpoint
    and the officer roles: typically the vault zone's VNet links (`PrivateDnsZone.links`), without
    which the deploying runner resolves the vault to its public, disabled address. Empty by
    default. Never a resource of another stack (cross-stack `depends_on` is invalid)."""


def _validate_certificate(where: str, spec: KeyVaultCertificateSpec) -> None:
    at = f"{where}: certificates[{spec.key}]"
    if not _KEY.match(spec.key):
        raise ValueError(f"{where}: certificates key {spec.key!r} must be letters, digits, - or _")
    KEY_VAULT_OBJECT_NAME.check(f"{at}.name", spec.name)
    if not spec.common_name:
        raise ValueError(f"{at}.common_name is required")
    names = (spec.common_name, *spec.subject_alternative_names)
    if any(not name for name in spec.subject_alternative_names):
        raise ValueError(f"{at}.subject_alternative_names contains an empty name")
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"{at}.subject_alternative_names repeats a name (the common name is "
                         "added automatically)")
    if not spec.issuer:
        raise ValueError(f"{at}.issuer is required: 'Self' or a configured issuer name")
    if spec.issuer.lower() == "unknown":
        raise ValueError(f"{at}.issuer 'Unknown' needs a CSR merged by hand; use 'Self' or a "
                         "configured CA issuer")
    low, high = VALIDITY_MONTHS_RANGE
    if not low <= spec.validity_in_months <= high:
        raise ValueError(f"{at}.validity_in_months {spec.validity_in_months} is outside {low}-{high}")
    if spec.key_size not in KEY_SIZES:
        raise ValueError(f"{at}.key_size {spec.key_size} must be one of {KEY_SIZES}")
    if not 1 <= spec.renew_at_lifetime_percentage <= 99:
        raise ValueError(f"{at}.renew_at_lifetime_percentage {spec.renew_at_lifetime_percentage} "
                         "is outside 1-99")
    max_days = 27 * spec.validity_in_months
    if not 0 <= spec.renew_days_before_expiry <= max_days:
        raise ValueError(f"{at}.renew_days_before_expiry {spec.renew_days_before_expiry} is outside "
                         f"0-{max_days} (27 x validity_in_months)")


def _validate(props: KeyVaultProps) -> None:
    where = f"key vault {props.name!r}"
    for field_name in ("name", "location", "resource_group_name", "tenant_id", "private_endpoint_name",
                       "private_endpoint_subnet_id", "private_dns_zone_id", "log_analytics_workspace_id"):
        if not getattr(props, field_name):
            raise ValueError(f"{where}: {field_name} is required")
    if not is_token(props.tenant_id) and not is_guid(props.tenant_id):
        raise ValueError(f"{where}: tenant_id {props.tenant_id!r} is not a GUID")
    check_range(f"{where}: soft_delete_retention_days", props.soft_delete_retention_days,
                KEY_VAULT_SOFT_DELETE_DAYS, "days")
    for spec in props.certificates:
        _validate_certificate(where, spec)
    keys = [spec.key for spec in props.certificates]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{where}: certificates keys must be unique")
    names = [spec.name.lower() for spec in props.certificates]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: certificates names must be unique (Key Vault ignores case)")
    principals = list(props.certificate_officer_principal_ids.values())
    for key, principal in props.certificate_officer_principal_ids.items():
        if not _KEY.match(key):
            raise ValueError(f"{where}: certificate_officer_principal_ids key {key!r} must be letters, "
                             "digits, - or _")
        if not principal:
            raise ValueError(f"{where}: certificate_officer_principal_ids[{key}] needs an object ID")
    if len(set(principals)) != len(principals):
        raise ValueError(f"{where}: certificate_officer_principal_ids lists a principal twice")


def _certificate_policy(spec: KeyVaultCertificateSpec) -> KeyVaultCertificateCertificatePolicy:
    if spec.renew_days_before_expiry:
        trigger = KeyVaultCertificateCertificatePolicyLifetimeActionTrigger(
            days_before_expiry=spec.renew_days_before_expiry)
    else:
        trigger = KeyVaultCertificateCertificatePolicyLifetimeActionTrigger(
            lifetime_percentage=spec.renew_at_lifetime_percentage)
    return KeyVaultCertificateCertificatePolicy(
        issuer_parameters=KeyVaultCertificateCertificatePolicyIssuerParameters(name=spec.issuer),
        key_properties=KeyVaultCertificateCertificatePolicyKeyProperties(
            key_type="RSA",
            key_size=spec.key_size,
            # App Gateway and the CSI driver read the PFX (key included) from the secret.
            exportable=True,
            reuse_key=True,
        ),
        secret_properties=KeyVaultCertificateCertificatePolicySecretProperties(
            content_type="application/x-pkcs12"),
        x509_certificate_properties=KeyVaultCertificateCertificatePolicyX509CertificateProperties(
            subject=f"CN={spec.common_name}",
            subject_alternative_names=(
                KeyVaultCertificateCertificatePolicyX509CertificatePropertiesSubjectAlternativeNames(
                    dns_names=[spec.common_name, *spec.subject_alternative_names])),
            validity_in_months=spec.validity_in_months,
            key_usage=["digitalSignature", "keyEncipherment"],
            extended_key_usage=[SERVER_AUTH_EKU],
        ),
        lifetime_action=[KeyVaultCertificateCertificatePolicyLifetimeAction(
            action=KeyVaultCertificateCertificatePolicyLifetimeActionAction(action_type="AutoRenew"),
            trigger=trigger,
        )],
    )


class KeyVault(PrimaryResource, Construct):
    """`azurerm_key_vault` (standard, RBAC, no public access, ACL Deny) with a `vault` private
    endpoint, diagnostics and Key Vault-generated certificates."""

    def __init__(self, scope: Construct, id: str, props: KeyVaultProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = AzureKeyVault(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            tenant_id=props.tenant_id,
            sku_name="standard",
            rbac_authorization_enabled=True,
            public_network_access_enabled=False,
            network_acls=KeyVaultNetworkAcls(bypass="AzureServices", default_action="Deny"),
            purge_protection_enabled=props.purge_protection_enabled,
            soft_delete_retention_days=props.soft_delete_retention_days,
            enabled_for_deployment=False,
            enabled_for_disk_encryption=False,
            enabled_for_template_deployment=False,
        )
        self.private_endpoint = PrivateEndpoint(self, "PrivateEndpoint", PrivateEndpointProps(
            name=props.private_endpoint_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            subnet_id=props.private_endpoint_subnet_id,
            target_resource_id=self.resource.id,
            subresource="vault",
            private_dns_zone_ids=(props.private_dns_zone_id,),
        ))
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
        self.certificate_officers: dict[str, RoleAssignment] = {
            key: RoleAssignment(
                self,
                f"CertificatesOfficer-{key}",
                scope=self.resource.id,
                role_definition_name=CERTIFICATES_OFFICER_ROLE,
                principal_id=principal,
            )
            for key, principal in props.certificate_officer_principal_ids.items()
        }
        # Certificates are data-plane objects: with public access off, the only way in is the
        # private endpoint (and its DNS record), and the deployer's role must have propagated.
        self.officer_propagation = RolePropagationWait(self, "OfficerRolePropagation", RolePropagationWaitProps(
            assignments=self.certificate_officers, seconds=props.role_propagation_seconds,
        )) if self.certificate_officers else None
        waits_for = [self.private_endpoint.resource, *props.certificate_dependencies,
                     *(self.officer_propagation.dependables if self.officer_propagation else ())]
        self.certificates: dict[str, KeyVaultCertificate] = {
            spec.key: KeyVaultCertificate(
                self,
                f"Certificate-{spec.key}",
                name=spec.name,
                key_vault_id=self.resource.id,
                certificate_policy=_certificate_policy(spec),
                depends_on=waits_for,
            )
            for spec in props.certificates
        }


    @property
    def vault_uri(self) -> str:
        return self.resource.vault_uri
