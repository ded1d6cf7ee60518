"""ManagedIdentity (with workload-identity federation) and RoleAssignments, on synthesized JSON."""

from __future__ import annotations

import pytest
from cdktf import TerraformOutput

from constructs_lib.config.roles import BUILT_IN_ROLES, GRANTABLE, ROLE_DEFINITION_PREFIX
from constructs_lib.security.managed_identity import (
    FederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)
from tests.synth import empty_stack, synth_construct

ISSUER = "https://eastus2.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/1111/"
KEY_VAULT = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-x"
ADMIN_GROUP = "22222222-2222-2222-2222-222222222222"
CLUSTER = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-x"


@pytest.fixture(scope="module")
def doc():
    def build(stack):
        control_plane = ManagedIdentity(stack, "ControlPlane", ManagedIdentityProps(
            name="id-aks-controlplane", location="eastus2", resource_group_name="rg-cluster"))
        ingress = ManagedIdentity(stack, "Ingress", ManagedIdentityProps(
            name="id-ingress", location="eastus2", resource_group_name="rg-cluster",
            federated_credentials=(
                FederatedCredentialSpec("ingress-controller", ISSUER, "a0008", "traefik-ingress-controller"),
                # An issuer that is a token (the cluster's OIDC issuer in a real stack).
                FederatedCredentialSpec("second-cluster", control_plane.id + "/issuer", "a0008",
                                        "traefik-ingress-controller"),
            )))
        RoleAssignments(stack, "Roles", RoleAssignmentsProps(role_assignments={
            "IngressSecrets": RoleAssignmentSpec("Key Vault Secrets User", ingress.principal_id, KEY_VAULT),
            "IngressReader": RoleAssignmentSpec("Key Vault Reader", ingress.principal_id, KEY_VAULT),
            "ClusterAdmins": RoleAssignmentSpec("Azure Kubernetes Service RBAC Cluster Admin", ADMIN_GROUP,
                                                CLUSTER, principal_type="Group"),
            "NamespaceReaders": RoleAssignmentSpec("Azure Kubernetes Service RBAC Reader", ADMIN_GROUP,
                                                   f"{CLUSTER}/namespaces/a0008", principal_type="Group"),
            "ById": RoleAssignmentSpec(f"{ROLE_DEFINITION_PREFIX}{BUILT_IN_ROLES['AcrPull']}", ADMIN_GROUP,
                                       CLUSTER, principal_type="Group", description="pull images"),
        }))
        TerraformOutput(stack, "client_id", value=ingress.client_id)
        TerraformOutput(stack, "principal_id", value=ingress.principal_id)
        TerraformOutput(stack, "identity_id", value=ingress.id)
    return synth_construct(build)


def identity_ref(doc, name: str, attribute: str) -> str:
    return doc.ref("azurerm_user_assigned_identity", attribute, name=name)


# --- ManagedIdentity ------------------------------------------------------------------------------

def test_identity_resource(doc):
    identity = doc.named("azurerm_user_assigned_identity", "id-ingress")
    assert (identity["location"], identity["resource_group_name"]) == ("eastus2", "rg-cluster")
    assert len(doc.resources("azurerm_user_assigned_identity")) == 2


def test_federated_credential_trusts_the_service_account(doc):
    credential = doc.named("azurerm_federated_identity_credential", "ingress-controller")
    assert credential["subject"] == "system:serviceaccount:a0008:traefik-ingress-controller"
    assert credential["issuer"] == ISSUER
    assert credential["audience"] == ["api://AzureADTokenExchange"]
    assert credential["parent_id"] == identity_ref(doc, "id-ingress", "id")
    assert credential["resource_group_name"] == "rg-cluster"


def test_federated_credential_accepts_a_token_issuer(doc):
    credential = doc.named("azurerm_federated_identity_credential", "second-cluster")
    assert credential["issuer"] == identity_ref(doc, "id-aks-controlplane", "id") + "/issuer"


def test_identity_without_specs_has_no_credentials(doc):
    credentials = doc.resources("azurerm_federated_identity_credential").values()
    assert len(credentials) == 2
    control_plane_id = identity_ref(doc, "id-aks-controlplane", "id")
    assert all(c["parent_id"] != control_plane_id for c in credentials)


def test_credential_construct_ids_come_from_the_credential_name(doc):
    keys = set(doc.resources("azurerm_federated_identity_credential"))
    assert any(k.startswith("Ingress_FederatedCredential-ingress-controller_") for k in keys), keys


def test_identity_outputs_reference_the_identity(doc):
    outputs = doc.doc["output"]
    assert outputs["client_id"]["value"] == identity_ref(doc, "id-ingress", "client_id")
    assert outputs["principal_id"]["value"] == identity_ref(doc, "id-ingress", "principal_id")
    assert outputs["identity_id"]["value"] == identity_ref(doc, "id-ingress", "id")


def _identity(credentials: tuple[FederatedCredentialSpec, ...]) -> None:
    stack = empty_stack("test")
    ManagedIdentity(stack, "Identity", ManagedIdentityProps("id-x", "eastus2", "rg", credentials))


@pytest.mark.parametrize("spec, match", [
    (FederatedCredentialSpec("ab", ISSUER, "a0008", "sa"), r"federated_credentials\[0\]\.name"),
    (FederatedCredentialSpec("-lead", ISSUER, "a0008", "sa"), r"federated_credentials\[0\]\.name"),
    (FederatedCredentialSpec("ok-name", "http://issuer.example", "a0008", "sa"), r"\.issuer: .* https URL"),
    (FederatedCredentialSpec("ok-name", ISSUER, "A0008", "sa"), r"\.namespace: .* is not a DNS label"),
    (FederatedCredentialSpec("ok-name", ISSUER, "a" * 64, "sa"), r"\.namespace"),
    (FederatedCredentialSpec("ok-name", ISSUER, "a0008", "Traefik"), r"\.service_account: .*service account"),
])
def test_credential_field_rules(spec, match):
    with pytest.raises(ValueError, match=match):
        _identity((spec,))


def test_credential_name_must_be_a_literal():
    stack = empty_stack("test")
    other = ManagedIdentity(stack, "Other", ManagedIdentityProps("id-o", "eastus2", "rg"))
    with pytest.raises(ValueError, match=r"\.name: .* must be a literal"):
        ManagedIdentity(stack, "Identity", ManagedIdentityProps("id-x", "eastus2", "rg", (
            FederatedCredentialSpec(other.client_id, ISSUER, "a0008", "sa"),)))


def test_credential_names_are_unique():
    with pytest.raises(ValueError, match="names must be unique; repeated: dup"):
        _identity((FederatedCredentialSpec("dup", ISSUER, "a0008", "one"),
                   FederatedCredentialSpec("dup", ISSUER, "a0008", "two")))


def test_credential_issuer_and_subject_pair_is_unique():
    with pytest.raises(ValueError, match="must not repeat an issuer and subject pair"):
        _identity((FederatedCredentialSpec("first", ISSUER, "a0008", "sa"),
                   FederatedCredentialSpec("second", ISSUER, "a0008", "sa")))


# --- RoleAssignments ------------------------------------------------------------------------------

def assignment(doc, key: str) -> dict:
    matches = [body for k, body in doc.resources("azurerm_role_assignment").items()
               if k.startswith(f"Roles_Assignment-{key}_")]
    assert len(matches) == 1, f"no assignment with key {key}"
    return matches[0]


def test_one_assignment_per_spec(doc):
    assert len(doc.resources("azurerm_role_assignment")) == 5


def test_identity_assignments_target_the_identity_at_the_vault(doc):
    principal = identity_ref(doc, "id-ingress", "principal_id")
    for key, role in (("IngressSecrets", "Key Vault Secrets User"), ("IngressReader", "Key Vault Reader")):
        body = assignment(doc, key)
        assert body["role_definition_name"] == role
        assert body["principal_id"] == principal
        assert body["scope"] == KEY_VAULT
        assert body["principal_type"] == "ServicePrincipal"
        assert body["skip_service_principal_aad_check"] is True


def test_group_assignments_skip_no_aad_check(doc):
    admins = assignment(doc, "ClusterAdmins")
    assert (admins["principal_type"], admins["principal_id"], admins["scope"]) == ("Group", ADMIN_GROUP, CLUSTER)
    assert admins["role_definition_name"] == "Azure Kubernetes Service RBAC Cluster Admin"
    assert "skip_service_principal_aad_check" not in admins
    readers = assignment(doc, "NamespaceReaders")
    assert readers["scope"] == f"{CLUSTER}/namespaces/a0008"
    assert "skip_service_principal_aad_check" not in readers


def test_a_role_given_by_id_is_written_as_an_id(doc):
    by_id = assignment(doc, "ById")
    assert by_id["role_definition_id"] == f"{ROLE_DEFINITION_PREFIX}7f951dda-4ed3-4680-a7ca-43fe172d538d"
    assert "role_definition_name" not in by_id
    assert by_id["description"] == "pull images"


BROAD_ROLES = {"Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator"}


def test_no_broad_role_is_grantable_and_every_grantable_role_has_its_guid():
    assert not GRANTABLE & BROAD_ROLES
    assert set(BUILT_IN_ROLES) >= GRANTABLE


def _assign(**specs: RoleAssignmentSpec) -> None:
    stack = empty_stack("test")
    RoleAssignments(stack, "Roles", RoleAssignmentsProps(role_assignments=specs))


@pytest.mark.parametrize("role", [*sorted(BROAD_ROLES), "acrpull",
                                  f"{ROLE_DEFINITION_PREFIX}{BUILT_IN_ROLES['Owner']}"])
def test_roles_outside_the_allow_list_are_refused(role):
    with pytest.raises(ValueError, match=r"role_assignments\[Broad\]: role .* is not an allowed built-in role"):
        _assign(Broad=RoleAssignmentSpec(role, ADMIN_GROUP, CLUSTER))


@pytest.mark.parametrize("key", ["", "1st", "has space", "under_score"])
def test_keys_are_construct_id_safe(key):
    with pytest.raises(ValueError, match=r"role_assignments key .* is not a key"):
        _assign(**{key: RoleAssignmentSpec("AcrPull", ADMIN_GROUP, CLUSTER)})


def test_key_must_be_a_literal():
    stack = empty_stack("test")
    identity = ManagedIdentity(stack, "Identity", ManagedIdentityProps("id-x", "eastus2", "rg"))
    with pytest.raises(ValueError, match=r"role_assignments key .* is not a key: a literal"):
        RoleAssignments(stack, "Roles", RoleAssignmentsProps(role_assignments={
            identity.client_id: RoleAssignmentSpec("AcrPull", ADMIN_GROUP, CLUSTER)}))


def test_identical_grants_are_refused():
    with pytest.raises(ValueError, match="One and Two grant the same role to the same principal"):
        _assign(One=RoleAssignmentSpec("AcrPull", ADMIN_GROUP, CLUSTER),
                Two=RoleAssignmentSpec(f"{ROLE_DEFINITION_PREFIX}{BUILT_IN_ROLES['AcrPull']}", ADMIN_GROUP, CLUSTER))


def test_principal_type_is_known():
    with pytest.raises(ValueError, match="principal_type 'ManagedIdentity' must be one of"):
        _assign(Odd=RoleAssignmentSpec("AcrPull", ADMIN_GROUP, CLUSTER, principal_type="ManagedIdentity"))


def test_literal_principal_is_a_guid():
    with pytest.raises(ValueError, match="principal_id 'cluster-admins' is not an object ID"):
        _assign(Named=RoleAssignmentSpec("AcrPull", "cluster-admins", CLUSTER))


def test_literal_scope_is_a_resource_id():
    with pytest.raises(ValueError, match=r"scope 'kv-x' must be an Azure resource ID"):
        _assign(Short=RoleAssignmentSpec("Key Vault Reader", ADMIN_GROUP, "kv-x"))


@pytest.mark.parametrize("condition, version, match", [
    ("@Request[x] ForAnyOfAnyValues:GuidEquals {x}", None, "condition and condition_version go together"),
    (None, "2.0", "condition and condition_version go together"),
    ("@Request[x] ForAnyOfAnyValues:GuidEquals {x}", "1.0", "condition_version '1.0' must be one of 2.0"),
])
def test_conditions_need_their_version(condition, version, match):
    with pytest.raises(ValueError, match=match):
        _assign(Cond=RoleAssignmentSpec("AcrPull", ADMIN_GROUP, CLUSTER, condition=condition,
                                        condition_version=version))
