"""Front Door Premium WAF policy: Microsoft's default rule set and bot manager rules, blocking.

Stronger than the reference (mspnp/aks-baseline-multi-region), whose Front Door policy runs the
default rule set with the anomaly action `Log`, so it blocks nothing, and has no bot rules. Here
both managed rule sets take the action `Block` in Prevention mode: a request whose anomaly score
reaches 5 is refused at the edge (https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-drs).
Managed rule sets need the Premium tier, where they cost nothing extra
(https://learn.microsoft.com/azure/frontdoor/billing).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.cdn_frontdoor_firewall_policy import (
    CdnFrontdoorFirewallPolicy,
    CdnFrontdoorFirewallPolicyManagedRule,
)
from constructs import Construct

from constructs_lib.config.naming import RULES
from constructs_lib.core.primary_resource import PrimaryResource

FRONT_DOOR_SKU = "Premium_AzureFrontDoor"
"""Front Door tier of the profile and its WAF policy (managed rule sets need Premium)."""
FRONT_DOOR_MANAGED_RULE_SETS: tuple[tuple[str, str, str], ...] = (
    ("Microsoft_DefaultRuleSet", "2.1", "Block"),
    ("Microsoft_BotManagerRuleSet", "1.1", "Block"),
)
"""(type, version, action) of the managed rule sets: the newest versions azurerm 4.55 accepts.
DRS 2.x scores anomalies; `Block` is Azure's default anomaly action (`Log` would only record)."""


@dataclass(frozen=True)
class FrontDoorWafPolicyProps:
    """Inputs of the Front Door WAF policy."""

    name: str
    """Azure name (CAF prefix `fdfp`): letters and digits only, starting with a letter, at most 128
    characters (azurerm validate/front_door_firewall_policy_name.go)."""
    resource_group_name: str
    """Resource group of the policy (the policy itself is global)."""


def _validate(props: FrontDoorWafPolicyProps) -> None:
    name, rule = props.name, RULES["front_door_firewall_policy"]
    if not rule.matches(name):
        raise ValueError(f"front door waf policy name {name!r} must be {rule.description}, "
                         f"at most {rule.max_length} characters")
    if not props.resource_group_name:
        raise ValueError(f"front door waf policy {name}: resource_group_name is required")


class FrontDoorWafPolicy(PrimaryResource, Construct):
    """`azurerm_cdn_frontdoor_firewall_policy`: Premium, enabled, Prevention, request bodies
    inspected, DRS 2.1 and Bot Manager 1.1 blocking. Attach it with `FrontDoor`'s security policy.
    The policy has no diagnostic categories of its own; its events are the profile's
    `FrontDoorWebApplicationFirewallLog` (core.diagnostics)."""

    def __init__(self, scope: Construct, id: str, props: FrontDoorWafPolicyProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = CdnFrontdoorFirewallPolicy(
            self,
            "Resource",
            name=props.name,
            resource_group_name=props.resource_group_name,
            sku_name=FRONT_DOOR_SKU,
            enabled=True,
            mode="Prevention",
            request_body_check_enabled=True,
            managed_rule=[
                CdnFrontdoorFirewallPolicyManagedRule(type=rule_type, version=version, action=action)
                for rule_type, version, action in FRONT_DOOR_MANAGED_RULE_SETS
            ],
        )
