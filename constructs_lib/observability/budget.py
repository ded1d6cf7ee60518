"""A monthly cost budget on a resource group, notifying an action group and e-mail contacts.

Azure evaluates budgets against actual cost and against its forecast for the month; this
construct emits one notification per threshold, each to the same action group and contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from cdktf_cdktf_provider_azurerm.consumption_budget_resource_group import (
    ConsumptionBudgetResourceGroup,
    ConsumptionBudgetResourceGroupNotification,
    ConsumptionBudgetResourceGroupTimePeriod,
)
from constructs import Construct

from constructs_lib.config.patterns import EMAIL
from constructs_lib.config.rules import check_budget_thresholds
from constructs_lib.core.primary_resource import PrimaryResource

_START = re.compile(r"^\d{4}-\d{2}-01T00:00:00Z$")
_NAME = re.compile(r"^[-_A-Za-z0-9]{1,63}$")


@dataclass(frozen=True)
class BudgetProps:
    """Inputs of a resource group budget."""

    name: str
    """Budget name, 1-63 letters, digits, - and _."""
    resource_group_id: str
    """The resource group whose cost is tracked."""
    amount: float
    """Monthly amount, in the billing currency; greater than 0."""
    time_period_start: str
    """First month tracked, as "YYYY-MM-01T00:00:00Z" (Azure requires the first of a month)."""
    action_group_id: str
    """Action group every notification goes to."""
    contact_emails: tuple[str, ...] = field(default_factory=tuple)
    """Extra e-mail recipients of every notification. Default none (the action group suffices)."""
    actual_thresholds: tuple[float, ...] = (50, 80, 100)
    """Percentages of the amount that, once actually spent, notify. Default 50, 80, 100."""
    forecasted_thresholds: tuple[float, ...] = (100,)
    """Percentages of the amount that, once forecast for the month, notify. Default 100."""


class Budget(PrimaryResource, Construct):
    """`azurerm_consumption_budget_resource_group`, monthly, one notification per threshold."""

    def __init__(self, scope: Construct, id: str, props: BudgetProps):
        super().__init__(scope, id)
        _validate(props)
        notifications = [
            ConsumptionBudgetResourceGroupNotification(
                enabled=True,
                threshold=threshold,
                threshold_type=kind,
                operator="GreaterThanOrEqualTo",
                contact_groups=[props.action_group_id],
                contact_emails=list(props.contact_emails) or None,
            )
            for kind, thresholds in (("Actual", props.actual_thresholds),
                                     ("Forecasted", props.forecasted_thresholds))
            for threshold in thresholds
        ]
        self.resource = ConsumptionBudgetResourceGroup(
            self,
            "Resource",
            name=props.name,
            resource_group_id=props.resource_group_id,
            amount=props.amount,
            time_grain="Monthly",
            time_period=ConsumptionBudgetResourceGroupTimePeriod(start_date=props.time_period_start),
            notification=notifications,
        )


def _validate(props: BudgetProps) -> None:
    if not _NAME.match(props.name):
        raise ValueError(f"name: {props.name!r} must be 1-63 letters, digits, - and _")
    if not props.amount > 0:
        raise ValueError(f"amount: {props.amount} must be greater than 0")
    start = props.time_period_start
    try:
        datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ")
        valid_date = bool(_START.match(start))
    except ValueError:
        valid_date = False
    if not valid_date:
        raise ValueError(f"time_period_start: {start!r} must be the first of a month as YYYY-MM-01T00:00:00Z")
    if not props.action_group_id.strip():
        raise ValueError("action_group_id: every budget notification must reach an action group; none given")
    check_budget_thresholds(props.actual_thresholds, props.forecasted_thresholds,
                            "actual_thresholds", "forecasted_thresholds")
    for address in props.contact_emails:
        EMAIL.check("contact_emails", address)
    if len(set(props.contact_emails)) != len(props.contact_emails):
        raise ValueError(f"contact_emails: {', '.join(props.contact_emails)} lists an address twice")
