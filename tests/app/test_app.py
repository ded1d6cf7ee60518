"""The app as a whole: stack names, remote state per stack, one-way dependencies, clean output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from constructs_lib.app import synth_replacing
from constructs_lib.config.loader import load_environment
from tests.envfiles import PROJECT_ROOT, base_env, set_path, write_env

KINDS = ("hub", "spoke", "cluster", "workload")


def test_four_stacks_per_environment_and_region_and_nothing_else(synthesized, environments):
    expected = {f"{env.name}-{region.name}-{kind}" for env in environments for region in env.regions for kind in KINDS}
    assert set(synthesized.stacks) == expected


def test_every_stack_has_its_environments_backend_and_its_own_key(synthesized, environments):
    for name, stack in synthesized.stacks.items():
        env, region = stack.environment(environments)
        kind = name.rsplit("-", 1)[1]
        backend = stack.doc["terraform"]["backend"]
        assert list(backend) == [env.state.backend], name
        if env.state.backend == "local":
            continue
        config = backend["azurerm"]
        assert config["key"] == f"{env.name}/{region.name}/{kind}.tfstate"
        assert config["use_azuread_auth"] is True
        assert (config["storage_account_name"], config["container_name"], config["resource_group_name"]) == (
            env.state.storage_account_name, env.state.container_name, env.state.resource_group_name)
        assert not {"access_key", "sas_token", "client_secret", "use_microsoft_graph"} & set(config)


def test_state_locations_are_unique(synthesized):
    locations = [json.dumps(s.doc["terraform"]["backend"], sort_keys=True) for s in synthesized.stacks.values()]
    assert len(locations) == len(set(locations))


def test_provider_and_terraform_pins(synthesized):
    for stack in synthesized.stacks.values():
        terraform = stack.doc["terraform"]
        assert terraform["required_providers"]["azurerm"] == {"source": "hashicorp/azurerm", "version": "4.55.0"}
        assert terraform["required_version"].startswith(">= 1.6")
        assert stack.doc["provider"]["azurerm"][0]["features"] == [{}]


def test_dependencies_flow_one_way_without_cycles(synthesized):
    dependencies = {name: set(entry["dependencies"]) for name, entry in synthesized.manifest["stacks"].items()}
    for name, needs in dependencies.items():
        if name.endswith("-hub"):
            assert needs == set(), f"{name} must not depend on anything"
        if name.endswith("-spoke"):
            assert needs == {name.replace("-spoke", "-hub")}
        if name.endswith("-cluster"):
            assert needs == {name.replace("-cluster", "-spoke")}
        if name.endswith("-workload"):
            assert needs == {name.replace("-workload", "-cluster")}
    # Depth-first search for cycles over the whole graph.
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        assert state.get(node) != 1, f"cycle through {node}"
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in dependencies[node]:
            visit(nxt)
        state[node] = 2

    for node in dependencies:
        visit(node)


def test_cross_stack_values_are_name_lookups_not_remote_state(synthesized):
    for stack in synthesized.stacks.values():
        assert "terraform_remote_state" not in stack.doc.get("data", {}), stack.name
        assert "output" not in stack.doc or not any(k.startswith("cross-stack") for k in stack.doc["output"])


def test_local_backend_is_the_default_and_survives_resynth(tmp_path):
    data = base_env()
    del data["state"]
    env = load_environment(write_env(tmp_path, data))
    outdir = tmp_path / "cdktf.out"
    synth_replacing([env], outdir)
    stack = json.loads((outdir / "stacks/dev-eastus2-hub/cdk.tf.json").read_text())
    # Relative to the stack folder: the state lives in <project>/terraform-state/, outside cdktf.out.
    assert stack["terraform"]["backend"] == {"local": {"path": "../../../terraform-state/dev/eastus2/hub.tfstate"}}


def test_a_good_run_replaces_the_output_completely(replaced_output, synthesized):
    assert sorted(p.name for p in (replaced_output / "stacks").iterdir()) == sorted(synthesized.stacks)
    assert not list(replaced_output.parent.glob(".cdktf.out.*")), "staging folders must not be left behind"


def _run_main(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, env=env, timeout=120)


def test_a_bad_file_fails_fast_and_leaves_the_output_alone(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    write_env(envs, set_path(base_env(), "regions[0].spoke.subnets.nodes", "10.240.0.0/29"))
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "keep").mkdir(parents=True)
    marker = outdir / "stacks" / "keep" / "cdk.tf.json"
    marker.write_text('{"untouched": true}')
    result = _run_main("--envs", str(envs), "--outdir", str(outdir))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{envs / 'dev.yaml'}: regions[0].spoke.subnets.nodes: 10.240.0.0/29 holds 3 usable addresses" in result.stderr
    assert marker.read_text() == '{"untouched": true}'
    assert sorted(p.name for p in outdir.rglob("*")) == ["cdk.tf.json", "keep", "stacks"]
