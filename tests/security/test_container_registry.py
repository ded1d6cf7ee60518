"""ContainerRegistry: locked-down Premium settings, replicas, diagnostics and every validation rule
(the private endpoints belong to the regions: tests/stacks/test_cluster_stack.py)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from cdktf import TerraformOutput

from constructs_lib.security.container_registry import ContainerRegistry, ContainerRegistryProps
from tests.synth import StackJson, empty_stack, synth_construct

WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-x"

PROPS = ContainerRegistryProps(
    name="crworkloaddeveus2abcde",
    location="eastus2",
    resource_group_name="rg-workload",
    log_analytics_workspace_id=WORKSPACE,
    replica_locations=("centralus", "westus3"),
)


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        registry = ContainerRegistry(stack, "Registry", PROPS)
        ContainerRegistry(stack, "NoZones", dataclasses.replace(
            PROPS, name="crnozones", replica_locations=("centralus",),
            zone_redundancy_enabled=False, retention_days=0))
        ContainerRegistry(stack, "Single", dataclasses.replace(
            PROPS, name="crsingle", replica_locations=()))
        TerraformOutput(stack, "login_server", value=registry.login_server)
        TerraformOutput(stack, "registry_id", value=registry.id)
        TerraformOutput(stack, "registry_name", value=registry.name)
    return synth_construct(build)


def test_registry_is_premium_and_locked_down(out):
    registry = out.named("azurerm_container_registry", PROPS.name)
    assert registry["sku"] == "Premium"
    assert registry["admin_enabled"] is False
    assert registry["anonymous_pull_enabled"] is False
    assert registry["public_network_access_enabled"] is False
    assert registry["network_rule_bypass_option"] == "AzureServices"
    assert [rule["default_action"] for rule in registry["network_rule_set"]] == ["Deny"]
    assert registry["export_policy_enabled"] is False
    assert registry["quarantine_policy_enabled"] is False
    assert registry["trust_policy_enabled"] is False
    assert "encryption" not in registry


def test_registry_resilience_and_retention_defaults(out):
    registry = out.named("azurerm_container_registry", PROPS.name)
    assert registry["data_endpoint_enabled"] is True
    assert registry["zone_redundancy_enabled"] is True
    assert registry["retention_policy_in_days"] == 15
    assert registry["location"] == "eastus2"


def test_each_replica_is_zone_redundant(out):
    replicas = out.named("azurerm_container_registry", PROPS.name)["georeplications"]
    assert [(r["location"], r["zone_redundancy_enabled"]) for r in replicas] == [
        ("centralus", True), ("westus3", True)]


def test_zone_flag_applies_to_home_and_replicas(out):
    registry = out.named("azurerm_container_registry", "crnozones")
    assert registry["zone_redundancy_enabled"] is False
    assert [r["zone_redundancy_enabled"] for r in registry["georeplications"]] == [False]
    assert registry["retention_policy_in_days"] == 0


def test_no_replicas_means_no_georeplications(out):
    assert not out.named("azurerm_container_registry", "crsingle").get("georeplications")


def test_the_registry_brings_no_private_endpoint_of_its_own(out):
    # One registry serves several regions; each region's cluster stack adds its own endpoint.
    assert not out.resources("azurerm_private_endpoint")


def test_diagnostics_send_registry_events_to_the_workspace(out):
    target = out.ref("azurerm_container_registry", name=PROPS.name)
    settings = [s for s in out.resources("azurerm_monitor_diagnostic_setting").values()
                if s["target_resource_id"] == target]
    assert len(settings) == 1
    assert settings[0]["log_analytics_workspace_id"] == WORKSPACE
    assert {log["category"] for log in settings[0]["enabled_log"]} == {
        "ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"}
    assert [m["category"] for m in settings[0]["enabled_metric"]] == ["AllMetrics"]


def test_exposes_id_name_and_login_server(out):
    registry = out.address("azurerm_container_registry", PROPS.name)
    outputs = out.doc["output"]
    assert outputs["login_server"]["value"] == f"${{{registry}.login_server}}"
    assert outputs["registry_id"]["value"] == f"${{{registry}.id}}"
    assert outputs["registry_name"]["value"] == f"${{{registry}.name}}"


# --- validation ----------------------------------------------------------------------------------

def _registry(**changes) -> None:
    ContainerRegistry(empty_stack("v"), "Registry", dataclasses.replace(PROPS, **changes))


@pytest.mark.parametrize("field_name", [
    "name", "location", "resource_group_name", "log_analytics_workspace_id"])
def test_required_fields(field_name):
    with pytest.raises(ValueError, match=f"{re.escape(field_name)} is required"):
        _registry(**{field_name: ""})


@pytest.mark.parametrize("days", [-1, 366])
def test_retention_days_range(days):
    with pytest.raises(ValueError, match=f"retention_days {days} is outside 0-365"):
        _registry(retention_days=days)


def test_retention_days_bounds_are_accepted():
    _registry(retention_days=0)
    _registry(retention_days=365)


@pytest.mark.parametrize("replicas", [("eastus2",), ("centralus", "East US 2")])
def test_replica_is_not_the_home_location(replicas):
    with pytest.raises(ValueError, match="replica_locations must not contain the home location 'eastus2'"):
        _registry(replica_locations=replicas)


def test_replicas_are_unique():
    with pytest.raises(ValueError, match="replica_locations lists 'Central US' twice"):
        _registry(replica_locations=("centralus", "Central US"))


def test_replicas_are_not_empty():
    with pytest.raises(ValueError, match="replica_locations contains an empty location"):
        _registry(replica_locations=("centralus", ""))
