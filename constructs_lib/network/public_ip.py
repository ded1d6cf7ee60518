"""Zone-redundant Standard public IP with DDoS diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.public_ip import PublicIp as AzurePublicIp
from constructs import Construct

from constructs_lib.config.naming import RULES
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
    domain_name_label: str | None = None
    """DNS label: Azure then resolves `<label>.<region>.cloudapp.azure.com` to the address. 3-63
    lowercase letters, digits and hyphens, starting with a letter, unique in the region. Default
    None (no name)."""


class PublicIp(PrimaryResource, Construct):
    """Standard, static, IPv4 public IP (4-minute idle timeout), optionally with a DNS label, with
    diagnostics."""

    def __init__(self, scope: Construct, id: str, props: PublicIpProps):
        super().__init__(scope, id)
        label = props.domain_name_label
        if label is not None and not RULES["public_ip_dns_label"].matches(label):
            raise ValueError(f"public ip {props.name}: domain_name_label {label!r} must be 3-63 lowercase letters, "
                             "digits and hyphens, starting with a letter and not ending with a hyphen")
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
            domain_name_label=label,
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
