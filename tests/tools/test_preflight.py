"""`make preflight`: example values and unverified subscription requirements block a deploy."""

from __future__ import annotations

import copy

import pytest

from constructs_lib.config.loader import load_environment
from constructs_lib.config.placeholders import EXAMPLE_STATE_ACCOUNTS, placeholders
from tests.envfiles import PROJECT_ROOT, base_env, generated_environment, load, set_path, write_env
from tools import preflight

REAL = {
    "subscription_id": "3f2a8c1e-5b7d-4e9f-a1c2-d3e4f5a6b7c8", "owner": "platform@fabrikam-corp.net",
    "state.storage_account_name": "sttfstatefc01", "entra.tenant_id": "9b1c2d3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e",
    "entra.cluster_admin_group_object_ids": ["1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"],
    "entra.namespace_reader_group_object_ids": ["2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"],
    "ingress.domain": "fabrikam-corp.net", "monitoring.alert_emails": ["ops@fabrikam-corp.net"],
    "gitops.repository_url": "https://github.com/fabrikam-corp/platform-manifests",
}


def real_env() -> dict:
    data = base_env()
    for path, value in REAL.items():
        set_path(data, path, value)
    return data


def test_every_example_value_is_a_placeholder():
    """The values the shipped files and docs/example.yaml carry (every key written out) are flagged."""
    example = load_environment(PROJECT_ROOT / "docs" / "example.yaml")
    paths = {p.path for p in placeholders(example)}
    assert paths == {"subscription_id", "owner", "state.storage_account_name", "entra.tenant_id",
                     "entra.cluster_admin_group_object_ids[0]", "entra.namespace_reader_group_object_ids[0]",
                     "ingress.domain", "monitoring.alert_emails[0]", "gitops.repository_url"}
    assert example.state.storage_account_name in EXAMPLE_STATE_ACCOUNTS


def test_microsofts_own_tenant_is_a_placeholder(tmp_path):
    env = load(tmp_path, set_path(real_env(), "entra.tenant_id", "72f988bf-86f1-41af-91ab-2d7cd011db47"))
    assert [p.path for p in placeholders(env)] == ["entra.tenant_id"]


def test_a_real_environment_with_every_requirement_registered_is_deployable(tmp_path, capsys):
    write_env(tmp_path, real_env(), name="dev")
    seen: list[list[str]] = []

    def registered(command: list[str]) -> str:
        seen.append(command)
        return "Registered"

    assert preflight.main(["--envs", str(tmp_path)], runner=registered) == 0
    out = capsys.readouterr().out
    assert "preflight: deployable (0 open items)" in out
    later = out.split("before later waves", 1)[1]
    assert "dev-eastus2-workload: Images in the registry: " in later and "az acr import" not in later, \
        "listed for later waves, with the commands left to DEPLOY_ORDER.md"
    assert "dev-eastus2-workload: Network reach: " in later
    assert ["az", "feature", "show", "--namespace", "Microsoft.Compute", "--name", "EncryptionAtHost", "--query",
            "properties.state", "-o", "tsv", "--subscription", REAL["subscription_id"]] in seen


@pytest.mark.parametrize(("state", "shown"), [(None, "[unverified]"), ("NotRegistered", "[notregistered]")])
def test_an_unregistered_or_unverifiable_requirement_blocks(tmp_path, capsys, state, shown):
    write_env(tmp_path, real_env(), name="dev")

    def runner(command: list[str]) -> str | None:
        return state if "Microsoft.KubernetesConfiguration" in command else "Registered"

    assert preflight.main(["--envs", str(tmp_path)], runner=runner) == 1
    out = capsys.readouterr().out
    assert f"{shown} resource provider Microsoft.KubernetesConfiguration" in out
    assert ("check: az provider show" if state is None else "fix: az provider register") in out
    assert "preflight: not deployable (1 open item)" in out


def test_the_examples_are_not_deployable_and_name_each_placeholder(capsys, tmp_path):
    write_env(tmp_path, base_env(), name="dev")
    assert preflight.main(["--envs", str(tmp_path)], runner=lambda command: "Registered") == 1
    out = capsys.readouterr().out
    assert "entra.tenant_id: 00000000-0000-0000-0000-000000000000 is an example GUID" in out
    assert "ingress.domain: contoso.com is a domain reserved for examples" in out


def test_unknown_environment_and_bad_files_exit_2(tmp_path):
    write_env(tmp_path, real_env(), name="dev")
    assert preflight.main(["--envs", str(tmp_path), "--env", "absent"], runner=lambda c: "Registered") == 2
    write_env(tmp_path, set_path(real_env(), "name", "Bad"), name="dev")
    assert preflight.main(["--envs", str(tmp_path)], runner=lambda c: "Registered") == 2


def copy_of(data: dict, name: str, **changes) -> dict:
    """`data` copied as README "Adding an environment" says: a new name and the `changes` (dotted path -> value)."""
    copied = set_path(copy.deepcopy(data), "name", name)
    for path, value in changes.items():
        set_path(copied, path.replace("__", "."), value)
    return copied


OWN_VALUES = {"ingress__public_host": "bicycle-uat", "state__storage_account_name": "sttfuat01",
              "state__resource_group_name": "rg-tfstate-uat"}
"""What a copy of real_env() must change to be an environment of its own (besides the address plan)."""


def test_overlapping_environments_are_a_note_not_a_blocker(tmp_path, capsys):
    write_env(tmp_path, real_env(), name="dev")
    write_env(tmp_path, copy_of(real_env(), "uat", **OWN_VALUES), name="uat")
    assert preflight.main(["--envs", str(tmp_path)], runner=lambda command: "Registered") == 0
    out = capsys.readouterr().out
    assert "notes (not blocking):\n  uat: regions[0].hub.address_space 10.200.0.0/24 overlaps dev's" in out


def test_a_copy_that_keeps_values_each_environment_needs_its_own_is_not_deployable(tmp_path, capsys):
    """A copied file keeps the public host name and the state account and group (README "Adding an
    environment"): both environments are told, each value once, and each counts as an open item."""
    write_env(tmp_path, real_env(), name="dev")
    write_env(tmp_path, copy_of(real_env(), "uat"), name="uat")
    assert preflight.main(["--envs", str(tmp_path), "--env", "uat"], runner=lambda command: "Registered") == 1
    out = capsys.readouterr().out
    shared = out.split("  shared with another environment (each needs its own):\n", 1)[1].split("\n  subscription", 1)[0]
    assert [line.split(": ", 1)[0].strip() for line in shared.splitlines()] == [
        "ingress.public_host", "state.storage_account_name", "state.resource_group_name"], shared
    assert "ingress.public_host: bicycle-dev is also dev's; the App Gateway listeners of both environments would " \
           "answer for bicycle-dev.fabrikam-corp.net" in shared and "e.g. public_host: bicycle-uat" in shared
    assert "preflight: not deployable (3 open items)" in out
    assert preflight.main(["--envs", str(tmp_path)], runner=lambda command: "Registered") == 1
    assert "preflight: not deployable (6 open items)" in capsys.readouterr().out, "dev is told too"

    # Another subscription may hold a resource group of the same name; a host name or account may not.
    write_env(tmp_path, copy_of(real_env(), "uat", subscription_id="4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"), name="uat")
    assert preflight.main(["--envs", str(tmp_path), "--env", "uat"], runner=lambda command: "Registered") == 1
    out = capsys.readouterr().out
    assert "state.resource_group_name" not in out and "preflight: not deployable (2 open items)" in out
    # Another domain makes the same label another host name.
    write_env(tmp_path, copy_of(real_env(), "uat", **{**OWN_VALUES, "ingress__public_host": "bicycle-dev",
                                                      "ingress__domain": "uat.fabrikam-corp.net"}), name="uat")
    assert preflight.main(["--envs", str(tmp_path), "--env", "uat"], runner=lambda command: "Registered") == 0


def test_notes_are_about_the_chosen_environments(tmp_path, capsys):
    """dev and its copy share an address plan; lab has its own. `--env lab` shows no note about the
    other two; `--env uat` keeps the note that pairs uat with dev."""
    write_env(tmp_path, real_env(), name="dev")
    write_env(tmp_path, copy_of(real_env(), "uat", **OWN_VALUES), name="uat")
    own_plan = generated_environment("lab", region="eastus2", hub_octet=201, spoke_octet=241)["regions"]
    write_env(tmp_path, copy_of(real_env(), "lab", ingress__public_host="bicycle-lab", regions=own_plan,
                                state__storage_account_name="sttflab01", state__resource_group_name="rg-tfstate-lab"),
              name="lab")
    assert preflight.main(["--envs", str(tmp_path), "--env", "lab"], runner=lambda command: "Registered") == 0
    assert "notes (not blocking)" not in capsys.readouterr().out
    assert preflight.main(["--envs", str(tmp_path), "--env", "uat"], runner=lambda command: "Registered") == 0
    notes = capsys.readouterr().out.split("notes (not blocking):\n", 1)[1]
    assert "uat: regions[0].hub.address_space 10.200.0.0/24 overlaps dev's" in notes and "lab" not in notes
