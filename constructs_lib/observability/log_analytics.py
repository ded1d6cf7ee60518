"""Log Analytics workspace with the reference's hardening and its own audit diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.log_analytics_workspace import (
    LogAnalyticsWorkspace as Workspace,
)
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource


@dataclass(frozen=True)
class LogAnalyticsWorkspaceProps:
    """Inputs of a Log Analytics workspace."""

    name: str
    """Azure name of the workspace (CAF prefix `log-`, 4-63 characters)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the workspace."""
    retention_in_days: int = 30
    """Interactive retention. Reference: 30 days."""
    local_authentication_enabled: bool = False
    """Shared-key ingestion/query. Off (default): agents authenticate with Entra ID (reference hub:
    off). Only a workspace for an agent without Entra ID auth turns it on (the Defender sensor)."""
    diagnostics_workspace_id: str | None = None
    """Workspace receiving this workspace's own audit logs and metrics. Default None: itself."""


class LogAnalyticsWorkspace(PrimaryResource, Construct):
    """PerGB2018 workspace, no daily cap, Entra-only auth, sending its own Audit logs to itself."""

    def __init__(self, scope: Construct, id: str, props: LogAnalyticsWorkspaceProps):
        super().__init__(scope, id)
        self.resource = Workspace(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku="PerGB2018",
            retention_in_days=props.retention_in_days,
            daily_quota_gb=-1,
            local_authentication_enabled=props.local_authentication_enabled,
            allow_resource_only_permissions=True,
            cmk_for_query_forced=False,
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.diagnostics_workspace_id or self.resource.id))
