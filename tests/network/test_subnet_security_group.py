"""SubnetSecurityGroup and SecurityRule: rules as separate resources, the subnet association,
diagnostics, and every rule the props refuse."""

from __future__ import annotations

import pytest

from constructs_lib.network.subnet_security_group import (
    SecurityRule,
    SubnetSecurityGroup,
    SubnetSecurityGroupProps,
    deny_all,
)
from tests.synth import StackJson, empty_stack, synth_construct

SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-a"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"
HTTPS = SecurityRule("Allow443Inbound", 100, "Inbound", "Allow", "Tcp", ("Internet",), ("VirtualNetwork",), ("443",))
MANY = SecurityRule("AllowMany", 110, "Inbound", "Allow", "*", ("10.0.0.0/24", "10.0.1.0/24"), ("*",),
                    ("8080", "5701"))


def props(**changes) -> SubnetSecurityGroupProps:
    base = {"name": "nsg-a", "location": "eastus2", "resource_group_name": "rg", "subnet_id": SUBNET,
            "log_analytics_workspace_id": WORKSPACE, "rules": (HTTPS, MANY, deny_all("Inbound"))}
    return SubnetSecurityGroupProps(**{**base, **changes})


@pytest.fixture(scope="module")
def out() -> StackJson:
    return synth_construct(lambda stack: SubnetSecurityGroup(stack, "Nsg", props()))


def test_rules_are_separate_resources_on_the_group(out):
    group_name = out.ref("azurerm_network_security_group", "name")
    rules = {r["name"]: r for r in out.resources("azurerm_network_security_rule").values()}
    assert set(rules) == {"Allow443Inbound", "AllowMany", "DenyAllInbound"}
    assert all(r["network_security_group_name"] == group_name for r in rules.values())
    assert "security_rule" not in out.only("azurerm_network_security_group")


def test_one_value_uses_the_singular_attribute_several_the_plural(out):
    rules = {r["name"]: r for r in out.resources("azurerm_network_security_rule").values()}
    https = rules["Allow443Inbound"]
    assert (https["source_address_prefix"], https["destination_port_range"]) == ("Internet", "443")
    assert "source_address_prefixes" not in https and "destination_port_ranges" not in https
    many = rules["AllowMany"]
    assert many["source_address_prefixes"] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert many["destination_port_ranges"] == ["8080", "5701"]
    assert "source_address_prefix" not in many


def test_deny_all_closes_the_direction_at_priority_1000(out):
    deny = next(r for r in out.resources("azurerm_network_security_rule").values() if r["name"] == "DenyAllInbound")
    assert (deny["access"], deny["priority"], deny["direction"], deny["protocol"]) == ("Deny", 1000, "Inbound", "*")


def test_associated_with_its_subnet_and_observed(out):
    association = out.only("azurerm_subnet_network_security_group_association")
    assert association == {**association, "subnet_id": SUBNET,
                           "network_security_group_id": out.ref("azurerm_network_security_group")}
    diagnostics = out.only("azurerm_monitor_diagnostic_setting")
    assert diagnostics["target_resource_id"] == out.ref("azurerm_network_security_group")
    assert [log["category"] for log in diagnostics["enabled_log"]] == [
        "NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter"]


def rule(**changes) -> SecurityRule:
    base = {"name": "R", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "source": ("*",), "destination": ("*",), "ports": ("443",)}
    return SecurityRule(**{**base, **changes})


@pytest.mark.parametrize("changes, message", [
    ({"name": "has space"}, r"rule has space: the name must be 1-80"),
    ({"priority": 99}, r"rule R: priority 99 is outside 100-4096"),
    ({"priority": 4097}, r"priority 4097 is outside 100-4096"),
    ({"direction": "inbound"}, r"direction 'inbound' must be one of Inbound, Outbound"),
    ({"access": "Block"}, r"access 'Block' must be one of Allow, Deny"),
    ({"protocol": "TCP"}, r"protocol 'TCP' must be one of Tcp, Udp, Icmp, Esp, Ah, \*"),
    ({"source": ()}, r"source needs at least one value"),
    ({"destination": ()}, r"destination needs at least one value"),
    ({"ports": ()}, r"ports needs at least one value"),
    ({"ports": ("0",)}, r"port '0' must be `\*`, a port 1-65535"),
    ({"ports": ("65536",)}, r"port '65536'"),
    ({"ports": ("200-100",)}, r"port '200-100'"),
    ({"ports": ("https",)}, r"port 'https'"),
])
def test_rule_fields_are_checked(changes, message):
    with pytest.raises(ValueError, match=message):
        rule(**changes)


def test_rule_names_are_unique_in_a_group():
    with pytest.raises(ValueError, match=r"nsg-a: rule names must be unique; repeated: R"):
        SubnetSecurityGroup(empty_stack(), "Nsg", props(rules=(rule(), rule(priority=200))))


def test_one_rule_per_direction_and_priority():
    with pytest.raises(ValueError, match=r"two rules share a direction and priority \(Inbound 100\)"):
        SubnetSecurityGroup(empty_stack(), "Nsg", props(rules=(rule(), rule(name="S"))))
    SubnetSecurityGroup(empty_stack(), "Nsg", props(rules=(rule(), rule(name="S", direction="Outbound"))))
