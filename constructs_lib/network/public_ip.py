"""Zone-redundant Standard public IP with DDoS diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.public_ip import PublicIp as AzurePublicIp
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource


@dataclass(frozen=True)
class PublicIpProps:
    """Inputs of a public IP."""

    name: str
    """Azure name of the address (CAF prefix `pip-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the address."""
    log_analytics_workspace_id: str
    """Workspace receiving the DDoS diagnostics and metrics."""
    zones: tuple[str, ...] = field(default_factory=lambda: ("1", "2", "3"))
    """Zones the address survives the loss of. Reference: 1, 2, 3."""


class PublicIp(PrimaryResource, Construct):
    """Standard, static, IPv4 public IP (4-minute idle timeout) with diagnostics."""

    def __init__(self, scope: Construct, id: str, props: PublicIpProps):
        super().__init__(scope, id)
        self.resource = AzurePublicIp(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku="Standard",
            allocation_method="Static",
            ip_version="IPv4",
            idle_timeout_in_minutes=4,
            zones=list(props.zones) or None,
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
