"""The app as a whole, over the shipped environments and over an environment generated the way
a user adds one: stack names, remote state per stack, one-way dependencies, clean output."""

from __future__ import annotations

import json
from graphlib import TopologicalSorter

import pytest

from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, stack_plan
from constructs_lib.stacks.backend import LOCAL_STATE_DIR, state_key
from tests.envfiles import base_env, set_path, write_env
from tests.main_batch import start_batch
from tests.synth import Synthesized, read_output

KINDS = ("hub", "spoke", "cluster", "workload")
DEPENDS_ON = {"hub": None, "spoke": "hub", "cluster": "spoke", "workload": "cluster"}


@pytest.fixture(scope="module", params=[pytest.param("shipped", marks=pytest.mark.uses("synthesized")),
                                        pytest.param("generated", marks=pytest.mark.uses("second_synth"))])
def app(request, environments) -> tuple[Synthesized, list]:
    """(output, its environments): the shipped environments, or the generated one alone."""
    if request.param == "shipped":
        return request.getfixturevalue("synthesized"), environments
    second_synth = request.getfixturevalue("second_synth")
    output = read_output(second_synth.outdir)
    prefix = f"{second_synth.generated.name}-"
    output.stacks = {name: stack for name, stack in output.stacks.items() if name.startswith(prefix)}
    output.manifest = {"stacks": {n: e for n, e in output.manifest["stacks"].items() if n.startswith(prefix)}}
    return output, [second_synth.generated]


def _planned(environments):
    return {planned.name: (env, planned) for env in environments for planned in stack_plan(env)}


def test_four_stacks_per_region_the_environment_layer_and_nothing_else(app):
    output, environments = app
    regional = {f"{env.name}-{region.name}-{kind}" for env in environments for region in env.regions for kind in KINDS}
    shared = {f"{env.name}-global" for env in environments}
    routing = {f"{env.name}-routing" for env in environments if env.front_door_enabled}
    bootstrap = {f"{env.name}-bootstrap" for env in environments if env.state.backend == "azurerm" or env.ci}
    assert set(output.stacks) == regional | shared | routing | bootstrap == set(_planned(environments))


def test_every_stack_has_its_environments_backend_and_its_own_state(app):
    output, environments = app
    planned = _planned(environments)
    for name, stack in output.stacks.items():
        env, plan = planned[name]
        key = state_key(env.name, plan.region, plan.kind)
        assert key == (f"{env.name}/{plan.region}/{plan.kind}.tfstate" if plan.region else f"{env.name}/{plan.kind}.tfstate")
        backend = stack.doc["terraform"]["backend"]
        bootstrap_on_local_disk = plan.kind == BOOTSTRAP_KIND and not getattr(env.state, "bootstrap_migrated", True)
        if env.state.backend == "local" or bootstrap_on_local_disk:
            # Relative to the stack folder: the state lives in <project>/terraform-state/, outside
            # cdktf.out, so a new synth never deletes it.
            assert backend == {"local": {"path": f"../../../{LOCAL_STATE_DIR}/{key}"}}
            continue
        config = backend["azurerm"]
        assert list(backend) == ["azurerm"]
        assert config["key"] == key and config["use_azuread_auth"] is True
        assert (config["storage_account_name"], config["container_name"], config["resource_group_name"]) == (
            env.state.storage_account_name, env.state.container_name, env.state.resource_group_name)
        assert not {"access_key", "sas_token", "client_secret", "use_microsoft_graph"} & set(config)


def test_state_locations_are_unique(app):
    output, _ = app
    locations = [json.dumps(s.doc["terraform"]["backend"], sort_keys=True) for s in output.stacks.values()]
    assert len(locations) == len(set(locations))


def test_provider_and_terraform_pins(app):
    output, _ = app
    for stack in output.stacks.values():
        terraform = stack.doc["terraform"]
        assert terraform["required_providers"]["azurerm"] == {"source": "hashicorp/azurerm", "version": "4.55.0"}
        assert terraform["required_version"] == ">= 1.6.0, < 2.0.0"
        features = [{"storage": [{"data_plane_available": False}]}] if stack.name.endswith("-bootstrap") else [{}]
        assert stack.doc["provider"]["azurerm"][0]["features"] == features


def test_each_stack_depends_on_the_one_before_it_in_its_region_and_the_environment_layer(app):
    output, environments = app
    dependencies = {name: set(entry["dependencies"]) for name, entry in output.manifest["stacks"].items()}
    for env in environments:
        shared, routing, bootstrap = f"{env.name}-global", f"{env.name}-routing", f"{env.name}-bootstrap"
        assert dependencies[shared] == set(), "the global layer needs nothing"
        if bootstrap in dependencies:
            assert dependencies[bootstrap] == set()
            assert not any(bootstrap in needs for needs in dependencies.values()), \
                "nothing records a dependency on the bootstrap (cdktf deploy of a stack never drags it in)"
        if env.front_door_enabled:
            assert dependencies[routing] == {shared} | {f"{env.name}-{r.name}-workload" for r in env.regions}
        for region in env.regions:
            for kind, before in DEPENDS_ON.items():
                name = f"{env.name}-{region.name}-{kind}"
                expected = {f"{env.name}-{region.name}-{before}"} if before else set()
                # The cluster reads the shared registry and the Front Door profile by name.
                assert dependencies[name] == expected | ({shared} if kind == "cluster" else set()), name


def test_no_cycle(app):
    output, _ = app
    dependencies = {name: set(entry["dependencies"]) for name, entry in output.manifest["stacks"].items()}
    TopologicalSorter(dependencies).prepare()  # raises CycleError on a cycle
    # Nothing regional is read by the global layer, so no regional stack can come before it.
    for name, needs in dependencies.items():
        if name.endswith("-global"):
            assert not needs


def test_cross_stack_values_are_name_lookups_not_remote_state(app):
    output, _ = app
    for stack in output.stacks.values():
        assert "terraform_remote_state" not in stack.doc.get("data", {}), stack.name
        assert not any(key.startswith("cross-stack") for key in stack.doc.get("output", {})), stack.name


def test_a_good_run_replaces_the_output_completely(second_synth):
    expected = set(_planned(second_synth.environments))
    assert {p.name for p in (second_synth.outdir / "stacks").iterdir()} == expected, "the stale stack must be gone"
    assert not list(second_synth.outdir.parent.glob(".cdktf.out.*")), "staging folders must not be left behind"


@pytest.fixture(scope="module", autouse=True)
def bad_file_run(tmp_path_factory):
    """main.py over a file with a too-small node subnet and an output folder from an earlier synth,
    started with this module's first test (tests/main_batch.py) so it runs beside the others:
    (envs folder, output folder, the future of the run)."""
    envs = tmp_path_factory.mktemp("bad-file") / "envs"
    envs.mkdir()
    write_env(envs, set_path(base_env(), "regions[0].spoke.subnets.nodes", "10.240.0.0/29"))
    outdir = envs.parent / "cdktf.out"
    (outdir / "stacks" / "keep").mkdir(parents=True)
    (outdir / "stacks" / "keep" / "cdk.tf.json").write_text('{"untouched": true}')
    return envs, outdir, start_batch({"bad file": ["--envs", str(envs), "--outdir", str(outdir)]})


def test_a_bad_file_fails_fast_and_leaves_the_output_alone(bad_file_run):
    envs, outdir, batch = bad_file_run
    result = batch.result(timeout=120)["bad file"]
    assert result.returncode == 2 and not result.imported
    assert "Traceback" not in result.stderr
    assert f"{envs / 'dev.yaml'}: regions[0].spoke.subnets.nodes: 10.240.0.0/29 holds 3 usable addresses" in result.stderr
    assert (outdir / "stacks" / "keep" / "cdk.tf.json").read_text() == '{"untouched": true}'
    assert sorted(p.name for p in outdir.rglob("*")) == ["cdk.tf.json", "keep", "stacks"]
