"""Diagnostic settings that send a resource's logs and metrics to a Log Analytics workspace.

The categories per resource type are the explicit lists the reference implementation enables
(it replaced `allLogs` groups with explicit categories); one catalogue here keeps every construct,
and the policy check that no diagnostic-capable resource goes unobserved, in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformResource
from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from constructs import Construct

_DDOS = ("DDoSProtectionNotifications", "DDoSMitigationFlowLogs", "DDoSMitigationReports")
_NSG = ("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter")

# resource type -> (log categories, whether AllMetrics is sent)
DIAGNOSTIC_CATEGORIES: dict[str, tuple[tuple[str, ...], bool]] = {
    "azurerm_log_analytics_workspace": (("Audit", "SummaryLogs"), True),
    "azurerm_virtual_network": ((), True),
    "azurerm_network_security_group": (_NSG, False),
    "azurerm_public_ip": (_DDOS, True),
    # Structured (resource-specific) categories only: the legacy AzureFirewall* categories feed
    # the shared AzureDiagnostics table with the same events again.
    "azurerm_firewall": ((
        "AZFWNetworkRule", "AZFWApplicationRule", "AZFWNatRule", "AZFWThreatIntel",
        "AZFWIdpsSignature", "AZFWDnsQuery", "AZFWFqdnResolveFailure", "AZFWFatFlow",
        "AZFWFlowTrace", "AZFWApplicationRuleAggregation", "AZFWNetworkRuleAggregation",
        "AZFWNatRuleAggregation",
    ), True),
    "azurerm_bastion_host": (("BastionAuditLogs",), True),
    "azurerm_container_registry": (("ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"), True),
    "azurerm_key_vault": (("AuditEvent",), True),
    "azurerm_application_gateway": (("ApplicationGatewayAccessLog", "ApplicationGatewayPerformanceLog",
                                     "ApplicationGatewayFirewallLog"), True),
    "azurerm_kubernetes_cluster": (("cluster-autoscaler", "kube-controller-manager",
                                    "kube-audit-admin", "guard"), False),
    "azurerm_monitor_data_collection_rule": (("LogErrors",), False),
    "azurerm_eventgrid_system_topic": (("DeliveryFailures",), True),
    # Front Door Standard/Premium profile (Microsoft.Cdn/profiles): the Front Door categories;
    # AzureCdnAccessLog belongs to the CDN tiers. The endpoints, routes, origins and the Front Door
    # WAF policy have no diagnostic settings of their own: their events are these categories
    # (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-cdn-profiles-logs).
    "azurerm_cdn_frontdoor_profile": (("FrontDoorAccessLog", "FrontDoorHealthProbeLog",
                                       "FrontDoorWebApplicationFirewallLog"), True),
    "azurerm_logic_app_workflow": (("WorkflowRuntime",), True),
}


# Types whose logs go to resource-specific tables (AZFW*, AKSAudit*, AKSControlPlane) rather than
# the shared AzureDiagnostics table: cheaper to query and typed.
DEDICATED_TABLES: frozenset[str] = frozenset({"azurerm_firewall", "azurerm_kubernetes_cluster"})


@dataclass(frozen=True)
class DiagnosticSettingsProps:
    """Where one resource's diagnostics go."""

    target: TerraformResource
    """The resource to observe; its Terraform type selects the categories."""
    log_analytics_workspace_id: str
    """Workspace receiving the logs and metrics."""
    name: str = "to-log-analytics"
    """Name of the diagnostic setting on the resource."""
    extra_log_categories: tuple[str, ...] = field(default_factory=tuple)
    """Categories beyond the catalogue (empty by default)."""


class DiagnosticSettings(Construct):
    """A `azurerm_monitor_diagnostic_setting` with the catalogued categories of its target."""

    def __init__(self, scope: Construct, id: str, props: DiagnosticSettingsProps):
        super().__init__(scope, id)
        resource_type = props.target.terraform_resource_type
        if resource_type not in DIAGNOSTIC_CATEGORIES:
            raise ValueError(f"no diagnostic categories are catalogued for {resource_type}")
        categories, metrics = DIAGNOSTIC_CATEGORIES[resource_type]
        self.resource = MonitorDiagnosticSetting(
            self,
            "Resource",
            name=props.name,
            target_resource_id=props.target.get_string_attribute("id"),
            log_analytics_workspace_id=props.log_analytics_workspace_id,
            log_analytics_destination_type="Dedicated" if resource_type in DEDICATED_TABLES else None,
            enabled_log=[MonitorDiagnosticSettingEnabledLog(category=c)
                         for c in (*categories, *props.extra_log_categories)],
            enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category="AllMetrics")] if metrics else None,
        )
