"""Azure built-in roles this project refers to, by name and role-definition GUID.

Source: Microsoft Learn, "Azure built-in roles"
(https://learn.microsoft.com/azure/role-based-access-control/built-in-roles), read 2026-11-29.
The GUIDs are the same in every Azure public-cloud tenant.

`GRANTABLE` is the least-privilege allow-list the stacks may assign; the deploy identity's ABAC
condition (bootstrap) is derived from what the stacks actually assign, and every such role must
be in this table. Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

BUILT_IN_ROLES: dict[str, str] = {
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Azure Kubernetes Service Cluster User Role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Key Vault Certificates Officer": "a4417e6f-fecd-4de8-b567-7b0420556985",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Resource Policy Contributor": "36243c78-bf99-498c-9df9-86d9f8d28608",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
}
"""Built-in role name -> role definition GUID."""

GRANTABLE: frozenset[str] = frozenset({
    "AcrPull",
    "Azure Kubernetes Service Cluster User Role",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "Azure Kubernetes Service RBAC Reader",
    "Key Vault Certificates Officer",
    "Key Vault Reader",
    "Key Vault Secrets User",
    "Monitoring Metrics Publisher",
    "Network Contributor",
    "Private DNS Zone Contributor",
    "Virtual Machine Contributor",
})
"""Roles the stacks may grant: each as narrow as the reference's. Owner, Contributor, User Access
Administrator and RBAC Administrator never appear in a stack."""

ROLE_DEFINITION_PREFIX = "/providers/Microsoft.Authorization/roleDefinitions/"


def role_name(role_definition_id_or_name: str) -> str | None:
    """The built-in role a name or a `/providers/Microsoft.Authorization/roleDefinitions/<guid>`
    ID stands for (None when it is neither)."""
    if role_definition_id_or_name in BUILT_IN_ROLES:
        return role_definition_id_or_name
    guid = role_definition_id_or_name.rsplit("/", 1)[-1].lower()
    if role_definition_id_or_name.startswith(ROLE_DEFINITION_PREFIX):
        return next((name for name, known in BUILT_IN_ROLES.items() if known == guid), None)
    return None


# ---------------------------------------------------------------------------------------------
# The pipeline's identities (bootstrap stack, issue 12).

DEPLOY_IDENTITY_ROLES: frozenset[str] = frozenset({
    "Contributor",
    "Resource Policy Contributor",
    "Role Based Access Control Administrator",
    "Storage Blob Data Contributor",
})
"""What the deploy identity (GitHub environment `<env>`) holds. Contributor creates the resources
(it excludes `Microsoft.Authorization/*/Write`); Resource Policy Contributor writes the policy
definition and assignments Contributor cannot; RBAC Administrator, only with the ABAC condition of
`abac_condition`, creates the stacks' role assignments; Storage Blob Data Contributor on the state
container reads, writes and leases (locks) state blobs."""

PLAN_IDENTITY_ROLES: frozenset[str] = frozenset({
    "Reader",
    "Key Vault Reader",
    "Storage Blob Data Contributor",
})
"""What the plan identity (GitHub environment `<env>-plan`, plan and drift jobs) holds: Reader
to refresh resources, Key Vault Reader to read certificate metadata through the vault's data plane,
and Storage Blob Data Contributor on the state container, because `terraform plan` takes the
state lock, a blob lease, which is a write."""

NEVER_DELEGATED: frozenset[str] = frozenset({
    "Owner", "User Access Administrator", "Role Based Access Control Administrator", "Contributor",
})
"""Roles the deploy identity may never hand out: each would let it, or whoever it grants, escalate."""

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"
ROLE_ASSIGNMENT_DELETE = "Microsoft.Authorization/roleAssignments/delete"
RBAC_ADMINISTRATOR = "Role Based Access Control Administrator"
ABAC_CONDITION_VERSION = "2.0"
"""The only condition version Azure accepts
(https://learn.microsoft.com/azure/role-based-access-control/conditions-role-assignments-rest)."""

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def role_definition_guid(role_definition_id_or_name: str) -> str | None:
    """The role definition GUID behind a built-in role name, a role definition ID
    (`[/subscriptions/<sub>]/providers/Microsoft.Authorization/roleDefinitions/<guid>`, where the
    prefix may hold an unresolved reference) or a bare GUID; None when it names none."""
    if role_definition_id_or_name in BUILT_IN_ROLES:
        return BUILT_IN_ROLES[role_definition_id_or_name]
    tail = role_definition_id_or_name.rsplit("/", 1)[-1].lower()
    if _GUID.match(tail) and (tail == role_definition_id_or_name.lower()
                              or "/roleDefinitions/" in role_definition_id_or_name):
        return tail
    return None


def abac_condition(role_definition_guids: Iterable[str]) -> str:
    """The ABAC condition that limits Role Based Access Control Administrator to granting and
    removing exactly `role_definition_guids` (sorted, lowercase): writes are checked on the
    request, deletes on the existing assignment. Raises ValueError for an empty set, a value that
    is not a GUID, or a role of `NEVER_DELEGATED`.

    Source: "Example: Constrain roles",
    https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples
    """
    guids = sorted({guid.lower() for guid in role_definition_guids})
    if not guids:
        raise ValueError("role_definition_guids: at least one role is needed; an empty condition grants nothing")
    for guid in guids:
        if not _GUID.match(guid):
            raise ValueError(f"role_definition_guids: {guid!r} is not a role definition GUID "
                             "(for example 7f951dda-4ed3-4680-a7ca-43fe172d538d)")
    forbidden = sorted(name for name in NEVER_DELEGATED if BUILT_IN_ROLES[name] in guids)
    if forbidden:
        raise ValueError(f"role_definition_guids: {', '.join(forbidden)} must never be delegated")
    listed = ", ".join(guids)
    attribute = "Microsoft.Authorization/roleAssignments:RoleDefinitionId"
    return (
        f"((!(ActionMatches{{'{ROLE_ASSIGNMENT_WRITE}'}})) OR "
        f"(@Request[{attribute}] ForAnyOfAnyValues:GuidEquals {{{listed}}}))"
        " AND "
        f"((!(ActionMatches{{'{ROLE_ASSIGNMENT_DELETE}'}})) OR "
        f"(@Resource[{attribute}] ForAnyOfAnyValues:GuidEquals {{{listed}}}))"
    )


def condition_role_guids(condition: str) -> tuple[frozenset[str], frozenset[str]]:
    """The GUID sets a condition of `abac_condition` allows for writes and for deletes (for
    tests and reviewers reading a synthesized condition)."""
    sets = re.findall(r"@(Request|Resource)\[[^\]]+\] ForAnyOfAnyValues:GuidEquals \{([^}]*)\}", condition)
    found = {source: frozenset(g.strip() for g in guids.split(",")) for source, guids in sets}
    return found.get("Request", frozenset()), found.get("Resource", frozenset())


# Custom roles the stacks define (issue 13). Each gets a deterministic role-definition GUID, so
# the bootstrap identity's ABAC condition can name it before the stack that creates it runs.

START_STOP_ROLE = "AKS cluster start/stop"
"""The custom role of the stop-when-idle schedule (`cluster.stop_schedule`)."""

START_STOP_ACTIONS: tuple[str, ...] = (
    "Microsoft.ContainerService/managedClusters/read",
    "Microsoft.ContainerService/managedClusters/start/action",
    "Microsoft.ContainerService/managedClusters/stop/action",
)
"""Exactly what the schedule's Logic Apps do: read the cluster, start it, stop it (resource-provider
operations, https://learn.microsoft.com/azure/role-based-access-control/permissions/containers)."""

CUSTOM_ROLES: dict[str, tuple[str, ...]] = {START_STOP_ROLE: START_STOP_ACTIONS}
"""Custom role kind -> its actions. `security.role_assignments` grants these besides `GRANTABLE`."""

CUSTOM_ROLE_NAMESPACE = uuid.UUID("5b0c1f0e-3d7a-5e55-9a4c-2f1d6c0b13a1")
"""Fixed namespace of the uuid5 role-definition IDs (any fixed UUID; never change it: the IDs of
deployed roles derive from it)."""


def start_stop_role_definition_id(cluster_name: str, subscription_id: str | None) -> str:
    """The role-definition GUID (bare, lower case) of the start/stop role of one cluster:
    uuid5(CUSTOM_ROLE_NAMESPACE, "<role>|<subscription or '*'>|<cluster name>").

    Role definitions are unique per tenant, so the cluster's Azure name (unique per environment and
    region) and the environment's `subscription_id` (when the file sets one) both go into it.
    Pure and deterministic: the bootstrap (issue 12) computes the same value from the same file."""
    if not cluster_name:
        raise ValueError("cluster_name: the cluster's Azure name is required, e.g. aks-bu0001a0008-dev-eus2")
    key = f"{START_STOP_ROLE}|{(subscription_id or '*').lower()}|{cluster_name}"
    return str(uuid.uuid5(CUSTOM_ROLE_NAMESPACE, key))


def start_stop_role_name(cluster_name: str) -> str:
    """Display name of the start/stop role of one cluster (unique per tenant, as Azure requires)."""
    return f"{START_STOP_ROLE} ({cluster_name})"
