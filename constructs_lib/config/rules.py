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

from constructs_lib.config.patterns import DNS_LABEL, IMAGE_REFERENCE

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
# Cost levers (issue 13). Each is validated with what it affects; production never bends.

ENVIRONMENT_TYPES = ("production", "non-production")
USER_POOL_NODE_COUNT = (0, 1000)
"""Autoscaler bounds of a user-mode pool: AKS lets the autoscaler take a User pool to 0 nodes
(https://learn.microsoft.com/azure/aks/scale-cluster); a System pool always keeps nodes."""
FIREWALL_SKUS = ("Standard", "Premium")
"""Firewall tiers that carry the baseline's egress policy (DNS proxy for FQDN network rules)."""
BASTION_SKUS = ("Standard", "Premium", "none")
"""Bastion tiers with native-client tunnelling (`az aks bastion`, `az network bastion tunnel`), or none."""
SPOT_EVICTION_POLICY = "Delete"
"""AKS default for Spot pools; `Deallocate` keeps evicted VMs counting against quota."""
SPOT_MAX_PRICE = -1
"""-1: pay up to the on-demand price; nodes are evicted only for capacity, never for price."""
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
"""The taint AKS puts on every Spot node (https://learn.microsoft.com/azure/aks/spot-node-pool)."""
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
"""The label AKS puts on every Spot node."""


def check_environment_type(value: str) -> None:
    """`production` or `non-production`."""
    if value not in ENVIRONMENT_TYPES:
        raise ValueError(
            f"environment_type: {value!r} must be production or non-production, e.g. "
            "environment_type: non-production")


def check_cluster_tier(environment_type: str, sku_tier: str) -> None:
    """The Free tier has no uptime SLA, so only a non-production environment may use it."""
    if sku_tier not in ("Free", "Standard", "Premium"):
        raise ValueError(f"cluster.sku_tier: {sku_tier!r} must be Free, Standard or Premium, e.g. sku_tier: Standard")
    if sku_tier == "Free" and environment_type != "non-production":
        raise ValueError(
            "cluster.sku_tier: Free has no financially backed uptime SLA, so it is only allowed for an "
            "environment marked non-production; keep sku_tier: Standard here, or set "
            "environment_type: non-production if this is a dev/test environment")


def check_user_pool_minimum(field_name: str, min_count: int) -> None:
    """A user pool may scale to 0 (AKS autoscaler); never below."""
    low, high = USER_POOL_NODE_COUNT
    if not low <= min_count <= high:
        raise ValueError(
            f"{field_name}: {min_count} is outside {low}-{high} nodes; a user pool may scale to zero, "
            "e.g. min_count: 0")


def check_spot_pool(environment_type: str, spot_pool_name: str | None, system_pool: str, user_pool: str) -> None:
    """A Spot pool only in a non-production environment, with a name of its own (and of its own
    rotation stand-in)."""
    if spot_pool_name is None:
        return
    if environment_type != "non-production":
        raise ValueError(
            "cluster.spot_pool: Spot nodes can be evicted at any time with 30 seconds' notice and have no "
            "SLA, so they are only allowed for an environment marked non-production; remove spot_pool "
            "or set environment_type: non-production")
    for other, field_name in ((system_pool, "system_pool"), (user_pool, "user_pool")):
        if spot_pool_name in (other, rotation_name(other)) or rotation_name(spot_pool_name) in (
                other, rotation_name(other)):
            raise ValueError(
                f"cluster.spot_pool.name: {spot_pool_name!r} clashes with {field_name} {other!r} (names and "
                f"their first {ROTATION_NAME_PREFIX_LENGTH} characters must differ), e.g. name: npspot01")


def check_firewall_sku(value: object) -> None:
    """Standard or Premium. Basic cannot carry the AKS egress rules: it has no DNS proxy, which
    FQDN network rules (ntp.ubuntu.com) and the spoke's DNS through the firewall need."""
    if value == "Basic":
        raise ValueError(
            "hub.firewall_sku: Basic has no DNS proxy, and the AKS egress policy needs it (FQDN network "
            "rules such as ntp.ubuntu.com, and the spoke resolves DNS through the firewall); use "
            "firewall_sku: Standard (no IDPS or TLS inspection) or Premium")
    if value not in FIREWALL_SKUS:
        raise ValueError(f"hub.firewall_sku: {value!r} must be Standard or Premium, e.g. firewall_sku: Standard")


def check_bastion_sku(value: object) -> None:
    """Standard, Premium or none. Developer and Basic cannot tunnel a native client, which is how
    `az aks bastion` reaches the private API server."""
    if value in ("Developer", "Basic"):
        raise ValueError(
            f"hub.bastion_sku: {value} cannot tunnel a native client (kubectl through `az aks bastion`), "
            "so it cannot reach the private API server; use bastion_sku: Standard, or bastion_sku: none "
            "with your own path to the API server (README \"Reaching the private API server\")")
    if value not in BASTION_SKUS:
        raise ValueError(f"hub.bastion_sku: {value!r} must be Standard, Premium or none, e.g. bastion_sku: Standard")


def check_production_zones(environment_type: str, region: str, zones: Sequence[str], region_has_zones: bool) -> None:
    """A production environment spreads over at least two zones wherever the region has them (the
    99.95 % AKS SLA needs zones); a non-production one may use one zone or none."""
    if environment_type == "production" and region_has_zones and len(zones) < 2:
        raise ValueError(
            f"zones: production region {region} uses {len(zones)} availability zone(s); production "
            "spreads over at least two, e.g. zones: [\"1\", \"2\", \"3\"] (or set environment_type: "
            "non-production)")


def minutes_of_day(field_name: str, value: str) -> int:
    """`HH:MM` as minutes after midnight."""
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) == 2 and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"{field_name}: {value!r} is not a time of day; write HH:MM, e.g. 07:00")
    return int(hours) * 60 + int(minutes)


def check_stop_schedule(environment_type: str, start: str, stop: str, days: Sequence[str]) -> None:
    """Stop when idle: non-production only, two different times, at least one day."""
    if environment_type != "non-production":
        raise ValueError(
            "cluster.stop_schedule: a stopped cluster serves nothing and has no SLA, so the schedule is "
            "only allowed for an environment marked non-production; remove stop_schedule or set "
            "environment_type: non-production")
    if minutes_of_day("stop_schedule.start", start) == minutes_of_day("stop_schedule.stop", stop):
        raise ValueError(
            f"cluster.stop_schedule.stop: {stop} is also the start time; give two different times, e.g. "
            "start: \"07:00\" and stop: \"19:00\"")
    if not days:
        raise ValueError("cluster.stop_schedule.days: list at least one day, e.g. days: [Monday, Tuesday]")
    check_unique("cluster.stop_schedule.days", days)


def check_windows_time_zone(field_name: str, value: str) -> None:
    """A Windows time zone name (what Logic Apps recurrence triggers take), from the Unicode CLDR
    windowsZones table that tzlocal ships."""
    from tzlocal.windows_tz import win_tz

    if value not in win_tz:
        close = sorted(name for name in win_tz if value.lower().split(" ")[0] in name.lower())[:3]
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise ValueError(
            f"{field_name}: {value!r} is not a Windows time zone name (Logic Apps uses those, not "
            f"Europe/Berlin-style names), e.g. time_zone: W. Europe Standard Time{hint}")
