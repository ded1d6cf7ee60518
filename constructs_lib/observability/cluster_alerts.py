"""Alerts for an AKS cluster, every one routed to an action group.

- An activity-log alert on new Azure Advisor recommendations for the resource group.
- The Azure Monitor "recommended Prometheus alert rules" for Kubernetes (30 rules in three rule
  groups: pod, node and cluster level), evaluated every minute against the cluster's Azure
  Monitor workspace.
- Two log search alerts on the workload Log Analytics workspace: failed pods, and the
  workspace's daily ingestion cap being breached.

The reference deploys these with empty action lists; here each alert names the action group,
so nothing fires unheard. The PromQL follows the published recommended rules with three
corrections: pod phases are matched as kube-state-metrics spells them ("Failed"), persistent
volume usage is computed per claim (kubelet volume metrics carry no pod label to join on), and
node-termination taints of other clouds are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.monitor_activity_log_alert import (
    MonitorActivityLogAlert,
    MonitorActivityLogAlertAction,
    MonitorActivityLogAlertCriteria,
)
from cdktf_cdktf_provider_azurerm.monitor_alert_prometheus_rule_group import (
    MonitorAlertPrometheusRuleGroup,
    MonitorAlertPrometheusRuleGroupRule,
    MonitorAlertPrometheusRuleGroupRuleAction,
    MonitorAlertPrometheusRuleGroupRuleAlertResolution,
)
from cdktf_cdktf_provider_azurerm.monitor_scheduled_query_rules_alert_v2 import (
    MonitorScheduledQueryRulesAlertV2,
    MonitorScheduledQueryRulesAlertV2Action,
    MonitorScheduledQueryRulesAlertV2Criteria,
    MonitorScheduledQueryRulesAlertV2CriteriaFailingPeriods,
)
from constructs import Construct

from constructs_lib.config.patterns import KUBERNETES_CLUSTER_NAME

KSM = 'job="kube-state-metrics"'
KUBELET = 'job="kubelet"'
_OWNER = 'label_replace(kube_pod_owner, "controller", "$1", "owner_name", "(.*)")'
"""kube_pod_owner with the owner's name copied into a "controller" label, to group pods by owner."""


@dataclass(frozen=True)
class PrometheusAlertRule:
    """One recommended Prometheus alert rule."""

    alert: str
    """Rule name (stable: operators search alerts by it)."""
    expression: str
    """PromQL; a series returned means the condition holds."""
    for_: str
    """How long the condition must hold before the alert fires (ISO 8601)."""
    severity: int
    """Azure Monitor severity, 0 (critical) to 4 (verbose)."""
    description: str
    """Annotation shown with the alert."""


POD_LEVEL_RULES: tuple[PrometheusAlertRule, ...] = (
    PrometheusAlertRule(
        "KubeJobStale",
        f"sum by (cluster, namespace) (kube_job_spec_completions{{{KSM}}})"
        f" - sum by (cluster, namespace) (kube_job_status_succeeded{{{KSM}}}) > 0",
        "PT6H", 4, "Jobs in {{ $labels.namespace }} have not completed for six hours."),
    PrometheusAlertRule(
        "KubeContainerAverageCPUHigh",
        'sum by (cluster, namespace, pod, container) (rate(container_cpu_usage_seconds_total{image!="", container!="POD"}[5m]))'
        ' / sum by (cluster, namespace, pod, container) (container_spec_cpu_quota{image!="", container!="POD"}'
        ' / container_spec_cpu_period{image!="", container!="POD"}) > 0.95',
        "PT5M", 4, "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses over 95% of its CPU limit."),
    PrometheusAlertRule(
        "KubeContainerAverageMemoryHigh",
        'avg by (cluster, namespace, controller, container) ((container_memory_working_set_bytes{container!="", image!="", container!="POD"}'
        ' / on (cluster, namespace, pod, container) group_left kube_pod_container_resource_limits{resource="memory", node!=""})'
        f" * on (cluster, namespace, pod) group_left (controller) {_OWNER}) > 0.95",
        "PT10M", 4, "Containers {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.controller }} use over 95% of their memory limit."),
    PrometheusAlertRule(
        "KubePodFailedState",
        f'sum by (cluster, namespace, controller) (kube_pod_status_phase{{{KSM}, phase="Failed"}}'
        f" * on (cluster, namespace, pod) group_left (controller) {_OWNER}) > 0",
        "PT5M", 4, "Pods of {{ $labels.namespace }}/{{ $labels.controller }} are in the Failed phase."),
    PrometheusAlertRule(
        "KubePodReadyStateLow",
        "sum by (cluster, namespace, deployment) (kube_deployment_status_replicas_ready)"
        " / sum by (cluster, namespace, deployment) (kube_deployment_spec_replicas) < 0.8"
        " or sum by (cluster, namespace, daemonset) (kube_daemonset_status_number_ready)"
        " / sum by (cluster, namespace, daemonset) (kube_daemonset_status_desired_number_scheduled) < 0.8",
        "PT5M", 4, "Fewer than 80% of the pods of a deployment or daemonset in {{ $labels.namespace }} are ready."),
    PrometheusAlertRule(
        "KubePodContainerRestart",
        f"sum by (cluster, namespace, controller, container) (increase(kube_pod_container_status_restarts_total{{{KSM}}}[1h])"
        f" * on (cluster, namespace, pod) group_left (controller) {_OWNER}) > 0",
        "PT15M", 4, "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.controller }} restarted in the last hour."),
    PrometheusAlertRule(
        "KubePodCrashLooping",
        f'max_over_time(kube_pod_container_status_waiting_reason{{{KSM}, reason="CrashLoopBackOff"}}[5m]) >= 1',
        "PT15M", 4, "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff."),
    PrometheusAlertRule(
        "KubeletPodStartUpLatencyHigh",
        f"histogram_quantile(0.99, sum by (cluster, instance, le) (rate(kubelet_pod_worker_duration_seconds_bucket{{{KUBELET}}}[5m])))"
        f" * on (cluster, instance) group_left (node) kubelet_node_name{{{KUBELET}}} > 60",
        "PT10M", 4, "The 99th percentile pod start-up latency on {{ $labels.node }} exceeds 60 seconds."),
    PrometheusAlertRule(
        "KubeDeploymentReplicasMismatch",
        f"(kube_deployment_spec_replicas{{{KSM}}} > kube_deployment_status_replicas_available{{{KSM}}})"
        f" and (changes(kube_deployment_status_replicas_updated{{{KSM}}}[10m]) == 0)",
        "PT15M", 4, "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has fewer available replicas than desired."),
    PrometheusAlertRule(
        "KubeStatefulSetReplicasMismatch",
        f"(kube_statefulset_status_replicas_ready{{{KSM}}} != kube_statefulset_status_replicas{{{KSM}}})"
        f" and (changes(kube_statefulset_status_replicas_updated{{{KSM}}}[10m]) == 0)",
        "PT15M", 4, "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has unready replicas."),
    PrometheusAlertRule(
        "KubeHpaReplicasMismatch",
        f"(kube_horizontalpodautoscaler_status_desired_replicas{{{KSM}}} != kube_horizontalpodautoscaler_status_current_replicas{{{KSM}}})"
        f" and (kube_horizontalpodautoscaler_status_current_replicas{{{KSM}}} > kube_horizontalpodautoscaler_spec_min_replicas{{{KSM}}})"
        f" and (kube_horizontalpodautoscaler_status_current_replicas{{{KSM}}} < kube_horizontalpodautoscaler_spec_max_replicas{{{KSM}}})"
        f" and changes(kube_horizontalpodautoscaler_status_current_replicas{{{KSM}}}[15m]) == 0",
        "PT15M", 4, "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has not reached its desired replicas."),
    PrometheusAlertRule(
        "KubeHpaMaxedOut",
        f"kube_horizontalpodautoscaler_status_current_replicas{{{KSM}}} == kube_horizontalpodautoscaler_spec_max_replicas{{{KSM}}}",
        "PT15M", 4, "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} runs at its maximum replicas."),
    PrometheusAlertRule(
        "KubePVUsageHigh",
        f"max by (cluster, namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{{{KUBELET}}}"
        f" / kubelet_volume_stats_capacity_bytes{{{KUBELET}}}) > 0.8",
        "PT15M", 3, "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than 80% full."),
    PrometheusAlertRule(
        "KubePodNotReadyByController",
        f'sum by (cluster, namespace, controller) (max by (cluster, namespace, pod) (kube_pod_status_phase{{{KSM}, phase=~"Pending|Unknown"}})'
        f" * on (cluster, namespace, pod) group_left (controller) {_OWNER}) > 0",
        "PT15M", 3, "Pods of {{ $labels.namespace }}/{{ $labels.controller }} are Pending or Unknown."),
    PrometheusAlertRule(
        "KubeStatefulSetGenerationMismatch",
        f"kube_statefulset_status_observed_generation{{{KSM}}} != kube_statefulset_metadata_generation{{{KSM}}}",
        "PT15M", 3, "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not rolled out its latest generation."),
    PrometheusAlertRule(
        "KubeJobFailed",
        f"kube_job_failed{{{KSM}}} > 0",
        "PT15M", 3, "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed."),
)

NODE_LEVEL_RULES: tuple[PrometheusAlertRule, ...] = (
    PrometheusAlertRule(
        "KubeNodeUnreachable",
        f'(kube_node_spec_taint{{{KSM}, key="node.kubernetes.io/unreachable", effect="NoSchedule"}}'
        f' unless ignoring (key, value) kube_node_spec_taint{{{KSM}, key="ToBeDeletedByClusterAutoscaler"}}) == 1',
        "PT15M", 3, "Node {{ $labels.node }} is unreachable; its workloads may be rescheduled."),
    PrometheusAlertRule(
        "KubeNodeReadinessFlapping",
        'sum by (cluster, node) (changes(kube_node_status_condition{status="true", condition="Ready"}[15m])) > 2',
        "PT15M", 3, "Readiness of node {{ $labels.node }} changed more than twice in 15 minutes."),
    PrometheusAlertRule(
        "KubeNodeDiskUsageHigh",
        '1 - node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} > 0.8',
        "PT15M", 3, "The root file system of {{ $labels.instance }} is more than 80% full."),
)

CLUSTER_LEVEL_RULES: tuple[PrometheusAlertRule, ...] = (
    PrometheusAlertRule(
        "KubeContainerOOMKilledCount",
        'sum by (cluster, namespace, controller, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}'
        f" * on (cluster, namespace, pod) group_left (controller) {_OWNER}) > 0",
        "PT5M", 4, "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.controller }} was OOM-killed."),
    PrometheusAlertRule(
        "KubePersistentVolumeFillingUp",
        f"kubelet_volume_stats_available_bytes{{{KUBELET}}} / kubelet_volume_stats_capacity_bytes{{{KUBELET}}} < 0.15"
        f" and kubelet_volume_stats_used_bytes{{{KUBELET}}} > 0"
        f" and predict_linear(kubelet_volume_stats_available_bytes{{{KUBELET}}}[6h], 4 * 24 * 3600) < 0"
        ' unless on (namespace, persistentvolumeclaim) kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"} == 1'
        ' unless on (namespace, persistentvolumeclaim) kube_persistentvolumeclaim_labels{label_excluded_from_alerts="true"} == 1',
        "PT1H", 4, "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is expected to fill up within four days."),
    PrometheusAlertRule(
        "KubePersistentVolumeInodesFillingUp",
        f"kubelet_volume_stats_inodes_free{{{KUBELET}}} / kubelet_volume_stats_inodes{{{KUBELET}}} < 0.03",
        "PT15M", 4, "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 3% free inodes."),
    PrometheusAlertRule(
        "KubePersistentVolumeErrors",
        f'kube_persistentvolume_status_phase{{{KSM}, phase=~"Failed|Pending"}} > 0',
        "PT5M", 4, "Persistent volume {{ $labels.persistentvolume }} is {{ $labels.phase }}."),
    PrometheusAlertRule(
        "KubeCPUQuotaOvercommit",
        f'sum(min without (resource) (kube_resourcequota{{{KSM}, type="hard", resource=~"(cpu|requests.cpu)"}}))'
        f' / sum(kube_node_status_allocatable{{{KSM}, resource="cpu"}}) > 1.5',
        "PT5M", 3, "Namespace CPU quotas exceed the cluster's allocatable CPU by more than 50%."),
    PrometheusAlertRule(
        "KubeMemoryQuotaOvercommit",
        f'sum(min without (resource) (kube_resourcequota{{{KSM}, type="hard", resource=~"(memory|requests.memory)"}}))'
        f' / sum(kube_node_status_allocatable{{{KSM}, resource="memory"}}) > 1.5',
        "PT5M", 3, "Namespace memory quotas exceed the cluster's allocatable memory by more than 50%."),
    PrometheusAlertRule(
        "KubeClientErrors",
        '(sum by (cluster, instance, job, namespace) (rate(rest_client_requests_total{code=~"5.."}[5m]))'
        " / sum by (cluster, instance, job, namespace) (rate(rest_client_requests_total[5m]))) > 0.01",
        "PT15M", 3, "API client {{ $labels.job }}/{{ $labels.instance }} sees more than 1% server errors."),
    PrometheusAlertRule(
        "KubeContainerWaiting",
        f"sum by (cluster, namespace, pod, container) (kube_pod_container_status_waiting_reason{{{KSM}}}) > 0",
        "PT1H", 3, "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} has been waiting for an hour."),
    PrometheusAlertRule(
        "KubeDaemonSetNotScheduled",
        f"kube_daemonset_status_desired_number_scheduled{{{KSM}}} - kube_daemonset_status_current_number_scheduled{{{KSM}}} > 0",
        "PT15M", 3, "{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} are not scheduled."),
    PrometheusAlertRule(
        "KubeDaemonSetMisScheduled",
        f"kube_daemonset_status_number_misscheduled{{{KSM}}} > 0",
        "PT15M", 3, "{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} run where they should not."),
    PrometheusAlertRule(
        "KubeQuotaAlmostFull",
        f'kube_resourcequota{{{KSM}, type="used"}} / ignoring (instance, job, type) (kube_resourcequota{{{KSM}, type="hard"}} > 0)'
        " > 0.9 < 1",
        "PT15M", 3, "Quota of {{ $labels.resource }} in {{ $labels.namespace }} is over 90% used."),
)

RULE_GROUPS: dict[str, tuple[PrometheusAlertRule, ...]] = {
    "Pod-level": POD_LEVEL_RULES,
    "Node-level": NODE_LEVEL_RULES,
    "Cluster-level": CLUSTER_LEVEL_RULES,
}
"""Rule group name suffix -> its rules."""

# Log search: distinct failed pods per one-minute inventory snapshot, averaged over the window.
_FAILED_PODS_QUERY = """\
KubePodInventory
| where ClusterName == "{cluster}"
| summarize FailedPods = dcountif(PodUid, PodStatus =~ "Failed") by bin(TimeGenerated, 1m)
| summarize AggregatedValue = avg(FailedPods)"""

_DAILY_CAP_QUERY = (
    "_LogOperation\n"
    '| where Operation == "Data collection Status"\n'
    '| where Detail contains "OverQuota"'
)


@dataclass(frozen=True)
class ClusterAlertsProps:
    """Inputs of the cluster's alerts."""

    cluster_id: str
    """The AKS cluster (a scope of the Prometheus rule groups)."""
    cluster_name: str
    """AKS cluster name: the rule groups' cluster filter, the failed-pod query's filter and
    part of every alert name."""
    monitor_workspace_id: str | None
    """Azure Monitor workspace holding the cluster's Prometheus metrics; None when managed
    Prometheus is off (then no Prometheus rule groups)."""
    log_analytics_workspace_id: str
    """Workload Log Analytics workspace (Container Insights data, ingestion status)."""
    resource_group_id: str
    """Scope of the Advisor recommendation alert."""
    resource_group_name: str
    """Resource group holding the alert resources."""
    location: str
    """Region of the rule groups and log search alerts."""
    action_group_id: str
    """Action group every alert notifies."""
    container_insights: bool = True
    """Whether Container Insights collects pod inventory (the failed-pods alert queries it).
    Default True."""


class ClusterAlerts(Construct):
    """Advisor, Prometheus and log search alerts for one cluster, all wired to one action group.

    A set of peers with no primary resource: construct IDs are static ("AdvisorRecommendations",
    "PodLevelRules", "FailedPods", ...).
    """

    def __init__(self, scope: Construct, id: str, props: ClusterAlertsProps):
        super().__init__(scope, id)
        KUBERNETES_CLUSTER_NAME.check("cluster_name", props.cluster_name)
        if not props.action_group_id.strip():
            raise ValueError("action_group_id: every alert must notify an action group; none given")
        cluster = props.cluster_name
        action_group = props.action_group_id

        self.advisor = MonitorActivityLogAlert(
            self,
            "AdvisorRecommendations",
            name=f"AllAzureAdvisorAlert-{cluster}",
            resource_group_name=props.resource_group_name,
            location="global",
            scopes=[props.resource_group_id],
            description="A new Azure Advisor recommendation is available for the cluster's resource group.",
            criteria=MonitorActivityLogAlertCriteria(
                category="Recommendation",
                operation_name="Microsoft.Advisor/recommendations/available/action",
            ),
            action=[MonitorActivityLogAlertAction(action_group_id=action_group)],
        )

        self.rule_groups: dict[str, MonitorAlertPrometheusRuleGroup] = {}
        for suffix, rules in (RULE_GROUPS.items() if props.monitor_workspace_id else ()):
            key = suffix.replace("-level", "LevelRules")
            self.rule_groups[suffix] = MonitorAlertPrometheusRuleGroup(
                self,
                key,
                name=f"KubernetesAlert-RecommendedMetricAlerts-{cluster}-{suffix}",
                resource_group_name=props.resource_group_name,
                location=props.location,
                cluster_name=cluster,
                description="Kubernetes Alert RuleGroup-RecommendedMetricAlerts - 0.1",
                rule_group_enabled=True,
                interval="PT1M",
                scopes=[props.monitor_workspace_id, props.cluster_id],
                rule=[_prometheus_rule(rule, action_group) for rule in rules],
            )

        self.failed_pods = None if not props.container_insights else MonitorScheduledQueryRulesAlertV2(
            self,
            "FailedPods",
            name=f"PodFailedScheduledQuery-{cluster}",
            display_name=f"[{cluster}] Failed pods",
            description="The average number of failed pods in the cluster exceeds 3.",
            resource_group_name=props.resource_group_name,
            location=props.location,
            scopes=[props.log_analytics_workspace_id],
            severity=3,
            enabled=True,
            evaluation_frequency="PT5M",
            window_duration="PT10M",
            criteria=[MonitorScheduledQueryRulesAlertV2Criteria(
                query=_FAILED_PODS_QUERY.format(cluster=cluster),
                time_aggregation_method="Average",
                metric_measure_column="AggregatedValue",
                operator="GreaterThan",
                threshold=3,
                failing_periods=MonitorScheduledQueryRulesAlertV2CriteriaFailingPeriods(
                    minimum_failing_periods_to_trigger_alert=2, number_of_evaluation_periods=2),
            )],
            auto_mitigation_enabled=True,
            action=MonitorScheduledQueryRulesAlertV2Action(action_groups=[action_group]),
        )

        self.daily_cap = MonitorScheduledQueryRulesAlertV2(
            self,
            "DailyCapBreached",
            name=f"DailyDataCapBreached-{cluster}",
            display_name=f"[{cluster}] Daily data cap breached for the workload workspace (CIQ-1)",
            description="The Log Analytics workspace hit its daily ingestion cap; data is being dropped.",
            resource_group_name=props.resource_group_name,
            location=props.location,
            scopes=[props.log_analytics_workspace_id],
            severity=1,
            enabled=True,
            evaluation_frequency="PT5M",
            window_duration="PT5M",
            criteria=[MonitorScheduledQueryRulesAlertV2Criteria(
                query=_DAILY_CAP_QUERY,
                time_aggregation_method="Count",
                operator="GreaterThan",
                threshold=0,
                failing_periods=MonitorScheduledQueryRulesAlertV2CriteriaFailingPeriods(
                    minimum_failing_periods_to_trigger_alert=1, number_of_evaluation_periods=1),
            )],
            auto_mitigation_enabled=False,
            action=MonitorScheduledQueryRulesAlertV2Action(action_groups=[action_group]),
        )


def _prometheus_rule(rule: PrometheusAlertRule, action_group_id: str) -> MonitorAlertPrometheusRuleGroupRule:
    return MonitorAlertPrometheusRuleGroupRule(
        alert=rule.alert,
        expression=rule.expression,
        for_=rule.for_,
        severity=rule.severity,
        enabled=True,
        annotations={"description": rule.description},
        labels={"severity": "warning"},
        alert_resolution=MonitorAlertPrometheusRuleGroupRuleAlertResolution(
            auto_resolved=True, time_to_resolve="PT10M"),
        action=[MonitorAlertPrometheusRuleGroupRuleAction(action_group_id=action_group_id)],
    )
