"""Cost levers of the environment file (README "Cost"): each validated with what it affects, with a
plain-word message that names the field and gives a valid example. Pure configuration: no cdktf."""

from __future__ import annotations

import uuid

import pytest

from constructs_lib.config.address_plan import node_subnet_demand
from constructs_lib.config.loader import ConfigError
from constructs_lib.config.roles import (
    START_STOP_ACTIONS,
    start_stop_role_definition_id,
    start_stop_role_name,
)
from tests.envfiles import base_env, env_named, load, reference_env, refused, set_path


def production() -> dict:
    """The reference profile (dev's file without its cost settings): a production environment."""
    return reference_env()


def non_production() -> dict:
    return set_path(reference_env(), "environment_type", "non-production")


def test_environment_type_defaults_to_production_and_shipped_files_say_what_they_are(tmp_path, environments):
    assert load(tmp_path, reference_env()).environment_type == "production"
    kinds = {env.name: env.environment_type for env in environments}
    assert (kinds["dev"], kinds["prod"]) == ("non-production", "production")


def test_the_shipped_dev_file_is_the_cheap_profile(tmp_path):
    env = load(tmp_path, base_env())
    assert env.environment_type == "non-production"
    assert (env.cluster.sku_tier, env.hub.firewall_sku, env.hub.bastion_sku) == ("Free", "Standard", "Standard")
    assert (env.cluster.system_pool.min_count, env.cluster.user_pool.min_count) == (2, 2)
    assert env.cluster.spot_pool is not None and env.cluster.spot_pool.min_count == 0
    assert env.app_gateway.max_capacity == 2
    assert (env.hub.log_retention_days, env.monitoring.retention_days) == (30, 30)


def test_the_shipped_prod_file_stays_at_the_reference(environments):
    prod = env_named(environments, "prod")
    assert prod.environment_type == "production"
    assert (prod.cluster.sku_tier, prod.hub.firewall_sku, prod.hub.bastion_sku) == ("Standard", "Premium", "Standard")
    assert (prod.cluster.system_pool.min_count, prod.cluster.user_pool.min_count) == (3, 2)
    assert prod.cluster.spot_pool is None and prod.cluster.stop_schedule is None
    assert all(region.zones == ("1", "2", "3") for region in prod.regions)


@pytest.mark.parametrize(("data", "path", "value", "message"), [
    (production, "environment_type", "staging",
     r"environment_type: 'staging' must be production or non-production, e\.g\. environment_type: non-production"),
    (production, "cluster.sku_tier", "Free",
     r"cluster\.sku_tier: Free has no financially backed uptime SLA, so it is only allowed for an environment "
     r"marked non-production; keep sku_tier: Standard"),
    (production, "cluster.spot_pool", {},
     r"cluster\.spot_pool: Spot nodes can be evicted at any time .* only allowed for an environment marked "
     r"non-production"),
    (non_production, "cluster.spot_pool", {"name": "npuser01"},
     r"cluster\.spot_pool\.name: 'npuser01' is already user_pool's name; e\.g\. name: npspot01$"),
    (non_production, "cluster.spot_pool", {"name": "npsystemtmp"},
     r"cluster\.spot_pool\.name: 'npsystemtmp' is the name system_pool's temporary stand-in gets while 'npsystem' "
     r"is rotated \(<first 9 characters>tmp\), so both would exist at once; e\.g\. name: npspot01$"),
    (non_production, "cluster.spot_pool", {"name": "abcdefghitmp"},
     r"cluster\.spot_pool\.name: 'abcdefghitmp' is the name its own temporary stand-in would get during a rotation "
     r"\(<first 9 characters>tmp\), so the pool could never be rotated; e\.g\. name: npspot01$"),
    (production, "hub.firewall_sku", "Basic",
     r"hub\.firewall_sku: Basic has no DNS proxy, and the spoke resolves every name through the firewall's DNS proxy"),
    (production, "hub.firewall_sku", "Gold", r"hub\.firewall_sku: 'Gold' must be Standard or Premium"),
    (production, "hub.bastion_sku", "Basic",
     r"hub\.bastion_sku: Basic cannot tunnel a native client .* use bastion_sku: Standard, or bastion_sku: none"),
    (production, "hub.bastion_sku", "Developer", r"hub\.bastion_sku: Developer cannot tunnel a native client"),
    (production, "regions[0].zones", ["1"],
     r"zones: production region eastus2 uses 1 availability zone; production spreads over at least two"),
    (production, "cluster.system_pool.min_count", 0, r"cluster\.system_pool\.min_count: 0 is below the minimum of 1"),
    (production, "cluster.user_pool.min_count", -1, r"cluster\.user_pool\.min_count: -1 is below the minimum of 0"),
    (production, "hub.log_retention_days", 29, r"hub\.log_retention_days: 29 is below the minimum of 30"),
    (production, "monitoring.retention_days", 731, r"monitoring\.retention_days: 731 is above the maximum of 730"),
    (production, "cluster.stop_schedule", {},
     r"cluster\.stop_schedule: a stopped cluster serves nothing and has no SLA, so the schedule is only allowed for "
     r"an environment marked non-production"),
    (non_production, "cluster.stop_schedule", {"start": "08:00", "stop": "08:00"},
     r"cluster\.stop_schedule\.stop: 08:00 is also the start time; give two different times"),
    (non_production, "cluster.stop_schedule", {"days": []},
     r"cluster\.stop_schedule\.days: list at least one day"),
    (non_production, "cluster.stop_schedule", {"days": ["Monday", "Monday"]},
     r"cluster\.stop_schedule\.days: Monday is listed more than once"),
    (non_production, "cluster.stop_schedule", {"time_zone": "Europe/Berlin"},
     r"cluster\.stop_schedule\.time_zone: 'Europe/Berlin' is an IANA time zone name; .* e\.g\. time_zone: "
     r"W\. Europe Standard Time"),
    # The Windows zone of the IANA name given, not always Berlin's.
    (non_production, "cluster.stop_schedule", {"time_zone": "America/New_York"},
     r"time_zone: 'America/New_York' is an IANA time zone name; Logic Apps takes Windows names, and "
     r"America/New_York's is Eastern Standard Time, e\.g\. time_zone: Eastern Standard Time$"),
    (non_production, "cluster.stop_schedule", {"time_zone": "Mars/Olympus"},
     r"time_zone: 'Mars/Olympus' is not a Windows time zone name .* e\.g\. time_zone: UTC$"),
])
def test_cost_settings_are_refused_with_what_they_affect(tmp_path, data, path, value, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(data(), path, value), name="dev")


def test_pool_names_sharing_their_first_9_characters_say_so(tmp_path):
    """The rotation rule the message states is the one broken: two names that differ only after the
    9th character would be rotated through one stand-in name."""
    data = set_path(non_production(), "cluster.user_pool.name", "npworker01")
    set_path(data, "cluster.spot_pool", {"name": "npworker02"})
    (problem,) = refused(tmp_path, data).problems
    assert (problem.path, problem.message) == ("cluster.spot_pool.name", (
        "'npworker02' and user_pool 'npworker01' share their first 9 characters, so their temporary stand-ins "
        "during a rotation would both be named 'npworker0tmp' (<first 9 characters>tmp); e.g. name: npspot01"))


def test_non_production_unlocks_the_levers(tmp_path):
    data = non_production()
    for path, value in (("cluster.sku_tier", "Free"), ("cluster.user_pool.min_count", 0),
                        ("cluster.spot_pool", {"max_count": 4}), ("regions[0].zones", ["1"]),
                        ("hub.firewall_sku", "Standard"), ("hub.bastion_sku", "none"),
                        ("cluster.stop_schedule", {"start": "06:30", "stop": "20:15",
                                                   "time_zone": "W. Europe Standard Time"})):
        set_path(data, path, value)
    env = load(tmp_path, data)
    assert (env.cluster.sku_tier, env.cluster.user_pool.min_count, env.regions[0].zones) == ("Free", 0, ("1",))
    spot = env.cluster.spot_pool
    assert spot is not None and (spot.name, spot.min_count, spot.max_count, spot.surge_nodes()) == ("npspot01", 0, 4, 0)
    schedule = env.cluster.stop_schedule
    assert schedule is not None and schedule.days == ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    assert (env.hub.firewall_sku, env.hub.bastion_sku) == ("Standard", "none")


def test_a_production_user_pool_may_scale_to_zero(tmp_path):
    # Valid AKS behaviour for User pools in any environment; never for the system pool.
    assert load(tmp_path, set_path(production(), "cluster.user_pool.min_count", 0)).cluster.user_pool.min_count == 0


def test_the_spot_pool_counts_in_the_node_subnet_and_pod_range(tmp_path):
    env = load(tmp_path, set_path(non_production(), "cluster.spot_pool", {"max_count": 7}))
    pools = [env.cluster.system_pool, env.cluster.user_pool]
    assert env.cluster.spot_pool is not None
    without = node_subnet_demand(pools, flat_cni=False)[0]
    assert node_subnet_demand([*pools, env.cluster.spot_pool], flat_cni=False)[0] == without + 7
    data = set_path(non_production(), "cluster.spot_pool", {"max_count": 7})
    set_path(data, "cluster.network", {"pod_cidr": "10.100.0.0/20"})  # 16 node blocks: 13 + 7 do not fit
    with pytest.raises(ConfigError, match=r"pod_cidr: 10\.100\.0\.0/20 holds 16 node blocks of /24, but the pools "
                                          r"reach 20 nodes"):
        load(tmp_path, data)


def test_the_start_stop_role_id_is_deterministic_and_unique_per_cluster_and_subscription():
    first = start_stop_role_definition_id("aks-bu0001a0008-dev-eastus2", None)
    assert first == start_stop_role_definition_id("aks-bu0001a0008-dev-eastus2", None)
    assert uuid.UUID(first).version == 5 and first == first.lower()
    others = {start_stop_role_definition_id("aks-bu0001a0008-prod-eastus2", None),
              start_stop_role_definition_id("aks-bu0001a0008-dev-eastus2", "00000000-0000-0000-0000-000000000001")}
    assert first not in others and len(others) == 2
    assert start_stop_role_name("aks-x") == "AKS cluster start/stop (aks-x)"
    assert START_STOP_ACTIONS == ("Microsoft.ContainerService/managedClusters/read",
                                  "Microsoft.ContainerService/managedClusters/start/action",
                                  "Microsoft.ContainerService/managedClusters/stop/action")
    with pytest.raises(ValueError, match="cluster_name: the cluster's Azure name is required"):
        start_stop_role_definition_id("", None)
