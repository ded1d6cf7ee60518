"""Azure Front Door Premium: the environment's global entry point.

The profile, its endpoint, the public host as a custom domain with a Front Door managed
certificate, and the security policy that puts the WAF policy in front of both the endpoint and
the custom domain; diagnostics of the profile. What needs the regions (origins, route) is
`FrontDoorRouting`, applied after them.

The profile's `resource_guid` is the value Front Door sends to the origins in the `X-Azure-FDID`
header; the App Gateways' WAF refuses every request without this environment's value
(https://learn.microsoft.com/azure/frontdoor/origin-security).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.cdn_frontdoor_custom_domain import (
    CdnFrontdoorCustomDomain,
    CdnFrontdoorCustomDomainTls,
)
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_endpoint import CdnFrontdoorEndpoint
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_profile import CdnFrontdoorProfile
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_security_policy import (
    CdnFrontdoorSecurityPolicy,
    CdnFrontdoorSecurityPolicySecurityPolicies,
    CdnFrontdoorSecurityPolicySecurityPoliciesFirewall,
    CdnFrontdoorSecurityPolicySecurityPoliciesFirewallAssociation,
    CdnFrontdoorSecurityPolicySecurityPoliciesFirewallAssociationDomain,
)
from constructs import Construct

from constructs_lib.config.patterns import DNS_NAME
from constructs_lib.config.resource_names import FRONT_DOOR_SECURITY_POLICY
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.ingress.front_door_waf_policy import FRONT_DOOR_SKU

RESPONSE_TIMEOUT_SECONDS = (16, 240)
"""Front Door's bounds for the origin response timeout."""
_CHILD_NAME_LENGTH = {"endpoint_name": 46, "profile_name": 90, "custom_domain_name": 260,
                      "security_policy_name": 260}


@dataclass(frozen=True)
class FrontDoorProps:
    """Inputs of the Front Door profile and what hangs off it before any origin exists."""

    profile_name: str
    """Azure name of the profile (CAF prefix `afd`), 2-90 letters, digits and hyphens."""
    endpoint_name: str
    """Name of the endpoint (CAF prefix `fde`), 2-46 letters, digits and hyphens; Front Door adds a
    hash to form its host name `<name>-<hash>.z01.azurefd.net`."""
    resource_group_name: str
    """Resource group of every Front Door resource."""
    firewall_policy_id: str
    """The Front Door WAF policy (`FrontDoorWafPolicy.id`) attached to the endpoint and the custom
    domain for every path."""
    log_analytics_workspace_id: str
    """Workspace receiving the access, health-probe and WAF logs and the metrics."""
    custom_domain_name: str
    """Front Door resource name of the custom domain (letters, digits and hyphens)."""
    custom_domain_host_name: str
    """The public host (`<ingress.public_host>.<ingress.domain>`), served with a Front Door managed
    certificate (TLS 1.2 minimum)."""
    security_policy_name: str = FRONT_DOOR_SECURITY_POLICY
    """Name of the security policy that attaches the WAF policy. Default `sp-waf`
    (`config.resource_names.FRONT_DOOR_SECURITY_POLICY`)."""
    dns_zone_id: str | None = None
    """Azure public DNS zone of the custom domain, when the environment names one; None for a zone
    hosted elsewhere (the TXT validation record is then created by hand)."""
    response_timeout_seconds: int = 60
    """How long Front Door waits for an origin's response, 16-240 s. Default 60 (the provider's
    default is 120): a hung region is given up on sooner, the App Gateway's own backend timeout is
    also 60 s."""


def _validate(props: FrontDoorProps) -> None:
    for field_name, length in _CHILD_NAME_LENGTH.items():
        value = getattr(props, field_name)
        if not value or len(value) > length or value.startswith("-") or value.endswith("-") or not all(
                c.isascii() and (c.isalnum() or c == "-") for c in value):
            raise ValueError(f"front door: {field_name} {value!r} must be 1-{length} letters, digits and "
                             "hyphens, not starting or ending with a hyphen")
    for field_name in ("resource_group_name", "firewall_policy_id", "log_analytics_workspace_id"):
        if not getattr(props, field_name):
            raise ValueError(f"front door {props.profile_name}: {field_name} is required")
    DNS_NAME.check("custom_domain_host_name", props.custom_domain_host_name)
    low, high = RESPONSE_TIMEOUT_SECONDS
    if not low <= props.response_timeout_seconds <= high:
        raise ValueError(f"front door {props.profile_name}: response_timeout_seconds "
                         f"{props.response_timeout_seconds} is outside {low}-{high}")


class FrontDoor(PrimaryResource, Construct):
    """`azurerm_cdn_frontdoor_profile` (Premium) with one endpoint, one custom domain (managed
    certificate, TLS 1.2), the WAF security policy over both, and diagnostics of the profile
    (`FrontDoorAccessLog`, `FrontDoorHealthProbeLog`, `FrontDoorWebApplicationFirewallLog`,
    metrics). `resource_guid` is the profile's `X-Azure-FDID` value."""

    def __init__(self, scope: Construct, id: str, props: FrontDoorProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = CdnFrontdoorProfile(
            self,
            "Resource",
            name=props.profile_name,
            resource_group_name=props.resource_group_name,
            sku_name=FRONT_DOOR_SKU,
            response_timeout_seconds=props.response_timeout_seconds,
        )
        self.endpoint = CdnFrontdoorEndpoint(
            self, "Endpoint", name=props.endpoint_name, cdn_frontdoor_profile_id=self.resource.id, enabled=True)
        self.custom_domain = CdnFrontdoorCustomDomain(
            self,
            "CustomDomain",
            name=props.custom_domain_name,
            cdn_frontdoor_profile_id=self.resource.id,
            host_name=props.custom_domain_host_name,
            dns_zone_id=props.dns_zone_id,
            tls=CdnFrontdoorCustomDomainTls(certificate_type="ManagedCertificate", minimum_tls_version="TLS12"),
        )
        self.security_policy = CdnFrontdoorSecurityPolicy(
            self,
            "SecurityPolicy",
            name=props.security_policy_name,
            cdn_frontdoor_profile_id=self.resource.id,
            security_policies=CdnFrontdoorSecurityPolicySecurityPolicies(
                firewall=CdnFrontdoorSecurityPolicySecurityPoliciesFirewall(
                    cdn_frontdoor_firewall_policy_id=props.firewall_policy_id,
                    association=CdnFrontdoorSecurityPolicySecurityPoliciesFirewallAssociation(
                        patterns_to_match=["/*"],
                        domain=[
                            CdnFrontdoorSecurityPolicySecurityPoliciesFirewallAssociationDomain(
                                cdn_frontdoor_domain_id=domain_id)
                            for domain_id in (self.endpoint.id, self.custom_domain.id)
                        ],
                    ),
                ),
            ),
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))

    @property
    def resource_guid(self) -> str:
        """The profile's ID as Front Door sends it in `X-Azure-FDID`."""
        return str(self.resource.resource_guid)
