"""The `ci:` section, the state settings of issue 12 (replication, migration switch, cloud backend),
the ABAC condition and the stack plan's bootstrap: pure configuration, no cdktf."""

from __future__ import annotations

import pytest

from constructs_lib.config.loader import ConfigError
from constructs_lib.config.roles import (
    BUILT_IN_ROLES,
    abac_condition,
    condition_role_guids,
    role_definition_guid,
)
from constructs_lib.config.rules import state_replication, workspace_name
from constructs_lib.config.stack_plan import bootstrap_stack, stack_plan
from tests.envfiles import base_env, load, set_path

CLOUD = {"backend": "cloud", "organization": "contoso", "project": "aks-baseline",
         "workspace_name": "aks-baseline-{stack}"}


def test_ci_section_is_read(tmp_path):
    data = set_path(base_env(), "ci.runner_ip_ranges", ["20.51.10.0/28", "40.74.3.7/32"])
    env = load(tmp_path, data)
    assert env.ci.github_repository == "contoso/aks-baseline-cdktf"
    assert [str(r) for r in env.ci.runner_ip_ranges] == ["20.51.10.0/28", "40.74.3.7/32"]


@pytest.mark.parametrize(("value", "message"), [
    ("contoso", r"ci\.github_repository: 'contoso' is not a GitHub repository: owner/name"),
    ("-contoso/repo", r"ci\.github_repository: '-contoso/repo' is not a GitHub repository"),
    ("contoso/a b", r"ci\.github_repository: 'contoso/a b' is not a GitHub repository"),
])
def test_a_github_repository_is_owner_slash_name(tmp_path, value, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(base_env(), "ci.github_repository", value))


@pytest.mark.parametrize(("ranges", "message"), [
    # The item's index stays in the path (it was lost once: `ci.runner_ip_ranges: 192.168.1.0/24 ...`).
    (["10.1.0.0/24"], r"yaml: ci\.runner_ip_ranges\[0\]: 10\.1\.0\.0/24 is not a public range.*for example 20\.51\.10\.4/32"),
    (["20.51.10.0/28", "192.168.1.0/24"], r"yaml: ci\.runner_ip_ranges\[1\]: 192\.168\.1\.0/24 is not a public range"),
    (["20.0.0.0/7"], r"yaml: ci\.runner_ip_ranges\[0\]: 20\.0\.0\.0/7 is wider than /8"),
    (["20.51.10.0/28", "20.51.10.0/28"], r"yaml: ci\.runner_ip_ranges: 20\.51\.10\.0/28 is listed more than once"),
    (["20.51.10.1/28"], r"yaml: ci\.runner_ip_ranges\[0\]: '20\.51\.10\.1/28' is not a network address: a /28 starts at 20\.51\.10\.0, so write 20\.51\.10\.0/28"),
])
def test_runner_ranges_are_public_narrow_and_distinct(tmp_path, ranges, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(base_env(), "ci.runner_ip_ranges", ranges))


def test_replication_defaults_to_geo_zone_redundant_and_needs_zones(tmp_path):
    assert load(tmp_path, base_env()).state.replication is None
    assert state_replication(None, "eastus2", True) == "GZRS"
    assert state_replication(None, "westus", False) == "GRS"
    data = set_path(base_env(), "regions[0].name", "westus")
    set_path(data, "regions[0].zones", [])
    set_path(data, "paired_region", "eastus")
    assert load(tmp_path, data).regions[0].name == "westus"  # default GRS: accepted
    set_path(data, "state.replication", "GZRS")
    with pytest.raises(ConfigError, match=r"state\.replication: GZRS needs availability zones.*westus.*replication: GRS"):
        load(tmp_path, data)
    with pytest.raises(ConfigError, match=r"state\.replication"):
        load(tmp_path, set_path(base_env(), "state.replication", "LRS"))


def test_soft_delete_days_within_azure_bounds(tmp_path):
    assert load(tmp_path, set_path(base_env(), "state.soft_delete_days", 365)).state.soft_delete_days == 365
    with pytest.raises(ConfigError, match=r"state\.soft_delete_days"):
        load(tmp_path, set_path(base_env(), "state.soft_delete_days", 0))


def test_a_separate_state_subscription_needs_the_environment_subscription(tmp_path):
    data = set_path(base_env(), "state.subscription_id", "11111111-1111-1111-1111-111111111111")
    set_path(set_path(data, "subscription_id", None), "name_suffix", "fabrikam")
    with pytest.raises(ConfigError, match=r"subscription_id: set it too when state\.subscription_id is set"):
        load(tmp_path, data)
    set_path(data, "subscription_id", "22222222-2222-2222-2222-222222222222")
    assert load(tmp_path, data).state.subscription_id is not None


def test_cloud_state_is_read(tmp_path):
    env = load(tmp_path, set_path(base_env(), "state", dict(CLOUD, hostname="tfe.contoso.com")))
    assert (env.state.organization, env.state.project, env.state.hostname) == (
        "contoso", "aks-baseline", "tfe.contoso.com")
    assert workspace_name(env.state.workspace_name, "dev-eastus2-hub") == "aks-baseline-dev-eastus2-hub"


@pytest.mark.parametrize(("pattern", "message"), [
    ("aks-baseline", r"state\.workspace_name: 'aks-baseline' is not a workspace name pattern"),
    ("{stack}-{stack}", r"state\.workspace_name: '\{stack\}-\{stack\}' is not .* exactly one \{stack\}"),
    ("a" * 51 + "{stack}", r"state\.workspace_name: .* at most 50 other characters"),
    ("bad name {stack}", r"state\.workspace_name: 'bad name \{stack\}' is not a workspace name pattern"),
])
def test_every_stack_gets_its_own_valid_workspace(tmp_path, pattern, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(base_env(), "state", dict(CLOUD, workspace_name=pattern)))


def test_cloud_state_takes_no_storage_account(tmp_path):
    with pytest.raises(ConfigError, match=r"state.*storage_account_name"):
        load(tmp_path, set_path(base_env(), "state", dict(CLOUD, storage_account_name="stx")))


def test_the_plan_puts_the_bootstrap_first_and_nothing_records_a_dependency_on_it(tmp_path):
    env = load(tmp_path, base_env())
    plan = stack_plan(env)
    assert plan[0].name == bootstrap_stack(env) == "dev-bootstrap"
    assert (plan[0].kind, plan[0].region, plan[0].depends_on) == ("bootstrap", None, ())
    assert not any("dev-bootstrap" in planned.depends_on for planned in plan[1:]), \
        "applied once by a person; cdktf deploy of a stack must not drag it in"


def test_a_local_sandbox_without_ci_has_no_bootstrap_but_ci_brings_one(tmp_path):
    data = base_env()
    data.pop("state")
    data.pop("ci")
    env = load(tmp_path, data)
    assert bootstrap_stack(env) is None
    assert all(not planned.depends_on or "bootstrap" not in planned.depends_on[0] for planned in stack_plan(env))
    data["ci"] = {"github_repository": "contoso/x"}
    assert bootstrap_stack(load(tmp_path, data)) == "dev-bootstrap"
    data.pop("ci")
    data["state"] = CLOUD
    assert bootstrap_stack(load(tmp_path, data)) is None


def test_the_abac_condition_has_microsofts_form():
    acr, reader = BUILT_IN_ROLES["AcrPull"], BUILT_IN_ROLES["Key Vault Reader"]
    condition = abac_condition([acr.upper(), reader, acr])
    listed = f"{reader}, {acr}"  # sorted, lowercase, once each
    assert condition == (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        f"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{listed}}}))"
        " AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        f"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{listed}}}))")
    assert condition_role_guids(condition) == ({acr, reader}, {acr, reader})


@pytest.mark.parametrize(("guids", "message"), [
    ([], "at least one role"),
    (["not-a-guid"], "'not-a-guid' is not a role definition GUID"),
    ([BUILT_IN_ROLES["Owner"]], "Owner must never be delegated"),
    ([BUILT_IN_ROLES["User Access Administrator"], BUILT_IN_ROLES["AcrPull"]], "User Access Administrator must never"),
    ([BUILT_IN_ROLES["Role Based Access Control Administrator"]], "Role Based Access Control Administrator must never"),
])
def test_the_condition_refuses_what_would_let_the_pipeline_escalate(guids, message):
    with pytest.raises(ValueError, match=message):
        abac_condition(guids)


def test_role_definition_guids_from_names_ids_and_custom_ids():
    guid = "0b7a6c2e-5d3f-5a1e-9c4b-2f8e7d6a5b4c"
    assert role_definition_guid("AcrPull") == BUILT_IN_ROLES["AcrPull"]
    assert role_definition_guid(f"/providers/Microsoft.Authorization/roleDefinitions/{guid}") == guid
    assert role_definition_guid(f"${{TfToken[TOKEN.7]}}/providers/Microsoft.Authorization/roleDefinitions/{guid}") == guid
    assert role_definition_guid(guid.upper()) == guid
    assert role_definition_guid("${TfToken[TOKEN.9]}") is None
    assert role_definition_guid("Some Role") is None
