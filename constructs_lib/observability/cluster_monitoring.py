"""Data collection for an AKS cluster: managed Prometheus into an Azure Monitor workspace and
Container Insights (container logs, inventory, syslog) into the workload's Log Analytics workspace.

Builds the Azure Monitor workspace; the Prometheus data collection endpoint, rule and the rule's
association with the cluster; the Container Insights rule and its association; ContainerLogV2 on
the Basic plan; and each rule's own error log (LogErrors). The cluster itself must enable the
metrics profile (`monitor_metrics`) and the OMS agent with managed-identity auth for these
associations to receive data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.log_analytics_workspace_table import (
    LogAnalyticsWorkspaceTable,
)
from cdktf_cdktf_provider_azurerm.monitor_data_collection_endpoint import (
    MonitorDataCollectionEndpoint,
)
from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule import (
    MonitorDataCollectionRule,
    MonitorDataCollectionRuleDataFlow,
    MonitorDataCollectionRuleDataSources,
    MonitorDataCollectionRuleDataSourcesExtension,
    MonitorDataCollectionRuleDataSourcesPrometheusForwarder,
    MonitorDataCollectionRuleDataSourcesSyslog,
    MonitorDataCollectionRuleDestinations,
    MonitorDataCollectionRuleDestinationsLogAnalytics,
    MonitorDataCollectionRuleDestinationsMonitorAccount,
)
from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule_association import (
    MonitorDataCollectionRuleAssociation,
)
from cdktf_cdktf_provider_azurerm.monitor_workspace import MonitorWorkspace
from constructs import Construct

from constructs_lib.config.patterns import DNS_LABEL
from constructs_lib.config.rules import LOG_RETENTION_DAYS
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps

PROMETHEUS_STREAM = "Microsoft-PrometheusMetrics"
SYSLOG_STREAM = "Microsoft-Syslog"
CONTAINER_INSIGHTS_STREAMS = (
    "Microsoft-ContainerLogV2",
    "Microsoft-KubeEvents",
    "Microsoft-KubePodInventory",
    "Microsoft-KubeNodeInventory",
    "Microsoft-KubePVInventory",
    "Microsoft-KubeServices",
    "Microsoft-KubeMonAgentEvents",
    "Microsoft-InsightsMetrics",
    "Microsoft-ContainerInventory",
    "Microsoft-ContainerNodeInventory",
    "Microsoft-Perf",
)
"""The eleven Container Insights streams the baseline collects."""
SYSLOG_FACILITIES = (
    "auth", "authpriv", "cron", "daemon", "mark", "kern",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    "lpr", "mail", "news", "syslog", "user", "uucp",
)
"""The twenty syslog facilities collected from the nodes."""
SYSLOG_LEVELS = ("Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency")
"""A DCR lists every level it collects; this is "Info and above"."""
_ALL_SYSLOG_LEVELS = ("Debug", *SYSLOG_LEVELS)

# Names of destinations and sources inside the rules (local to each rule).
_MONITOR_ACCOUNT = "MonitoringAccount"
_WORKSPACE = "ciworkspace"

_LONG_RETENTION_DAYS = (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)


@dataclass(frozen=True)
class ClusterMonitoringProps:
    """Inputs of the cluster's data collection."""

    cluster_id: str
    """The AKS cluster both collection rules are associated with."""
    cluster_name: str
    """AKS cluster name (descriptions only)."""
    location: str
    """Region of the workspace, endpoint and rules (the cluster's region)."""
    resource_group_name: str
    """Resource group of everything created here."""
    log_analytics_workspace_id: str
    """Workload Log Analytics workspace: Container Insights data and the rules' error logs."""
    monitor_workspace_name: str
    """Azure Monitor workspace receiving the Prometheus metrics."""
    dce_name: str
    """Data collection endpoint of the Prometheus rule."""
    prometheus_dcr_name: str
    """Data collection rule forwarding Prometheus metrics (reference: MSProm-<location>-<cluster>)."""
    container_insights_dcr_name: str
    """Data collection rule of Container Insights (reference: MSCI-<location>-<cluster>)."""
    excluded_namespaces: tuple[str, ...] = field(default_factory=lambda: ("kube-system", "gatekeeper-system"))
    """Namespaces whose inventory, performance data and logs Container Insights skips.
    Reference: kube-system, gatekeeper-system."""
    container_log_total_retention_days: int = 30
    """Total retention of ContainerLogV2 (Basic plan, whose interactive period is 30 days):
    30-730 or whole years up to 12. Reference: 30."""
    syslog_levels: tuple[str, ...] = SYSLOG_LEVELS
    """Syslog levels collected. Default Info and above (the reference's level Info)."""
    container_insights: bool = True
    """Container Insights: ContainerLogV2 on the Basic plan, the Container Insights rule and its
    association. Default True."""
    managed_prometheus: bool = True
    """Managed Prometheus: the Azure Monitor workspace, the endpoint, the rule and its association.
    Default True. At least one of the two must be on, else ValueError."""


class ClusterMonitoring(Construct):
    """Managed Prometheus and Container Insights wiring for one cluster.

    A set of peers with no primary resource: construct IDs are static ("MonitorWorkspace",
    "PrometheusRule", "ContainerInsightsRule", ...).
    """

    def __init__(self, scope: Construct, id: str, props: ClusterMonitoringProps):
        super().__init__(scope, id)
        _validate(props)
        common = {"location": props.location, "resource_group_name": props.resource_group_name}

        self.monitor_workspace: MonitorWorkspace | None = None
        self.prometheus_rule: MonitorDataCollectionRule | None = None
        self.container_insights_rule: MonitorDataCollectionRule | None = None
        if props.managed_prometheus:
            # Public ingestion as in the reference: the metrics agent reaches the endpoint without a
            # private link scope (AMPLS), which the baseline does not deploy.
            self.monitor_workspace = MonitorWorkspace(
                self, "MonitorWorkspace", name=props.monitor_workspace_name,
                public_network_access_enabled=True, **common)

        if props.container_insights:
            self.container_log_table = LogAnalyticsWorkspaceTable(
                self,
                "ContainerLogV2Table",
                name="ContainerLogV2",
                workspace_id=props.log_analytics_workspace_id,
                plan="Basic",
                total_retention_in_days=props.container_log_total_retention_days,
            )

        if props.managed_prometheus:
            monitor_workspace = self.monitor_workspace
            assert monitor_workspace is not None  # created above whenever managed_prometheus is on
            self.prometheus_endpoint = MonitorDataCollectionEndpoint(
                self, "PrometheusEndpoint", name=props.dce_name, kind="Linux",
                public_network_access_enabled=True,
                description=f"Managed Prometheus ingestion for {props.cluster_name}", **common)

            self.prometheus_rule = MonitorDataCollectionRule(
                self,
                "PrometheusRule",
                name=props.prometheus_dcr_name,
                kind="Linux",
                description=f"Managed Prometheus metrics of {props.cluster_name} to its Azure Monitor workspace",
                data_collection_endpoint_id=self.prometheus_endpoint.id,
                data_sources=MonitorDataCollectionRuleDataSources(
                    prometheus_forwarder=[MonitorDataCollectionRuleDataSourcesPrometheusForwarder(
                        name="PrometheusDataSource", streams=[PROMETHEUS_STREAM])],
                ),
                destinations=MonitorDataCollectionRuleDestinations(
                    monitor_account=[MonitorDataCollectionRuleDestinationsMonitorAccount(
                        name=_MONITOR_ACCOUNT, monitor_account_id=monitor_workspace.id)],
                ),
                data_flow=[MonitorDataCollectionRuleDataFlow(
                    streams=[PROMETHEUS_STREAM], destinations=[_MONITOR_ACCOUNT])],
                **common,
            )
            self.prometheus_association = MonitorDataCollectionRuleAssociation(
                self, "PrometheusAssociation", name=props.prometheus_dcr_name,
                target_resource_id=props.cluster_id, data_collection_rule_id=self.prometheus_rule.id,
                description="Cluster to managed Prometheus rule")

        if props.container_insights:
            collection_settings = {
                "dataCollectionSettings": {
                    "interval": "1m",
                    "namespaceFilteringMode": "Exclude",
                    "namespaces": list(props.excluded_namespaces),
                    "enableContainerLogV2": True,
                }
            }
            self.container_insights_rule = MonitorDataCollectionRule(
                self,
                "ContainerInsightsRule",
                name=props.container_insights_dcr_name,
                kind="Linux",
                description=f"Container Insights and node syslog of {props.cluster_name} to Log Analytics",
                data_sources=MonitorDataCollectionRuleDataSources(
                    syslog=[MonitorDataCollectionRuleDataSourcesSyslog(
                        name="sysLogsDataSource", streams=[SYSLOG_STREAM],
                        facility_names=list(SYSLOG_FACILITIES), log_levels=list(props.syslog_levels))],
                    extension=[MonitorDataCollectionRuleDataSourcesExtension(
                        name="ContainerInsightsExtension", extension_name="ContainerInsights",
                        streams=list(CONTAINER_INSIGHTS_STREAMS),
                        extension_json=json.dumps(collection_settings, sort_keys=True))],
                ),
                destinations=MonitorDataCollectionRuleDestinations(
                    log_analytics=[MonitorDataCollectionRuleDestinationsLogAnalytics(
                        name=_WORKSPACE, workspace_resource_id=props.log_analytics_workspace_id)],
                ),
                data_flow=[
                    MonitorDataCollectionRuleDataFlow(streams=list(CONTAINER_INSIGHTS_STREAMS),
                                                      destinations=[_WORKSPACE]),
                    MonitorDataCollectionRuleDataFlow(streams=[SYSLOG_STREAM], destinations=[_WORKSPACE]),
                ],
                **common,
            )
            self.container_insights_association = MonitorDataCollectionRuleAssociation(
                self, "ContainerInsightsAssociation", name=props.container_insights_dcr_name,
                target_resource_id=props.cluster_id, data_collection_rule_id=self.container_insights_rule.id,
                description="Cluster to Container Insights rule")

        for key, rule in (("PrometheusRuleDiagnostics", self.prometheus_rule),
                          ("ContainerInsightsRuleDiagnostics", self.container_insights_rule)):
            if rule is not None:
                DiagnosticSettings(self, key, DiagnosticSettingsProps(
                    target=rule, log_analytics_workspace_id=props.log_analytics_workspace_id))

    @property
    def monitor_workspace_id(self) -> str | None:
        """The Azure Monitor workspace receiving Prometheus metrics; None when Prometheus is off."""
        return self.monitor_workspace.id if self.monitor_workspace is not None else None


def _validate(props: ClusterMonitoringProps) -> None:
    if not (props.container_insights or props.managed_prometheus):
        raise ValueError("container_insights, managed_prometheus: both are off, so there is nothing to collect; "
                         "leave ClusterMonitoring out instead")
    for value in props.excluded_namespaces:
        DNS_LABEL.check("excluded_namespaces", value)
    if len(set(props.excluded_namespaces)) != len(props.excluded_namespaces):
        raise ValueError(f"excluded_namespaces: {', '.join(props.excluded_namespaces)} lists a namespace twice")
    days, (low, high) = props.container_log_total_retention_days, LOG_RETENTION_DAYS
    if not (low <= days <= high or days in _LONG_RETENTION_DAYS):
        raise ValueError(f"container_log_total_retention_days: {days} must be {low}-{high} (a Basic table keeps "
                         f"30 days interactive) or whole years of {', '.join(map(str, _LONG_RETENTION_DAYS))}")
    if not props.syslog_levels:
        raise ValueError("syslog_levels: at least one level is required")
    unknown = sorted(set(props.syslog_levels) - set(_ALL_SYSLOG_LEVELS))
    if unknown:
        raise ValueError(f"syslog_levels: {', '.join(unknown)} not among {', '.join(_ALL_SYSLOG_LEVELS)}")
    if props.prometheus_dcr_name == props.container_insights_dcr_name:
        raise ValueError("prometheus_dcr_name and container_insights_dcr_name must differ "
                         f"(both {props.prometheus_dcr_name!r})")
