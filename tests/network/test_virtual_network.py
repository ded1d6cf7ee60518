"""VirtualNetwork construct rules that the stacks do not exercise."""

from __future__ import annotations

import ipaddress

import pytest

from constructs_lib.network.virtual_network import SubnetSpec

NET = ipaddress.IPv4Network("10.0.0.0/24")


def test_only_known_delegations():
    with pytest.raises(ValueError, match=r"subnet api: delegation 'Microsoft.Web/serverFarms' is not one of"):
        SubnetSpec("api", "snet-api", NET, delegation="Microsoft.Web/serverFarms")


def test_private_endpoint_policy_values():
    with pytest.raises(ValueError, match=r"subnet pe: private_endpoint_network_policies must be one of"):
        SubnetSpec("pe", "snet-pe", NET, private_endpoint_network_policies="On")
