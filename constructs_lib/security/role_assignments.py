"""Azure RBAC role assignments, shaped like the Azure Verified Modules `role_assignments` input and
restricted to the narrow built-in roles this baseline grants.

The reference grants 15 assignments (inventory §7): Key Vault access for the App Gateway and
ingress identities, DNS-zone and network rights for the control-plane identity, AcrPull and VM
Contributor for the kubelet identity, and the AKS RBAC roles for Entra groups. Anything broader
(Owner, Contributor, User Access Administrator, ...) is refused at synth time. Which principal
gets which role where is the baseline's RBAC matrix (`cluster.rbac`); this construct only
creates and checks assignments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

from constructs_lib.config.patterns import CONSTRUCT_KEY
from constructs_lib.config.roles import CUSTOM_ROLES, GRANTABLE, RBAC_ADMINISTRATOR, role_name
from constructs_lib.core.validation import is_guid, is_token

PRINCIPAL_TYPES = ("ServicePrincipal", "Group", "User")
CONDITION_VERSIONS = ("2.0",)


@dataclass(frozen=True)
class RoleAssignmentSpec:
    """One role granted to one principal at one scope (an AVM `role_assignments` map value, plus
    the scope, since one set spans several resources)."""

    role_definition_id_or_name: str
    """Built-in role name (`AcrPull`) or `/providers/Microsoft.Authorization/roleDefinitions/<guid>`;
    must be one of `config.roles.GRANTABLE`, else ValueError."""
    principal_id: str
    """Object ID of the principal (usually a token such as `ManagedIdentity.principal_id`); a
    literal must be a GUID."""
    scope: str
    """Resource ID the role applies to (usually a token); a literal must start with
    `/subscriptions/`."""
    principal_type: str = "ServicePrincipal"
    """`ServicePrincipal` (managed identities, the default), `Group` (Entra groups) or `User`."""
    description: str | None = None
    """Free text shown on the assignment. Default none."""
    skip_service_principal_aad_check: bool | None = None
    """Skip Entra ID's replication check. Default: true for `ServicePrincipal` (a freshly created
    managed identity is often not yet visible to the role-assignment API), unset otherwise."""
    condition: str | None = None
    """ABAC condition limiting the assignment (e.g. which roles an RBAC administrator may grant).
    Default none; requires `condition_version`."""
    condition_version: str | None = None
    """`2.0` when `condition` is set. Default none."""
    custom_role: str | None = None
    """Kind of a custom role this project defines (`config.roles.CUSTOM_ROLES`, e.g. `AKS cluster
    start/stop`) that `role_definition_id_or_name` (then the role definition's resource ID, usually a
    token) stands for. Default none: a built-in role of `GRANTABLE`. Anything else is a ValueError."""


@dataclass(frozen=True)
class RoleAssignmentsProps:
    """A set of role assignments created together."""

    role_assignments: Mapping[str, RoleAssignmentSpec]
    """Key -> assignment. The key becomes the construct ID `Assignment-<key>` (so a Terraform
    address): a literal of 1-80 letters, digits and -, starting with a letter, stable over time."""
    allowed_roles: frozenset[str] = GRANTABLE
    """Built-in roles these assignments may use. Default `config.roles.GRANTABLE` (what the
    platform stacks grant); the bootstrap stack passes the pipeline identities' roles."""


def _validate(key: str, spec: RoleAssignmentSpec, allowed: frozenset[str]) -> None:
    if is_token(key) or not CONSTRUCT_KEY.matches(key):
        raise ValueError(f"role_assignments key {key!r}: {CONSTRUCT_KEY.message(key)}")
    where = f"role_assignments[{key}]"
    if spec.custom_role is not None:
        if spec.custom_role not in CUSTOM_ROLES:
            raise ValueError(f"{where}: custom role {spec.custom_role!r} is not one this project defines; "
                             f"known: {', '.join(sorted(CUSTOM_ROLES))}")
        if not spec.role_definition_id_or_name.startswith("/") and not is_token(spec.role_definition_id_or_name):
            raise ValueError(f"{where}: a custom role is granted by its role definition ID, not by name")
    elif role_name(spec.role_definition_id_or_name) not in allowed:
        raise ValueError(
            f"{where}: role {spec.role_definition_id_or_name!r} is not an allowed built-in role; "
            f"least privilege allows only: {', '.join(sorted(allowed))}")
    if role_name(spec.role_definition_id_or_name) == RBAC_ADMINISTRATOR and spec.condition is None:
        raise ValueError(
            f"{where}: {RBAC_ADMINISTRATOR} without a condition may grant any role, Owner included; "
            "limit it with config.roles.abac_condition")
    if spec.principal_type not in PRINCIPAL_TYPES:
        raise ValueError(
            f"{where}: principal_type {spec.principal_type!r} must be one of {', '.join(PRINCIPAL_TYPES)}")
    if not is_token(spec.principal_id) and not is_guid(spec.principal_id):
        raise ValueError(f"{where}: principal_id {spec.principal_id!r} is not an object ID (GUID)")
    if not is_token(spec.scope) and not spec.scope.startswith("/subscriptions/"):
        raise ValueError(f"{where}: scope {spec.scope!r} must be an Azure resource ID (/subscriptions/...)")
    if (spec.condition is None) != (spec.condition_version is None):
        raise ValueError(f"{where}: condition and condition_version go together")
    if spec.condition_version is not None and spec.condition_version not in CONDITION_VERSIONS:
        raise ValueError(f"{where}: condition_version {spec.condition_version!r} must be one of "
                         f"{', '.join(CONDITION_VERSIONS)}")


def _by_name(spec: RoleAssignmentSpec) -> dict[str, str | None]:
    """azurerm takes a role by name or by ID, in different attributes."""
    if spec.role_definition_id_or_name.startswith("/") or spec.custom_role is not None:
        return {"role_definition_id": spec.role_definition_id_or_name, "role_definition_name": None}
    return {"role_definition_id": None, "role_definition_name": spec.role_definition_id_or_name}


class RoleAssignments(Construct):
    """One `azurerm_role_assignment` per map entry, with construct ID `Assignment-<key>`.

    Raises ValueError for a role outside `config.roles.GRANTABLE`, a malformed key, principal or
    scope, and for two entries granting the same role to the same principal at the same scope
    (Azure rejects the second with RoleAssignmentExists).
    """

    def __init__(self, scope: Construct, id: str, props: RoleAssignmentsProps):
        super().__init__(scope, id)
        for key, spec in props.role_assignments.items():
            _validate(key, spec, props.allowed_roles)
        grants: dict[tuple[str | None, str, str], str] = {}
        for key, spec in props.role_assignments.items():
            grant = (spec.custom_role or role_name(spec.role_definition_id_or_name), spec.principal_id, spec.scope)
            if grant in grants:
                raise ValueError(
                    f"role_assignments: {grants[grant]} and {key} grant the same role to the same principal "
                    "at the same scope; Azure rejects the second (RoleAssignmentExists)")
            grants[grant] = key
        self.assignments: dict[str, RoleAssignment] = {
            key: RoleAssignment(
                self,
                f"Assignment-{key}",
                scope=spec.scope,
                **_by_name(spec),
                principal_id=spec.principal_id,
                principal_type=spec.principal_type,
                description=spec.description,
                skip_service_principal_aad_check=(
                    spec.skip_service_principal_aad_check if spec.skip_service_principal_aad_check is not None
                    else (True if spec.principal_type == "ServicePrincipal" else None)),
                condition=spec.condition,
                condition_version=spec.condition_version,
            )
            for key, spec in props.role_assignments.items()
        }
