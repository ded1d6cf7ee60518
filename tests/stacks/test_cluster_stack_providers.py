"""The cluster stack declares a provider for every resource it holds, whatever the deploy settings."""

from __future__ import annotations

import json


def test_without_role_propagation_waits_the_patch_channel_still_has_its_time_provider(second_synth):
    """The second synth's generated environment sets `deploy.role_propagation_seconds: 0` (tests/conftest.py);
    cdktf refuses to synthesize a resource whose provider the stack does not declare."""
    env = second_synth.generated
    assert env.deploy.role_propagation_seconds == 0 and env.cluster.upgrade_channel == "patch"
    cluster = json.loads((second_synth.outdir / "stacks" / f"{env.name}-{env.regions[0].name}-cluster"
                          / "cdk.tf.json").read_text())
    assert "time_sleep" not in cluster["resource"], "0 seconds: no role propagation wait"
    assert len(cluster["resource"]["time_static"]) == 1, "the keeper of the minor version"
    assert cluster["provider"]["time"] == [{}]
    assert cluster["terraform"]["required_providers"]["time"]["source"] == "hashicorp/time"
