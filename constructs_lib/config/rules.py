"""Rules that relate several values, and Azure's numeric limits, defined once.

The environment model calls these in its validators (so a broken rule is reported at load with
the file and field) and the constructs call them on their props (so a construct used without
the model refuses the same values). Each function raises `ValueError` whose message starts with
the field it blames and states the rule with the numbers.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from constructs_lib.config.patterns import DNS_LABEL, IMAGE_REFERENCE, WORKSPACE_NAME_PATTERN

# Azure's documented bounds (each used by the model's Field(ge=..., le=...) and a construct).
APP_GATEWAY_MIN_CAPACITY = (0, 100)
"""WAF_v2 autoscale minimum instance count (azurerm and ARM accept 0-100)."""
APP_GATEWAY_MAX_CAPACITY = (2, 125)
"""WAF_v2 autoscale maximum instance count."""
KEY_VAULT_SOFT_DELETE_DAYS = (7, 90)
"""Key Vault soft-delete retention."""
LOG_RETENTION_DAYS = (30, 730)
"""Interactive retention of a PerGB2018 Log Analytics workspace and its Analytics tables."""
BUDGET_MAX_NOTIFICATIONS = 5
"""Azure accepts at most five notifications per budget."""
BUDGET_THRESHOLD_PERCENT = (1, 1000)
"""Budget notification thresholds, in percent of the amount."""
NODE_COUNT = (1, 1000)
"""Autoscaler bounds of an AKS node pool (this project keeps at least one node per pool)."""
MAX_PODS = (10, 250)
"""Pods per node AKS accepts."""
OS_DISK_SIZE_GB = (30, 2048)
MAINTENANCE_HOURS = (4, 24)
"""Length of an AKS planned-maintenance window."""
WORKLOAD_REPLICAS = (2, 100)
"""Replicas of the sample app: at least 2, so one pod survives a node drain."""
INGRESS_REPLICAS = (2, 20)
"""Replicas of the ingress controller: at least 2, spread one per node."""
ROLE_PROPAGATION_SECONDS = (0, 1800)
"""Wait after a role assignment before its first use in the same apply."""
SYSTEM_POOL_MIN_NODES = 2
"""The baseline keeps at least 2 (reference 3) system nodes across zones."""
ROTATION_NAME_PREFIX_LENGTH = 9
"""AKS names a pool's stand-in during rotation `<first 9 characters>tmp`."""
DEFAULT_OVERLAY_POD_CIDR = ipaddress.IPv4Network("192.168.0.0/16")
"""The pod range of Azure CNI Overlay when none is set (the reference's)."""
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def ipv4_network(field_name: str, value: str) -> ipaddress.IPv4Network:
    """Parse a CIDR with no host bits set; the error names the field."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{field_name}: {value!r} is not a valid IPv4 CIDR ({error})") from None


def check_range(field_name: str, value: int, bounds: tuple[int, int], unit: str = "") -> None:
    """`value` within the inclusive `bounds`."""
    low, high = bounds
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{field_name}: {value}{suffix} is outside {low}-{high}{suffix}")


def check_min_not_above_max(min_field: str, minimum: int, max_field: str, maximum: int) -> None:
    """An autoscale or replica minimum must not exceed its maximum."""
    if minimum > maximum:
        raise ValueError(f"{min_field} ({minimum}) must not exceed {max_field} ({maximum})")


def rotation_name(pool_name: str) -> str:
    """The name AKS gives a pool's stand-in while the pool is rotated (at most 12 characters)."""
    return f"{pool_name[:ROTATION_NAME_PREFIX_LENGTH]}tmp"


def check_node_pool_names(system_pool: str, user_pool: str) -> None:
    """Two pools need distinct names and distinct rotation names (first 9 characters + tmp)."""
    if system_pool == user_pool:
        raise ValueError(f"user_pool.name: {user_pool!r} is already the system pool's name")
    names = {system_pool, user_pool}
    rotations = {rotation_name(system_pool), rotation_name(user_pool)}
    if len(rotations) < 2 or rotations & names:
        raise ValueError(
            f"user_pool.name: {system_pool!r} and {user_pool!r} must differ in their first "
            f"{ROTATION_NAME_PREFIX_LENGTH} characters (AKS names a pool's stand-in during rotation "
            f"<first {ROTATION_NAME_PREFIX_LENGTH}>tmp)")


def check_system_pool_minimum(min_count: int) -> None:
    if min_count < SYSTEM_POOL_MIN_NODES:
        raise ValueError(
            f"system_pool.min_count: {min_count} is below {SYSTEM_POOL_MIN_NODES}; the baseline keeps "
            f"at least {SYSTEM_POOL_MIN_NODES} (reference 3) system nodes across zones")


def check_api_server_access(private: bool, authorized_ip_ranges: Sequence[ipaddress.IPv4Network]) -> None:
    """A private API server takes no authorized ranges; a public one needs at least one, and
    none may be 0.0.0.0/0."""
    if private and authorized_ip_ranges:
        raise ValueError(
            "authorized_ip_ranges: a private cluster's API server has no public endpoint to restrict; "
            "remove the ranges or set private: false")
    if not private and not authorized_ip_ranges:
        raise ValueError(
            "authorized_ip_ranges: a public API server must be limited to named source ranges; "
            "list at least one or keep private: true")
    for index, network in enumerate(authorized_ip_ranges):
        if network.prefixlen == 0:
            raise ValueError(
                f"authorized_ip_ranges[{index}]: {network} would open the API server to the internet")


def check_cluster_network(plugin_mode: str, pod_cidr: ipaddress.IPv4Network | None,
                          service_cidr: ipaddress.IPv4Network,
                          dns_service_ip: ipaddress.IPv4Address) -> None:
    """Pod and service ranges: flat CNI takes no pod range; the DNS service IP is a usable host of
    the service range; the pod range in effect (overlay: `pod_cidr` or 192.168.0.0/16) and the
    service range don't overlap."""
    if plugin_mode not in ("overlay", "flat"):
        raise ValueError(f"plugin_mode: {plugin_mode!r} must be overlay or flat")
    if plugin_mode == "flat" and pod_cidr is not None:
        raise ValueError(
            "pod_cidr: flat Azure CNI gives pods addresses from the node subnet; "
            "remove pod_cidr or use plugin_mode: overlay")
    if dns_service_ip not in service_cidr:
        raise ValueError(f"dns_service_ip: {dns_service_ip} is outside service_cidr {service_cidr}")
    if dns_service_ip in (service_cidr.network_address, service_cidr.broadcast_address):
        raise ValueError(f"dns_service_ip: {dns_service_ip} is not a usable host address of {service_cidr}")
    pods = pod_cidr or (DEFAULT_OVERLAY_POD_CIDR if plugin_mode == "overlay" else None)
    if pods is not None and pods.overlaps(service_cidr):
        raise ValueError(f"service_cidr: {service_cidr} overlaps the pod range {pods}")


def check_version_for_channel(kubernetes_version: str, upgrade_channel: str) -> None:
    """With the `patch` upgrade channel AKS moves the patch level itself, so the version names only
    major.minor (a pinned patch would be a perpetual diff and, once AKS patched, a downgrade)."""
    if upgrade_channel == "patch" and kubernetes_version.count(".") == 2:
        minor = kubernetes_version.rsplit(".", 1)[0]
        raise ValueError(
            f"kubernetes_version: {kubernetes_version!r} pins a patch, but the patch upgrade channel applies "
            f"patches automatically; write \"{minor}\" (or set upgrade_channel: none to pin patches by hand)")


def check_network_data_plane(plugin_mode: str, data_plane: str) -> None:
    """Azure CNI powered by Cilium runs with overlay (or a pod subnet this project does not use)."""
    if data_plane == "cilium" and plugin_mode != "overlay":
        raise ValueError(
            "data_plane: cilium needs plugin_mode: overlay (azurerm requires overlay or a pod subnet for the "
            "Cilium data plane); use plugin_mode: overlay or data_plane: azure")


def check_budget_thresholds(actual: Sequence[int | float], forecast: Sequence[int | float],
                            actual_field: str = "thresholds", forecast_field: str = "forecast_threshold") -> None:
    """Thresholds in 1-1000 percent, sorted without duplicates, at most five notifications."""
    for field_name, thresholds in ((actual_field, actual), (forecast_field, forecast)):
        low, high = BUDGET_THRESHOLD_PERCENT
        for threshold in thresholds:
            if not low <= threshold <= high:
                raise ValueError(f"{field_name}: {threshold} is outside {low}-{high} (percent of the amount)")
        if list(thresholds) != sorted(set(thresholds)):
            raise ValueError(f"{field_name}: {list(thresholds)} must be distinct, in ascending order")
    count = len(actual) + len(forecast)
    if count == 0:
        raise ValueError(f"{actual_field}: at least one threshold is required")
    if count > BUDGET_MAX_NOTIFICATIONS:
        raise ValueError(
            f"{actual_field}: {len(actual)} thresholds + {len(forecast)} forecast thresholds = {count} "
            f"notifications; Azure allows at most {BUDGET_MAX_NOTIFICATIONS} per budget")


def image_tag(image: str) -> str:
    """The tag of `repository:tag[@sha256:<digest>]`."""
    return image.split("@", 1)[0].rsplit(":", 1)[1]


def check_image_reference(field_name: str, image: str) -> None:
    """`repository:tag[@sha256:<digest>]` inside the environment's registry: a pinned tag (not
    `latest`) and no registry host (every image is pulled from the environment's registry)."""
    IMAGE_REFERENCE.check(field_name, image)
    if image_tag(image) == "latest":
        raise ValueError(f"{field_name}: {image!r} uses the moving tag 'latest'; pin a version tag")
    repository = image.split("@", 1)[0].rsplit(":", 1)[0]
    first = repository.split("/", 1)[0]
    if "/" in repository and ("." in first or first == "localhost"):
        raise ValueError(
            f"{field_name}: {image!r} names a registry host ({first}); give the repository inside the "
            f"environment's registry, e.g. {repository.split('/', 1)[1]}:{image_tag(image)}, and import "
            "the image there with `az acr import`")


def check_workload_namespace(field_name: str, namespace: str) -> None:
    """A DNS label that is not one of Kubernetes' system namespaces."""
    DNS_LABEL.check(field_name, namespace)
    if namespace in SYSTEM_NAMESPACES:
        raise ValueError(f"{field_name}: {namespace!r} is a system namespace; use a dedicated one")


def check_unique(field_name: str, values: Iterable[object]) -> None:
    """No value listed twice."""
    seen: list[object] = []
    for value in values:
        if value in seen:
            raise ValueError(f"{field_name}: {value} is listed more than once")
        seen.append(value)


# ---------------------------------------------------------------------------------------------
# Bootstrap, pipeline and state (issue 12).

STATE_SOFT_DELETE_DAYS = (1, 365)
"""Blob and container soft-delete retention Azure Storage accepts, in days
(https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview)."""
MAX_STACK_NAME_LENGTH = 40
"""Longest stack name this project produces: `<env (8)>-<region (18)>-<kind (9)>` is 37."""
MAX_WORKSPACE_NAME_LENGTH = 90
"""HCP Terraform workspace names: letters, digits, - and _, at most 90 characters
(https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create)."""


def check_runner_ip_ranges(field_name: str, ranges: Sequence[ipaddress.IPv4Network]) -> None:
    """Storage firewall IP rules take public IPv4 addresses and ranges only: no private, shared,
    loopback or reserved range (Azure refuses them), none wider than /8, none listed twice
    (https://learn.microsoft.com/azure/storage/common/storage-network-security#grant-access-from-an-internet-ip-range)."""
    check_unique(field_name, ranges)
    for index, network in enumerate(ranges):
        where = f"{field_name}[{index}]"
        if not network.is_global:
            raise ValueError(
                f"{where}: {network} is not a public range; the storage firewall takes the public addresses "
                "runners and operators connect from, for example 20.51.10.4/32")
        if network.prefixlen < 8:
            raise ValueError(f"{where}: {network} is wider than /8; list the runners' own ranges, "
                             "for example 20.51.10.0/28")


def check_workspace_pattern(field_name: str, pattern: str) -> None:
    """Exactly one `{stack}` placeholder (so every stack gets its own workspace) in a name of
    letters, digits, - and _ that stays within 90 characters for the longest stack name."""
    WORKSPACE_NAME_PATTERN.check(field_name, pattern)
    fixed = len(pattern) - len("{stack}")
    if pattern.count("{stack}") != 1 or fixed + MAX_STACK_NAME_LENGTH > MAX_WORKSPACE_NAME_LENGTH:
        raise ValueError(
            f"{field_name}: {pattern!r} must hold exactly one {{stack}} and at most "
            f"{MAX_WORKSPACE_NAME_LENGTH - MAX_STACK_NAME_LENGTH} other characters (workspace names are at "
            f"most {MAX_WORKSPACE_NAME_LENGTH}), for example aks-baseline-{{stack}}")


def workspace_name(pattern: str, stack: str) -> str:
    """The HCP Terraform workspace of `stack` under `pattern` (`aks-baseline-{stack}`)."""
    return pattern.replace("{stack}", stack)


ZONE_REDUNDANT_REPLICATION = ("ZRS", "GZRS", "RAGZRS")
"""Storage replication types that spread copies over availability zones."""


def state_replication(replication: str | None, region: str, has_zones: bool) -> str:
    """The state account's replication: as set, else GZRS in a region with availability zones and
    GRS elsewhere. The account lives in the environment's first region; a zone-redundant type there
    needs zones (ValueError otherwise)."""
    if replication is None:
        return "GZRS" if has_zones else "GRS"
    if replication in ZONE_REDUNDANT_REPLICATION and not has_zones:
        raise ValueError(
            f"state.replication: {replication} needs availability zones, and the state account is created in "
            f"the first region, {region}, which has none; use replication: GRS, or list a zone-redundant "
            "region first, for example eastus2")
    return replication


def has_bootstrap(state_backend: str, ci_configured: bool) -> bool:
    """Whether an environment gets a `<env>-bootstrap` stack: it creates the azurerm state account,
    and the deploy identities when `ci` is set; a local-state environment without `ci` needs none."""
    return state_backend == "azurerm" or ci_configured
