"""Application Gateway WAF_v2: the public HTTPS entry point of the cluster, with end-to-end TLS.

The client's TLS session ends at the gateway (listener certificate read from Key Vault by a
user-assigned identity, TLS 1.2+ with two ECDHE-GCM suites, SNI required) so the WAF can inspect
the request; the gateway then re-encrypts to the ingress controller's internal load balancer,
addressed by an FQDN that a private DNS zone resolves, and checks the backend certificate against
a trusted root (or a well-known CA) and the FQDN. Only port 443 is open: there is no HTTP
listener and no redirect. The gateway is static (not managed by AGIC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_azurerm.application_gateway import (
    ApplicationGateway as AzureApplicationGateway,
)
from cdktf_cdktf_provider_azurerm.application_gateway import (
    ApplicationGatewayAutoscaleConfiguration,
    ApplicationGatewayBackendAddressPool,
    ApplicationGatewayBackendHttpSettings,
    ApplicationGatewayFrontendIpConfiguration,
    ApplicationGatewayFrontendPort,
    ApplicationGatewayGatewayIpConfiguration,
    ApplicationGatewayHttpListener,
    ApplicationGatewayIdentity,
    ApplicationGatewayProbe,
    ApplicationGatewayProbeMatch,
    ApplicationGatewayRequestRoutingRule,
    ApplicationGatewaySku,
    ApplicationGatewaySslCertificate,
    ApplicationGatewaySslPolicy,
    ApplicationGatewayTrustedRootCertificate,
)
from constructs import Construct

from constructs_lib.config.patterns import DNS_NAME
from constructs_lib.config.rules import (
    APP_GATEWAY_MAX_CAPACITY,
    APP_GATEWAY_MIN_CAPACITY,
    check_min_not_above_max,
    check_range,
)
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.core.validation import ALLOWED_ZONES, is_token

MIN_TLS_VERSION = "TLSv1_2"
CIPHER_SUITES = (
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
)
"""The only suites the listener negotiates (reference TLS policy)."""

# Names of the gateway's child elements; they are internal to the gateway and fixed.
GATEWAY_IP_CONFIGURATION = "gateway-ip-configuration"
FRONTEND_IP_CONFIGURATION = "frontend-public-ip"
FRONTEND_PORT = "port-443"
LISTENER_CERTIFICATE = "listener-certificate"
LISTENER = "listener-https"
BACKEND_POOL = "backend-ingress"
BACKEND_SETTINGS = "backend-https"
PROBE = "probe-ingress"
TRUSTED_ROOT = "backend-trusted-root"
ROUTING_RULE = "routing-https"

_VERSIONLESS_SECRET_ID = re.compile(r"^https://[^/]+/secrets/[0-9A-Za-z-]{1,127}/?$")


@dataclass(frozen=True)
class ApplicationGatewayProps:
    """Inputs of the cluster's Application Gateway."""

    name: str
    """Azure name of the gateway (CAF prefix `agw-`)."""
    location: str
    """Azure region of the gateway."""
    resource_group_name: str
    """Resource group of the gateway."""
    subnet_id: str
    """The dedicated gateway subnet (reference: snet-applicationgateway, 10.240.5.0/24)."""
    public_ip_address_id: str
    """Standard static public IP of the only frontend (reference: pip-BU0001A0008-00)."""
    identity_id: str
    """User-assigned identity the gateway uses to read its certificates from Key Vault; it needs
    Key Vault Secrets User (or equivalent) on the vault before the gateway is created."""
    listener_host_name: str
    """Public host name the HTTPS listener serves, with SNI required (e.g. bicycle.contoso.com)."""
    listener_certificate_secret_id: str
    """Versionless Key Vault secret id of the listener certificate, so the gateway picks up
    renewals (`https://<vault>.vault.azure.net/secrets/<name>`)."""
    backend_fqdn: str
    """FQDN of the ingress controller, resolved by a private DNS zone to its internal load
    balancer (e.g. bu0001a0008-00.aks-ingress.contoso.com). The gateway sends it as Host and SNI
    and expects it in the backend certificate."""
    waf_policy_id: str
    """WAF policy attached at gateway level (`WafPolicy.id`)."""
    log_analytics_workspace_id: str
    """Workspace receiving the access, performance and firewall logs."""
    backend_trusted_root_secret_id: str | None = None
    """Versionless Key Vault secret ID of the root (or self-signed) certificate the ingress
    certificate chains to, read by the gateway's identity like the listener certificate, so a
    renewal in Key Vault reaches the gateway without a Terraform run (the gateway polls Key Vault
    every 4 hours; https://learn.microsoft.com/azure/application-gateway/key-vault-certs). Default
    None: the backend certificate must chain to a well-known CA and no trusted root is configured.
    A versioned ID is refused (ValueError): it would pin the certificate Key Vault replaces."""
    zones: tuple[str, ...] = ALLOWED_ZONES
    """Availability zones of the instances, a subset of 1-3; empty for a region without zones.
    Reference and default: 1, 2, 3."""
    min_capacity: int = 0
    """Autoscale minimum instance count, 0-100 (`config.rules.APP_GATEWAY_MIN_CAPACITY`).
    Reference and default: 0."""
    max_capacity: int = 10
    """Autoscale maximum instance count, 2-125 and not below min_capacity. Reference and default: 10."""
    http2_enabled: bool = True
    """HTTP/2 between clients and the gateway (the gateway speaks HTTP/1.1 to the backend).
    Default true; the reference leaves it off."""
    health_probe_path: str = "/favicon.ico"
    """Path the gateway probes on the backend over HTTPS. Reference and default: /favicon.ico."""
    depends_on: tuple[ITerraformDependable, ...] = field(default_factory=tuple)
    """Resources that must exist first: the Key Vault private endpoint and the identity's role
    assignments on the vault (reference dependsOn). Empty by default."""


def _validate(props: ApplicationGatewayProps) -> None:
    where = f"application gateway {props.name}"
    check_range("min_capacity", props.min_capacity, APP_GATEWAY_MIN_CAPACITY)
    check_range("max_capacity", props.max_capacity, APP_GATEWAY_MAX_CAPACITY)
    check_min_not_above_max("min_capacity", props.min_capacity, "max_capacity", props.max_capacity)
    unknown = [zone for zone in props.zones if zone not in ALLOWED_ZONES]
    if unknown or len(set(props.zones)) != len(props.zones):
        raise ValueError(f"{where}: zones must be distinct values from {', '.join(ALLOWED_ZONES)}, "
                         f"got {list(props.zones)}")
    for field_name in ("listener_host_name", "backend_fqdn"):
        value = getattr(props, field_name)
        if not is_token(value):
            DNS_NAME.check(field_name, value)
    if not props.health_probe_path.startswith("/"):
        raise ValueError(f"{where}: health_probe_path must start with '/', got {props.health_probe_path!r}")
    secret_id = props.listener_certificate_secret_id
    if not is_token(secret_id) and not _VERSIONLESS_SECRET_ID.match(secret_id):
        raise ValueError(f"{where}: listener_certificate_secret_id must be a versionless Key Vault secret "
                         f"id (https://<vault>.vault.azure.net/secrets/<name>), so renewals are picked "
                         f"up; got {secret_id!r}")
    root = props.backend_trusted_root_secret_id
    if root is not None and not is_token(root) and not _VERSIONLESS_SECRET_ID.match(root):
        raise ValueError(f"{where}: backend_trusted_root_secret_id must be a versionless Key Vault secret id "
                         f"(https://<vault>.vault.azure.net/secrets/<name>), so renewals are picked up; got {root!r}")


class ApplicationGateway(PrimaryResource, Construct):
    """WAF_v2 gateway, zone-redundant and autoscaling, with one HTTPS listener (SNI, Key Vault
    certificate, custom TLS 1.2 policy) routed to one HTTPS backend FQDN with a health probe, and
    its diagnostics."""

    def __init__(self, scope: Construct, id: str, props: ApplicationGatewayProps):
        super().__init__(scope, id)
        _validate(props)
        trusted_root = props.backend_trusted_root_secret_id
        self.resource = AzureApplicationGateway(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku=ApplicationGatewaySku(name="WAF_v2", tier="WAF_v2"),
            autoscale_configuration=ApplicationGatewayAutoscaleConfiguration(
                min_capacity=props.min_capacity, max_capacity=props.max_capacity),
            zones=list(props.zones) or None,
            identity=ApplicationGatewayIdentity(type="UserAssigned", identity_ids=[props.identity_id]),
            firewall_policy_id=props.waf_policy_id,
            enable_http2=props.http2_enabled,
            ssl_policy=ApplicationGatewaySslPolicy(
                policy_type="Custom",
                min_protocol_version=MIN_TLS_VERSION,
                cipher_suites=list(CIPHER_SUITES),
            ),
            gateway_ip_configuration=[ApplicationGatewayGatewayIpConfiguration(
                name=GATEWAY_IP_CONFIGURATION, subnet_id=props.subnet_id)],
            frontend_ip_configuration=[ApplicationGatewayFrontendIpConfiguration(
                name=FRONTEND_IP_CONFIGURATION, public_ip_address_id=props.public_ip_address_id)],
            frontend_port=[ApplicationGatewayFrontendPort(name=FRONTEND_PORT, port=443)],
            ssl_certificate=[ApplicationGatewaySslCertificate(
                name=LISTENER_CERTIFICATE, key_vault_secret_id=props.listener_certificate_secret_id)],
            trusted_root_certificate=[ApplicationGatewayTrustedRootCertificate(
                name=TRUSTED_ROOT, key_vault_secret_id=trusted_root)] if trusted_root is not None else None,
            http_listener=[ApplicationGatewayHttpListener(
                name=LISTENER,
                frontend_ip_configuration_name=FRONTEND_IP_CONFIGURATION,
                frontend_port_name=FRONTEND_PORT,
                protocol="Https",
                host_name=props.listener_host_name,
                require_sni=True,
                ssl_certificate_name=LISTENER_CERTIFICATE,
            )],
            backend_address_pool=[ApplicationGatewayBackendAddressPool(
                name=BACKEND_POOL, fqdns=[props.backend_fqdn])],
            backend_http_settings=[ApplicationGatewayBackendHttpSettings(
                name=BACKEND_SETTINGS,
                protocol="Https",
                port=443,
                cookie_based_affinity="Disabled",
                pick_host_name_from_backend_address=True,
                request_timeout=20,
                probe_name=PROBE,
                trusted_root_certificate_names=[TRUSTED_ROOT] if trusted_root is not None else None,
            )],
            probe=[ApplicationGatewayProbe(
                name=PROBE,
                protocol="Https",
                path=props.health_probe_path,
                interval=30,
                timeout=30,
                unhealthy_threshold=3,
                pick_host_name_from_backend_http_settings=True,
                minimum_servers=0,
                match=ApplicationGatewayProbeMatch(status_code=["200-399"]),
            )],
            request_routing_rule=[ApplicationGatewayRequestRoutingRule(
                name=ROUTING_RULE,
                rule_type="Basic",
                priority=100,
                http_listener_name=LISTENER,
                backend_address_pool_name=BACKEND_POOL,
                backend_http_settings_name=BACKEND_SETTINGS,
            )],
            depends_on=list(props.depends_on) or None,
        )
        self.diagnostics = DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
