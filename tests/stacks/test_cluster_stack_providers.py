"""The cluster stack declares a provider for every resource it holds, whatever the deploy settings."""

from __future__ import annotations

from tests.envfiles import base_env, load, set_path
from tests.synth import synthesize


def test_without_role_propagation_waits_the_patch_channel_still_has_its_time_provider(tmp_path):
    data = set_path(base_env(), "deploy.role_propagation_seconds", 0)
    env = load(tmp_path, data)
    assert env.cluster.upgrade_channel == "patch"
    output = synthesize([env], tmp_path / "out")  # cdktf refuses a resource whose provider is not declared
    cluster = output.stack(f"{env.name}-{env.regions[0].name}-cluster")
    assert not cluster.resources("time_sleep"), "0 seconds: no role propagation wait"
    assert len(cluster.resources("time_static")) == 1, "the keeper of the minor version"
    assert cluster.doc["provider"]["time"] == [{}]
    assert cluster.doc["terraform"]["required_providers"]["time"]["source"] == "hashicorp/time"
