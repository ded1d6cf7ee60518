"""Bastion: Standard with tunnelling (how `az aks bastion` reaches the private API server), the
NSG Azure documents for its subnet, created before the host, and its public IP."""

from __future__ import annotations

import pytest

from constructs_lib.network.bastion import BASTION_RULES, Bastion, BastionProps
from tests.synth import StackJson, synth_construct

SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/AzureBastionSubnet"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"


@pytest.fixture(scope="module")
def out() -> StackJson:
    return synth_construct(lambda stack: Bastion(stack, "Bastion", BastionProps(
        name="bas", nsg_name="nsg-bas", public_ip_name="pip-bas", location="eastus2", resource_group_name="rg",
        subnet_id=SUBNET, log_analytics_workspace_id=WORKSPACE, zones=("1", "2"))))


def test_standard_with_tunnelling_on_its_subnet_and_ip(out):
    host = out.only("azurerm_bastion_host")
    assert (host["sku"], host["tunneling_enabled"]) == ("Standard", True)
    assert host["ip_configuration"] == {"name": "hub-subnet", "subnet_id": SUBNET,
                                        "public_ip_address_id": out.ref("azurerm_public_ip")}
    assert out.only("azurerm_public_ip")["zones"] == ["1", "2"]


def test_the_documented_nsg_is_associated_before_the_host(out):
    association = out.ref("azurerm_subnet_network_security_group_association").removeprefix("${").removesuffix(".id}")
    assert out.only("azurerm_bastion_host")["depends_on"] == [association]
    assert out.only("azurerm_subnet_network_security_group_association")["subnet_id"] == SUBNET
    rules = {r["name"]: r for r in out.resources("azurerm_network_security_rule").values()}
    assert set(rules) == {rule.name for rule in BASTION_RULES}
    assert rules["AllowControlPlaneInbound"]["source_address_prefix"] == "GatewayManager"
    assert rules["AllowControlPlaneOutbound"]["destination_address_prefix"] == "AzureCloud"
    assert rules["AllowBastionHostToHostInbound"]["destination_port_ranges"] == ["8080", "5701"]
    assert {(r["direction"], r["access"]) for r in rules.values() if r["priority"] == 1000} == {
        ("Inbound", "Deny"), ("Outbound", "Deny")}


def test_host_nsg_and_ip_are_observed(out):
    targets = {s["target_resource_id"] for s in out.resources("azurerm_monitor_diagnostic_setting").values()}
    assert targets == {out.ref("azurerm_bastion_host"), out.ref("azurerm_network_security_group"),
                       out.ref("azurerm_public_ip")}
