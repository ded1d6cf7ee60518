"""Constructs the bootstrap builds the pipeline identities from refuse unsafe input."""

from __future__ import annotations

import pytest

from constructs_lib.config.roles import DEPLOY_IDENTITY_ROLES
from constructs_lib.security.managed_identity import (
    GitHubFederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)
from tests.synth import empty_stack, synth_construct

PRINCIPAL = "00000000-0000-0000-0000-000000000001"
SCOPE = "/subscriptions/00000000-0000-0000-0000-000000000002"


def test_a_github_credential_trusts_one_repository_environment():
    stack = synth_construct(lambda s: ManagedIdentity(s, "Deploy", ManagedIdentityProps(
        name="id-deploy", location="eastus2", resource_group_name="rg",
        federated_credentials=(GitHubFederatedCredentialSpec("github-deploy", "contoso/repo", "prod"),))))
    credential = stack.only("azurerm_federated_identity_credential")
    assert (credential["issuer"], credential["subject"], credential["audience"]) == (
        "https://token.actions.githubusercontent.com", "repo:contoso/repo:environment:prod", ["api://AzureADTokenExchange"])


@pytest.mark.parametrize(("spec", "message"), [
    (GitHubFederatedCredentialSpec("github-deploy", "contoso", "prod"), r"repository: 'contoso' is not a GitHub repository"),
    (GitHubFederatedCredentialSpec("github-deploy", "contoso/repo", "prod env"), r"environment: 'prod env' must be"),
])
def test_a_github_credential_refuses_what_entra_would_never_match(spec, message):
    with pytest.raises(ValueError, match=message):
        ManagedIdentity(empty_stack(), "Deploy", ManagedIdentityProps(
            name="id-deploy", location="eastus2", resource_group_name="rg", federated_credentials=(spec,)))


def test_rbac_administrator_needs_a_condition_and_platform_stacks_cannot_grant_it():
    unconditioned = {"rbac": RoleAssignmentSpec("Role Based Access Control Administrator", PRINCIPAL, SCOPE)}
    with pytest.raises(ValueError, match=r"without a condition may grant any role, Owner included"):
        RoleAssignments(empty_stack(), "Roles", RoleAssignmentsProps(unconditioned, allowed_roles=DEPLOY_IDENTITY_ROLES))
    with pytest.raises(ValueError, match=r"role 'Contributor' is not an allowed built-in role"):
        RoleAssignments(empty_stack(), "Roles", RoleAssignmentsProps(
            {"c": RoleAssignmentSpec("Contributor", PRINCIPAL, SCOPE)}))
    with pytest.raises(ValueError, match=r"role 'Owner' is not an allowed built-in role"):
        RoleAssignments(empty_stack(), "Roles", RoleAssignmentsProps(
            {"o": RoleAssignmentSpec("Owner", PRINCIPAL, SCOPE)}, allowed_roles=DEPLOY_IDENTITY_ROLES))
