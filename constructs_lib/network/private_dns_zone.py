"""A private DNS zone, its virtual network links and optional A records.

Used for the private-link zones of the registry and key vault (`privatelink.azurecr.io`,
`privatelink.vaultcore.azure.net`), the BYO zone of the private API server and the internal
ingress zone. The reference links every zone to the spoke only; this project also links the hub
so hub-side tooling (Bastion jump boxes, the firewall's DNS proxy) resolves the private names.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.private_dns_a_record import PrivateDnsARecord
from cdktf_cdktf_provider_azurerm.private_dns_zone import (
    PrivateDnsZone as AzurePrivateDnsZone,
)
from cdktf_cdktf_provider_azurerm.private_dns_zone_virtual_network_link import (
    PrivateDnsZoneVirtualNetworkLink,
)
from constructs import Construct

from constructs_lib.config.patterns import DNS_RELATIVE_NAME, DNS_ZONE_NAME
from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.core.validation import is_token

A_RECORD_TTL_SECONDS = 3600
"""TTL of every A record (the reference's ingress record uses 3600)."""

_LINK_KEY = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_]{0,74}$")


@dataclass(frozen=True)
class PrivateDnsZoneProps:
    """Inputs of a private DNS zone."""

    name: str
    """The zone, e.g. `privatelink.azurecr.io` (lowercase DNS name, at least two labels)."""
    resource_group_name: str
    """Resource group of the zone, its links and records."""
    virtual_network_links: dict[str, str]
    """Link key -> virtual network ID. Link the spoke (where the workloads resolve) and the hub.
    At least one link; each VNet at most once. The key names the link (`link-<key>`) and its
    construct ID, so keep keys stable."""
    a_records: dict[str, list[str]] = field(default_factory=dict)
    """Relative record name -> IPv4 addresses (TTL 3600). Empty by default; the ingress zone
    carries the internal load balancer's record (reference: `bu0001a0008-00` -> 10.240.4.4)."""


def _validate(props: PrivateDnsZoneProps) -> None:
    where = f"private DNS zone {props.name!r}"
    if not props.name:
        raise ValueError("private DNS zone: name is required")
    if not is_token(props.name) and not DNS_ZONE_NAME.matches(props.name):
        raise ValueError(f"{where}: name must be a lowercase DNS name with at least two labels")
    if not props.resource_group_name:
        raise ValueError(f"{where}: resource_group_name is required")
    if not props.virtual_network_links:
        raise ValueError(f"{where}: virtual_network_links needs at least one VNet "
                         "(an unlinked zone resolves nothing)")
    seen_vnets: dict[str, str] = {}
    for key, vnet_id in props.virtual_network_links.items():
        if not _LINK_KEY.match(key):
            raise ValueError(f"{where}: virtual_network_links key {key!r} must be 1-75 letters, digits, "
                             "- or _, starting with a letter or digit")
        if not vnet_id:
            raise ValueError(f"{where}: virtual_network_links[{key}] needs a virtual network ID")
        normalized = vnet_id if is_token(vnet_id) else vnet_id.lower()
        if normalized in seen_vnets:
            raise ValueError(f"{where}: virtual_network_links[{key}] links the same VNet as "
                             f"[{seen_vnets[normalized]}]; a zone can link a VNet only once")
        seen_vnets[normalized] = key
    for record, addresses in props.a_records.items():
        if not DNS_RELATIVE_NAME.matches(record):
            raise ValueError(f"{where}: a_records name {record!r} must be a relative lowercase DNS name")
        if record == props.name or record.endswith(f".{props.name}"):
            raise ValueError(f"{where}: a_records name {record!r} must be relative to the zone, "
                             "not the full name")
        if not addresses:
            raise ValueError(f"{where}: a_records[{record}] needs at least one IPv4 address")
        if len(set(addresses)) != len(addresses):
            raise ValueError(f"{where}: a_records[{record}] lists an address twice")
        for address in addresses:
            if is_token(address):
                continue
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                raise ValueError(
                    f"{where}: a_records[{record}]: {address!r} is not an IPv4 address") from None


class PrivateDnsZone(PrimaryResource, Construct):
    """`azurerm_private_dns_zone` with non-registering VNet links and A records."""

    def __init__(self, scope: Construct, id: str, props: PrivateDnsZoneProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = AzurePrivateDnsZone(
            self,
            "Resource",
            name=props.name,
            resource_group_name=props.resource_group_name,
        )
        self.links: dict[str, PrivateDnsZoneVirtualNetworkLink] = {
            key: PrivateDnsZoneVirtualNetworkLink(
                self,
                f"Link-{key}",
                name=f"link-{key}",
                resource_group_name=props.resource_group_name,
                private_dns_zone_name=self.resource.name,
                virtual_network_id=vnet_id,
                # Only the AKS-managed and private-endpoint records belong in the zone; VM
                # auto-registration would let any VM in the VNet publish names into it.
                registration_enabled=False,
            )
            for key, vnet_id in props.virtual_network_links.items()
        }
        self.a_records: dict[str, PrivateDnsARecord] = {
            record: PrivateDnsARecord(
                self,
                f"ARecord-{record}",
                name=record,
                zone_name=self.resource.name,
                resource_group_name=props.resource_group_name,
                ttl=A_RECORD_TTL_SECONDS,
                records=list(addresses),
            )
            for record, addresses in props.a_records.items()
        }
