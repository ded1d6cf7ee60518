"""The baseline's Azure RBAC matrix (inventory §7): which identity gets which role on which scope.

Each function returns an Azure Verified Modules-shaped `role_assignments` map for
`security.role_assignments.RoleAssignments`. They are split by when the grant must exist:
the control plane's grants before the cluster is created (AKS joins the subnets and manages the
private API-server zone), the App Gateway's before the gateway reads its certificate, and the
rest once the cluster (and its kubelet and add-on identities) exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from constructs_lib.security.role_assignments import RoleAssignmentSpec


@dataclass(frozen=True)
class ControlPlaneScopes:
    """What the control-plane identity manages before the cluster exists."""

    principal_id: str
    """The user-assigned control-plane identity's principal."""
    node_subnet_id: str
    """The spoke's node subnet (Network Contributor: AKS joins the nodes to it)."""
    ingress_subnet_id: str
    """The ingress subnet (Network Contributor: AKS places the internal load balancer there)."""
    api_server_subnet_id: str | None
    """The delegated API-server subnet (Network Contributor: API-server VNet integration); None
    without VNet integration."""
    spoke_virtual_network_id: str
    """The spoke VNet (Private DNS Zone Contributor: AKS links the API-server zone to it)."""
    api_server_zone_id: str | None
    """The BYO private API-server zone; None for a public cluster (no zone, no DNS grants)."""


def control_plane_role_assignments(scopes: ControlPlaneScopes) -> dict[str, RoleAssignmentSpec]:
    """Network Contributor on the node, ingress and API-server subnets (AKS joins them and places
    the internal load balancer); Private DNS Zone Contributor on the API-server zone and on the
    spoke VNet (AKS writes the API server's records and links the zone), as the reference grants."""
    cp = scopes.principal_id
    grants = {
        "cp-nodes-network": RoleAssignmentSpec("Network Contributor", cp, scopes.node_subnet_id),
        "cp-ingress-network": RoleAssignmentSpec("Network Contributor", cp, scopes.ingress_subnet_id),
    }
    if scopes.api_server_subnet_id is not None:
        grants["cp-apiserver-network"] = RoleAssignmentSpec("Network Contributor", cp, scopes.api_server_subnet_id)
    if scopes.api_server_zone_id is not None:
        grants["cp-apiserver-dns"] = RoleAssignmentSpec(
            "Private DNS Zone Contributor", cp, scopes.api_server_zone_id)
        grants["cp-spoke-vnet-dns"] = RoleAssignmentSpec(
            "Private DNS Zone Contributor", cp, scopes.spoke_virtual_network_id)
    return grants


def app_gateway_role_assignments(principal_id: str, key_vault_id: str) -> dict[str, RoleAssignmentSpec]:
    """The gateway's identity reads its listener certificate (a Key Vault secret) from the vault."""
    return {
        "agw-kv-secrets": RoleAssignmentSpec("Key Vault Secrets User", principal_id, key_vault_id),
        "agw-kv-reader": RoleAssignmentSpec("Key Vault Reader", principal_id, key_vault_id),
    }


@dataclass(frozen=True)
class ClusterPrincipals:
    """Identities and scopes that exist once the cluster does."""

    cluster_id: str
    """The AKS cluster (scope of the AKS RBAC roles and of Monitoring Metrics Publisher)."""
    kubelet_object_id: str
    """Object ID of the AKS-created kubelet identity."""
    node_resource_group_id: str
    """The AKS-managed node resource group (Virtual Machine Contributor for the kubelet)."""
    registry_id: str
    """The registry the kubelet pulls from (AcrPull)."""
    key_vault_id: str
    """The vault holding the ingress certificate (Key Vault Secrets User + Reader)."""
    ingress_principal_id: str
    """The ingress controller's workload identity (reads its TLS certificate from the vault)."""
    monitoring_agent_object_id: str | None
    """The Container Insights agent's identity (publishes metrics); None when Container Insights is off."""
    workload_namespace: str
    """Namespace the reader groups may read (`<cluster>/namespaces/<namespace>` scope)."""
    admin_group_object_ids: Sequence[uuid.UUID | str]
    """Entra groups granted AKS RBAC Cluster Admin and Cluster User."""
    reader_group_object_ids: Sequence[uuid.UUID | str]
    """Entra groups granted AKS RBAC Reader on the namespace and Cluster User. May be empty."""


def cluster_role_assignments(p: ClusterPrincipals) -> dict[str, RoleAssignmentSpec]:
    """Kubelet: AcrPull on the registry, Virtual Machine Contributor on the node resource group;
    ingress identity: Key Vault Secrets User + Reader on the vault; OMS agent: Monitoring Metrics
    Publisher on the cluster; admin groups: AKS RBAC Cluster Admin + Cluster User; reader groups:
    AKS RBAC Reader on the workload namespace + Cluster User."""
    grants = {
        "kubelet-acr-pull": RoleAssignmentSpec("AcrPull", p.kubelet_object_id, p.registry_id),
        "kubelet-vmss": RoleAssignmentSpec("Virtual Machine Contributor", p.kubelet_object_id,
                                           p.node_resource_group_id),
        "ingress-kv-secrets": RoleAssignmentSpec("Key Vault Secrets User", p.ingress_principal_id, p.key_vault_id),
        "ingress-kv-reader": RoleAssignmentSpec("Key Vault Reader", p.ingress_principal_id, p.key_vault_id),
    }
    if p.monitoring_agent_object_id is not None:
        grants["omsagent-metrics"] = RoleAssignmentSpec(
            "Monitoring Metrics Publisher", p.monitoring_agent_object_id, p.cluster_id)
    for index, group_id in enumerate(p.admin_group_object_ids):
        grants[f"admins{index}-cluster-admin"] = RoleAssignmentSpec(
            "Azure Kubernetes Service RBAC Cluster Admin", str(group_id), p.cluster_id, principal_type="Group")
        grants[f"admins{index}-cluster-user"] = RoleAssignmentSpec(
            "Azure Kubernetes Service Cluster User Role", str(group_id), p.cluster_id, principal_type="Group")
    for index, group_id in enumerate(p.reader_group_object_ids):
        grants[f"readers{index}-namespace-reader"] = RoleAssignmentSpec(
            "Azure Kubernetes Service RBAC Reader", str(group_id),
            f"{p.cluster_id}/namespaces/{p.workload_namespace}", principal_type="Group")
        grants[f"readers{index}-cluster-user"] = RoleAssignmentSpec(
            "Azure Kubernetes Service Cluster User Role", str(group_id), p.cluster_id, principal_type="Group")
    return grants
