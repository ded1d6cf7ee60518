"""The bootstrap stack: the pipeline's identities hold exactly what the stacks need, and the deploy
identity may hand out exactly the roles the environment's stacks assign (ABAC condition)."""

from __future__ import annotations

import pytest

from constructs_lib.config.roles import (
    BUILT_IN_ROLES,
    DEPLOY_IDENTITY_ROLES,
    PLAN_IDENTITY_ROLES,
    condition_role_guids,
    role_definition_guid,
)
from constructs_lib.config.stack_plan import environment_of
from tests.envfiles import env_named, planned_stacks

BOOTSTRAPS = planned_stacks("bootstrap")


def _assignments(stack):
    return stack.resources("azurerm_role_assignment")


def _role(body) -> str:
    return body.get("role_definition_name") or body.get("role_definition_id")


def _identity_of(stack, body) -> str:
    """Azure name of the user-assigned identity an assignment's principal_id refers to."""
    for logical, identity in stack.resources("azurerm_user_assigned_identity").items():
        if body["principal_id"] == f"${{azurerm_user_assigned_identity.{logical}.principal_id}}":
            return identity["name"]
    raise AssertionError(f"{body['principal_id']} is no identity of {stack.name}")


def _rbac_admin(stack):
    found = [b for b in _assignments(stack).values() if _role(b) == "Role Based Access Control Administrator"]
    assert len(found) == 1, stack.name
    return found[0]


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_the_condition_allows_exactly_the_roles_the_environments_stacks_assign(synthesized, name):
    env = name.split("-", 1)[0]
    assigned: set[str] = set()
    for other, stack in synthesized.stacks.items():
        if other.startswith(f"{env}-") and other != name:
            for body in _assignments(stack).values():
                guid = role_definition_guid(_role(body))
                assert guid, f"{other}: role {_role(body)!r} is not known at synth time"
                assigned.add(guid)
    assert len(assigned) >= 10, "the cluster stacks assign at least ten distinct roles"
    admin = _rbac_admin(synthesized.stack(name))
    writes, deletes = condition_role_guids(admin["condition"])
    assert writes == deletes == assigned
    assert admin["condition_version"] == "2.0"
    for forbidden in ("Owner", "User Access Administrator", "Role Based Access Control Administrator", "Contributor"):
        assert BUILT_IN_ROLES[forbidden] not in writes


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_each_identity_holds_exactly_its_roles_and_never_owner(synthesized, environments, name):
    stack = synthesized.stack(name)
    held: dict[str, set[str]] = {}
    for body in _assignments(stack).values():
        held.setdefault(_identity_of(stack, body), set()).add(_role(body))
    env = name.split("-", 1)[0]
    deploy = next(n for n in held if n.startswith(f"id-deploy-{env}-"))
    plan = next(n for n in held if n.startswith(f"id-plan-{env}-"))
    assert held == {deploy: set(DEPLOY_IDENTITY_ROLES), plan: set(PLAN_IDENTITY_ROLES)}
    for body in _assignments(stack).values():
        assert _role(body) not in ("Owner", "User Access Administrator"), body
        if _role(body) == "Storage Blob Data Contributor":
            # The state container only, not the account or the subscription.
            assert body["scope"] == stack.ref("azurerm_storage_container", "id")
        else:
            subscription = env_named(environments, env).subscription_id
            assert body["scope"] == (f"/subscriptions/{subscription}" if subscription
                                     else "${data.azurerm_subscription.Subscription.id}")
        assert ("condition" in body) == (_role(body) == "Role Based Access Control Administrator")


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_github_environments_are_trusted_exactly(synthesized, environments, name):
    stack = synthesized.stack(name)
    env = env_named(environments, environment_of(name))
    repo = env.ci.github_repository
    credentials = {body["name"]: body for body in stack.resources("azurerm_federated_identity_credential").values()}
    assert {n: c["subject"] for n, c in credentials.items()} == {
        "github-deploy": f"repo:{repo}:environment:{env.name}",
        "github-plan": f"repo:{repo}:environment:{env.name}-plan",
    }
    for credential in credentials.values():
        assert credential["issuer"] == "https://token.actions.githubusercontent.com"
        assert credential["audience"] == ["api://AzureADTokenExchange"]
    identities = {logical: b["name"] for logical, b in stack.resources("azurerm_user_assigned_identity").items()}
    parents = {c["name"]: identities[c["parent_id"].split(".")[1]] for c in credentials.values()}
    assert parents["github-deploy"].startswith("id-deploy-") and parents["github-plan"].startswith("id-plan-")


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_the_bootstrap_keeps_its_state_locally_until_migrated(synthesized, name):
    backend = synthesized.stack(name).doc["terraform"]["backend"]
    env = name.split("-", 1)[0]
    assert backend == {"local": {"path": f"../../../terraform-state/{env}/bootstrap.tfstate"}}


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_the_bootstrap_outputs_what_the_github_environments_need(synthesized, name):
    outputs = synthesized.stack(name).doc["output"]
    assert {"deploy_identity_client_id", "plan_identity_client_id", "tenant_id", "subscription_id",
            "state_storage_account_name", "state_container_name"} <= set(outputs)
    assert outputs["deploy_identity_client_id"]["value"].endswith(".client_id}")


def test_the_deploy_identity_never_has_to_write_a_role_definition(synthesized, environments):
    """Contributor excludes Microsoft.Authorization/*/write and RBAC Administrator only writes
    assignments: every custom role of an environment with a bootstrap is defined in the bootstrap
    (applied by a person with Owner), and each one the stacks assign is in the condition."""
    for env in environments:
        name = f"{env.name}-bootstrap"
        if name not in synthesized.stacks:
            continue
        for stack in synthesized.stacks.values():
            if stack.name.startswith(f"{env.name}-") and stack.name != name:
                assert not stack.resources("azurerm_role_definition"), stack.name
        defined = {r["role_definition_id"] for r in synthesized.stack(name).resources("azurerm_role_definition").values()}
        assert len(defined) == (len(env.regions) if env.cluster.stop_schedule else 0), env.name
        condition = next((r["condition"] for r in synthesized.stack(name).resources("azurerm_role_assignment").values()
                          if r.get("condition")), "")
        if env.ci is not None:
            assert all(guid in condition for guid in defined), "the deploy identity may assign every custom role"
