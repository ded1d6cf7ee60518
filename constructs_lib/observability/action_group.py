"""An action group: who hears about the cluster's alerts and budget.

The reference deploys its alerts with empty action lists; this project routes every alert and
every budget notification through one action group, so an alert always reaches someone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.monitor_action_group import (
    MonitorActionGroup,
    MonitorActionGroupEmailReceiver,
    MonitorActionGroupWebhookReceiver,
)
from constructs import Construct

from constructs_lib.config.patterns import EMAIL
from constructs_lib.core.primary_resource import PrimaryResource

_RECEIVER_NAME = re.compile(r"^[^<>*%&:\\?/+]{1,128}$")


@dataclass(frozen=True)
class ActionGroupProps:
    """Inputs of an action group."""

    name: str
    """Action group name."""
    resource_group_name: str
    """Resource group holding the action group."""
    short_name: str
    """Sender name shown in e-mails and SMS, 1-12 characters."""
    email_receivers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(receiver name, e-mail address) pairs. At least one receiver (e-mail or webhook) overall."""
    webhook_receivers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(receiver name, https URI) pairs, for example an incident tool's endpoint. Default none."""


class ActionGroup(PrimaryResource, Construct):
    """`azurerm_monitor_action_group` (global) whose receivers all get the common alert schema."""

    def __init__(self, scope: Construct, id: str, props: ActionGroupProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = MonitorActionGroup(
            self,
            "Resource",
            name=props.name,
            resource_group_name=props.resource_group_name,
            short_name=props.short_name,
            location="global",
            enabled=True,
            email_receiver=[
                MonitorActionGroupEmailReceiver(name=name, email_address=address, use_common_alert_schema=True)
                for name, address in props.email_receivers
            ] or None,
            webhook_receiver=[
                MonitorActionGroupWebhookReceiver(name=name, service_uri=uri, use_common_alert_schema=True)
                for name, uri in props.webhook_receivers
            ] or None,
        )


def _validate(props: ActionGroupProps) -> None:
    if not 1 <= len(props.short_name) <= 12:
        raise ValueError(f"short_name: {props.short_name!r} has {len(props.short_name)} characters; "
                         "Azure allows 1-12")
    if not props.email_receivers and not props.webhook_receivers:
        raise ValueError(f"{props.name}: an action group needs at least one receiver "
                         "(email_receivers or webhook_receivers)")
    names = [name for name, _ in (*props.email_receivers, *props.webhook_receivers)]
    for name in names:
        if not _RECEIVER_NAME.match(name):
            raise ValueError(f"receiver name {name!r}: 1-128 characters without <>*%&:\\?/+")
    if len(set(names)) != len(names):
        raise ValueError(f"receiver names must be unique within the action group: {', '.join(names)}")
    for name, address in props.email_receivers:
        EMAIL.check(f"email_receivers[{name}]", address)
    for name, uri in props.webhook_receivers:
        if not uri.startswith("https://") or len(uri) <= len("https://"):
            raise ValueError(f"webhook_receivers[{name}]: {uri!r} must be an https:// URI")
