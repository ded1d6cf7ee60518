"""Firewall policy for the hub: DNS proxy, threat intelligence and IDPS in Deny, and the egress
rules an AKS baseline cluster needs, scoped to the node subnets through an IP group."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

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
    """Spoke node subnets allowed to egress (fed from config, never from the spoke stack)."""
    insights_retention_days: int = 30
    """Days policy analytics are kept. Default and reference: 30."""
    gitops_hosts: tuple[str, ...] = field(default_factory=lambda: ("github.com", "api.github.com"))
    """Git hosts Flux pulls cluster configuration from. Reference: github.com, api.github.com."""


def _https(name: str, ip_group_id: str, *, fqdns: tuple[str, ...] = (), fqdn_tags: tuple[str, ...] = ()) -> AppRule:
    return AppRule(
        name=name,
        source_ip_groups=[ip_group_id],
        protocols=[AppProtocol(type="Https", port=443)],
        destination_fqdns=list(fqdns) or None,
        destination_fqdn_tags=list(fqdn_tags) or None,
    )


class FirewallPolicy(PrimaryResource, Construct):
    """Premium policy plus the node-subnet IP group and two rule collection groups (network, app)."""

    def __init__(self, scope: Construct, id: str, props: FirewallPolicyProps):
        super().__init__(scope, id)
        if not props.node_subnets:
            raise ValueError("firewall policy: at least one spoke node subnet is needed for the IP group")
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
            sku="Premium",
            threat_intelligence_mode="Deny",
            intrusion_detection=FirewallPolicyIntrusionDetection(mode="Deny"),
            dns=FirewallPolicyDns(proxy_enabled=True),
            insights=FirewallPolicyInsights(
                enabled=True,
                default_log_analytics_workspace_id=props.log_analytics_workspace_id,
                retention_in_days=props.insights_retention_days,
            ),
        )
        nodes = self.node_ip_group.id
        self.network_rules = FirewallPolicyRuleCollectionGroup(
            self,
            "NetworkRules",
            name="DefaultNetworkRuleCollectionGroup",
            priority=200,
            firewall_policy_id=self.resource.id,
            network_rule_collection=[
                NetCollection(name="org-wide-allowed", priority=100, action="Allow", rule=[
                    NetRule(name="dns", protocols=["UDP"], source_addresses=["*"],
                            destination_addresses=["*"], destination_ports=["53"]),
                ]),
                NetCollection(name="AKS-Global-Requirements", priority=200, action="Allow", rule=[
                    NetRule(name="pods-to-api-server-konnectivity", protocols=["TCP"],
                            source_ip_groups=[nodes], destination_addresses=[f"AzureCloud.{location}"],
                            destination_ports=["443"]),
                    NetRule(name="pod-to-api-server_udp-1194", protocols=["UDP"],
                            source_ip_groups=[nodes], destination_addresses=[f"AzureCloud.{location}"],
                            destination_ports=["1194"]),
                    NetRule(name="ntp", protocols=["UDP"], source_ip_groups=[nodes],
                            destination_fqdns=["ntp.ubuntu.com"], destination_ports=["123"]),
                ]),
            ],
        )
        self.application_rules = FirewallPolicyRuleCollectionGroup(
            self,
            "ApplicationRules",
            name="DefaultApplicationRuleCollectionGroup",
            priority=300,
            firewall_policy_id=self.resource.id,
            application_rule_collection=[
                AppCollection(name="AKS-Global-Requirements", priority=200, action="Allow", rule=[
                    _https("azure-monitor-addon", nodes, fqdns=(
                        "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com",
                        f"{location}.monitoring.azure.com", "*.metrics.ingest.monitor.azure.com")),
                    _https("azure-policy-addon", nodes, fqdns=(
                        "data.policy.core.windows.net", "store.policy.core.windows.net")),
                    _https("service-requirements", nodes, fqdn_tags=("AzureKubernetesService",)),
                ]),
                AppCollection(name="GitOps-Traffic", priority=300, action="Allow", rule=[
                    _https("git-origin", nodes, fqdns=props.gitops_hosts),
                    _https("flux-extension-runtime-requirements", nodes, fqdns=(
                        f"{location}.dp.kubernetesconfiguration.azure.com", "mcr.microsoft.com",
                        "raw.githubusercontent.com", "management.azure.com",
                        "login.microsoftonline.com", "*.blob.core.windows.net",
                        "azurearcfork8s.azurecr.io", "*.docker.io", "*.docker.com")),
                ]),
            ],
        )
        # Rule collection groups update the policy; serialising them avoids Azure's
        # "another operation is in progress" conflicts on the shared policy.
        self.application_rules.node.add_dependency(self.network_rules)
