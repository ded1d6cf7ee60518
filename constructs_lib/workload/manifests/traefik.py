"""Traefik v3 as the cluster's internal ingress controller (the reference's `workload/traefik.yaml`).

It terminates the App Gateway's re-encrypted TLS with the wildcard certificate read from Key Vault
by the Secrets Store CSI driver (workload identity), and forwards plain HTTP to the workload.
Hardened against the reference: least-privilege RBAC split into a namespaced Role and a small
ClusterRole, the v3 `ipAllowList` middleware and the `azure-load-balancer-ipv4` annotation instead
of the deprecated names, a PodDisruptionBudget, a surge-only rollout, network policies, strong
TLS 1.2 ciphers, and access logs on stdout (collected by Container Insights) rather than an
unrotated file in an emptyDir.
"""

from __future__ import annotations

import copy
from typing import Any

from constructs_lib.workload.manifests.serialize import to_yaml
from constructs_lib.workload.manifests.settings import (
    APP_LABELS,
    APP_PORT,
    INGRESS_CLASS_NAME,
    INGRESS_IDENTITY_CLIENT_ID,
    INGRESS_TLS_SECRET_NAME,
    ROLLOUT_SURGE,
    SECRET_PROVIDER_CLASS_NAME,
    TRAEFIK_CONFIG_NAME,
    TRAEFIK_LABELS,
    TRAEFIK_METRICS_PORT,
    TRAEFIK_NAME,
    TRAEFIK_PING_PORT,
    TRAEFIK_RESOURCES,
    TRAEFIK_SERVICE_NAME,
    TRAEFIK_WEBSECURE_PORT,
    WorkloadManifestSettings,
    dns_egress_rule,
    helm_value,
    metadata,
    restricted_container_security_context,
    restricted_pod_security_context,
)

TRAEFIK_UID = 65532
"""Non-root user and group Traefik runs as (reference: 65532)."""
INGRESS_CONTROLLER = "traefik.io/ingress-controller"
CONFIG_DIR = "/config"
CERTS_DIR = "/certs"
STATIC_CONFIG_FILE = "traefik.yaml"
DYNAMIC_CONFIG_FILE = "dynamic.yaml"
APP_GATEWAY_MIDDLEWARE = "app-gateway-snet"
COMPRESS_MIDDLEWARE = "gzip-compress"
TLS_CIPHER_SUITES = (
    # TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are not configurable in Go).
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)


def traefik_static_config(s: WorkloadManifestSettings) -> dict[str, Any]:
    """Traefik's static configuration (traefik.yaml) as data."""
    return {
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
        "log": {"level": "ERROR", "format": "json"},
        # No filePath: access logs go to stdout, where Container Insights collects them; a file in
        # an emptyDir (the reference) grows without rotation until the pod is evicted.
        "accessLog": {"format": "json"},
        "entryPoints": {
            "traefik": {"address": f":{TRAEFIK_PING_PORT}"},
            "websecure": {
                "address": f":{TRAEFIK_WEBSECURE_PORT}",
                # Only the App Gateway hop may set X-Forwarded-* headers.
                "forwardedHeaders": {"trustedIPs": [s.app_gateway_subnet_cidr]},
                "http": {"tls": {"options": "default"}},
            },
            "metrics": {"address": f":{TRAEFIK_METRICS_PORT}"},
        },
        "ping": {"entryPoint": "traefik"},
        "metrics": {"prometheus": {"entryPoint": "metrics"}},
        # No [api] section: the API and dashboard are disabled.
        "providers": {
            "kubernetesIngress": {
                "ingressClass": INGRESS_CLASS_NAME,
                "namespaces": [s.namespace],
                "ingressEndpoint": {"publishedService": f"{s.namespace}/{TRAEFIK_SERVICE_NAME}"},
            },
            "file": {"filename": f"{CONFIG_DIR}/{DYNAMIC_CONFIG_FILE}", "watch": True},
        },
    }


def traefik_dynamic_config(s: WorkloadManifestSettings) -> dict[str, Any]:
    """Traefik's file-provider dynamic configuration (dynamic.yaml) as data."""
    return {
        "http": {
            "middlewares": {
                # The App Gateway is the only client: its subnet is the only allowed source.
                APP_GATEWAY_MIDDLEWARE: {"ipAllowList": {"sourceRange": [s.app_gateway_subnet_cidr]}},
                COMPRESS_MIDDLEWARE: {"compress": {}},
            },
        },
        "tls": {
            "options": {
                "default": {
                    "minVersion": "VersionTLS12",
                    "sniStrict": True,
                    "cipherSuites": list(TLS_CIPHER_SUITES),
                },
            },
        },
    }


def traefik_manifests(s: WorkloadManifestSettings) -> list[dict[str, Any]]:
    """Every object of the Traefik chart, in install-friendly order."""
    ns = s.namespace
    return [
        _service_account(s),
        _cluster_role(),
        _cluster_role_binding(ns),
        _role(ns),
        _role_binding(ns),
        _config_map(s),
        _secret_provider_class(s),
        _ingress_class(),
        _service(s),
        _deployment(s),
        _pod_disruption_budget(ns),
        *_network_policies(s),
    ]


def _service_account(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(TRAEFIK_NAME, s.namespace, TRAEFIK_LABELS, {
            # Known only after apply: the helm_release sets it.
            "azure.workload.identity/client-id": helm_value(INGRESS_IDENTITY_CLIENT_ID),
        }),
        # Traefik's Kubernetes provider authenticates to the API server with this token.
        "automountServiceAccountToken": True,
    }


def _cluster_role() -> dict:
    # Cluster-scoped reads only. Traefik v3.4 always starts a Node informer (for NodePortLB); it
    # can be turned off only with disableClusterScopeResources, which also turns off the
    # IngressClass lookup that `ingressClassName: traefik-internal` relies on.
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": metadata(TRAEFIK_NAME, labels=TRAEFIK_LABELS),
        "rules": [
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingressclasses"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
        ],
    }


def _cluster_role_binding(ns: str) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": metadata(TRAEFIK_NAME, labels=TRAEFIK_LABELS),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": TRAEFIK_NAME},
        "subjects": [{"kind": "ServiceAccount", "name": TRAEFIK_NAME, "namespace": ns}],
    }


def _role(ns: str) -> dict:
    # Namespaced reads, in the one watched namespace only (the reference grants them cluster-wide).
    # Secrets: Traefik v3.4 starts a Secret informer per watched namespace (TLS secrets of
    # Ingresses) and waits for it to sync, so the provider never starts without list/watch.
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata(TRAEFIK_NAME, ns, TRAEFIK_LABELS),
        "rules": [
            {"apiGroups": [""], "resources": ["services", "secrets"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status"], "verbs": ["update"]},
        ],
    }


def _role_binding(ns: str) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata(TRAEFIK_NAME, ns, TRAEFIK_LABELS),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": TRAEFIK_NAME},
        "subjects": [{"kind": "ServiceAccount", "name": TRAEFIK_NAME, "namespace": ns}],
    }


def _config_map(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(TRAEFIK_CONFIG_NAME, s.namespace, TRAEFIK_LABELS),
        "data": {
            STATIC_CONFIG_FILE: to_yaml(traefik_static_config(s)),
            DYNAMIC_CONFIG_FILE: to_yaml(traefik_dynamic_config(s)),
        },
    }


def _secret_provider_class(s: WorkloadManifestSettings) -> dict:
    # The one Key Vault certificate read twice: as `secret` (the PEM private key, plus the chain)
    # and as `cert` (the public certificate).
    objects = [
        {"objectName": s.ingress_certificate_name, "objectAlias": "tls.key", "objectType": "secret"},
        {"objectName": s.ingress_certificate_name, "objectAlias": "tls.crt", "objectType": "cert"},
    ]
    return {
        "apiVersion": "secrets-store.csi.x-k8s.io/v1",
        "kind": "SecretProviderClass",
        "metadata": metadata(SECRET_PROVIDER_CLASS_NAME, s.namespace, TRAEFIK_LABELS),
        "spec": {
            "provider": "azure",
            # The driver keeps this Secret equal to the mounted objects (it re-reads Key Vault every
            # rotation interval, 2 minutes); the Ingress serves it, and Traefik's Kubernetes provider
            # reloads a Secret when it changes. Files mounted from the volume would not be re-read.
            "secretObjects": [{
                "secretName": INGRESS_TLS_SECRET_NAME,
                "type": "kubernetes.io/tls",
                "labels": dict(TRAEFIK_LABELS),
                "data": [{"objectName": "tls.key", "key": "tls.key"}, {"objectName": "tls.crt", "key": "tls.crt"}],
            }],
            "parameters": {
                "usePodIdentity": "false",
                "useVMManagedIdentity": "false",
                # Workload identity: the driver exchanges the pod's service-account token for
                # this identity (federated credential on traefik-ingress-controller).
                "clientID": helm_value(INGRESS_IDENTITY_CLIENT_ID),
                "keyvaultName": s.key_vault_name,
                "tenantId": s.tenant_id,
                "objects": to_yaml({"array": [to_yaml(obj) for obj in objects]}),
            },
        },
    }


def _ingress_class() -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": metadata(INGRESS_CLASS_NAME, labels=TRAEFIK_LABELS),
        "spec": {"controller": INGRESS_CONTROLLER},
    }


def _service(s: WorkloadManifestSettings) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(TRAEFIK_SERVICE_NAME, s.namespace, TRAEFIK_LABELS, {
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": s.ingress_subnet_name,
            # Replaces the deprecated spec.loadBalancerIP.
            "service.beta.kubernetes.io/azure-load-balancer-ipv4": s.ingress_load_balancer_ip,
        }),
        "spec": {
            "type": "LoadBalancer",
            # Keeps the App Gateway's source address (the allow-list and network policy need it)
            # and sends traffic only to nodes running a Traefik pod.
            "externalTrafficPolicy": "Local",
            "selector": dict(TRAEFIK_LABELS),
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "websecure"}],
        },
    }


def _probe(failure_threshold: int) -> dict:
    return {
        "httpGet": {"path": "/ping", "port": "traefik"},
        "failureThreshold": failure_threshold,
        "initialDelaySeconds": 10,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 2,
    }


def _deployment(s: WorkloadManifestSettings) -> dict:
    container = {
        "name": TRAEFIK_NAME,
        "image": s.traefik_image_ref,
        "imagePullPolicy": "Always",
        "args": [f"--configfile={CONFIG_DIR}/{STATIC_CONFIG_FILE}"],
        "ports": [
            {"name": "websecure", "containerPort": TRAEFIK_WEBSECURE_PORT, "protocol": "TCP"},
            {"name": "traefik", "containerPort": TRAEFIK_PING_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": TRAEFIK_METRICS_PORT, "protocol": "TCP"},
        ],
        # Reference values: ready only while every ping succeeds; restarted after three failures.
        "readinessProbe": _probe(1),
        "livenessProbe": _probe(3),
        "resources": copy.deepcopy(TRAEFIK_RESOURCES),
        "securityContext": restricted_container_security_context(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "ssl-csi", "mountPath": CERTS_DIR, "readOnly": True},
            {"name": "data", "mountPath": "/data"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(TRAEFIK_NAME, s.namespace, TRAEFIK_LABELS),
        "spec": {
            "replicas": s.traefik_replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": dict(TRAEFIK_LABELS)},
            # Surge first, never below the desired count (the reference allowed one unavailable).
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": ROLLOUT_SURGE, "maxUnavailable": 0}},
            "template": {
                "metadata": {
                    "labels": {**TRAEFIK_LABELS, "azure.workload.identity/use": "true"},
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(TRAEFIK_METRICS_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "serviceAccountName": TRAEFIK_NAME,
                    "automountServiceAccountToken": True,
                    "securityContext": restricted_pod_security_context(TRAEFIK_UID, TRAEFIK_UID),
                    "nodeSelector": {"agentpool": s.user_pool_name},
                    "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                        {"labelSelector": {"matchLabels": dict(TRAEFIK_LABELS)},
                         "topologyKey": "kubernetes.io/hostname"},
                    ]}},
                    "containers": [container],
                    "volumes": [
                        {"name": "config", "configMap": {"name": TRAEFIK_CONFIG_NAME}},
                        {"name": "ssl-csi", "csi": {
                            "driver": "secrets-store.csi.k8s.io",
                            "readOnly": True,
                            "volumeAttributes": {"secretProviderClass": SECRET_PROVIDER_CLASS_NAME},
                        }},
                        {"name": "data", "emptyDir": {"sizeLimit": "64Mi"}},
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                },
            },
        },
    }


def _pod_disruption_budget(ns: str) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(f"{TRAEFIK_NAME}-pdb", ns, TRAEFIK_LABELS),
        "spec": {
            # With 2+ replicas one may always be evicted, so node drains never block on Traefik.
            "minAvailable": 1,
            "selector": {"matchLabels": dict(TRAEFIK_LABELS)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def _network_policies(s: WorkloadManifestSettings) -> list[dict]:
    ns, selector = s.namespace, {"matchLabels": dict(TRAEFIK_LABELS)}
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("traefik-allow-ingress-from-app-gateway", ns, TRAEFIK_LABELS),
            "spec": {
                "podSelector": selector,
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"ipBlock": {"cidr": s.app_gateway_subnet_cidr}}],
                    "ports": [{"protocol": "TCP", "port": TRAEFIK_WEBSECURE_PORT}],
                }],
            },
        },
        {
            # Prometheus scraping of the metrics entrypoint by the Azure Monitor agents
            # (pod-annotation scraping, §9.4), which run in kube-system.
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("traefik-allow-metrics-from-kube-system", ns, TRAEFIK_LABELS),
            "spec": {
                "podSelector": selector,
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                    "ports": [{"protocol": "TCP", "port": TRAEFIK_METRICS_PORT}],
                }],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata("traefik-allow-egress", ns, TRAEFIK_LABELS),
            "spec": {
                "podSelector": selector,
                "policyTypes": ["Egress"],
                "egress": [
                    {"to": [{"podSelector": {"matchLabels": dict(APP_LABELS)}}],
                     "ports": [{"protocol": "TCP", "port": APP_PORT}]},
                    dns_egress_rule(),
                    # The API server (with VNet integration its endpoint is in that subnet), for the
                    # Kubernetes Ingress provider's watches and status updates.
                    {"to": [{"ipBlock": {"cidr": s.api_server_egress_cidr}}],
                     "ports": [{"protocol": "TCP", "port": 443}]},
                ],
            },
        },
        *([_cilium_api_server_policy(s)] if s.network_data_plane == "cilium" else []),
    ]


def _cilium_api_server_policy(s: WorkloadManifestSettings) -> dict:
    """Cilium gives the API server the reserved `kube-apiserver` identity and may not match it by
    CIDR (cilium/cilium#25172, #33525); this allows it by entity too. Policies add up, so the
    portable NetworkPolicy above keeps its meaning."""
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": metadata("traefik-allow-egress-to-api-server", s.namespace, TRAEFIK_LABELS),
        "spec": {
            "endpointSelector": {"matchLabels": dict(TRAEFIK_LABELS)},
            "egress": [{
                "toEntities": ["kube-apiserver"],
                "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}],
            }],
        },
    }
