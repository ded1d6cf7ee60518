"""A network security group, its rules, its subnet association and its diagnostics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.network_security_group import NetworkSecurityGroup
from cdktf_cdktf_provider_azurerm.network_security_rule import NetworkSecurityRule
from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import (
    SubnetNetworkSecurityGroupAssociation,
)
from constructs import Construct

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.primary_resource import PrimaryResource

RULE_PRIORITY = (100, 4096)
"""Azure's priority range for NSG rules (lower numbers are evaluated first)."""
DIRECTIONS = ("Inbound", "Outbound")
ACCESSES = ("Allow", "Deny")
PROTOCOLS = ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*")
_RULE_NAME = re.compile(r"^[A-Za-z0-9]([-\w.]{0,78}\w)?$")
_PORT = re.compile(r"^(\*|\d{1,5}(-\d{1,5})?)$")


@dataclass(frozen=True)
class SecurityRule:
    """One NSG rule; `source`, `destination` and `ports` take one value or several.

    Raises ValueError for a name Azure refuses, a priority outside 100-4096, an unknown
    direction, access or protocol, an empty address or port list, or a port outside 1-65535.
    """

    name: str
    """Rule name, unique within the NSG: 1-80 letters, digits and -_., e.g. `Allow443Inbound`."""
    priority: int
    """100-4096, unique per direction within the NSG; lower is evaluated first."""
    direction: str
    """`Inbound` or `Outbound`."""
    access: str
    """`Allow` or `Deny`."""
    protocol: str
    """`Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`."""
    source: tuple[str, ...]
    """Source prefixes: CIDRs, service tags (`Internet`, `GatewayManager`, ...) or `*`."""
    destination: tuple[str, ...]
    """Destination prefixes, as `source`."""
    ports: tuple[str, ...]
    """Destination ports or ranges (`443`, `65200-65535`) or `*`."""

    def __post_init__(self) -> None:
        where = f"rule {self.name}"
        if not _RULE_NAME.match(self.name):
            raise ValueError(f"{where}: the name must be 1-80 letters, digits and -_., starting with a "
                             "letter or digit")
        low, high = RULE_PRIORITY
        if not low <= self.priority <= high:
            raise ValueError(f"{where}: priority {self.priority} is outside {low}-{high}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{where}: direction {self.direction!r} must be one of {', '.join(DIRECTIONS)}")
        if self.access not in ACCESSES:
            raise ValueError(f"{where}: access {self.access!r} must be one of {', '.join(ACCESSES)}")
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"{where}: protocol {self.protocol!r} must be one of {', '.join(PROTOCOLS)}")
        for field_name in ("source", "destination", "ports"):
            if not getattr(self, field_name):
                raise ValueError(f"{where}: {field_name} needs at least one value (`*` for any)")
        for port in self.ports:
            numbers = [int(n) for n in port.split("-")] if _PORT.match(port) and port != "*" else []
            if not _PORT.match(port) or any(not 1 <= n <= 65535 for n in numbers) or numbers != sorted(numbers):
                raise ValueError(f"{where}: port {port!r} must be `*`, a port 1-65535 or a range such as 65200-65535")


def deny_all(direction: str) -> SecurityRule:
    """The closing rule of a least-privilege NSG (priority 1000, as in the reference)."""
    return SecurityRule(f"DenyAll{direction}", 1000, direction, "Deny", "*", ("*",), ("*",), ("*",))


@dataclass(frozen=True)
class SubnetSecurityGroupProps:
    """Inputs of an NSG bound to one subnet."""

    name: str
    """Azure name of the NSG (CAF prefix `nsg-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the NSG and its rules."""
    subnet_id: str
    """The subnet the NSG is associated with."""
    log_analytics_workspace_id: str
    """Workspace receiving the NSG's events and rule counters."""
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
        if len(set(names)) != len(names):
            raise ValueError(f"{props.name}: rule names must be unique; repeated: "
                             f"{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
        if len(set(priorities)) != len(priorities):
            clash = sorted({f"{d} {p}" for d, p in priorities if priorities.count((d, p)) > 1})
            raise ValueError(f"{props.name}: two rules share a direction and priority ({', '.join(clash)}); "
                             "Azure evaluates one rule per priority")
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
