"""Web Application Firewall policy for the Application Gateway: OWASP CRS 3.2 and the bot manager
rule set, enforcing (Prevention) by default; behind Front Door, a custom rule that admits only
requests carrying this environment's Front Door ID.

The `AzureFrontDoor.Backend` service tag in the gateway subnet's NSG admits every Front Door
customer's traffic; Front Door adds `X-Azure-FDID: <profile resource_guid>` to each request it
forwards (and strips the header from client requests), so checking it is what keeps other
Front Door profiles out: "IP address filtering alone isn't sufficient ... reject requests where
the value doesn't match your Front Door profile's identifier"
(https://learn.microsoft.com/azure/frontdoor/origin-security; the rule is Example 7 of
https://learn.microsoft.com/azure/web-application-firewall/ag/create-custom-waf-rules)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_azurerm.web_application_firewall_policy import (
    WebApplicationFirewallPolicy as AzureWafPolicy,
)
from cdktf_cdktf_provider_azurerm.web_application_firewall_policy import (
    WebApplicationFirewallPolicyCustomRules,
    WebApplicationFirewallPolicyCustomRulesMatchConditions,
    WebApplicationFirewallPolicyCustomRulesMatchConditionsMatchVariables,
    WebApplicationFirewallPolicyManagedRules,
    WebApplicationFirewallPolicyManagedRulesManagedRuleSet,
    WebApplicationFirewallPolicyPolicySettings,
)
from constructs import Construct

from constructs_lib.core.primary_resource import PrimaryResource

WAF_MODES = ("Prevention", "Detection")
"""Prevention blocks matching requests; Detection only logs them."""
MANAGED_RULE_SETS = (("OWASP", "3.2"), ("Microsoft_BotManagerRuleSet", "1.0"))
"""(type, version) of the managed rule sets the baseline enables, with no overrides."""
FRONT_DOOR_ID_HEADER = "X-Azure-FDID"
"""Header in which Front Door sends its profile's ID to the origin."""
FRONT_DOOR_ONLY_RULE = "BlockIfNotThisFrontDoor"
"""Name of the custom rule that blocks requests without this environment's Front Door ID."""
FILE_UPLOAD_LIMIT_RANGE_MB = (1, 4000)
"""Azure's bounds for `file_upload_limit_in_mb` on WAF_v2."""


@dataclass(frozen=True)
class WafPolicyProps:
    """Inputs of an Application Gateway WAF policy."""

    name: str
    """Azure name of the policy (CAF prefix `waf`)."""
    location: str
    """Azure region of the policy (the gateway's region)."""
    resource_group_name: str
    """Resource group of the policy."""
    mode: str = "Prevention"
    """`Prevention` (block) or `Detection` (log only). Reference and default: Prevention."""
    file_upload_limit_in_mb: int = 10
    """Largest file upload the WAF accepts, 1-4000 MB. Reference and default: 10."""
    request_body_check: bool = True
    """Inspect request bodies against the rules. Default: true (Azure's default, kept literal so a
    policy scanner can read it)."""
    front_door_id: str | None = None
    """The environment's Front Door profile `resource_guid` (the `X-Azure-FDID` value), usually a
    data-source reference: the policy then blocks, before any managed rule, every request whose
    header differs (compared in lower case; a missing header differs too). Only enforced in
    Prevention mode. Default None: no Front Door, no such rule."""


def _validate(props: WafPolicyProps) -> None:
    if props.front_door_id is not None and (not props.front_door_id or props.mode != "Prevention"):
        raise ValueError(f"waf policy {props.name}: front_door_id needs a value and mode Prevention (Detection "
                         "would let every other Front Door's traffic through)")
    if props.mode not in WAF_MODES:
        raise ValueError(f"waf policy {props.name}: mode must be one of {', '.join(WAF_MODES)}, "
                         f"got {props.mode!r}")
    low, high = FILE_UPLOAD_LIMIT_RANGE_MB
    if not low <= props.file_upload_limit_in_mb <= high:
        raise ValueError(f"waf policy {props.name}: file_upload_limit_in_mb must be within {low}-{high}, "
                         f"got {props.file_upload_limit_in_mb}")


class WafPolicy(PrimaryResource, Construct):
    """`azurerm_web_application_firewall_policy`, enabled, with OWASP 3.2 and
    Microsoft_BotManagerRuleSet 1.0, and with `front_door_id` the custom rule
    `BlockIfNotThisFrontDoor`; attach it with the gateway's `firewall_policy_id`."""

    def __init__(self, scope: Construct, id: str, props: WafPolicyProps):
        super().__init__(scope, id)
        _validate(props)
        self.resource = AzureWafPolicy(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            policy_settings=WebApplicationFirewallPolicyPolicySettings(
                enabled=True,
                mode=props.mode,
                file_upload_limit_in_mb=props.file_upload_limit_in_mb,
                request_body_check=props.request_body_check,
            ),
            custom_rules=[WebApplicationFirewallPolicyCustomRules(
                name=FRONT_DOOR_ONLY_RULE,
                priority=1,
                rule_type="MatchRule",
                action="Block",
                enabled=True,
                match_conditions=[WebApplicationFirewallPolicyCustomRulesMatchConditions(
                    match_variables=[WebApplicationFirewallPolicyCustomRulesMatchConditionsMatchVariables(
                        variable_name="RequestHeaders", selector=FRONT_DOOR_ID_HEADER)],
                    operator="Equal",
                    negation_condition=True,
                    match_values=[Fn.lower(props.front_door_id)],
                    transforms=["Lowercase"],
                )],
            )] if props.front_door_id is not None else None,
            managed_rules=WebApplicationFirewallPolicyManagedRules(
                managed_rule_set=[
                    WebApplicationFirewallPolicyManagedRulesManagedRuleSet(type=rule_type, version=version)
                    for rule_type, version in MANAGED_RULE_SETS
                ],
            ),
        )
