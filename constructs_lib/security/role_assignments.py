"""Azure RBAC role assignments, restricted to the built-in roles this baseline grants.

The reference grants 15 assignments (inventory §7): Key Vault access for the App Gateway and
ingress identities, DNS-zone and network rights for the control-plane identity, AcrPull and VM
Contributor for the kubelet identity, and the AKS RBAC roles for Entra groups. Anything broader
(Owner, Contributor, User Access Administrator, ...) is refused at synth time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

from constructs_lib.core.validation import is_guid, is_token

ALLOWED_ROLES: frozenset[str] = frozenset({
    "Key Vault Secrets User",
    "Key Vault Reader",
    "Private DNS Zone Contributor",
    "Network Contributor",
    "AcrPull",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "Azure Kubernetes Service RBAC Reader",
    "Azure Kubernetes Service Cluster User Role",
    "Monitoring Metrics Publisher",
    "Virtual Machine Contributor",
})
"""Built-in roles this project grants; every other role name is rejected."""

PRINCIPAL_TYPES = ("ServicePrincipal", "Group", "User")

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,79}$")


@dataclass(frozen=True)
class RoleAssignmentSpec:
    """One role granted to one principal at one scope."""

    key: str
    """Construct-ID key, unique within the construct: a literal of letters, digits and -,
    starting with a letter (e.g. `ControlPlaneDnsZone`)."""
    role_definition_name: str
    """Built-in role name; must be one of `ALLOWED_ROLES`."""
    principal_id: str
    """Object ID of the principal (usually a token such as `ManagedIdentity.principal_id`)."""
    scope: str
    """Resource ID the role applies to (usually a token); a literal must start with
    `/subscriptions/`."""
    principal_type: str = "ServicePrincipal"
    """`ServicePrincipal` (managed identities, the default), `Group` (Entra groups) or `User`."""


@dataclass(frozen=True)
class RoleAssignmentsProps:
    """A set of role assignments created together."""

    assignments: tuple[RoleAssignmentSpec, ...]
    """The assignments; keys must be unique and roles must be in `ALLOWED_ROLES`."""


def _validate(index: int, spec: RoleAssignmentSpec) -> None:
    where = f"assignments[{index}]"
    if is_token(spec.key) or not _KEY.match(spec.key):
        raise ValueError(
            f"{where}.key: {spec.key!r} must be a literal of letters, digits and -, starting with a letter")
    where = f"role assignment {spec.key}"
    if spec.role_definition_name not in ALLOWED_ROLES:
        raise ValueError(
            f"{where}: role_definition_name {spec.role_definition_name!r} is not an allowed built-in role; "
            f"least privilege allows only: {', '.join(sorted(ALLOWED_ROLES))}")
    if spec.principal_type not in PRINCIPAL_TYPES:
        raise ValueError(
            f"{where}: principal_type {spec.principal_type!r} must be one of {', '.join(PRINCIPAL_TYPES)}")
    if not is_token(spec.principal_id) and not is_guid(spec.principal_id):
        raise ValueError(f"{where}: principal_id {spec.principal_id!r} is not an object ID (GUID)")
    if not is_token(spec.scope) and not spec.scope.startswith("/subscriptions/"):
        raise ValueError(f"{where}: scope {spec.scope!r} must be an Azure resource ID (/subscriptions/...)")


class RoleAssignments(Construct):
    """One `azurerm_role_assignment` per spec, with construct ID `Assignment-<key>`.

    Managed identities skip the Entra ID replication check
    (`skip_service_principal_aad_check = true`), as a freshly created identity is often not yet
    visible to the role-assignment API.
    """

    def __init__(self, scope: Construct, id: str, props: RoleAssignmentsProps):
        super().__init__(scope, id)
        for index, spec in enumerate(props.assignments):
            _validate(index, spec)
        keys = [spec.key for spec in props.assignments]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"assignments: keys must be unique; repeated: {', '.join(duplicates)}")
        triples = [(s.role_definition_name, s.principal_id, s.scope) for s in props.assignments]
        repeated = sorted({s.key for s, t in zip(props.assignments, triples) if triples.count(t) > 1})
        if repeated:
            raise ValueError(
                f"assignments: {', '.join(repeated)} grant the same role to the same principal at the "
                "same scope; Azure rejects the second (RoleAssignmentExists)")
        self.assignments: dict[str, RoleAssignment] = {
            spec.key: RoleAssignment(
                self,
                f"Assignment-{spec.key}",
                scope=spec.scope,
                role_definition_name=spec.role_definition_name,
                principal_id=spec.principal_id,
                principal_type=spec.principal_type,
                skip_service_principal_aad_check=True if spec.principal_type == "ServicePrincipal" else None,
            )
            for spec in props.assignments
        }

    @property
    def resources(self) -> tuple[ITerraformDependable, ...]:
        """Every assignment, in spec order, for `depends_on` of a resource that needs them."""
        return tuple(self.assignments.values())
