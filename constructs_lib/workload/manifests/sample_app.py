"""The sample workload (the reference's ASP.NET app) and the guard rails of its namespace.

Hardened against the reference: probes, a read-only root filesystem, an HPA, a disruption budget
that lets node drains proceed (the reference's minAvailable 2 with 2 replicas blocks them), a
ResourceQuota sized for the HPA maximum plus Traefik, a LimitRange, and default-deny network
policies (ingress and egress) with only DNS and Traefik -> app allowed.
"""

from __future__ import annotations

import copy
from typing import Any

from constructs_lib.config.rules import POLICY_MAX_LIMITS, SPOT_LABEL
from constructs_lib.workload.manifests.settings import (
    APP_LABELS,
    APP_NAME,
    APP_PORT,
    APP_RESOURCES,
    INGRESS_CLASS_NAME,
    INGRESS_TLS_SECRET_NAME,
    ROLLOUT_SURGE,
    TRAEFIK_LABELS,
    TRAEFIK_RESOURCES,
    WorkloadManifestSettings,
    cpu_millicores,
    dns_egress_rule,
    memory_mebibytes,
    metadata,
    restricted_container_security_context,
    restricted_pod_security_context,
)

APP_UID = 10001
APP_GID = 3000
APP_CONTAINER = "aspnet-webapp-sample"
APP_DEPLOYMENT = "aspnetapp-deployment"
APP_SERVICE = "aspnetapp-service"
APP_INGRESS = "aspnetapp-ingress"
HPA_CPU_UTILIZATION = 70
INGRESS_MIDDLEWARES = "app-gateway-snet@file,gzip-compress@file"


def quota_hard(s: WorkloadManifestSettings) -> dict[str, str]:
    """Namespace quota: the app at its HPA maximum plus Traefik, each with rollout headroom (the
    surge pod plus one replaced pod that still counts while it terminates)."""
    headroom = ROLLOUT_SURGE + 1
    pods = {"app": s.app_max_replicas + headroom, "traefik": s.traefik_replicas + headroom}
    sizes = {"app": APP_RESOURCES, "traefik": TRAEFIK_RESOURCES}
    hard: dict[str, str] = {"pods": str(sum(pods.values())), "services.loadbalancers": "1"}
    for scope in ("requests", "limits"):
        cpu = sum(pods[k] * cpu_millicores(sizes[k][scope]["cpu"]) for k in pods)
        memory = sum(pods[k] * memory_mebibytes(sizes[k][scope]["memory"]) for k in pods)
        hard[f"{scope}.cpu"] = f"{cpu}m"
        hard[f"{scope}.memory"] = f"{memory}Mi"
    return hard


def workload_manifests(s: WorkloadManifestSettings) -> list[dict[str, Any]]:
    """Every object of the workload chart, in install-friendly order."""
    ns = s.namespace
    return [
        _resource_quota(s),
        _limit_range(ns),
        *_network_policies(ns),
        _service_account(ns),
        _deployment(s),
        _service(ns),
        _ingress(s),
        _pod_disruption_budget(ns),
        _horizontal_pod_autoscaler(s),
    ]


def _resource_quota(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": metadata(f"{s.namespace}-quota", s.namespace),
        "spec": {"hard": quota_hard(s)},
    }


def _limit_range(ns: str) -> dict:
    # Defaults for any container that states no resources, capped at the Azure Policy maximum.
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": metadata(f"{ns}-container-limits", ns),
        "spec": {"limits": [{
            "type": "Container",
            "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
            "default": {"cpu": "100m", "memory": "128Mi"},
            "max": dict(POLICY_MAX_LIMITS),
        }]},
    }


def _network_policies(ns: str) -> list[dict]:
    return [
        {
            # Nothing in or out unless another policy allows it (the reference had no such policy).
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("default-deny-all", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("allow-dns-egress", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [dns_egress_rule()]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("allow-traefik-to-aspnetapp", ns, APP_LABELS),
            "spec": {
                "podSelector": {"matchLabels": dict(APP_LABELS)},
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"podSelector": {"matchLabels": dict(TRAEFIK_LABELS)}}],
                    "ports": [{"protocol": "TCP", "port": APP_PORT}],
                }],
            },
        },
    ]


def _service_account(ns: str) -> dict:
    # A dedicated identity without API access, instead of the namespace's default account.
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(APP_NAME, ns, APP_LABELS),
        "automountServiceAccountToken": False,
    }


def _http_probe(**timing: int) -> dict:
    return {"httpGet": {"path": "/", "port": "http"}, "successThreshold": 1, "timeoutSeconds": 2, **timing}


def _deployment(s: WorkloadManifestSettings) -> dict:
    container = {
        "name": APP_CONTAINER,
        "image": s.app_image_ref,
        "imagePullPolicy": "Always",
        "env": [{"name": "ASPNETCORE_URLS", "value": f"http://+:{APP_PORT}"}],
        "ports": [{"name": "http", "containerPort": APP_PORT, "protocol": "TCP"}],
        # Startup gives a CPU-limited .NET start up to 2 minutes before liveness applies.
        "startupProbe": _http_probe(periodSeconds=5, failureThreshold=24),
        "readinessProbe": _http_probe(periodSeconds=10, failureThreshold=3),
        "livenessProbe": _http_probe(periodSeconds=20, failureThreshold=3),
        "resources": copy.deepcopy(APP_RESOURCES),
        # Read-only root (the reference excluded this container from Azure Policy #4); ASP.NET
        # needs only a writable /tmp and falls back to in-memory data-protection keys.
        "securityContext": restricted_container_security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(APP_DEPLOYMENT, s.namespace, APP_LABELS),
        "spec": {
            # No `replicas`: the HPA owns the count (it scales up to minReplicas at once).
            # A fixed value would be re-applied by every `helm upgrade`, undoing the HPA.
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": dict(APP_LABELS)},
            # maxUnavailable 1: at the HPA maximum every user node already runs a replica
            # (required anti-affinity), so a surge pod alone could never be scheduled.
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": ROLLOUT_SURGE, "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": dict(APP_LABELS)},
                "spec": {
                    "serviceAccountName": APP_NAME,
                    "automountServiceAccountToken": False,
                    "securityContext": restricted_pod_security_context(APP_UID, APP_GID),
                    **_placement(s),
                    "affinity": {
                        **_node_affinity(s),
                        "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": dict(APP_LABELS)},
                             "topologyKey": "kubernetes.io/hostname"},
                        ]},
                        # Prefer nodes running Traefik (externalTrafficPolicy Local lands there).
                        "podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                            {"weight": 100, "podAffinityTerm": {
                                "labelSelector": {"matchLabels": dict(TRAEFIK_LABELS)},
                                "topologyKey": "kubernetes.io/hostname"}},
                        ]},
                    },
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def _placement(s: WorkloadManifestSettings) -> dict:
    """Pinned to the user pool, or (with a Spot pool) allowed on both with the Spot taint tolerated."""
    if s.spot_pool_name is None:
        return {"nodeSelector": {"agentpool": s.user_pool_name}}
    key, value = SPOT_LABEL
    return {"tolerations": [{"key": key, "operator": "Equal", "value": value, "effect": "NoSchedule"}]}


def _node_affinity(s: WorkloadManifestSettings) -> dict:
    """With a Spot pool: either user pool, preferring the regular one (see `spot_pool_name`)."""
    if s.spot_pool_name is None:
        return {}
    pools = {"key": "agentpool", "operator": "In", "values": [s.user_pool_name, s.spot_pool_name]}
    regular = {"key": "agentpool", "operator": "In", "values": [s.user_pool_name]}
    return {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [pools]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "preference": {"matchExpressions": [regular]}}],
    }}


def _service(ns: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(APP_SERVICE, ns, APP_LABELS),
        "spec": {
            "type": "ClusterIP",
            "selector": dict(APP_LABELS),
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
        },
    }


def _ingress(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(APP_INGRESS, s.namespace, APP_LABELS, {
            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
            "traefik.ingress.kubernetes.io/router.tls": "true",
            "traefik.ingress.kubernetes.io/router.tls.options": "default",
            "traefik.ingress.kubernetes.io/router.middlewares": INGRESS_MIDDLEWARES,
        }),
        "spec": {
            "ingressClassName": INGRESS_CLASS_NAME,
            # The Key Vault certificate, synced into a Secret by the Secrets Store CSI driver (the
            # Traefik chart's SecretProviderClass): renewals reach Traefik without a restart.
            "tls": [{"hosts": [s.internal_host], "secretName": INGRESS_TLS_SECRET_NAME}],
            "rules": [{
                "host": s.internal_host,
                "http": {"paths": [{
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": APP_SERVICE, "port": {"name": "http"}}},
                }]},
            }],
        },
    }


def _pod_disruption_budget(ns: str) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(f"{APP_NAME}-pdb", ns, APP_LABELS),
        "spec": {
            # One pod at a time may be evicted whatever the current scale, so drains proceed.
            "maxUnavailable": 1,
            "selector": {"matchLabels": dict(APP_LABELS)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def _horizontal_pod_autoscaler(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(f"{APP_NAME}-hpa", s.namespace, APP_LABELS),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": APP_DEPLOYMENT},
            "minReplicas": s.app_min_replicas,
            "maxReplicas": s.app_max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": HPA_CPU_UTILIZATION}}}],
            # Cool-down against flapping: scale in one pod a minute after 5 stable minutes.
            "behavior": {"scaleDown": {
                "stabilizationWindowSeconds": 300,
                "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
            }},
        },
    }
