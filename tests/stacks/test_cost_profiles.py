"""Every cost setting in the synthesized JSON (README "Cost"): dev's cheap profile, staging's other
levers (tests/envfiles.py `other_cost_levers`: no Bastion, stop schedule, one zone, user pool to
zero), prod at the reference; and the security invariants holding for every profile."""

from __future__ import annotations

import json

import pytest

from constructs_lib.config.resource_names import RegionNames
from constructs_lib.config.roles import START_STOP_ACTIONS, start_stop_role_definition_id
from constructs_lib.config.rules import SPOT_TAINT
from constructs_lib.core.azapi import CONTAINER_SERVICE_API
from constructs_lib.policy.aspects import POLICIES, stack_resources
from tests.envfiles import GENERATED_NAME, env_named

STAGING = f"{GENERATED_NAME}-northeurope"


def test_dev_hub_runs_a_standard_firewall_without_idps_but_with_threat_intel_and_dns_proxy(synthesized):
    hub = synthesized.stack("dev-eastus2-hub")
    policy = hub.only("azurerm_firewall_policy")
    assert (policy["sku"], hub.only("azurerm_firewall")["sku_tier"]) == ("Standard", "Standard")
    assert "intrusion_detection" not in policy
    assert policy["threat_intelligence_mode"] == "Deny" and policy["dns"]["proxy_enabled"] is True
    # Every egress rule stays, and so does the DNS proxy the spoke resolves through.
    groups = hub.resources("azurerm_firewall_policy_rule_collection_group")
    prod_groups = synthesized.stack("prod-eastus2-hub").resources("azurerm_firewall_policy_rule_collection_group")
    strip = ("firewall_policy_id", "//")
    assert ([{k: v for k, v in g.items() if k not in strip} for g in groups.values()]
            == [{k: v for k, v in g.items() if k not in strip} for g in prod_groups.values()])


def test_prod_stays_at_the_reference(synthesized):
    for region in ("eastus2", "centralus"):
        hub = synthesized.stack(f"prod-{region}-hub")
        policy = hub.only("azurerm_firewall_policy")
        assert (policy["sku"], policy["intrusion_detection"]["mode"]) == ("Premium", "Deny")
        assert hub.only("azurerm_firewall")["sku_tier"] == "Premium"
        assert hub.only("azurerm_bastion_host")["sku"] == "Standard"
        cluster = synthesized.stack(f"prod-{region}-cluster")
        aks = cluster.only("azurerm_kubernetes_cluster")
        assert (aks["sku_tier"], aks["default_node_pool"]["min_count"], aks["default_node_pool"]["zones"]) == (
            "Standard", 3, ["1", "2", "3"])
        (pool,) = cluster.resources("azurerm_kubernetes_cluster_node_pool").values()
        assert (pool["min_count"], pool["max_count"], pool.get("priority")) == (2, 5, None)
        assert not cluster.resources("azurerm_logic_app_workflow")
        assert not cluster.resources("azurerm_role_definition")
        assert cluster.only("azurerm_application_gateway")["autoscale_configuration"]["max_capacity"] == 10


def test_dev_cluster_runs_the_free_tier_fewer_nodes_and_a_spot_pool(synthesized, environments):
    dev = env_named(environments, "dev")
    cluster = synthesized.stack("dev-eastus2-cluster")
    aks = cluster.only("azurerm_kubernetes_cluster")
    assert aks["sku_tier"] == "Free"
    assert (aks["default_node_pool"]["min_count"], aks["default_node_pool"]["max_count"]) == (2, 3)
    assert aks["private_cluster_enabled"] is True
    spot = cluster.named("azurerm_kubernetes_cluster_node_pool", "npspot01")
    assert (spot["priority"], spot["eviction_policy"], spot["spot_max_price"], spot["mode"]) == (
        "Spot", "Delete", -1, "User")
    assert spot["node_taints"] == [SPOT_TAINT] == ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]
    assert spot["node_labels"] == {"kubernetes.azure.com/scalesetpriority": "spot"}
    assert (spot["min_count"], spot["max_count"], spot["auto_scaling_enabled"]) == (0, 2, True)
    assert "upgrade_settings" not in spot
    assert spot["host_encryption_enabled"] is True and spot["vnet_subnet_id"] == aks["default_node_pool"]["vnet_subnet_id"]
    assert cluster.only("azurerm_application_gateway")["autoscale_configuration"] == {
        "min_capacity": dev.app_gateway.min_capacity, "max_capacity": 2}
    workspaces = cluster.resources("azurerm_log_analytics_workspace").values()
    assert {w["retention_in_days"] for w in workspaces} == {dev.monitoring.retention_days}
    hub_workspace = synthesized.stack("dev-eastus2-hub").only("azurerm_log_analytics_workspace")
    assert hub_workspace["retention_in_days"] == dev.hub.log_retention_days


def test_staging_has_no_bastion_and_a_closed_bastion_subnet(synthesized, environments):
    hub = synthesized.stack(f"{STAGING}-hub")
    names = RegionNames.of(env_named(environments, GENERATED_NAME), "northeurope").hub
    assert not hub.resources("azurerm_bastion_host")
    assert not [ip for ip in hub.resources("azurerm_public_ip").values() if ip["name"] == names.bastion_public_ip]
    nsg = hub.ref("azurerm_network_security_group", name=names.bastion_nsg)
    rules = [r for r in hub.resources("azurerm_network_security_rule").values()
             if r["network_security_group_name"] == nsg.replace(".id}", ".name}")]
    assert sorted((r["direction"], r["access"], r["source_address_prefix"], r["destination_port_range"])
                  for r in rules) == [("Inbound", "Deny", "*", "*"), ("Outbound", "Deny", "*", "*")]


def test_staging_runs_in_one_zone_with_a_user_pool_that_may_scale_to_zero(synthesized):
    hub, cluster = synthesized.stack(f"{STAGING}-hub"), synthesized.stack(f"{STAGING}-cluster")
    assert hub.only("azurerm_firewall")["zones"] == ["1"]
    assert cluster.only("azurerm_kubernetes_cluster")["default_node_pool"]["zones"] == ["1"]
    user = cluster.named("azurerm_kubernetes_cluster_node_pool", "npuser01")
    assert (user["min_count"], user["zones"]) == (0, ["1"])


def test_staging_stops_and_starts_its_cluster_with_logic_apps_holding_only_that_right(synthesized, environments):
    env = env_named(environments, GENERATED_NAME)
    names = RegionNames.of(env, "northeurope").cluster
    cluster = synthesized.stack(f"{STAGING}-cluster")
    aks_id = cluster.ref("azurerm_kubernetes_cluster")
    identity_id = cluster.ref("azurerm_user_assigned_identity", name=names.start_stop_identity)
    # staging has a bootstrap stack: it defines the role (the deploy identity may not write role
    # definitions); the cluster stack only assigns it, by an ID ending in the role's literal GUID.
    assert not cluster.resources("azurerm_role_definition")
    bootstrap = synthesized.stack(f"{env.name}-bootstrap")
    subscription = str(env.subscription_id) if env.subscription_id else None
    guid = start_stop_role_definition_id(names.cluster, subscription)
    role = bootstrap.only("azurerm_role_definition")
    scope = f"/subscriptions/{env.subscription_id}"
    assert (role["role_definition_id"], role["scope"], role["assignable_scopes"]) == (guid, scope, [scope])
    assert role["permissions"] == [{"actions": list(START_STOP_ACTIONS)}]
    expected_id = f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    (grant,) = [a for a in cluster.resources("azurerm_role_assignment").values()
                if a.get("role_definition_id") == expected_id]
    assert (grant["scope"], grant["principal_id"]) == (
        aks_id, cluster.ref("azurerm_user_assigned_identity", "principal_id", names.start_stop_identity))

    workflows = {body["name"]: key for key, body in cluster.resources("azurerm_logic_app_workflow").items()}
    assert set(workflows) == {names.stop_workflow, names.start_workflow}
    triggers = {t["logic_app_id"]: t for t in cluster.resources("azurerm_logic_app_trigger_recurrence").values()}
    actions = {a["logic_app_id"]: json.loads(a["body"]) for a in cluster.resources("azurerm_logic_app_action_custom").values()}
    settings = cluster.resources("azurerm_monitor_diagnostic_setting").values()
    for operation, name, hour in (("stop", names.stop_workflow, 19), ("start", names.start_workflow, 7)):
        workflow = cluster.named("azurerm_logic_app_workflow", name)
        assert workflow["identity"] == {"type": "UserAssigned", "identity_ids": [identity_id]}
        ref = f"${{azurerm_logic_app_workflow.{workflows[name]}.id}}"
        trigger = triggers[ref]
        assert (trigger["frequency"], trigger["interval"], trigger["time_zone"]) == ("Week", 1, "W. Europe Standard Time")
        assert trigger["schedule"] == {"on_these_days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                                       "at_these_hours": [hour], "at_these_minutes": [0]}
        inputs = actions[ref]["inputs"]
        assert (actions[ref]["type"], inputs["method"]) == ("Http", "POST")
        assert inputs["uri"] == f"https://management.azure.com{aks_id}/{operation}?api-version={CONTAINER_SERVICE_API}"
        assert inputs["authentication"] == {"type": "ManagedServiceIdentity", "identity": identity_id,
                                            "audience": "https://management.azure.com/"}
        assert any(s["target_resource_id"] == ref for s in settings)


@pytest.mark.parametrize("profile", ["dev-eastus2", STAGING, "prod-eastus2"])
def test_security_invariants_hold_for_every_cost_profile(synthesized, profile):
    """Private API server, egress through the firewall, WAF in Prevention, private Key Vault and
    registry: the policy aspects find nothing, and the settings are there as literals."""
    for kind in ("hub", "spoke", "cluster", "workload"):
        resources = stack_resources(synthesized.stack(f"{profile}-{kind}").doc)
        for policy in POLICIES:
            assert not [v.render(policy.name) for v in policy().check(resources)], (profile, kind)
    cluster, spoke = synthesized.stack(f"{profile}-cluster"), synthesized.stack(f"{profile}-spoke")
    aks = cluster.only("azurerm_kubernetes_cluster")
    assert (aks["private_cluster_enabled"], aks["network_profile"]["outbound_type"]) == (True, "userDefinedRouting")
    assert cluster.only("azurerm_web_application_firewall_policy")["policy_settings"]["mode"] == "Prevention"
    assert cluster.only("azurerm_key_vault")["public_network_access_enabled"] is False
    env_name = profile.split("-", 1)[0]
    registry = synthesized.stack(f"{env_name}-global").only("azurerm_container_registry")
    assert registry["public_network_access_enabled"] is False
    route = spoke.only("azurerm_route_table")["route"]
    assert [(r["address_prefix"], r["next_hop_type"]) for r in route] == [("0.0.0.0/0", "VirtualAppliance")]
