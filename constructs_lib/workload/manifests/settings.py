"""Inputs of the in-cluster manifests (Traefik ingress controller and the sample workload).

The manifests are plain Python data built from one frozen, validated settings object, so a bad
value (an unpinned image, one replica, an IP inside the wrong subnet) fails when the stack is
built, with the field's name, not at `helm install` or during a node drain.

Values known only after `terraform apply` (the ingress identity's client id) are never settings:
the manifests carry a Helm placeholder for them (`helm_value`), set by the helm_release.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from constructs_lib.config.patterns import (
    AZURE_SUBNET_NAME,
    DNS_NAME,
    GUID,
    KEY_VAULT_NAME,
    KEY_VAULT_OBJECT_NAME,
    KUBERNETES_VERSION,
    NODE_POOL_NAME,
)
from constructs_lib.config.rules import (
    INGRESS_REPLICAS,
    WORKLOAD_REPLICAS,
    check_image_reference,
    check_min_not_above_max,
    check_range,
    check_workload_namespace,
    ipv4_network,
)

# Helm values the charts read at install time; each appears in the manifests only as the exact
# placeholder `helm_value(name)` (the ONLY templating in the charts).
INGRESS_IDENTITY_CLIENT_ID = "ingressIdentityClientId"
"""Client id of the Traefik user-assigned identity (workload identity, Key Vault access)."""
HELM_VALUES = (INGRESS_IDENTITY_CLIENT_ID,)


def helm_value(name: str) -> str:
    """The exact Helm placeholder for a value set at install time."""
    if name not in HELM_VALUES:
        raise ValueError(f"helm value {name!r} is not one of {HELM_VALUES}")
    return f"{{{{ .Values.{name} }}}}"


@dataclass(frozen=True)
class WorkloadManifestSettings:
    """Everything the Traefik and workload manifests depend on; validated at construction."""

    registry_login_server: str
    """Login server of the environment's registry (`<name>.azurecr.io`); every image comes from it."""
    key_vault_name: str
    """Key Vault holding the ingress TLS certificate (read by the Secrets Store CSI driver)."""
    tenant_id: str
    """Entra tenant of the Key Vault and of the ingress workload identity."""
    namespace: str = "a0008"
    """Namespace of Traefik and the workload. Reference: a0008. Must match the federated
    credential subject `system:serviceaccount:<namespace>:traefik-ingress-controller`."""
    traefik_image: str = "traefik:v3.4.5"
    """Traefik `repository:tag` inside the registry (imported with `az acr import`); pinned. A
    `@sha256:<digest>` suffix pins it by content too (checkov CKV_K8S_43)."""
    app_image: str = "dotnet/samples:aspnetapp-9.0"
    """Sample app `repository:tag[@sha256:<digest>]` inside the registry; pinned."""
    user_pool_name: str = "npuser01"
    """User node pool both deployments are pinned to (`agentpool` node label). Reference: npuser01."""
    spot_pool_name: str | None = None
    """Spot user pool (`cluster.spot_pool`) the sample app may also run on: it then tolerates the
    Spot taint AKS sets and may be scheduled on either pool, preferring the regular one (whose
    nodes Traefik keeps running anyway), so Spot nodes carry only the scale-out and a Spot
    eviction, which ignores PodDisruptionBudgets, never takes every replica. Traefik never runs on
    Spot. Default none (reference): the app is pinned to `user_pool_name`."""
    ingress_load_balancer_ip: str = "10.240.4.4"
    """Static private IP of Traefik's internal load balancer (the App Gateway backend). Reference: 10.240.4.4."""
    ingress_subnet_name: str = "snet-clusteringressservices"
    """Subnet the internal load balancer frontend is placed in."""
    app_gateway_subnet_cidr: str = "10.240.5.0/24"
    """App Gateway subnet: the only source allowed into Traefik (network policy and IP allow-list)
    and the trusted X-Forwarded-For hop. Reference: 10.240.5.0/24."""
    internal_host: str = "bu0001a0008-00.aks-ingress.contoso.com"
    """Host name the App Gateway uses towards Traefik (TLS SNI and Ingress rule host)."""
    ingress_certificate_name: str = "traefik-ingress-internal-aks-ingress-tls"
    """Key Vault certificate object served by Traefik (wildcard for the internal zone)."""
    traefik_replicas: int = 2
    """Traefik replicas, at least 2 (one per node by required anti-affinity). Reference: 2."""
    app_min_replicas: int = 2
    """HPA minimum of the sample app, at least 2 so one pod survives a node drain."""
    app_max_replicas: int = 5
    """HPA maximum of the sample app (the user pool's maximum node count, since replicas are
    spread one per node)."""
    kubernetes_version: str = "1.35"
    """Cluster version (major.minor); manifests are validated against its API schemas. Reference: 1.35."""
    network_data_plane: str = "cilium"
    """`cilium` (Azure CNI powered by Cilium) or `azure` (Azure Network Policy Manager): with Cilium the
    chart adds a CiliumNetworkPolicy for the API server, which Cilium identifies as an entity."""
    api_server_egress_cidr: str = "10.240.7.0/28"
    """Where Traefik reaches the API server on 443: the API-server VNet-integration subnet (default,
    reference), the node subnet (a private cluster without VNet integration: the private endpoint
    is there) or 0.0.0.0/0 (a public API server without VNet integration)."""

    def __post_init__(self) -> None:
        check_workload_namespace("namespace", self.namespace)
        DNS_NAME.check("registry_login_server", self.registry_login_server)
        for field_name in ("traefik_image", "app_image"):
            check_image_reference(field_name, getattr(self, field_name))
        NODE_POOL_NAME.check("user_pool_name", self.user_pool_name)
        if self.spot_pool_name is not None:
            NODE_POOL_NAME.check("spot_pool_name", self.spot_pool_name)
            _check(self.spot_pool_name != self.user_pool_name, "spot_pool_name",
                   f"{self.spot_pool_name!r} is also the user pool's name; name the Spot pool apart, e.g. npspot01")
        AZURE_SUBNET_NAME.check("ingress_subnet_name", self.ingress_subnet_name)
        appgw = ipv4_network("app_gateway_subnet_cidr", self.app_gateway_subnet_cidr)
        try:
            ip = ipaddress.IPv4Address(self.ingress_load_balancer_ip)
        except ValueError:
            raise ValueError(f"ingress_load_balancer_ip: {self.ingress_load_balancer_ip!r} "
                             "is not an IPv4 address") from None
        _check(ip.is_private, "ingress_load_balancer_ip", f"{ip} must be a private address (internal load balancer)")
        _check(ip not in appgw, "ingress_load_balancer_ip", f"{ip} lies inside app_gateway_subnet_cidr {appgw}")
        DNS_NAME.check("internal_host", self.internal_host)
        KEY_VAULT_NAME.check("key_vault_name", self.key_vault_name)
        GUID.check("tenant_id", self.tenant_id)
        KEY_VAULT_OBJECT_NAME.check("ingress_certificate_name", self.ingress_certificate_name)
        for field_name, bounds in (("traefik_replicas", INGRESS_REPLICAS), ("app_min_replicas", WORKLOAD_REPLICAS),
                                   ("app_max_replicas", WORKLOAD_REPLICAS)):
            value = getattr(self, field_name)
            _check(_is_int(value), field_name, f"{value!r} is not a whole number")
            check_range(field_name, value, bounds)
        check_min_not_above_max("app_min_replicas", self.app_min_replicas, "app_max_replicas", self.app_max_replicas)
        KUBERNETES_VERSION.check("kubernetes_version", self.kubernetes_version)
        _check(self.network_data_plane in ("cilium", "azure"), "network_data_plane",
               f"{self.network_data_plane!r} must be cilium or azure")
        ipv4_network("api_server_egress_cidr", self.api_server_egress_cidr)

    @property
    def traefik_image_ref(self) -> str:
        """Full image reference of Traefik, from the registry."""
        return f"{self.registry_login_server}/{self.traefik_image}"

    @property
    def app_image_ref(self) -> str:
        """Full image reference of the sample app, from the registry."""
        return f"{self.registry_login_server}/{self.app_image}"

    @property
    def kubernetes_minor(self) -> str:
        """`1.35` for `1.35` or `1.35.0`."""
        return ".".join(self.kubernetes_version.split(".")[:2])


def _check(ok: bool, field_name: str, message: str) -> None:
    if not ok:
        raise ValueError(f"{field_name}: {message}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# Names, ports, labels and sizes shared by both charts: the network policies and affinities of
# one chart select the other chart's pods, and the workload namespace's quota covers both.
# ---------------------------------------------------------------------------------------------

TRAEFIK_NAME = "traefik-ingress-controller"
"""Deployment, ServiceAccount and RBAC name. The ServiceAccount name is load-bearing: the
federated identity credential's subject is `system:serviceaccount:<namespace>:<this>`."""
TRAEFIK_SERVICE_NAME = "traefik-ingress-service"
TRAEFIK_CONFIG_NAME = "traefik-ingress-config"
SECRET_PROVIDER_CLASS_NAME = "aks-ingress-tls-secret-csi-akv"
INGRESS_TLS_SECRET_NAME = "aks-ingress-tls"
"""The `kubernetes.io/tls` Secret the Secrets Store CSI driver keeps in sync with the Key Vault
certificate (renewals included); the Ingress serves it, and Traefik reloads it when it changes."""
INGRESS_CLASS_NAME = "traefik-internal"
TRAEFIK_LABELS = {"app.kubernetes.io/name": "traefik-ingress-ilb", "app.kubernetes.io/instance": "traefik-ingress-ilb"}
APP_NAME = "aspnetapp"
APP_LABELS = {"app.kubernetes.io/name": "aspnetapp"}

TRAEFIK_WEBSECURE_PORT = 8443
TRAEFIK_PING_PORT = 9000
TRAEFIK_METRICS_PORT = 8082
APP_PORT = 8080

TRAEFIK_RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}
"""Reference sizes; the cpu limit stays under the 500m policy limit (Azure Policy #5)."""
APP_RESOURCES = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "100m", "memory": "256Mi"}}
"""Reference sizes; the memory limit equals the 256Mi policy limit (Azure Policy #5)."""
ROLLOUT_SURGE = 1
"""Extra pod each Deployment may create during a rolling update (maxSurge)."""


def restricted_container_security_context() -> dict:
    """Container security context meeting Pod Security `restricted` and Azure Policy #4."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def restricted_pod_security_context(uid: int, gid: int) -> dict:
    """Pod security context: a fixed non-root identity and the runtime's default seccomp profile."""
    return {
        "fsGroup": gid,
        "runAsGroup": gid,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def dns_egress_rule() -> dict:
    """Egress to the cluster DNS (CoreDNS pods in kube-system) on 53/UDP and 53/TCP."""
    return {
        "to": [{
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }


def metadata(name: str, namespace: str | None = None, labels: dict | None = None,
             annotations: dict | None = None) -> dict:
    """Object metadata; cluster-scoped objects pass no namespace."""
    meta: dict = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def cpu_millicores(quantity: str) -> int:
    """`100m` -> 100, `1` -> 1000 (the forms these manifests use)."""
    return int(quantity[:-1]) if quantity.endswith("m") else int(float(quantity) * 1000)


def memory_mebibytes(quantity: str) -> int:
    """`64Mi` -> 64, `1Gi` -> 1024 (the forms these manifests use)."""
    if quantity.endswith("Gi"):
        return int(quantity[:-2]) * 1024
    if quantity.endswith("Mi"):
        return int(quantity[:-2])
    raise ValueError(f"memory quantity {quantity!r}: use Mi or Gi")
