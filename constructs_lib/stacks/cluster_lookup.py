"""Name-based lookups of a regional cluster and the identities the workload stack needs."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.data_azurerm_kubernetes_cluster import (
    DataAzurermKubernetesCluster,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_user_assigned_identity import (
    DataAzurermUserAssignedIdentity,
)
from constructs import Construct


@dataclass(frozen=True)
class ClusterLookupProps:
    """Names of the cluster-stack resources to look up."""

    resource_group_name: str
    cluster_name: str
    ingress_identity_name: str


class ClusterLookup(Construct):
    """Read-only view of the AKS cluster (API endpoint and CA, never credentials) and the ingress
    controller's workload identity."""

    def __init__(self, scope: Construct, id: str, props: ClusterLookupProps):
        super().__init__(scope, id)
        self.cluster = DataAzurermKubernetesCluster(
            self, "Cluster", name=props.cluster_name, resource_group_name=props.resource_group_name)
        self.ingress_identity = DataAzurermUserAssignedIdentity(
            self, "IngressIdentity", name=props.ingress_identity_name,
            resource_group_name=props.resource_group_name)

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def host(self) -> str:
        """API server URL from the Entra-integrated user kubeconfig (no client key or token)."""
        return self.cluster.kube_config.get(0).host

    @property
    def cluster_ca_certificate(self) -> str:
        """Base64 PEM of the cluster CA."""
        return self.cluster.kube_config.get(0).cluster_ca_certificate
