"""The private DNS zones one cluster needs: the Private Link zones of its registry and key vault,
the BYO zone of a private API server, and the internal ingress zone with the load balancer's
record. Every zone is linked to the spoke and to the hub, so hub-side tooling (a Bastion jump
box, a runner, the firewall's DNS proxy) resolves the private names too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.config.resource_names import KEY_VAULT_ZONE, REGISTRY_ZONE, api_server_zone
from constructs_lib.network.private_dns_zone import PrivateDnsZone, PrivateDnsZoneProps


@dataclass(frozen=True)
class ClusterPrivateDnsZonesProps:
    """Inputs of a cluster's zone set."""

    location: str
    """Region of the cluster (names the API-server zone `privatelink.<region>.azmk8s.io`)."""
    resource_group_name: str
    """Resource group holding the zones."""
    virtual_network_links: Mapping[str, str]
    """Link key -> VNet ID, applied to every zone (the baseline: `spoke` and `hub`)."""
    private_cluster: bool
    """Whether the API server is private; a public one needs no API-server zone."""
    ingress_zone: str
    """The internal ingress zone, e.g. `aks-ingress.contoso.com`."""
    ingress_records: Mapping[str, str]
    """Relative record name -> the ingress load balancer's private IP."""


class ClusterPrivateDnsZones:
    """Creates the zone set in `scope` (the cluster stack) under the construct IDs `RegistryZone`,
    `KeyVaultZone`, `ApiServerZone` and `IngressZone`.

    Not a construct of its own on purpose: the zones sit directly under the stack so their
    construct paths, and with them their Terraform addresses, stay those of existing deployments.
    """

    def __init__(self, scope: Construct, props: ClusterPrivateDnsZonesProps):
        def zone(id: str, name: str, a_records: dict[str, list[str]] | None = None) -> PrivateDnsZone:
            return PrivateDnsZone(scope, id, PrivateDnsZoneProps(
                name=name, resource_group_name=props.resource_group_name,
                virtual_network_links=dict(props.virtual_network_links), a_records=a_records or {}))

        self.registry = zone("RegistryZone", REGISTRY_ZONE)
        self.key_vault = zone("KeyVaultZone", KEY_VAULT_ZONE)
        self.api_server = zone("ApiServerZone", api_server_zone(props.location)) if props.private_cluster else None
        self.ingress = zone("IngressZone", props.ingress_zone,
                            {record: [address] for record, address in props.ingress_records.items()})
