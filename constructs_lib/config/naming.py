"""Azure resource names, from one place, following the Cloud Adoption Framework abbreviations.

Every name is checked against the resource's length and character rules when it is made, so a
long workload or region name fails at config time with the rule, never at `terraform apply`.
Globally unique names (registry, key vault, storage) get a deterministic suffix derived from the
environment, workload, region and the environment's name scope (its target subscription and/or an
explicit `name_suffix`), so two synths give the same name, two environments never collide, and two
adopters who keep the example's workload and environment names do not either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from constructs_lib.config.patterns import KEY_VAULT_NAME, KUBERNETES_CLUSTER_NAME, RESOURCE_GROUP_NAME, Pattern
from constructs_lib.config.regions import REGION_SHORT_CODES


@dataclass(frozen=True)
class NameRule:
    """Azure's constraint on one resource type's name."""

    prefix: str
    max_length: int
    pattern: str | Pattern
    """The anchored regular expression, or the shared `config.patterns` Pattern where the model
    checks user-given names of the same type (one definition of the rule)."""
    description: str
    separator: str = "-"

    @property
    def regex(self) -> str:
        return self.pattern.regex if isinstance(self.pattern, Pattern) else self.pattern

    def matches(self, name: str) -> bool:
        """Whether `name` keeps the rule: at most `max_length` characters, all of them matching."""
        return len(name) <= self.max_length and re.fullmatch(self.regex, name) is not None


RULES: dict[str, NameRule] = {
    "resource_group": NameRule("rg", 90, RESOURCE_GROUP_NAME, "letters, digits, -_.() not ending in ."),
    "virtual_network": NameRule("vnet", 64, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "network_security_group": NameRule("nsg", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "route_table": NameRule("rt", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "public_ip": NameRule("pip", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "firewall": NameRule("afw", 56, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "firewall_policy": NameRule("afwp", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "ip_group": NameRule("ipg", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "bastion": NameRule("bas", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "log_analytics": NameRule("log", 63, r"^[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]$", "letters, digits, -"),
    "application_gateway": NameRule("agw", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "waf_policy": NameRule("waf", 128, r"^[A-Za-z0-9]+$", "letters and digits", separator=""),
    "kubernetes_cluster": NameRule("aks", 63, KUBERNETES_CLUSTER_NAME, "letters, digits, -_"),
    "container_registry": NameRule("cr", 50, r"^[a-z0-9]{5,50}$", "5-50 lowercase letters and digits", separator=""),
    "key_vault": NameRule("kv", 24, KEY_VAULT_NAME, "3-24 letters, digits and -, starting with a letter"),
    "managed_identity": NameRule("id", 128, r"^[A-Za-z0-9][-_A-Za-z0-9]*$", "letters, digits, -_"),
    "private_endpoint": NameRule("pep", 80, r"^\w[-\w.]*\w$", "letters, digits, -_."),
    "action_group": NameRule("ag", 260, r"^[^<>*%&:\\?/+]+$", "no <>*%&:\\?/+"),
    "budget": NameRule("budget", 63, r"^[-_A-Za-z0-9]+$", "letters, digits, -_"),
    "monitor_workspace": NameRule("amw", 44, r"^[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]$", "letters, digits, -"),
    "data_collection_rule": NameRule("dcr", 64, r"^[-_A-Za-z0-9]+$", "letters, digits, -_"),
    "data_collection_endpoint": NameRule("dce", 44, r"^[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]$", "letters, digits, -"),
    # Azure Front Door Standard/Premium (terraform-provider-azurerm validate/front_door_name.go and
    # validate/front_door_firewall_policy_name.go).
    "front_door_profile": NameRule("afd", 90, r"^[A-Za-z0-9][-A-Za-z0-9]{0,88}[A-Za-z0-9]$", "letters, digits, -"),
    "front_door_endpoint": NameRule("fde", 46, r"^[A-Za-z0-9][-A-Za-z0-9]{0,44}[A-Za-z0-9]$", "letters, digits, -"),
    "front_door_firewall_policy": NameRule("fdfp", 128, r"^[A-Za-z][A-Za-z0-9]{0,127}$",
                                           "letters and digits, starting with a letter", separator=""),
    # A public IP's DNS label: unique per region across Azure, so it takes the deterministic suffix
    # (azurerm validate/public_ip.go).
    "public_ip_dns_label": NameRule("agw", 63, r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$",
                                    "3-63 lowercase letters, digits and -, starting with a letter"),
    "logic_app": NameRule("logic", 80, r"^[-\w.()]*[-\w()]$", "letters, digits, -_.()"),
}


class NamingError(ValueError):
    """A derived name breaks the Azure rule of its resource type."""


def _suffix(*identity: str, length: int = 5) -> str:
    digest = hashlib.sha256("/".join(identity).encode()).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Naming:
    """Names for the resources of one environment, workload and region."""

    environment: str
    workload: str
    region: str
    scope: str = ""
    """Part of every globally unique name's hash that tells adopters apart: the target subscription
    ID and/or the environment's `name_suffix` (`Environment.name_scope`)."""

    @property
    def region_code(self) -> str:
        return REGION_SHORT_CODES[self.region]

    def name(self, kind: str, *qualifiers: str) -> str:
        """`<prefix>-<qualifiers...>-<env>-<region>`, checked against the type's rule."""
        rule = RULES[kind]
        parts = [rule.prefix, *qualifiers, self.environment, self.region]
        return self._checked(kind, rule.separator.join(p for p in parts if p))

    def unique_name(self, kind: str, qualifier: str = "") -> str:
        """A globally unique name: readable part, then a deterministic 5-character suffix.

        The readable part is shortened (never the suffix) when it would break the length rule.
        """
        rule = RULES[kind]
        identity = (self.environment, self.workload, self.region, kind, qualifier)
        suffix = _suffix(*identity, self.scope) if self.scope else _suffix(*identity)
        readable = [rule.prefix, qualifier or self.workload, self.environment, self.region_code]
        separator = rule.separator
        budget = rule.max_length - len(suffix) - len(separator)
        head = separator.join(p for p in readable if p)[:budget].rstrip("-")
        return self._checked(kind, f"{head}{separator}{suffix}")

    def _checked(self, kind: str, name: str) -> str:
        rule = RULES[kind]
        if not rule.matches(name):
            raise NamingError(
                f"{kind} name {name!r} breaks Azure's rule: at most {rule.max_length} characters, "
                f"{rule.description} ({len(name)} characters); shorten workload or environment name"
            )
        return name
