"""A network security group, its rules, its subnet association and its diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.network_security_group import NetworkSecurityGroup
from cdktf_cdktf_provider_azurerm.network_security_rule import NetworkSecurityRule
from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import (
    SubnetNetworkSecurityGroupAssociation,
)
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource


@dataclass(frozen=True)
class SecurityRule:
    """One NSG rule; `ports` and the address fields accept one value or several."""

    name: str
    priority: int
    direction: str
    """Inbound or Outbound."""
    access: str
    """Allow or Deny."""
    protocol: str
    """Tcp, Udp, Icmp or * ."""
    source: tuple[str, ...]
    destination: tuple[str, ...]
    ports: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 100 <= self.priority <= 4096:
            raise ValueError(f"rule {self.name}: priority {self.priority} is outside 100-4096")
        if self.direction not in ("Inbound", "Outbound") or self.access not in ("Allow", "Deny"):
            raise ValueError(f"rule {self.name}: direction/access {self.direction}/{self.access} invalid")


def deny_all(direction: str) -> SecurityRule:
    """The closing rule of a least-privilege NSG (priority 1000, as in the reference)."""
    return SecurityRule(f"DenyAll{direction}", 1000, direction, "Deny", "*", ("*",), ("*",), ("*",))


@dataclass(frozen=True)
class SubnetSecurityGroupProps:
    """Inputs of an NSG bound to one subnet."""

    name: str
    location: str
    resource_group_name: str
    subnet_id: str
    log_analytics_workspace_id: str
    rules: tuple[SecurityRule, ...] = field(default_factory=tuple)
    """Rules on top of Azure's default rules. Empty keeps only the defaults (reference: node,
    ingress and API-server subnets)."""


def _one_or_many(values: tuple[str, ...]) -> dict[str, object]:
    return {"single": values[0], "many": None} if len(values) == 1 else {"single": None, "many": list(values)}


class SubnetSecurityGroup(PrimaryResource, Construct):
    """NSG with explicit rules (`azurerm_network_security_rule`), associated with its subnet."""

    def __init__(self, scope: Construct, id: str, props: SubnetSecurityGroupProps):
        super().__init__(scope, id)
        names = [rule.name for rule in props.rules]
        priorities = [(rule.direction, rule.priority) for rule in props.rules]
        if len(set(names)) != len(names) or len(set(priorities)) != len(priorities):
            raise ValueError(f"{props.name}: rule names and (direction, priority) pairs must be unique")
        self.resource = NetworkSecurityGroup(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
        )
        for rule in props.rules:
            source, destination, ports = (_one_or_many(rule.source), _one_or_many(rule.destination),
                                          _one_or_many(rule.ports))
            NetworkSecurityRule(
                self,
                f"Rule-{rule.name}",
                name=rule.name,
                priority=rule.priority,
                direction=rule.direction,
                access=rule.access,
                protocol=rule.protocol,
                source_port_range="*",
                source_address_prefix=source["single"],
                source_address_prefixes=source["many"],
                destination_address_prefix=destination["single"],
                destination_address_prefixes=destination["many"],
                destination_port_range=ports["single"],
                destination_port_ranges=ports["many"],
                resource_group_name=props.resource_group_name,
                network_security_group_name=self.resource.name,
            )
        self.association = SubnetNetworkSecurityGroupAssociation(
            self, "Association", subnet_id=props.subnet_id, network_security_group_id=self.resource.id)
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))
