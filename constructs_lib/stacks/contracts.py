"""What the stacks of one region rely on from each other beyond Azure names (those live in
`config.resource_names`): the Kubernetes identity the cluster stack federates and the workload
stack runs, and the Entra application kubelogin asks tokens for."""

from __future__ import annotations

from constructs_lib.workload.manifests.settings import TRAEFIK_NAME

INGRESS_SERVICE_ACCOUNT = TRAEFIK_NAME
"""The ingress controller's service account: the cluster stack's federated credential trusts
`system:serviceaccount:<namespace>:<this>`, and the workload stack's Traefik chart runs as it."""

AKS_ENTRA_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
"""The fixed application ID of the AKS Entra ID server (the audience kubelogin asks tokens for)."""
