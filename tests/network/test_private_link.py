"""PrivateDnsZone and PrivateEndpoint: zone links, A records, the endpoint's connection and DNS
zone group, and every validation rule."""

from __future__ import annotations

import dataclasses
import re

import pytest

from constructs_lib.network.private_dns_zone import PrivateDnsZone, PrivateDnsZoneProps
from constructs_lib.network.private_endpoint import PrivateEndpoint, PrivateEndpointProps
from tests.synth import StackJson, empty_stack, synth_construct

SPOKE = "/subscriptions/s/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
HUB = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
SUBNET = f"{SPOKE}/subnets/snet-privatelinkendpoints"
VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-x"
OTHER_ZONE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/other.zone"

ZONE = PrivateDnsZoneProps(
    name="privatelink.vaultcore.azure.net",
    resource_group_name="rg-workload",
    virtual_network_links={"spoke": SPOKE, "hub": HUB},
)
INGRESS_ZONE = PrivateDnsZoneProps(
    name="aks-ingress.contoso.com",
    resource_group_name="rg-workload",
    virtual_network_links={"spoke": SPOKE},
    a_records={"bu0001a0008-00": ["10.240.4.4"], "multi": ["10.240.4.5", "10.240.4.6"]},
)


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        zone = PrivateDnsZone(stack, "VaultZone", ZONE)
        PrivateDnsZone(stack, "IngressZone", INGRESS_ZONE)
        PrivateEndpoint(stack, "Endpoint", PrivateEndpointProps(
            name="pep-kv", location="eastus2", resource_group_name="rg-workload", subnet_id=SUBNET,
            target_resource_id=VAULT, subresource="vault",
            private_dns_zone_ids=(zone.id, OTHER_ZONE)))
    return synth_construct(build)


# --- PrivateDnsZone ------------------------------------------------------------------------------

def test_zone_links_spoke_and_hub_without_registration(out):
    zone = out.address("azurerm_private_dns_zone", "privatelink.vaultcore.azure.net")
    links = [body for body in out.resources("azurerm_private_dns_zone_virtual_network_link").values()
             if body["private_dns_zone_name"] == f"${{{zone}.name}}"]
    assert {link["virtual_network_id"] for link in links} == {SPOKE, HUB}
    assert {link["name"] for link in links} == {"link-spoke", "link-hub"}
    assert all(link["registration_enabled"] is False for link in links)
    assert all(link["resource_group_name"] == "rg-workload" for link in links)


def test_a_records_reference_the_zone_with_ttl_3600(out):
    zone = out.address("azurerm_private_dns_zone", "aks-ingress.contoso.com")
    records = {body["name"]: body for body in out.resources("azurerm_private_dns_a_record").values()}
    assert set(records) == {"bu0001a0008-00", "multi"}
    assert records["bu0001a0008-00"]["records"] == ["10.240.4.4"]
    assert records["multi"]["records"] == ["10.240.4.5", "10.240.4.6"]
    for record in records.values():
        assert record["ttl"] == 3600
        assert record["zone_name"] == f"${{{zone}.name}}"


def test_zone_without_a_records_has_none(out):
    zone = out.address("azurerm_private_dns_zone", "privatelink.vaultcore.azure.net")
    assert not [r for r in out.resources("azurerm_private_dns_a_record").values()
                if r["zone_name"] == f"${{{zone}.name}}"]


# --- PrivateEndpoint -----------------------------------------------------------------------------

def test_endpoint_sits_in_the_subnet_and_connects_automatically(out):
    endpoint = out.only("azurerm_private_endpoint")
    assert endpoint["subnet_id"] == SUBNET
    assert endpoint["location"] == "eastus2"
    connection = endpoint["private_service_connection"]
    assert connection["private_connection_resource_id"] == VAULT
    assert connection["subresource_names"] == ["vault"]
    assert connection["is_manual_connection"] is False


def test_endpoint_registers_in_the_zones_it_is_given(out):
    zone = out.address("azurerm_private_dns_zone", "privatelink.vaultcore.azure.net")
    group = out.only("azurerm_private_endpoint")["private_dns_zone_group"]
    assert group["private_dns_zone_ids"] == [f"${{{zone}.id}}", OTHER_ZONE]


# --- validation ----------------------------------------------------------------------------------

def _zone(**changes) -> None:
    PrivateDnsZone(empty_stack("v"), "Zone", dataclasses.replace(ZONE, **changes))


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "name is required"),
    ({"name": "Privatelink.AzureCR.io"}, "name must be a lowercase DNS name"),
    ({"name": "localhost"}, "at least two labels"),
    ({"resource_group_name": ""}, "resource_group_name is required"),
    ({"virtual_network_links": {}}, "virtual_network_links needs at least one VNet"),
    ({"virtual_network_links": {"spoke vnet": SPOKE}}, r"key 'spoke vnet' must be 1-75 letters"),
    ({"virtual_network_links": {"spoke": ""}}, r"virtual_network_links\[spoke\] needs a virtual network ID"),
    ({"virtual_network_links": {"spoke": SPOKE, "again": SPOKE.upper()}},
     r"virtual_network_links\[again\] links the same VNet as \[spoke\]"),
    ({"a_records": {"Bad_Name": ["10.0.0.1"]}}, "must be a relative lowercase DNS name"),
    ({"a_records": {"www.privatelink.vaultcore.azure.net": ["10.0.0.1"]}}, "must be relative to the zone"),
    ({"a_records": {"www": []}}, r"a_records\[www\] needs at least one IPv4 address"),
    ({"a_records": {"www": ["10.0.0.1", "10.0.0.1"]}}, r"a_records\[www\] lists an address twice"),
    ({"a_records": {"www": ["10.0.0.300"]}}, r"'10\.0\.0\.300' is not an IPv4 address"),
    ({"a_records": {"www": ["fd00::1"]}}, r"'fd00::1' is not an IPv4 address"),
])
def test_zone_rules(changes, message):
    with pytest.raises(ValueError, match=message):
        _zone(**changes)


def test_zone_accepts_token_addresses():
    stack = empty_stack("v")
    upstream = PrivateDnsZone(stack, "Upstream", ZONE)
    PrivateDnsZone(stack, "Zone", dataclasses.replace(
        INGRESS_ZONE, a_records={"www": [upstream.id]}))  # any unresolved token is passed through


ENDPOINT = PrivateEndpointProps(
    name="pep-kv", location="eastus2", resource_group_name="rg", subnet_id=SUBNET,
    target_resource_id=VAULT, subresource="vault", private_dns_zone_ids=(OTHER_ZONE,))


def _endpoint(**changes) -> None:
    PrivateEndpoint(empty_stack("v"), "Endpoint", dataclasses.replace(ENDPOINT, **changes))


@pytest.mark.parametrize("field_name", ["name", "location", "resource_group_name", "subnet_id",
                                        "target_resource_id"])
def test_endpoint_requires(field_name):
    with pytest.raises(ValueError, match=f"{re.escape(field_name)} is required"):
        _endpoint(**{field_name: ""})


@pytest.mark.parametrize(("changes", "message"), [
    ({"subresource": ""}, "subresource must be a group ID"),
    ({"subresource": "vault,registry"}, "subresource must be a group ID"),
    ({"private_dns_zone_ids": ()}, "private_dns_zone_ids needs at least one zone"),
    ({"private_dns_zone_ids": (OTHER_ZONE, "")}, "private_dns_zone_ids contains an empty ID"),
    ({"private_dns_zone_ids": (OTHER_ZONE, OTHER_ZONE)}, "private_dns_zone_ids lists a zone twice"),
])
def test_endpoint_rules(changes, message):
    with pytest.raises(ValueError, match=message):
        _endpoint(**changes)
