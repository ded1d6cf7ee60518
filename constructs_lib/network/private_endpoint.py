"""A private endpoint for one sub-resource of a PaaS resource, registered in private DNS zones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.private_endpoint import (
    PrivateEndpoint as AzurePrivateEndpoint,
)
from cdktf_cdktf_provider_azurerm.private_endpoint import (
    PrivateEndpointPrivateDnsZoneGroup,
    PrivateEndpointPrivateServiceConnection,
)
from constructs import Construct

from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.core.validation import is_token

DNS_ZONE_GROUP_NAME = "default"
"""Name of the endpoint's DNS zone group (one per endpoint; the name the portal uses)."""

_SUBRESOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PrivateEndpointProps:
    """Inputs of a private endpoint."""

    name: str
    """Azure name of the endpoint (CAF prefix `pep-`); also names its connection `<name>-<subresource>`."""
    location: str
    """Region of the endpoint: the region of its subnet's VNet, not of the target."""
    resource_group_name: str
    """Resource group of the endpoint."""
    subnet_id: str
    """The spoke's private-endpoint subnet (reference: snet-privatelinkendpoints)."""
    target_resource_id: str
    """The PaaS resource the endpoint connects to."""
    subresource: str
    """The target's group ID: `registry` (container registry), `vault` (key vault), ..."""
    private_dns_zone_ids: tuple[str, ...]
    """Zones the endpoint's addresses are registered in, through one DNS zone group
    (`privatelink.azurecr.io` for a registry, `privatelink.vaultcore.azure.net` for a vault).
    At least one: an endpoint nobody resolves to is unused."""


def _validate(props: PrivateEndpointProps) -> None:
    where = f"private endpoint {props.name!r}"
    for field_name in ("name", "location", "resource_group_name", "subnet_id", "target_resource_id"):
        if not getattr(props, field_name):
            raise ValueError(f"{where}: {field_name} is required")
    if not props.subresource or not (is_token(props.subresource)
                                     or _SUBRESOURCE.match(props.subresource)):
        raise ValueError(f"{where}: subresource must be a group ID such as 'registry' or 'vault', "
                         f"got {props.subresource!r}")
    if not props.private_dns_zone_ids:
        raise ValueError(f"{where}: private_dns_zone_ids needs at least one zone")
    if any(not zone for zone in props.private_dns_zone_ids):
        raise ValueError(f"{where}: private_dns_zone_ids contains an empty ID")
    if len(set(props.private_dns_zone_ids)) != len(props.private_dns_zone_ids):
        raise ValueError(f"{where}: private_dns_zone_ids lists a zone twice")


class PrivateEndpoint(PrimaryResource, Construct):
    """`azurerm_private_endpoint` with an automatically approved connection and a DNS zone group."""

    def __init__(self, scope: Construct, id: str, props: PrivateEndpointProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = AzurePrivateEndpoint(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            subnet_id=props.subnet_id,
            private_service_connection=PrivateEndpointPrivateServiceConnection(
                name=f"{props.name}-{props.subresource}",
                private_connection_resource_id=props.target_resource_id,
                subresource_names=[props.subresource],
                # Same tenant and the deployer owns the target: no approval workflow.
                is_manual_connection=False,
            ),
            private_dns_zone_group=PrivateEndpointPrivateDnsZoneGroup(
                name=DNS_ZONE_GROUP_NAME,
                private_dns_zone_ids=list(props.private_dns_zone_ids),
            ),
        )


    @property
    def private_ip_address(self) -> str:
        """The endpoint's first private IP (the target's main FQDN resolves to it)."""
        return self.resource.private_service_connection.private_ip_address
