"""ClusterMonitoring, ClusterAlerts and ActionGroup: data collection wiring (sources, flows,
destinations, associations), the alert catalogue, that every alert notifies the action group,
and every validation rule."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from constructs_lib.observability.action_group import ActionGroup, ActionGroupProps
from constructs_lib.observability.cluster_alerts import ClusterAlerts, ClusterAlertsProps
from constructs_lib.observability.cluster_monitoring import ClusterMonitoring, ClusterMonitoringProps
from tests.synth import StackJson, empty_stack, synth_construct

CLUSTER = "aks-bu0001a0008-prod-eastus2"
RG = "rg-bu0001a0008-prod-eastus2"
RG_ID = f"/subscriptions/s/resourceGroups/{RG}"
CLUSTER_ID = f"{RG_ID}/providers/Microsoft.ContainerService/managedClusters/{CLUSTER}"
WORKSPACE = f"{RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log-bu0001a0008-prod-eastus2"

AG_PROPS = ActionGroupProps(
    name="ag-bu0001a0008-prod-eastus2",
    resource_group_name=RG,
    short_name="aks-prod",
    email_receivers=(("platform-team", "platform-team@contoso.com"),),
    webhook_receivers=(("incidents", "https://incidents.contoso.com/hooks/azure"),),
)
MONITORING_PROPS = ClusterMonitoringProps(
    cluster_id=CLUSTER_ID,
    cluster_name=CLUSTER,
    location="eastus2",
    resource_group_name=RG,
    log_analytics_workspace_id=WORKSPACE,
    monitor_workspace_name="amw-bu0001a0008-prod-eastus2",
    dce_name="dce-prom-prod-eastus2",
    prometheus_dcr_name="dcr-prom-bu0001a0008-prod-eastus2",
    container_insights_dcr_name="dcr-ci-bu0001a0008-prod-eastus2",
)

# Inventory §9.3: group -> {rule: severity}.
EXPECTED_RULES = {
    "Pod-level": {
        **dict.fromkeys((
            "KubeJobStale", "KubeContainerAverageCPUHigh", "KubeContainerAverageMemoryHigh", "KubePodFailedState",
            "KubePodReadyStateLow", "KubePodContainerRestart", "KubePodCrashLooping", "KubeletPodStartUpLatencyHigh",
            "KubeDeploymentReplicasMismatch", "KubeStatefulSetReplicasMismatch", "KubeHpaReplicasMismatch",
            "KubeHpaMaxedOut"), 4),
        **dict.fromkeys(("KubePVUsageHigh", "KubePodNotReadyByController", "KubeStatefulSetGenerationMismatch",
                         "KubeJobFailed"), 3),
    },
    "Node-level": dict.fromkeys(("KubeNodeUnreachable", "KubeNodeReadinessFlapping", "KubeNodeDiskUsageHigh"), 3),
    "Cluster-level": {
        **dict.fromkeys(("KubeContainerOOMKilledCount", "KubePersistentVolumeFillingUp",
                         "KubePersistentVolumeInodesFillingUp", "KubePersistentVolumeErrors"), 4),
        **dict.fromkeys(("KubeCPUQuotaOvercommit", "KubeMemoryQuotaOvercommit", "KubeClientErrors",
                         "KubeContainerWaiting", "KubeDaemonSetNotScheduled", "KubeDaemonSetMisScheduled",
                         "KubeQuotaAlmostFull"), 3),
    },
}
# Rules whose "for" differs from 15 minutes, in minutes (the published recommended rules).
EXPECTED_FOR_MINUTES = {
    "KubeJobStale": 360, "KubeContainerAverageCPUHigh": 5, "KubeContainerAverageMemoryHigh": 10,
    "KubePodFailedState": 5, "KubePodReadyStateLow": 5, "KubeletPodStartUpLatencyHigh": 10,
    "KubeContainerOOMKilledCount": 5, "KubePersistentVolumeFillingUp": 60, "KubePersistentVolumeErrors": 5,
    "KubeCPUQuotaOvercommit": 5, "KubeMemoryQuotaOvercommit": 5, "KubeContainerWaiting": 60,
}
ALERT_TYPES = (
    "azurerm_monitor_activity_log_alert",
    "azurerm_monitor_alert_prometheus_rule_group",
    "azurerm_monitor_scheduled_query_rules_alert_v2",
    "azurerm_monitor_metric_alert",
    "azurerm_monitor_smart_detector_alert_rule",
)


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        action_group = ActionGroup(stack, "ActionGroup", AG_PROPS)
        monitoring = ClusterMonitoring(stack, "Monitoring", MONITORING_PROPS)
        ClusterAlerts(stack, "Alerts", ClusterAlertsProps(
            cluster_id=CLUSTER_ID, cluster_name=CLUSTER, monitor_workspace_id=monitoring.monitor_workspace_id,
            log_analytics_workspace_id=WORKSPACE, resource_group_id=RG_ID, resource_group_name=RG,
            location="eastus2", action_group_id=action_group.id))
    return synth_construct(build)


def action_group_ref(out: StackJson) -> str:
    return out.ref("azurerm_monitor_action_group", name=AG_PROPS.name)


def minutes(duration: str) -> int:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", duration)
    assert match and any(match.groups()), duration
    hours, mins = (int(g or 0) for g in match.groups())
    return hours * 60 + mins


# --- action group -----------------------------------------------------------------------------

def test_action_group_receivers_use_the_common_schema(out):
    group = out.named("azurerm_monitor_action_group", AG_PROPS.name)
    assert (group["short_name"], group["location"], group["enabled"]) == ("aks-prod", "global", True)
    assert group["email_receiver"] == [{"name": "platform-team", "email_address": "platform-team@contoso.com",
                                        "use_common_alert_schema": True}]
    assert group["webhook_receiver"] == [{"name": "incidents", "service_uri": "https://incidents.contoso.com/hooks/azure",
                                          "use_common_alert_schema": True}]


def _action_group(**changes) -> None:
    ActionGroup(empty_stack("invalid"), "ActionGroup", dataclasses.replace(AG_PROPS, **changes))


@pytest.mark.parametrize("changes, message", [
    ({"short_name": "aks-prod-ops1"}, r"short_name: 'aks-prod-ops1' has 13 characters; Azure allows 1-12"),
    ({"short_name": ""}, r"short_name: '' has 0 characters"),
    ({"email_receivers": (), "webhook_receivers": ()}, r"at least one receiver"),
    ({"email_receivers": (("ops", "ops.contoso.com"),)}, r"email_receivers\[ops\]: 'ops.contoso.com' is not an e-mail"),
    ({"email_receivers": (("ops", "ops@contoso"),)}, r"email_receivers\[ops\]: 'ops@contoso' is not an e-mail"),
    ({"webhook_receivers": (("hook", "http://x.contoso.com"),)}, r"webhook_receivers\[hook\]: .* must be an https:// URI"),
    ({"email_receivers": (("ops", "a@contoso.com"), ("ops", "b@contoso.com"))}, r"receiver names must be unique"),
    ({"email_receivers": (("ops/team", "a@contoso.com"),)}, r"receiver name 'ops/team'"),
])
def test_invalid_action_group_props_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _action_group(**changes)


# --- monitoring -------------------------------------------------------------------------------

def test_container_log_table_is_basic_with_thirty_days(out):
    table = out.only("azurerm_log_analytics_workspace_table")
    assert table == {**table, "name": "ContainerLogV2", "plan": "Basic", "total_retention_in_days": 30,
                     "workspace_id": WORKSPACE}
    assert "retention_in_days" not in table


def test_prometheus_rule_forwards_to_the_monitor_workspace_through_the_endpoint(out):
    workspace = out.only("azurerm_monitor_workspace")
    assert workspace["public_network_access_enabled"] is True
    endpoint = out.only("azurerm_monitor_data_collection_endpoint")
    assert (endpoint["kind"], endpoint["location"]) == ("Linux", "eastus2")
    rule = out.named("azurerm_monitor_data_collection_rule", MONITORING_PROPS.prometheus_dcr_name)
    assert rule["kind"] == "Linux"
    assert rule["data_collection_endpoint_id"] == out.ref("azurerm_monitor_data_collection_endpoint",
                                                          name=MONITORING_PROPS.dce_name)
    [forwarder] = rule["data_sources"]["prometheus_forwarder"]
    assert forwarder["streams"] == ["Microsoft-PrometheusMetrics"]
    [account] = rule["destinations"]["monitor_account"]
    assert account["monitor_account_id"] == out.ref(
        "azurerm_monitor_workspace", name=MONITORING_PROPS.monitor_workspace_name)
    assert rule["data_flow"] == [{"streams": ["Microsoft-PrometheusMetrics"], "destinations": [account["name"]]}]


def test_container_insights_rule_collects_the_baseline_streams_and_syslog(out):
    rule = out.named("azurerm_monitor_data_collection_rule", MONITORING_PROPS.container_insights_dcr_name)
    [syslog] = rule["data_sources"]["syslog"]
    assert len(set(syslog["facility_names"])) == len(syslog["facility_names"]) == 20
    assert {"auth", "authpriv", "kern", "daemon", "syslog", "local7"} <= set(syslog["facility_names"])
    assert syslog["streams"] == ["Microsoft-Syslog"]
    assert "Info" in syslog["log_levels"] and "Error" in syslog["log_levels"] and "Debug" not in syslog["log_levels"]
    [extension] = rule["data_sources"]["extension"]
    assert extension["extension_name"] == "ContainerInsights"
    assert set(extension["streams"]) == {f"Microsoft-{s}" for s in (
        "ContainerLogV2", "KubeEvents", "KubePodInventory", "KubeNodeInventory", "KubePVInventory", "KubeServices",
        "KubeMonAgentEvents", "InsightsMetrics", "ContainerInventory", "ContainerNodeInventory", "Perf")}
    assert json.loads(extension["extension_json"]) == {"dataCollectionSettings": {
        "interval": "1m", "namespaceFilteringMode": "Exclude",
        "namespaces": ["kube-system", "gatekeeper-system"], "enableContainerLogV2": True}}
    [workspace] = rule["destinations"]["log_analytics"]
    assert workspace["workspace_resource_id"] == WORKSPACE


@pytest.mark.parametrize("rule_name", [MONITORING_PROPS.prometheus_dcr_name, MONITORING_PROPS.container_insights_dcr_name])
def test_every_collected_stream_flows_to_a_declared_destination(out, rule_name):
    rule = out.named("azurerm_monitor_data_collection_rule", rule_name)
    collected = {stream for sources in rule["data_sources"].values() for source in sources for stream in source["streams"]}
    flowing = {stream for flow in rule["data_flow"] for stream in flow["streams"]}
    assert collected == flowing
    declared = {dest["name"] for dests in rule["destinations"].values() for dest in dests}
    assert {d for flow in rule["data_flow"] for d in flow["destinations"]} <= declared


def test_both_rules_are_associated_with_the_cluster(out):
    associations = out.resources("azurerm_monitor_data_collection_rule_association").values()
    assert {a["target_resource_id"] for a in associations} == {CLUSTER_ID}
    assert sorted(a["data_collection_rule_id"] for a in associations) == sorted(
        out.ref("azurerm_monitor_data_collection_rule", name=name)
        for name in (MONITORING_PROPS.prometheus_dcr_name, MONITORING_PROPS.container_insights_dcr_name))


def test_rules_log_their_errors_to_the_workspace(out):
    settings = out.resources("azurerm_monitor_diagnostic_setting").values()
    rules = {out.ref("azurerm_monitor_data_collection_rule", name=name)
             for name in (MONITORING_PROPS.prometheus_dcr_name, MONITORING_PROPS.container_insights_dcr_name)}
    assert {s["target_resource_id"] for s in settings} == rules
    for setting in settings:
        assert setting["log_analytics_workspace_id"] == WORKSPACE
        assert [log["category"] for log in setting["enabled_log"]] == ["LogErrors"]


def _monitoring(**changes) -> None:
    ClusterMonitoring(empty_stack("invalid"), "Monitoring",
                      dataclasses.replace(MONITORING_PROPS, **changes))


@pytest.mark.parametrize("changes, message", [
    ({"excluded_namespaces": ("Kube-System",)}, r"excluded_namespaces: 'Kube-System' is not a DNS label"),
    ({"excluded_namespaces": ("kube-system", "kube-system")}, r"excluded_namespaces: .* lists a namespace twice"),
    ({"container_log_total_retention_days": 8}, r"container_log_total_retention_days: 8 must be 30-730"),
    ({"container_log_total_retention_days": 1000}, r"container_log_total_retention_days: 1000"),
    ({"syslog_levels": ()}, r"syslog_levels: at least one level"),
    ({"syslog_levels": ("Info", "Verbose")}, r"syslog_levels: Verbose not among"),
    ({"container_insights_dcr_name": MONITORING_PROPS.prometheus_dcr_name}, r"must differ"),
])
def test_invalid_monitoring_props_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _monitoring(**changes)


def test_long_retention_in_whole_years_is_accepted():
    _monitoring(container_log_total_retention_days=1095)


# --- alerts -----------------------------------------------------------------------------------

def rule_groups(out: StackJson) -> dict[str, dict]:
    groups = {}
    for body in out.resources("azurerm_monitor_alert_prometheus_rule_group").values():
        groups[body["name"].rsplit("-", 2)[-2] + "-level"] = body
    return groups


def test_no_alert_lacks_the_action_group(out):
    group = action_group_ref(out)
    checked = 0
    for resource_type in ALERT_TYPES:
        for key, body in out.resources(resource_type).items():
            if resource_type == "azurerm_monitor_alert_prometheus_rule_group":
                for rule in body["rule"]:
                    assert [a["action_group_id"] for a in rule["action"]] == [group], (key, rule["alert"])
                    checked += 1
            elif resource_type == "azurerm_monitor_scheduled_query_rules_alert_v2":
                assert body["action"]["action_groups"] == [group], key
                checked += 1
            else:
                assert [a["action_group_id"] for a in body["action"]] == [group], key
                checked += 1
    assert checked == 30 + 1 + 2


def test_advisor_alert_watches_the_resource_group(out):
    alert = out.only("azurerm_monitor_activity_log_alert")
    assert alert["location"] == "global"
    assert alert["scopes"] == [RG_ID]
    assert alert["criteria"] == {"category": "Recommendation",
                                 "operation_name": "Microsoft.Advisor/recommendations/available/action"}


def test_rule_groups_hold_the_recommended_rules_with_their_severities(out):
    groups = rule_groups(out)
    assert set(groups) == set(EXPECTED_RULES)
    for suffix, expected in EXPECTED_RULES.items():
        assert {rule["alert"]: rule["severity"] for rule in groups[suffix]["rule"]} == expected, suffix
    assert sum(len(group["rule"]) for group in groups.values()) == 30


def test_rule_groups_evaluate_the_cluster_every_minute(out):
    workspace = out.ref("azurerm_monitor_workspace", name=MONITORING_PROPS.monitor_workspace_name)
    for suffix, group in rule_groups(out).items():
        assert group["name"] == f"KubernetesAlert-RecommendedMetricAlerts-{CLUSTER}-{suffix}"
        assert group["scopes"] == [workspace, CLUSTER_ID]
        assert (group["interval"], group["cluster_name"], group["rule_group_enabled"]) == ("PT1M", CLUSTER, True)


def test_every_rule_resolves_itself_and_is_labelled_warning(out):
    for group in rule_groups(out).values():
        for rule in group["rule"]:
            assert rule["enabled"] is True
            assert rule["labels"] == {"severity": "warning"}
            assert rule["alert_resolution"] == {"auto_resolved": True, "time_to_resolve": "PT10M"}
            assert minutes(rule["for"]) == EXPECTED_FOR_MINUTES.get(rule["alert"], 15), rule["alert"]
            assert rule["annotations"]["description"]


def test_expressions_are_well_formed_promql_text(out):
    pairs = {"(": ")", "{": "}", "[": "]"}
    for group in rule_groups(out).values():
        for rule in group["rule"]:
            expression = rule["expression"]
            stack: list[str] = []
            in_string = False
            for char in expression:
                if char == '"':
                    in_string = not in_string
                elif in_string:
                    continue
                elif char in pairs:
                    stack.append(pairs[char])
                elif char in pairs.values():
                    assert stack and stack.pop() == char, (rule["alert"], expression)
            assert not stack and not in_string, (rule["alert"], expression)
            assert "${" not in expression and "%{" not in expression, rule["alert"]  # no Terraform templates
            # An alerting expression filters: without a comparison every series would fire.
            assert re.search(r"\s([<>]=?|[!=]=)\s", expression), rule["alert"]


def test_failed_pods_and_phases_use_kube_state_metrics_spelling(out):
    rules = {r["alert"]: r["expression"] for g in rule_groups(out).values() for r in g["rule"]}
    assert 'phase="Failed"' in rules["KubePodFailedState"]
    assert "persistentvolumeclaim" in rules["KubePVUsageHigh"]


def test_failed_pod_log_alert(out):
    alert = out.named("azurerm_monitor_scheduled_query_rules_alert_v2", f"PodFailedScheduledQuery-{CLUSTER}")
    assert alert["scopes"] == [WORKSPACE]
    assert (alert["severity"], alert["evaluation_frequency"], alert["window_duration"]) == (3, "PT5M", "PT10M")
    assert alert["auto_mitigation_enabled"] is True
    [criteria] = alert["criteria"]
    assert (criteria["operator"], criteria["threshold"], criteria["time_aggregation_method"],
            criteria["metric_measure_column"]) == ("GreaterThan", 3, "Average", "AggregatedValue")
    assert criteria["failing_periods"] == {"minimum_failing_periods_to_trigger_alert": 2,
                                           "number_of_evaluation_periods": 2}
    assert criteria["query"].startswith("KubePodInventory")
    assert f'ClusterName == "{CLUSTER}"' in criteria["query"]
    assert "AggregatedValue" in criteria["query"]


def test_daily_cap_log_alert(out):
    alert = out.named("azurerm_monitor_scheduled_query_rules_alert_v2", f"DailyDataCapBreached-{CLUSTER}")
    assert alert["scopes"] == [WORKSPACE]
    assert (alert["severity"], alert["evaluation_frequency"], alert["window_duration"]) == (1, "PT5M", "PT5M")
    [criteria] = alert["criteria"]
    assert (criteria["operator"], criteria["threshold"], criteria["time_aggregation_method"]) == ("GreaterThan", 0, "Count")
    assert criteria["query"].splitlines() == [
        "_LogOperation", '| where Operation == "Data collection Status"', '| where Detail contains "OverQuota"']


def _alerts(**changes) -> None:
    props = ClusterAlertsProps(
        cluster_id=CLUSTER_ID, cluster_name=CLUSTER, monitor_workspace_id="/amw", log_analytics_workspace_id=WORKSPACE,
        resource_group_id=RG_ID, resource_group_name=RG, location="eastus2", action_group_id="/ag")
    ClusterAlerts(empty_stack("invalid"), "Alerts", dataclasses.replace(props, **changes))


@pytest.mark.parametrize("changes, message", [
    ({"action_group_id": ""}, r"action_group_id: every alert must notify an action group"),
    ({"action_group_id": "  "}, r"action_group_id"),
    ({"cluster_name": 'aks"x'}, r"cluster_name: 'aks\"x' is not an AKS cluster name"),
])
def test_invalid_alert_props_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _alerts(**changes)


# --- optional add-ons ---------------------------------------------------------------------------

def test_each_monitoring_add_on_off_leaves_out_exactly_its_collection_and_alerts():
    def build(stack):
        prometheus_only = ClusterMonitoring(stack, "PrometheusOnly", dataclasses.replace(
            MONITORING_PROPS, container_insights=False, prometheus_dcr_name="dcr-p", container_insights_dcr_name="dcr-c"))
        insights_only = ClusterMonitoring(stack, "InsightsOnly", dataclasses.replace(
            MONITORING_PROPS, managed_prometheus=False, monitor_workspace_name="amw-unused",
            prometheus_dcr_name="dcr-p2", container_insights_dcr_name="dcr-c2"))
        assert insights_only.monitor_workspace_id is None
        ClusterAlerts(stack, "NoPrometheus", ClusterAlertsProps(
            cluster_id=CLUSTER_ID, cluster_name="aks-a", monitor_workspace_id=None, log_analytics_workspace_id=WORKSPACE,
            resource_group_id=RG_ID, resource_group_name=RG, location="eastus2", action_group_id="/ag"))
        ClusterAlerts(stack, "NoInsights", ClusterAlertsProps(
            cluster_id=CLUSTER_ID, cluster_name="aks-b", monitor_workspace_id=prometheus_only.monitor_workspace_id,
            log_analytics_workspace_id=WORKSPACE, resource_group_id=RG_ID, resource_group_name=RG,
            location="eastus2", action_group_id="/ag", container_insights=False))

    out = synth_construct(build)
    assert [w["name"] for w in out.resources("azurerm_monitor_workspace").values()] == [MONITORING_PROPS.monitor_workspace_name]
    rules = {r["name"] for r in out.resources("azurerm_monitor_data_collection_rule").values()}
    assert rules == {"dcr-p", "dcr-c2"}, "each monitor collects only what is on"
    assert len(out.resources("azurerm_log_analytics_workspace_table")) == 1
    groups = {g["cluster_name"] for g in out.resources("azurerm_monitor_alert_prometheus_rule_group").values()}
    assert groups == {"aks-b"}, "no Prometheus rules without managed Prometheus"
    queries = {a["name"] for a in out.resources("azurerm_monitor_scheduled_query_rules_alert_v2").values()}
    assert "PodFailedScheduledQuery-aks-a" in queries and "PodFailedScheduledQuery-aks-b" not in queries
    assert {"DailyDataCapBreached-aks-a", "DailyDataCapBreached-aks-b"} <= queries


def test_monitoring_with_nothing_on_is_refused():
    with pytest.raises(ValueError, match="both are off, so there is nothing to collect"):
        _monitoring(container_insights=False, managed_prometheus=False)
