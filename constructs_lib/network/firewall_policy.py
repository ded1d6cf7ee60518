"""Firewall policy for the hub: DNS proxy, threat intelligence in Deny, IDPS in Deny on Premium,
and exactly the egress the region's cluster needs (`config.egress`), scoped to the node subnets
through an IP group.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.firewall_policy import (
    FirewallPolicy as AzureFirewallPolicy,
)
from cdktf_cdktf_provider_azurerm.firewall_policy import (
    FirewallPolicyDns,
    FirewallPolicyInsights,
    FirewallPolicyIntrusionDetection,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroup,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroupApplicationRuleCollection as AppCollection,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRule as AppRule,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRuleProtocols as AppProtocol,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroupNetworkRuleCollection as NetCollection,
)
from cdktf_cdktf_provider_azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule as NetRule,
)
from cdktf_cdktf_provider_azurerm.ip_group import IpGroup
from constructs import Construct

from constructs_lib.config.egress import Egress
from constructs_lib.config.rules import check_firewall_sku
from constructs_lib.core.primary_resource import PrimaryResource


@dataclass(frozen=True)
class FirewallPolicyProps:
    """Inputs of the hub firewall policy."""

    name: str
    """Azure name of the policy (CAF prefix `afwp-`)."""
    ip_group_name: str
    """Name of the IP group holding the spoke node subnets (CAF prefix `ipg-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the policy, its rule collection groups and the IP group."""
    log_analytics_workspace_id: str
    """Workspace of the policy analytics (insights)."""
    node_subnets: tuple[ipaddress.IPv4Network, ...]
    """Spoke node subnets allowed to egress (fed from config, never from the spoke stack); at least
    one, else ValueError."""
    egress: tuple[Egress, ...]
    """What the nodes may reach, one firewall rule per feature (`config.egress.egress_for`); at least
    one entry with a destination, else ValueError."""
    insights_retention_days: int = 30
    """Days policy analytics are kept. Default and reference: 30."""
    sku: str = "Premium"
    """Policy tier, the firewall's: `Premium` (reference; IDPS in Deny) or `Standard` (no IDPS and no
    TLS inspection, so the policy carries neither). Anything else, Basic included (no DNS proxy for
    the FQDN network rules), is a ValueError (`config.rules.check_firewall_sku`)."""


def _https(name: str, ip_group_id: str, *, fqdns: tuple[str, ...] = (), fqdn_tags: tuple[str, ...] = ()) -> AppRule:
    return AppRule(
        name=name,
        source_ip_groups=[ip_group_id],
        protocols=[AppProtocol(type="Https", port=443)],
        destination_fqdns=list(fqdns) or None,
        destination_fqdn_tags=list(fqdn_tags) or None,
    )


class FirewallPolicy(PrimaryResource, Construct):
    """Premium (or Standard) policy plus the node-subnet IP group and the egress rules: one application rule
    collection group (HTTPS to FQDNs and FQDN tags) and, only when a feature needs one, a network
    rule collection group. Nothing else leaves the nodes: the firewall denies by default."""

    def __init__(self, scope: Construct, id: str, props: FirewallPolicyProps):
        super().__init__(scope, id)
        check_firewall_sku(props.sku)
        self.sku = props.sku
        """The policy's tier; the firewall takes it (Azure requires the same)."""
        if not props.node_subnets:
            raise ValueError("firewall policy: at least one spoke node subnet is needed for the IP group")
        if not any(e.fqdns or e.fqdn_tags or e.network for e in props.egress):
            raise ValueError("firewall policy: egress lists no destination; a cluster needs at least the AKS core "
                             "endpoints (config.egress)")
        features = [e.feature for e in props.egress]
        if len(set(features)) != len(features):
            raise ValueError(f"firewall policy: egress lists a feature twice: {', '.join(features)}")
        location = props.location
        self.node_ip_group = IpGroup(
            self,
            "NodeIpGroup",
            name=props.ip_group_name,
            location=location,
            resource_group_name=props.resource_group_name,
            cidrs=[str(subnet) for subnet in props.node_subnets],
        )
        self.resource = AzureFirewallPolicy(
            self,
            "Resource",
            name=props.name,
            location=location,
            resource_group_name=props.resource_group_name,
            sku=props.sku,
            threat_intelligence_mode="Deny",
            # IDPS is a Premium feature; a Standard policy is refused by Azure if it carries it.
            intrusion_detection=FirewallPolicyIntrusionDetection(mode="Deny") if props.sku == "Premium" else None,
            dns=FirewallPolicyDns(proxy_enabled=True),
            insights=FirewallPolicyInsights(
                enabled=True,
                default_log_analytics_workspace_id=props.log_analytics_workspace_id,
                retention_in_days=props.insights_retention_days,
            ),
        )
        nodes = self.node_ip_group.id
        network_rules = [
            NetRule(name=f"{entry.feature}-{index}" if len(entry.network) > 1 else entry.feature,
                    protocols=list(rule.protocols), source_ip_groups=[nodes],
                    destination_addresses=list(rule.destinations), destination_ports=list(rule.ports))
            for entry in props.egress for index, rule in enumerate(entry.network)
        ]
        self.network_rules = FirewallPolicyRuleCollectionGroup(
            self,
            "NetworkRules",
            name="DefaultNetworkRuleCollectionGroup",
            priority=200,
            firewall_policy_id=self.resource.id,
            network_rule_collection=[NetCollection(
                name="AKS-Egress-Network", priority=200, action="Allow", rule=network_rules)],
        ) if network_rules else None
        app_rules = [
            _https(entry.feature, nodes, fqdns=entry.fqdns, fqdn_tags=entry.fqdn_tags)
            for entry in props.egress if entry.fqdns or entry.fqdn_tags
        ]
        self.application_rules = FirewallPolicyRuleCollectionGroup(
            self,
            "ApplicationRules",
            name="DefaultApplicationRuleCollectionGroup",
            priority=300,
            firewall_policy_id=self.resource.id,
            application_rule_collection=[AppCollection(
                name="AKS-Egress", priority=200, action="Allow", rule=app_rules)],
            # Rule collection groups update the policy; serialising them avoids Azure's
            # "another operation is in progress" conflicts on the shared policy.
            depends_on=[self.network_rules] if self.network_rules else None,
        )

    @property
    def rule_collection_groups(self) -> tuple[FirewallPolicyRuleCollectionGroup, ...]:
        """Every rule collection group, for the firewall's `depends_on`."""
        return tuple(g for g in (self.network_rules, self.application_rules) if g is not None)
