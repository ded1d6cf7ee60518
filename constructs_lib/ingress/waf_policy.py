"""Web Application Firewall policy for the Application Gateway: OWASP CRS 3.2 and the bot manager
rule set, enforcing (Prevention) by default."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.web_application_firewall_policy import (
    WebApplicationFirewallPolicy as AzureWafPolicy,
)
from cdktf_cdktf_provider_azurerm.web_application_firewall_policy import (
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


def _validate(props: WafPolicyProps) -> None:
    if props.mode not in WAF_MODES:
        raise ValueError(f"waf policy {props.name}: mode must be one of {', '.join(WAF_MODES)}, "
                         f"got {props.mode!r}")
    low, high = FILE_UPLOAD_LIMIT_RANGE_MB
    if not low <= props.file_upload_limit_in_mb <= high:
        raise ValueError(f"waf policy {props.name}: file_upload_limit_in_mb must be within {low}-{high}, "
                         f"got {props.file_upload_limit_in_mb}")


class WafPolicy(PrimaryResource, Construct):
    """`azurerm_web_application_firewall_policy`, enabled, with OWASP 3.2 and
    Microsoft_BotManagerRuleSet 1.0 and no custom rules; attach it with the gateway's
    `firewall_policy_id`."""

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
            managed_rules=WebApplicationFirewallPolicyManagedRules(
                managed_rule_set=[
                    WebApplicationFirewallPolicyManagedRulesManagedRuleSet(type=rule_type, version=version)
                    for rule_type, version in MANAGED_RULE_SETS
                ],
            ),
        )
