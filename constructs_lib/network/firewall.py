"""Azure Firewall (Premium, or Standard for a cheaper environment) across availability zones, with
its public IPs and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.firewall import Firewall as AzureFirewall
from cdktf_cdktf_provider_azurerm.firewall import FirewallIpConfiguration
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.validation import ALLOWED_ZONES
from constructs_lib.network.firewall_policy import FirewallPolicy
from constructs_lib.network.public_ip import PublicIp, PublicIpProps


@dataclass(frozen=True)
class FirewallProps:
    """Inputs of the hub firewall."""

    name: str
    """Azure name of the firewall (CAF prefix `afw-`, at most 56 characters)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the firewall and its public IPs."""
    subnet_id: str
    """The hub's AzureFirewallSubnet."""
    policy: FirewallPolicy
    """The firewall policy (`FirewallPolicy`); the firewall takes its tier (Azure requires the same)
    and waits for its rule collection groups and IP group."""
    public_ip_names: tuple[str, ...]
    """One public IP per name; the reference uses three to widen the SNAT port pool."""
    log_analytics_workspace_id: str
    """Workspace receiving the firewall's and public IPs' diagnostics."""
    zones: tuple[str, ...] = ALLOWED_ZONES
    """Availability zones of the firewall and its public IPs. Default and reference: 1, 2, 3; empty
    for a region without zones."""


class Firewall(Construct):
    """AZFW_VNet firewall (Premium or Standard); policy settings (DNS proxy, threat intel, IDPS)
    live on the policy."""

    def __init__(self, scope: Construct, id: str, props: FirewallProps):
        super().__init__(scope, id)
        if not props.public_ip_names:
            raise ValueError("firewall: at least one public IP name is required")
        self.public_ips = [
            PublicIp(self, f"PublicIp{index:02d}", PublicIpProps(
                name=name, location=props.location, resource_group_name=props.resource_group_name,
                log_analytics_workspace_id=props.log_analytics_workspace_id, zones=props.zones))
            for index, name in enumerate(props.public_ip_names)
        ]
        self.resource = AzureFirewall(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku_name="AZFW_VNet",
            sku_tier=props.policy.sku,
            zones=list(props.zones) or None,
            firewall_policy_id=props.policy.id,
            ip_configuration=[
                FirewallIpConfiguration(
                    name=public_ip.resource.name,
                    public_ip_address_id=public_ip.id,
                    subnet_id=props.subnet_id if index == 0 else None,
                )
                for index, public_ip in enumerate(self.public_ips)
            ],
            # The policy's rule groups and IP group must settle before the firewall is updated.
            depends_on=[*props.policy.rule_collection_groups, props.policy.node_ip_group],
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))

    @property
    def private_ip_address(self) -> str:
        return self.resource.ip_configuration.get(0).private_ip_address
