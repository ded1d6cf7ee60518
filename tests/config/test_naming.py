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


def test_globally_unique_names_differ_between_subscriptions_and_stay_stable(tmp_path):
    """Two adopters who keep every example name but deploy to different subscriptions get
    different registry and vault names; the same file always gives the same names."""
    from constructs_lib.config.resource_names import RegionNames
    from tests.envfiles import base_env, load, set_path

    first = load(tmp_path, set_path(base_env(), "subscription_id", "11111111-1111-1111-1111-111111111111"))
    second = load(tmp_path, set_path(base_env(), "subscription_id", "22222222-2222-2222-2222-222222222222"))
    again = load(tmp_path, set_path(base_env(), "subscription_id", "11111111-1111-1111-1111-111111111111"))
    a, b, c = (RegionNames.of(env, "eastus2").cluster for env in (first, second, again))
    assert a.container_registry != b.container_registry and a.key_vault != b.key_vault
    assert (a.container_registry, a.key_vault) == (c.container_registry, c.key_vault)
    assert a.cluster == b.cluster, "only globally unique names carry the hash"
    suffixed = load(tmp_path, set_path(set_path(base_env(), "subscription_id", None), "name_suffix", "fabrikam"))
    assert RegionNames.of(suffixed, "eastus2").cluster.key_vault not in (a.key_vault, b.key_vault)


def test_without_subscription_a_name_suffix_is_required(tmp_path):
    from constructs_lib.config.loader import ConfigError
    from tests.envfiles import base_env, load, set_path

    with pytest.raises(ConfigError, match=r"subscription_id: globally unique names .* set subscription_id, or "
                                          r"name_suffix"):
        load(tmp_path, set_path(base_env(), "subscription_id", None))
