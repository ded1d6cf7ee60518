"""DiagnosticSettings: the catalogued categories of each resource type, resource-specific tables
where the type has them, and the refusal of an uncatalogued type."""

from __future__ import annotations

import pytest
from cdktf_cdktf_provider_azurerm.firewall import Firewall
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from cdktf_cdktf_provider_azurerm.virtual_network import VirtualNetwork

from constructs_lib.core.diagnostics import DIAGNOSTIC_CATEGORIES, DiagnosticSettings, DiagnosticSettingsProps
from tests.synth import empty_stack, synth_construct

WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"


def _firewall(stack):
    return Firewall(stack, "Fw", name="afw", location="eastus2", resource_group_name="rg", sku_name="AZFW_VNet",
                    sku_tier="Premium")


def test_categories_metrics_and_destination_follow_the_resource_type():
    def build(stack):
        firewall = _firewall(stack)
        vnet = VirtualNetwork(stack, "Vnet", name="v", location="eastus2", resource_group_name="rg",
                              address_space=["10.0.0.0/16"])
        DiagnosticSettings(stack, "FwDiag", DiagnosticSettingsProps(target=firewall, log_analytics_workspace_id=WORKSPACE))
        DiagnosticSettings(stack, "VnetDiag", DiagnosticSettingsProps(
            target=vnet, log_analytics_workspace_id=WORKSPACE, name="custom", extra_log_categories=("VMProtectionAlerts",)))

    out = synth_construct(build)
    settings = {s["target_resource_id"]: s for s in out.resources("azurerm_monitor_diagnostic_setting").values()}
    firewall = settings[out.ref("azurerm_firewall")]
    assert [log["category"] for log in firewall["enabled_log"]] == list(DIAGNOSTIC_CATEGORIES["azurerm_firewall"][0])
    assert firewall["log_analytics_destination_type"] == "Dedicated"
    assert firewall["enabled_metric"] == [{"category": "AllMetrics"}]
    assert firewall["name"] == "to-log-analytics" and firewall["log_analytics_workspace_id"] == WORKSPACE
    vnet = settings[out.ref("azurerm_virtual_network")]
    assert vnet["name"] == "custom"
    assert [log["category"] for log in vnet["enabled_log"]] == ["VMProtectionAlerts"]
    assert "log_analytics_destination_type" not in vnet


def test_a_type_without_catalogued_categories_is_refused():
    stack = empty_stack()
    group = ResourceGroup(stack, "Rg", name="rg", location="eastus2")
    with pytest.raises(ValueError, match="no diagnostic categories are catalogued for azurerm_resource_group"):
        DiagnosticSettings(stack, "Diag", DiagnosticSettingsProps(target=group, log_analytics_workspace_id=WORKSPACE))
