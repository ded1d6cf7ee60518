"""Azure names: CAF prefixes, Azure's length/charset rules, deterministic unique suffixes."""

from __future__ import annotations

import pytest

from constructs_lib.config.naming import Naming, NamingError


def test_caf_prefixes():
    naming = Naming("prod", "bu0001a0008", "eastus2")
    assert naming.name("resource_group", "hub") == "rg-hub-prod-eastus2"
    assert naming.name("firewall", "hub") == "afw-hub-prod-eastus2"
    assert naming.name("firewall_policy", "hub") == "afwp-hub-prod-eastus2"
    assert naming.name("kubernetes_cluster", "bu0001a0008") == "aks-bu0001a0008-prod-eastus2"


def test_unique_names_fit_and_are_deterministic():
    naming = Naming("prod", "bu0001a0008", "germanywestcentral")
    vault = naming.unique_name("key_vault")
    registry = naming.unique_name("container_registry")
    assert len(vault) <= 24 and vault.startswith("kv-")
    assert registry.isalnum() and registry.islower() and registry.startswith("cr")
    assert vault == Naming("prod", "bu0001a0008", "germanywestcentral").unique_name("key_vault")
    assert vault != Naming("dev", "bu0001a0008", "germanywestcentral").unique_name("key_vault")


def test_names_breaking_azure_rules_are_refused():
    naming = Naming("prod", "bu0001a0008", "eastus2")
    with pytest.raises(NamingError, match=r"firewall name .* at most 56 characters"):
        naming.name("firewall", "x" * 40)
    with pytest.raises(NamingError, match=r"virtual_network name 'vnet-a b-prod-eastus2' breaks Azure's rule"):
        naming.name("virtual_network", "a b")
