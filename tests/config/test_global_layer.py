"""The global layer's settings (issue 11): Front Door on by default with more than one region, its
probe and origin settings, the load-time refusal of Front Door with a self-signed listener
certificate, the public DNS zone, the shared registry's replicas, and the stack plan.

Pure configuration: nothing here imports cdktf.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

import pytest

from constructs_lib.config.loader import ConfigError
from constructs_lib.config.resource_names import EnvironmentNames, RegionNames
from constructs_lib.config.stack_plan import stack_plan
from tests.envfiles import (
    PUBLIC_CA,
    base_env,
    load,
    refused,
    set_path,
    two_regions,
    two_regions_default,
    two_regions_public_ca,
)


def test_front_door_is_on_by_default_with_more_than_one_region_and_off_with_one(tmp_path):
    assert load(tmp_path, two_regions_public_ca()).front_door_enabled is True
    single = base_env()
    single.pop("front_door", None)
    assert load(tmp_path, single).front_door_enabled is False


def test_front_door_can_be_chosen_for_one_region_and_turned_off_for_several(tmp_path):
    single = set_path(set_path(base_env(), "front_door", {"enabled": True}), "ingress.certificate_issuer", PUBLIC_CA)
    assert load(tmp_path, single).front_door_enabled is True
    assert load(tmp_path, set_path(two_regions(), "front_door", {"enabled": False})).front_door_enabled is False


@pytest.mark.parametrize("data", [
    two_regions_default(),  # Front Door by default, dev's listener issuer Self
    set_path(base_env(), "front_door", {"enabled": True}),
], ids=["two-regions-default", "one-region-enabled"])
def test_front_door_with_a_self_signed_listener_certificate_is_refused_at_load(tmp_path, data):
    message = refused(tmp_path, data).render()
    assert "ingress.certificate_issuer: Front Door is on, and it refuses origins whose certificate is self-signed" in message
    # It says what to configure, in words, with an example, and never shows a pattern.
    assert "name of a Key Vault certificate issuer for a public CA (for example DigiCert" in message
    assert "front_door.enabled: false" in message
    assert "^" not in message and "pydantic" not in message.lower()


def test_defaults_are_active_active_with_the_documented_probe(tmp_path):
    env = load(tmp_path, two_regions_public_ca())
    assert [(r.origin.enabled, r.origin.priority, r.origin.weight) for r in env.regions] == [(True, 1, 500)] * 2
    probe = env.front_door.health_probe
    assert (probe.path, probe.interval_seconds, probe.sample_size, probe.successful_samples_required) == (
        "/favicon.ico", 30, 4, 3)
    assert env.front_door.public_dns_zone is None


@pytest.mark.parametrize(("path", "value", "message"), [
    ("front_door.health_probe.successful_samples_required", 5,
     r"front_door\.health_probe\.successful_samples_required: 5 is more than sample_size \(4\)"),
    ("front_door.health_probe.interval_seconds", 0,
     r"front_door\.health_probe\.interval_seconds: 0 is below the minimum of 1"),
    ("front_door.health_probe.path", "favicon.ico", r"front_door\.health_probe\.path: .*"),
    ("regions[1].origin.priority", 6, r"regions\[1\]\.origin\.priority: 6 is above the maximum of 5"),
    ("regions[0].origin.weight", 0, r"regions\[0\]\.origin\.weight: 0 is below the minimum of 1"),
    ("front_door.public_dns_zone", {"name": "fabrikam.com", "resource_group_name": "rg-dns"},
     r"front_door\.public_dns_zone\.name: fabrikam\.com does not contain the public host bicycle-dev\.contoso\.com"),
    ("front_door.public_dns_zone", {"name": "bicycle-dev.contoso.com", "resource_group_name": "rg-dns"},
     r"front_door\.public_dns_zone\.name: bicycle-dev\.contoso\.com is the zone apex"),
])
def test_front_door_settings_are_checked(tmp_path, path, value, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(two_regions_public_ca(), path, value))


def test_every_origin_disabled_is_refused_and_one_is_fine(tmp_path):
    data = two_regions_public_ca()
    set_path(data, "regions[0].origin", {"enabled": False})
    env = load(tmp_path, data)  # one region out for maintenance
    assert [r.origin.enabled for r in env.regions] == [False, True]
    set_path(data, "regions[1].origin", {"enabled": False})
    with pytest.raises(ConfigError, match=r"origin\.enabled: every region's origin is disabled \(eastus2, centralus\)"):
        load(tmp_path, data)


def test_active_passive_is_a_priority_per_region(tmp_path):
    env = load(tmp_path, set_path(two_regions_public_ca(), "regions[1].origin", {"priority": 2}))
    assert [r.origin.priority for r in env.regions] == [1, 2]


def test_shared_registry_replicates_to_every_other_region_or_the_pair(tmp_path):
    assert load(tmp_path, two_regions_public_ca()).registry_replicas() == ["centralus"]
    dev = load(tmp_path, base_env())
    assert dev.registry_replicas() == [] and dev.replica_regions(dev.registry_home) == ["centralus"], \
        "dev turns replication off (cost); its pair would be its paired_region"
    three = two_regions_public_ca()
    third = {**three["regions"][1], "name": "westus3"}
    third["hub"] = {"address_space": "10.202.0.0/24", "subnets": {
        "firewall": "10.202.0.0/26", "gateway": "10.202.0.64/27", "bastion": "10.202.0.128/26"}}
    third["spoke"] = {"address_space": "10.242.0.0/16", "subnets": {
        "nodes": "10.242.0.0/22", "ingress": "10.242.4.0/28", "private_endpoints": "10.242.4.32/28",
        "app_gateway": "10.242.5.0/24", "api_server": "10.242.7.0/28"}, "ingress_load_balancer_ip": "10.242.4.4"}
    three["regions"].append(third)
    env = load(tmp_path, three)
    assert env.registry_home == "eastus2" and env.registry_replicas() == ["centralus", "westus3"]
    with pytest.raises(ConfigError, match=r"container_registry\.geo_replication: this environment runs clusters in "
                                          r"eastus2, centralus; without replicas .* keep geo_replication: true"):
        load(tmp_path, set_path(two_regions_public_ca(), "container_registry.geo_replication", False))


def test_environment_level_names_are_shared_and_new(tmp_path):
    env = load(tmp_path, two_regions_public_ca())
    names = EnvironmentNames.of(env)
    assert names.resource_group == "rg-bu0001a0008-global-dev"
    assert names.front_door_firewall_policy.isalnum()
    assert names.container_registry.startswith("crbu0001a0008shareddev")
    labels = {r.name: RegionNames.of(env, r).spoke.app_gateway_dns_label for r in env.regions}
    assert len(set(labels.values())) == 2
    assert RegionNames.of(env, env.regions[1]).spoke.app_gateway_fqdn("centralus") == (
        f"{labels['centralus']}.centralus.cloudapp.azure.com")


def test_plan_puts_the_global_layer_first_and_routing_after_every_workload(tmp_path):
    env = load(tmp_path, two_regions_public_ca())
    plan = {p.name: p for p in stack_plan(env)}
    names = [name for name in plan if name != "dev-bootstrap"]
    assert (names[0], names[-1]) == ("dev-global", "dev-routing")
    assert plan["dev-global"].depends_on == () and plan["dev-global"].region is None
    assert plan["dev-routing"].depends_on == ("dev-centralus-workload", "dev-eastus2-workload", "dev-global")
    assert plan["dev-eastus2-cluster"].depends_on == ("dev-eastus2-spoke", "dev-global")
    order = list(TopologicalSorter({n: set(p.depends_on) for n, p in plan.items()}).static_order())
    assert order.index("dev-global") < order.index("dev-centralus-cluster") < order.index("dev-routing")


def test_plan_without_front_door_has_no_routing_stack(tmp_path):
    plan = [p.name for p in stack_plan(load(tmp_path, base_env()))]
    assert plan == ["dev-bootstrap", "dev-global", "dev-eastus2-hub", "dev-eastus2-spoke", "dev-eastus2-cluster",
                    "dev-eastus2-workload"]
