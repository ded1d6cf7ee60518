"""Public DNS records of Front Door's custom domain in an Azure DNS zone: the TXT record that
proves control of the domain (`_dnsauth.<host>`, the custom domain's validation token) and the
CNAME that points the host at the endpoint. The managed certificate is renewed automatically only
while the CNAME points straight at the endpoint
(https://learn.microsoft.com/azure/frontdoor/end-to-end-tls; record names and the `depends_on` of
the CNAME: azurerm `cdn_frontdoor_custom_domain` documentation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_azurerm.dns_cname_record import DnsCnameRecord
from cdktf_cdktf_provider_azurerm.dns_txt_record import DnsTxtRecord, DnsTxtRecordRecord
from constructs import Construct

from constructs_lib.config.patterns import DNS_NAME, DNS_RELATIVE_NAME
from constructs_lib.core.primary_resource import PrimaryResource

VALIDATION_PREFIX = "_dnsauth"
"""Front Door reads the validation token from `_dnsauth.<host relative to the zone>`."""
TTL_SECONDS = (1, 2147483647)


@dataclass(frozen=True)
class FrontDoorDnsRecordProps:
    """One record of the custom domain in the public zone."""

    zone_name: str
    """The Azure public DNS zone, e.g. contoso.com."""
    zone_resource_group_name: str
    """Resource group of the zone."""
    relative_name: str
    """The public host relative to the zone (`bicycle` for bicycle.contoso.com)."""
    value: str
    """TXT: the custom domain's `validation_token`; CNAME: the endpoint's `host_name`."""
    ttl_seconds: int = 3600
    """Record TTL in seconds. Default 3600 (the azurerm documentation's example)."""
    depends_on: tuple[ITerraformDependable, ...] = field(default_factory=tuple)
    """CNAME only: the route (and, in the same stack, the security policy); Front Door refuses the
    CNAME validation otherwise. Empty by default."""


def _validate(props: FrontDoorDnsRecordProps) -> None:
    DNS_NAME.check("zone_name", props.zone_name)
    DNS_RELATIVE_NAME.check("relative_name", props.relative_name)
    if not props.zone_resource_group_name or not props.value:
        raise ValueError(f"dns record {props.relative_name}: zone_resource_group_name and value are required")
    low, high = TTL_SECONDS
    if not low <= props.ttl_seconds <= high:
        raise ValueError(f"dns record {props.relative_name}: ttl_seconds {props.ttl_seconds} is outside {low}-{high}")


class FrontDoorValidationRecord(PrimaryResource, Construct):
    """`azurerm_dns_txt_record` `_dnsauth.<relative name>` holding the validation token."""

    def __init__(self, scope: Construct, id: str, props: FrontDoorDnsRecordProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = DnsTxtRecord(
            self, "Resource", name=f"{VALIDATION_PREFIX}.{props.relative_name}", zone_name=props.zone_name,
            resource_group_name=props.zone_resource_group_name, ttl=props.ttl_seconds,
            record=[DnsTxtRecordRecord(value=props.value)])


class FrontDoorCnameRecord(PrimaryResource, Construct):
    """`azurerm_dns_cname_record` `<relative name>` -> the Front Door endpoint's host name."""

    def __init__(self, scope: Construct, id: str, props: FrontDoorDnsRecordProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = DnsCnameRecord(
            self, "Resource", name=props.relative_name, zone_name=props.zone_name,
            resource_group_name=props.zone_resource_group_name, ttl=props.ttl_seconds, record=props.value,
            depends_on=list(props.depends_on) or None)
