"""Budget: a monthly resource group budget whose every notification reaches the action group,
and every validation rule."""

from __future__ import annotations

import dataclasses

import pytest

from constructs_lib.observability.action_group import ActionGroup, ActionGroupProps
from constructs_lib.observability.budget import Budget, BudgetProps
from tests.synth import StackJson, empty_stack, synth_construct

RG_ID = "/subscriptions/s/resourceGroups/rg-bu0001a0008-prod-eastus2"
PROPS = BudgetProps(
    name="budget-bu0001a0008-prod-eastus2",
    resource_group_id=RG_ID,
    amount=2500,
    time_period_start="2026-12-01T00:00:00Z",
    action_group_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag",
    contact_emails=("finops@contoso.com",),
)


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        group = ActionGroup(stack, "ActionGroup", ActionGroupProps(
            name="ag-x", resource_group_name="rg", short_name="ops",
            email_receivers=(("ops", "ops@contoso.com"),)))
        Budget(stack, "Budget", dataclasses.replace(PROPS, action_group_id=group.id))
        Budget(stack, "Minimal", dataclasses.replace(
            PROPS, name="budget-minimal", action_group_id=group.id, contact_emails=(),
            actual_thresholds=(90,), forecasted_thresholds=()))
    return synth_construct(build)


def test_budget_is_monthly_on_the_resource_group(out):
    budget = out.named("azurerm_consumption_budget_resource_group", PROPS.name)
    assert budget["resource_group_id"] == RG_ID
    assert (budget["amount"], budget["time_grain"]) == (2500, "Monthly")
    assert budget["time_period"] == {"start_date": "2026-12-01T00:00:00Z"}


def test_default_thresholds_are_actual_50_80_100_and_forecast_100(out):
    budget = out.named("azurerm_consumption_budget_resource_group", PROPS.name)
    assert [(n["threshold_type"], n["threshold"]) for n in budget["notification"]] == [
        ("Actual", 50), ("Actual", 80), ("Actual", 100), ("Forecasted", 100)]


def test_every_notification_reaches_the_action_group_and_contacts(out):
    budget = out.named("azurerm_consumption_budget_resource_group", PROPS.name)
    for notification in budget["notification"]:
        assert notification["enabled"] is True
        assert notification["operator"] == "GreaterThanOrEqualTo"
        assert notification["contact_groups"] == [out.ref("azurerm_monitor_action_group")]
        assert notification["contact_emails"] == ["finops@contoso.com"]


def test_without_contacts_only_the_action_group_is_notified(out):
    budget = out.named("azurerm_consumption_budget_resource_group", "budget-minimal")
    [notification] = budget["notification"]
    assert (notification["threshold_type"], notification["threshold"]) == ("Actual", 90)
    assert notification["contact_groups"] == [out.ref("azurerm_monitor_action_group")]
    assert "contact_emails" not in notification


def _build(**changes) -> None:
    Budget(empty_stack("invalid"), "Budget", dataclasses.replace(PROPS, **changes))


@pytest.mark.parametrize("changes, message", [
    ({"name": "budget x"}, r"name: 'budget x' must be 1-63 letters"),
    ({"amount": 0}, r"amount: 0 must be greater than 0"),
    ({"amount": -10}, r"amount: -10 must be greater than 0"),
    ({"time_period_start": "2026-12-15T00:00:00Z"}, r"time_period_start: '2026-12-15T00:00:00Z' must be the first of a month"),
    ({"time_period_start": "2026-12-01"}, r"time_period_start: '2026-12-01' must be"),
    ({"time_period_start": "2026-13-01T00:00:00Z"}, r"time_period_start: '2026-13-01T00:00:00Z'"),
    ({"action_group_id": ""}, r"action_group_id: every budget notification must reach an action group"),
    ({"actual_thresholds": (0, 80)}, r"actual_thresholds: 0 is outside 1-1000"),
    ({"forecasted_thresholds": (1001,)}, r"forecasted_thresholds: 1001 is outside"),
    ({"actual_thresholds": (80, 50)}, r"actual_thresholds: \[80, 50\] must be distinct, in ascending order"),
    ({"actual_thresholds": (80, 80)}, r"actual_thresholds: \[80, 80\] must be distinct"),
    ({"actual_thresholds": (), "forecasted_thresholds": ()}, r"at least one threshold is required"),
    ({"actual_thresholds": (25, 50, 75, 100), "forecasted_thresholds": (100, 110)},
     r"6 notifications; Azure allows at most 5"),
    ({"contact_emails": ("finops",)}, r"contact_emails: 'finops' is not an e-mail address"),
    ({"contact_emails": ("a@contoso.com", "a@contoso.com")}, r"contact_emails: .* lists an address twice"),
])
def test_invalid_props_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _build(**changes)
