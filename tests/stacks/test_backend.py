"""State per stack for the three backends, including `state.backend: cloud` (HCP Terraform /
Terraform Enterprise workspaces through cdktf's CloudBackend)."""

from __future__ import annotations

import json

import pytest
from cdktf import Testing

from constructs_lib.config.stack_plan import stack_plan
from constructs_lib.stacks.backend import configure_backend
from tests.envfiles import base_env, load, set_path, two_regions
from tests.synth import empty_stack

CLOUD = {"backend": "cloud", "organization": "contoso", "project": "aks-baseline",
         "workspace_name": "aks-baseline-{stack}"}


def _backends(env) -> dict[str, dict]:
    found = {}
    for planned in stack_plan(env):
        stack = empty_stack(planned.name)
        configure_backend(stack, env, planned.region, planned.kind)
        found[planned.name] = json.loads(Testing.synth(stack))["terraform"]
    return found


def test_cloud_backend_gives_every_stack_its_own_workspace(tmp_path):
    data = set_path(two_regions(), "state", dict(CLOUD, hostname="tfe.contoso.com"))
    env = load(tmp_path, data)
    backends = _backends(env)
    assert "dev-bootstrap" in backends, "the ci section still brings the identities"
    for name, terraform in backends.items():
        assert list(terraform) == ["cloud"], name
        assert terraform["cloud"] == {"hostname": "tfe.contoso.com", "organization": "contoso",
                                      "workspaces": {"name": f"aks-baseline-{name}", "project": "aks-baseline"}}
    names = [t["cloud"]["workspaces"]["name"] for t in backends.values()]
    assert len(names) == len(set(names)) == 10, "bootstrap, global and four stacks per region"


def test_cloud_backend_defaults_to_hcp_terraform_and_the_stack_name(tmp_path):
    env = load(tmp_path, set_path(base_env(), "state", {"backend": "cloud", "organization": "contoso"}))
    terraform = _backends(env)["dev-eastus2-hub"]
    assert terraform["cloud"] == {"organization": "contoso", "workspaces": {"name": "dev-eastus2-hub"}}


@pytest.mark.parametrize("migrated", [False, True])
def test_the_bootstrap_state_moves_into_the_account_once_migrated(tmp_path, migrated):
    env = load(tmp_path, set_path(base_env(), "state.bootstrap_migrated", migrated))
    backends = _backends(env)
    if migrated:
        assert backends["dev-bootstrap"]["backend"]["azurerm"]["key"] == "dev/bootstrap.tfstate"
        assert backends["dev-bootstrap"]["backend"]["azurerm"]["use_azuread_auth"] is True
    else:
        assert backends["dev-bootstrap"]["backend"] == {"local": {"path": "../../../terraform-state/dev/bootstrap.tfstate"}}
    assert backends["dev-eastus2-hub"]["backend"]["azurerm"]["key"] == "dev/eastus2/hub.tfstate"
