"""Premium container registry reachable only through private endpoints, geo-replicated and zone
redundant, with diagnostics.

One registry serves every region of an environment; each region's cluster stack gives it a private
endpoint (`network.private_endpoint.PrivateEndpoint`, sub-resource `registry`) in its own spoke,
registered in that region's `privatelink.azurecr.io` zone, which also receives the data endpoint of
every replica. So the registry itself has no endpoint here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.container_registry import (
    ContainerRegistry as AzureContainerRegistry,
)
from cdktf_cdktf_provider_azurerm.container_registry import (
    ContainerRegistryGeoreplications,
    ContainerRegistryNetworkRuleSet,
)
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource
from constructs_lib.core.validation import is_token

RETENTION_DAYS_RANGE = (0, 365)
"""Azure's bounds for the untagged-manifest retention policy."""


@dataclass(frozen=True)
class ContainerRegistryProps:
    """Inputs of the workload's container registry."""

    name: str
    """Globally unique registry name: 5-50 lowercase letters and digits (CAF prefix `cr`)."""
    location: str
    """Home region of the registry."""
    resource_group_name: str
    """Resource group of the registry."""
    log_analytics_workspace_id: str
    """Workspace receiving repository and login events."""
    replica_locations: tuple[str, ...] = field(default_factory=tuple)
    """Geo-replication targets, each zone redundant. Never the home location, no duplicates.
    Reference: one replica (`centralus`). Empty by default: replicas are chosen per environment
    (every other region of it, `Environment.registry_replicas`)."""
    retention_days: int = 15
    """Days untagged manifests are kept (0-365). Reference: 15."""
    zone_redundancy_enabled: bool = True
    """Spread the home region and every replica across availability zones. Reference: true.
    Set false only for a region without zones."""


def _location_key(location: str) -> str:
    """`East US 2` and `eastus2` name the same region."""
    return location if is_token(location) else re.sub(r"\s+", "", location).lower()


def _validate(props: ContainerRegistryProps) -> None:
    where = f"container registry {props.name!r}"
    for field_name in ("name", "location", "resource_group_name", "log_analytics_workspace_id"):
        if not getattr(props, field_name):
            raise ValueError(f"{where}: {field_name} is required")
    low, high = RETENTION_DAYS_RANGE
    if not low <= props.retention_days <= high:
        raise ValueError(f"{where}: retention_days {props.retention_days} is outside {low}-{high}")
    home = _location_key(props.location)
    seen: set[str] = set()
    for replica in props.replica_locations:
        if not replica:
            raise ValueError(f"{where}: replica_locations contains an empty location")
        key = _location_key(replica)
        if key == home:
            raise ValueError(f"{where}: replica_locations must not contain the home location "
                             f"{props.location!r}")
        if key in seen:
            raise ValueError(f"{where}: replica_locations lists {replica!r} twice")
        seen.add(key)


class ContainerRegistry(PrimaryResource, Construct):
    """`azurerm_container_registry` (Premium, no admin user, no public access, no anonymous pull,
    no export) with inline geo-replicas and diagnostics; the private endpoints are the regions'."""

    def __init__(self, scope: Construct, id: str, props: ContainerRegistryProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = AzureContainerRegistry(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku="Premium",
            admin_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access_enabled=False,
            network_rule_set=[ContainerRegistryNetworkRuleSet(default_action="Deny")],
            network_rule_bypass_option="AzureServices",
            # Stronger than the reference: blocks `az acr import/export` of images out of the
            # registry. Azure accepts it only with public network access disabled (above).
            export_policy_enabled=False,
            data_endpoint_enabled=True,
            zone_redundancy_enabled=props.zone_redundancy_enabled,
            retention_policy_in_days=props.retention_days,
            # Quarantine needs a scanner that releases images; content trust (DCT) is deprecated in ACR.
            quarantine_policy_enabled=False,
            trust_policy_enabled=False,
            # Inline, so every region's private endpoint, created after the registry, also gets the
            # replicas' data endpoints (the reference makes its endpoint depend on the replica).
            georeplications=[
                ContainerRegistryGeoreplications(
                    location=location, zone_redundancy_enabled=props.zone_redundancy_enabled)
                for location in props.replica_locations
            ] or None,
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))

    @property
    def login_server(self) -> str:
        return self.resource.login_server
