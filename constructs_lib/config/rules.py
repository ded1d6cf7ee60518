"""Rules that relate several values, and Azure's numeric limits, defined once.

The environment model calls these in its validators (so a broken rule is reported at load with
the file and field) and the constructs call them on their props (so a construct used without
the model refuses the same values). Each function raises `ValueError` whose message starts with
the field it blames and states the rule with the numbers.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import ipaddress
from collections.abc import Callable, Iterable, Sequence

from constructs_lib.config import catalog
from constructs_lib.config.patterns import DNS_LABEL, IMAGE_REFERENCE, WORKSPACE_NAME_PATTERN, kind_of

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


class Unavailable(Exception):
    """A rule's input did not validate, so the rule cannot be judged: raised when a rule reads a
    field of a file that failed validation elsewhere (`config.partial`). `check_all` skips such a
    check; its input's own error is reported already."""


def check_all(checks: Iterable[Callable[[], object]]) -> None:
    """Run every check, even after one fails; raise one ValueError whose lines are the failures'
    messages (the loader reports each line as its own problem), so a file is fixed in one round. A
    check whose input is unavailable (`Unavailable`) is skipped."""
    problems = []
    for check in checks:
        try:
            check()
        except ValueError as error:
            problems.append(str(error))
        except Unavailable:
            continue
    if problems:
        raise ValueError("\n".join(problems))


IPV4_WORDS = "four numbers from 0 to 255 separated by dots"


def parse_ipv4_network(value: str) -> ipaddress.IPv4Network:
    """A CIDR with no host bits set. ValueError says what to write instead, in plain words (the
    network a host address lies in, a prefix length from 0 to 32), never the ipaddress module's."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a CIDR; write one such as 10.240.0.0/16")
    return _parse_ipv4_text(value)


@functools.lru_cache(maxsize=4096)
def _parse_ipv4_text(value: str) -> ipaddress.IPv4Network:
    """`parse_ipv4_network` of a text, cached: a file is validated section by section and again for
    each piece of advice it gets, so the same CIDRs are parsed many times (the result is immutable)."""
    if value != value.strip():
        raise ValueError(f"{value!r} has spaces around it; write {value.strip()!r} without them")
    address, _, prefix = value.partition("/")
    try:
        host = ipaddress.IPv4Address(address)
    except ValueError:
        raise ValueError(f"{value!r} is not a CIDR: {address!r} is not an IPv4 address ({IPV4_WORDS}), "
                         "e.g. 10.240.0.0/16") from None
    if not prefix:
        raise ValueError(f"{value!r} has no prefix length; write a CIDR such as "
                         f"{ipaddress.IPv4Network(f'{host}/24', strict=False)}")
    if not (prefix.isascii() and prefix.isdigit() and int(prefix) <= 32):
        raise ValueError(f"{value!r} is not a CIDR: the prefix length after / must be a whole number from 0 "
                         f"to 32, e.g. {ipaddress.IPv4Network(f'{host}/24', strict=False)}")
    try:
        return ipaddress.IPv4Network(f"{host}/{int(prefix)}", strict=True)
    except ValueError:
        network = ipaddress.IPv4Network(f"{host}/{int(prefix)}", strict=False)
        raise ValueError(f"{value!r} is not a network address: a /{int(prefix)} starts at "
                         f"{network.network_address}, so write {network}") from None


def ipv4_network(field_name: str, value: str) -> ipaddress.IPv4Network:
    """Parse a CIDR with no host bits set (`parse_ipv4_network`); the error names the field."""
    try:
        return parse_ipv4_network(value)
    except ValueError as error:
        raise ValueError(f"{field_name}: {error}") from None


def check_range(field_name: str, value: int, bounds: tuple[int, int], unit: str = "") -> None:
    """`value` within the inclusive `bounds`."""
    low, high = bounds
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{field_name}: {value}{suffix} is outside {low}-{high}{suffix}")


def check_min_not_above_max(min_field: str, minimum: int, max_field: str, maximum: int) -> None:
    """An autoscale or replica minimum must not exceed its maximum."""
    if minimum > maximum:
        raise ValueError(
            f"{min_field}: {minimum} is more than {max_field} ({maximum}); the minimum must not exceed the "
            f"maximum, e.g. {min_field}: {maximum} or {max_field}: {minimum}")


def rotation_name(pool_name: str) -> str:
    """The name of a pool's temporary stand-in while Terraform rotates the pool (azurerm
    `temporary_name_for_rotation`, set by the cluster construct): the pool's first 9 characters +
    `tmp`, at most 12 characters."""
    return f"{pool_name[:ROTATION_NAME_PREFIX_LENGTH]}tmp"


_STAND_IN = f"<first {ROTATION_NAME_PREFIX_LENGTH} characters>tmp"


def pool_name_conflict(name: str, others: dict[str, str]) -> str | None:
    """Why pool `name` cannot live in one cluster with the pools `others` (field -> name), in words,
    or None: the same name as another pool, its own stand-in's name, another pool's stand-in's name,
    a stand-in named like another pool, or the same stand-in as another pool."""
    own = rotation_name(name)
    if own == name:
        return (f"{name!r} is the name its own temporary stand-in would get during a rotation ({_STAND_IN}), "
                "so the pool could never be rotated")
    for field_name, other in others.items():
        if name == other:
            return f"{name!r} is already {field_name}'s name"
        if name == rotation_name(other):
            return (f"{name!r} is the name {field_name}'s temporary stand-in gets while {other!r} is rotated "
                    f"({_STAND_IN}), so both would exist at once")
        if own == other:
            return (f"{name!r}'s temporary stand-in during a rotation would be named {own!r} ({_STAND_IN}), "
                    f"which is {field_name}'s name")
        if own == rotation_name(other):
            return (f"{name!r} and {field_name} {other!r} share their first {ROTATION_NAME_PREFIX_LENGTH} "
                    f"characters, so their temporary stand-ins during a rotation would both be named {own!r} "
                    f"({_STAND_IN})")
    return None


def free_pool_name(preferred: str, others: dict[str, str]) -> str:
    """A pool name like `preferred` (`npspot01`, then `npspot02`, ...) that conflicts with none of
    `others`: the example a pool-name message gives."""
    stem = preferred.rstrip("0123456789") or "np"
    candidates = [preferred, *(f"{stem[:ROTATION_NAME_PREFIX_LENGTH - 2]}{i:02d}" for i in range(1, 100))]
    return next(name for name in candidates if pool_name_conflict(name, others) is None)


def check_node_pool_names(system_pool: str, user_pool: str, user_pool_written: bool = True) -> None:
    """Two pools need distinct names and distinct stand-in names during a rotation (first 9
    characters + tmp), and neither may be the other's (or its own) stand-in's name. When user_pool
    keeps its default name (`user_pool_written` false), a clash is the system pool name's doing and
    is blamed there."""
    reason = pool_name_conflict(system_pool, {})
    if reason is not None:
        raise ValueError(
            f"system_pool.name: {reason}; e.g. name: {free_pool_name('npsystem', {'user_pool': user_pool})}")
    reason = pool_name_conflict(user_pool, {"system_pool": system_pool})
    if reason is not None and not user_pool_written:
        raise ValueError(
            f"system_pool.name: {pool_name_conflict(system_pool, {'user_pool': user_pool}) or reason} (user_pool's "
            f"default name, as this file does not set one); e.g. name: "
            f"{free_pool_name('npsystem', {'user_pool': user_pool})}, or give user_pool a name of its own")
    if reason is not None:
        raise ValueError(
            f"user_pool.name: {reason}; e.g. name: {free_pool_name('npuser01', {'system_pool': system_pool})}")


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
    if len(authorized_ip_ranges) > MAX_AUTHORIZED_IP_RANGES:
        raise ValueError(
            f"authorized_ip_ranges: {len(authorized_ip_ranges)} ranges; AKS accepts at most "
            f"{MAX_AUTHORIZED_IP_RANGES}; summarize them into larger ranges")
    for index, network in enumerate(authorized_ip_ranges):
        if network.prefixlen == 0:
            raise ValueError(
                f"authorized_ip_ranges[{index}]: {network} would open the API server to the internet")


def check_cluster_network(plugin_mode: str, pod_cidr: ipaddress.IPv4Network | None,
                          service_cidr: ipaddress.IPv4Network,
                          dns_service_ip: ipaddress.IPv4Address) -> None:
    """Pod and service ranges: flat CNI takes no pod range; the DNS service IP is a usable host of
    the service range; the pod range in effect (overlay: `pod_cidr` or 192.168.0.0/16) and the
    service range don't overlap. Every broken rule is reported (one ValueError, a line each)."""
    if plugin_mode not in ("overlay", "flat"):
        raise ValueError(f"plugin_mode: {plugin_mode!r} must be overlay or flat")
    pods = pod_cidr or (DEFAULT_OVERLAY_POD_CIDR if plugin_mode == "overlay" else None)

    def flat_without_pod_range() -> None:
        if plugin_mode == "flat" and pod_cidr is not None:
            raise ValueError(
                "pod_cidr: flat Azure CNI gives pods addresses from the node subnet; "
                "remove pod_cidr or use plugin_mode: overlay")

    def dns_service_address() -> None:
        if dns_service_ip not in service_cidr:
            raise ValueError(f"dns_service_ip: {dns_service_ip} is outside service_cidr {service_cidr}, e.g. "
                             f"dns_service_ip: {service_cidr.network_address + 10}")
        if dns_service_ip in (service_cidr.network_address, service_cidr.broadcast_address):
            raise ValueError(f"dns_service_ip: {dns_service_ip} is not a usable host address of {service_cidr}, "
                             f"e.g. dns_service_ip: {service_cidr.network_address + 10}")
        if dns_service_ip == service_cidr.network_address + 1:
            raise ValueError(
                f"dns_service_ip: {dns_service_ip} is the first address of {service_cidr}, which Kubernetes gives "
                f"the API server's service (kubernetes.default); use another, e.g. {service_cidr.network_address + 10}")

    def service_range_size() -> None:
        if service_cidr.prefixlen < MIN_SERVICE_CIDR_PREFIX:
            raise ValueError(
                f"service_cidr: {service_cidr} is larger than AKS allows; it must be smaller than a "
                f"/{MIN_SERVICE_CIDR_PREFIX}, e.g. 172.16.0.0/16")

    def ranges_apart() -> None:
        if pods is not None and pods.overlaps(service_cidr):
            raise ValueError(f"service_cidr: {service_cidr} overlaps the pod range {pods}; use ranges that do not "
                             "overlap, e.g. service_cidr: 172.16.0.0/16 with the default pod range 192.168.0.0/16")

    check_all([
        flat_without_pod_range, dns_service_address, service_range_size,
        lambda: check_reserved_ranges("service_cidr", service_cidr),
        lambda: check_reserved_ranges("pod_cidr", pods) if pods is not None else None,
        ranges_apart,
    ])


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


def check_region_listed_once(index: int, name: str, names: Sequence[str]) -> None:
    """Each region once: `names[index]` does not appear earlier in `names` (the file's region names)."""
    first = names.index(name)
    if first < index:
        raise ValueError(
            f"regions[{index}].name: {name} is already regions[{first}]; list each region once (every region gets "
            "its own hub, spoke and cluster), e.g. name another region or remove this entry")


def check_unique(field_name: str, values: Iterable[object]) -> None:
    """No value listed twice."""
    seen: list[object] = []
    for value in values:
        if value in seen:
            raise ValueError(f"{field_name}: {value} is listed more than once")
        seen.append(value)


# --------------------------------------------------------------------------- what Azure offers

MAX_AUTHORIZED_IP_RANGES = 200
"""AKS accepts at most 200 authorized IP ranges for a public API server
(https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges)."""
MIN_PODS_PER_POOL = 30
"""AKS requires room for at least 30 pods in every node pool; max_pods below 30 is allowed only
when the pool's nodes add up to 30 (https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning)."""
MAX_NODES_WITH_SURGE = 1000
"""Pool size plus surge nodes must stay within 1,000, or AKS refuses the upgrade before it starts
(https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling)."""
MIN_SERVICE_CIDR_PREFIX = 12
"""The service range must be smaller than a /12
(https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay)."""
OVERLAY_NODE_PREFIX = 24
"""Azure CNI Overlay gives every node a /24 of the pod range (same source)."""
AKS_RESERVED_RANGES = tuple(ipaddress.IPv4Network(cidr) for cidr in (
    "169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))
"""Ranges AKS reserves; pod and service ranges must not overlap them (same source)."""
NO_API_SERVER_VNET_INTEGRATION = frozenset({"qatarcentral"})
"""Regions without API server VNet integration
(https://learn.microsoft.com/azure/aks/api-server-vnet-integration)."""
BUDGET_MAX_MONTHS_AHEAD = 12
"""Azure refuses a budget whose start date is more than twelve months in the future
(azurerm consumption budget docs, `time_period.start_date`)."""


def check_kubernetes_version(version: str, today: datetime.date, allow_unlisted: bool) -> None:
    """The minor is in `catalog.KUBERNETES_MINORS` and has AKS community support on `today`; a
    pinned patch is one AKS is known to have shipped. `allow_unlisted` accepts a version newer
    than the table (never one past its end of support)."""
    minor = ".".join(version.split(".")[:2])
    entry = catalog.KUBERNETES_MINORS.get(minor)
    supported = catalog.supported_minors(today)
    offer = " or ".join(f'"{m}"' for m in supported) or "a current minor"
    newest = max(catalog.KUBERNETES_MINORS, key=lambda m: tuple(map(int, m.split("."))))
    if entry is None:
        if allow_unlisted and tuple(map(int, minor.split("."))) > tuple(map(int, newest.split("."))):
            return
        raise ValueError(
            f"kubernetes_version: {version!r} is not a Kubernetes version AKS offers according to this "
            f"project's table (as of {catalog.AS_OF}, {catalog.KUBERNETES_SOURCE}); use {offer}. For a minor "
            "AKS released after the table, set cluster.allow_unlisted_kubernetes_version: true")
    if today > entry.community_end:
        raise ValueError(
            f"kubernetes_version: {minor} left AKS community support on {entry.community_end}; AKS keeps it "
            "only under long-term support (Premium tier and the AKSLongTermSupport plan), which this project "
            f"does not configure. Upgrade one minor at a time (AKS does not skip minors) to {offer} "
            f"({catalog.KUBERNETES_SOURCE})")
    if version.count(".") == 2 and int(version.rsplit(".", 1)[1]) > entry.newest_patch and not allow_unlisted:
        raise ValueError(
            f"kubernetes_version: {version!r} is newer than the newest {minor} patch in this project's table "
            f"({minor}.{entry.newest_patch}, as of {catalog.AS_OF}); pin a listed patch, write \"{minor}\", or set "
            "cluster.allow_unlisted_kubernetes_version: true")


def fitting_vm_sizes(system: bool, os_disk_size_gb: int) -> list[catalog.VmSize]:
    """Listed sizes a pool accepts with an ephemeral OS disk of `os_disk_size_gb`."""
    return [size for size in catalog.VM_SIZES.values()
            if size.ephemeral_os_max_gib is not None and size.ephemeral_os_max_gib >= os_disk_size_gb
            and _meets_minimum(system, size)]


def fitting_vm_size(system: bool, os_disk_size_gb: int, near: str = "") -> str | None:
    """A listed size a pool accepts with an ephemeral OS disk of `os_disk_size_gb` (AKS's minimum
    for the pool's mode, no burstable size for a system pool, x86), the one closest to `near` in
    vCPUs: the example a VM-size message gives. None when no listed size fits."""
    wanted = catalog.VM_SIZES[near].vcpus if near in catalog.VM_SIZES else 4
    fits = [size for size in fitting_vm_sizes(system, os_disk_size_gb) if not size.arm64]
    sibling = near.replace("s_v", "ds_v")  # Standard_D4s_v5 -> Standard_D4ds_v5: the same size with a disk
    if any(size.name == sibling for size in fits):
        return sibling
    best = min(fits, key=lambda size: (abs(size.vcpus - wanted), size.burstable, size.name), default=None)
    return best.name if best is not None else None


def _meets_minimum(system: bool, size: catalog.VmSize) -> bool:
    minimum_cpus, minimum_memory = ((catalog.SYSTEM_POOL_MIN_VCPUS, catalog.SYSTEM_POOL_MIN_MEMORY_GIB) if system
                                    else (catalog.USER_POOL_MIN_VCPUS, catalog.USER_POOL_MIN_MEMORY_GIB))
    return size.vcpus >= minimum_cpus and size.memory_gib >= minimum_memory and not (system and size.burstable)


def check_vm_size(pool: str, system: bool, vm_size: str, os_disk_size_gb: int, allow_unlisted: bool,
                  os_disk_written: bool = True) -> None:
    """The pool's VM size is in `catalog.VM_SIZES`, can hold its ephemeral OS disk of
    `os_disk_size_gb`, and meets AKS's minimum for a system or user pool. When the disk size is the
    pool's default (`os_disk_written` false), a disk that does not fit is blamed on `vm_size`."""
    size = catalog.VM_SIZES.get(vm_size)
    instead = fitting_vm_size(system, os_disk_size_gb, vm_size)
    example = f", e.g. vm_size: {instead}" if instead else ""
    if size is None:
        if allow_unlisted:
            return
        # Only sizes this pool accepts with its disk: a did-you-mean must not lead to the next refusal.
        close = difflib.get_close_matches(
            vm_size, [size.name for size in fitting_vm_sizes(system, os_disk_size_gb)], n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ValueError(
            f"{pool}.vm_size: {vm_size!r} is not in this project's VM size table (as of {catalog.AS_OF}); {hint}"
            "Choose a listed size (constructs_lib/config/catalog.py) or, for a size you know supports an "
            f"ephemeral OS disk of {os_disk_size_gb} GB and encryption at host, set "
            "cluster.allow_unlisted_vm_sizes: true")
    if size.ephemeral_os_max_gib is None:
        raise ValueError(
            f"{pool}.vm_size: {vm_size} has no temp, cache or NVMe disk, so it cannot hold the ephemeral OS "
            f"disk every pool uses ({catalog.EPHEMERAL_OS_SOURCE}); choose a size with a local disk{example}")
    if os_disk_size_gb > size.ephemeral_os_max_gib:
        smaller = (f"os_disk_size_gb: {size.ephemeral_os_max_gib}"
                   if size.ephemeral_os_max_gib >= OS_DISK_SIZE_GB[0] and _meets_minimum(system, size) else "")
        if not os_disk_written:
            raise ValueError(
                f"{pool}.vm_size: {vm_size}'s {size.ephemeral_os_max_gib} GiB local disk, where the ephemeral OS disk "
                f"lives ({catalog.EPHEMERAL_OS_SOURCE}), cannot hold the pool's default {os_disk_size_gb} GB OS disk; "
                f"choose a larger size{example}" + (f", or set {smaller}" if smaller else ""))
        raise ValueError(
            f"{pool}.os_disk_size_gb: {os_disk_size_gb} GB does not fit on {vm_size}'s "
            f"{size.ephemeral_os_max_gib} GiB local disk, where the ephemeral OS disk lives "
            f"({catalog.EPHEMERAL_OS_SOURCE}); " + (f"e.g. {smaller}, or choose a larger size{example}" if smaller
                                                    else f"choose a larger size{example}"))
    minimum_cpus, minimum_memory = ((catalog.SYSTEM_POOL_MIN_VCPUS, catalog.SYSTEM_POOL_MIN_MEMORY_GIB) if system
                                    else (catalog.USER_POOL_MIN_VCPUS, catalog.USER_POOL_MIN_MEMORY_GIB))
    if size.vcpus < minimum_cpus or size.memory_gib < minimum_memory:
        raise ValueError(
            f"{pool}.vm_size: {vm_size} has {size.vcpus} vCPUs and {size.memory_gib} GiB; AKS needs at least "
            f"{minimum_cpus} vCPUs and {minimum_memory} GiB for a {'system' if system else 'user'} pool "
            f"(https://learn.microsoft.com/azure/aks/quotas-skus-regions){example}")
    if system and size.burstable:
        raise ValueError(
            f"{pool}.vm_size: {vm_size} is a burstable B-series size, which AKS does not support for system "
            f"pools (https://learn.microsoft.com/azure/aks/quotas-skus-regions)"
            f"{example or ', e.g. vm_size: Standard_D2d_v5'}")


def check_pool_capacity(min_count: int, max_count: int, max_pods: int, surge: int, pool: str = "") -> None:
    """Room for 30 pods at the pool's minimum; pool size plus surge within 1,000 nodes. `pool`
    prefixes the blamed field (`user_pool`), empty when the caller is the pool itself."""
    at = f"{pool}." if pool else ""
    if max(min_count, 1) * max_pods < MIN_PODS_PER_POOL:
        raise ValueError(
            f"{at}max_pods: {plural(max(min_count, 1), 'node')} x {max_pods} pods = {max(min_count, 1) * max_pods}; "
            f"AKS requires room for at least {MIN_PODS_PER_POOL} pods in a pool; raise max_pods or min_count")
    if max_count + surge > MAX_NODES_WITH_SURGE:
        raise ValueError(
            f"{at}max_surge: {max_count} nodes + {surge} surge = {max_count + surge}; AKS refuses an upgrade "
            f"above {MAX_NODES_WITH_SURGE} nodes per pool; lower max_count or max_surge")


def check_reserved_ranges(field_name: str, network: ipaddress.IPv4Network) -> None:
    """Pod and service ranges stay clear of the ranges AKS reserves."""
    for reserved in AKS_RESERVED_RANGES:
        if network.overlaps(reserved):
            raise ValueError(
                f"{field_name}: {network} overlaps {reserved}, which AKS reserves; choose another private range "
                "such as 172.16.0.0/16")


def check_pod_capacity(pod_cidr: ipaddress.IPv4Network, nodes_at_full_scale: int,
                       field_name: str = "pod_cidr") -> None:
    """Azure CNI Overlay gives each node a /24: the pod range must be /24 or larger and hold one
    /24 per node at full scale during an upgrade."""
    if pod_cidr.prefixlen > OVERLAY_NODE_PREFIX:
        raise ValueError(
            f"{field_name}: {pod_cidr} is smaller than the /{OVERLAY_NODE_PREFIX} Azure CNI Overlay gives every node")
    blocks = 2 ** (OVERLAY_NODE_PREFIX - pod_cidr.prefixlen)
    if blocks < nodes_at_full_scale:
        raise ValueError(
            f"{field_name}: {pod_cidr} holds {blocks} node blocks of /{OVERLAY_NODE_PREFIX}, but the pools reach "
            f"{nodes_at_full_scale} nodes at full scale during an upgrade; use a larger range")


def check_api_server_vnet_integration(region: str, enabled: bool,
                                      field_name: str = "api_server_vnet_integration") -> None:
    """API server VNet integration exists in every public region but those listed."""
    if enabled and region in NO_API_SERVER_VNET_INTEGRATION:
        raise ValueError(
            f"{field_name}: {region} does not offer API server VNet integration "
            "(https://learn.microsoft.com/azure/aks/api-server-vnet-integration); set "
            "cluster.api_server_vnet_integration: false (a private endpoint in the node subnet) or use another region")


def check_budget_start(start_date: str, today: datetime.date) -> None:
    """A budget may start at most twelve months after `today`."""
    start = datetime.date.fromisoformat(start_date)
    months_ahead = (start.year - today.year) * 12 + start.month - today.month
    if months_ahead > BUDGET_MAX_MONTHS_AHEAD:
        raise ValueError(
            f"start_date: {start_date} is {months_ahead} months ahead; Azure accepts a budget start at most "
            f"{BUDGET_MAX_MONTHS_AHEAD} months in the future, e.g. {today.replace(day=1).isoformat()}")


# ---------------------------------------------------------------------------------------------
# Global entry (Azure Front Door Premium) and the shared registry (issue 11).

FRONT_DOOR_PROBE_INTERVAL_SECONDS = (1, 255)
"""Front Door origin-group health probe interval (azurerm `health_probe.interval_in_seconds`)."""
FRONT_DOOR_SAMPLES = (1, 255)
"""Front Door origin-group `sample_size` / `successful_samples_required` (azurerm accepts 0-255;
0 would judge an origin on no probe at all, so this project starts at 1)."""
FRONT_DOOR_ORIGIN_PRIORITY = (1, 5)
"""Front Door origin priority; the lowest value among healthy origins receives the traffic."""
FRONT_DOOR_ORIGIN_WEIGHT = (1, 1000)
"""Front Door origin weight within one priority (weighted round robin)."""


def check_registry_replication(geo_replication: bool, regions: Sequence[str]) -> None:
    """Several regions always get a replica each: a cluster pulling across regions pays egress and
    stops pulling when the registry's home region fails."""
    if not geo_replication and len(regions) > 1:
        raise ValueError(
            f"container_registry.geo_replication: this environment runs clusters in {', '.join(regions)}; "
            f"without replicas every cluster but {regions[0]}'s pulls across regions and stops pulling when "
            f"{regions[0]} fails; keep geo_replication: true (turn it off only for a single-region sandbox)")


def check_health_probe_samples(sample_size: int, successful_samples_required: int) -> None:
    """Front Door judges an origin healthy when at least `successful_samples_required` of the last
    `sample_size` probes succeeded, so the second cannot exceed the first."""
    if successful_samples_required > sample_size:
        raise ValueError(
            f"successful_samples_required: {successful_samples_required} is more than sample_size "
            f"({sample_size}); Front Door looks at the last sample_size probes, so at most {sample_size} can "
            f"succeed (for example sample_size: 4, successful_samples_required: 3)")


def check_front_door_certificate_issuer(front_door: bool, certificate_issuer: str) -> None:
    """Front Door connects to the App Gateways over HTTPS and accepts only a certificate from a
    publicly trusted CA: "Certificates from internal CAs or self-signed certificates aren't allowed"
    (https://learn.microsoft.com/azure/frontdoor/end-to-end-tls)."""
    if front_door and certificate_issuer == "Self":
        raise ValueError(
            "ingress.certificate_issuer: Front Door is on, and it refuses origins whose certificate is "
            "self-signed; set certificate_issuer to the name of a Key Vault certificate issuer for a public "
            "CA (for example DigiCert, created on each region's vault with `az keyvault certificate issuer "
            "create`), or turn Front Door off with front_door.enabled: false")


def check_some_origin_enabled(enabled_by_region: dict[str, bool], field_name: str = "origin.enabled") -> None:
    """At least one region must stay in the Front Door rotation; with every origin disabled
    nothing would answer. `field_name` is blamed (the model: the first region's)."""
    if enabled_by_region and not any(enabled_by_region.values()):
        regions = ", ".join(enabled_by_region)
        raise ValueError(
            f"{field_name}: every region's origin is disabled ({regions}); keep at least one enabled, e.g. "
            f"origin: {{enabled: true}} in {next(iter(enabled_by_region))} (take one region out at a time)")


def check_public_dns_zone(zone: str, host_fqdn: str, field_name: str = "public_dns_zone.name") -> str:
    """The public host must lie inside the zone that holds its records; returns the record name
    relative to the zone (`bicycle` for bicycle.contoso.com in contoso.com). The zone apex itself
    is refused: a CNAME is not allowed there. `field_name` is the zone's field, blamed."""
    if host_fqdn == zone:
        raise ValueError(
            f"{field_name}: {host_fqdn} is the zone apex, where a CNAME record is not allowed; "
            f"name the parent zone (for example {host_fqdn.split('.', 1)[1]}) or use a public_host below it")
    if not host_fqdn.endswith(f".{zone}"):
        raise ValueError(
            f"{field_name}: {zone} does not contain the public host {host_fqdn}; name the zone that "
            f"holds it (for example {host_fqdn.split('.', 1)[1]})")
    return host_fqdn[: -len(zone) - 1]


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


def _must_be(value: object) -> str:
    """The start of "<value> must be ..." in the words of YAML: `'Basic' must be`, `is empty (null in
    YAML); it must be` for a key with nothing after it, `is the number 5; it must be`."""
    if isinstance(value, str):
        return f"{value!r} must be"
    return f"is {'empty (null in YAML)' if value is None else kind_of(value)}; it must be"


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """`1 availability zone`, `0 availability zones`, `2 availability zones`."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def check_environment_type(value: str) -> None:
    """`production` or `non-production`."""
    if value not in ENVIRONMENT_TYPES:
        raise ValueError(
            f"environment_type: {_must_be(value)} production or non-production, e.g. "
            "environment_type: non-production")


def check_cluster_tier(environment_type: str, sku_tier: str) -> None:
    """The Free tier has no uptime SLA, so only a non-production environment may use it."""
    if sku_tier == "Free" and environment_type != "non-production":
        raise ValueError(
            "cluster.sku_tier: Free has no financially backed uptime SLA, so it is only allowed for an "
            "environment marked non-production; keep sku_tier: Standard here, or set "
            "environment_type: non-production if this is a dev/test environment")


def check_spot_pool_allowed(environment_type: str) -> None:
    """A Spot pool only in a non-production environment."""
    if environment_type != "non-production":
        raise ValueError(
            "cluster.spot_pool: Spot nodes can be evicted at any time with 30 seconds' notice and have no "
            "SLA, so they are only allowed for an environment marked non-production; remove spot_pool "
            "or set environment_type: non-production")


def check_spot_pool_name(spot_pool: str, system_pool: str, user_pool: str, spot_pool_written: bool = True) -> None:
    """The Spot pool's name and its rotation stand-in's clash with neither other pool, and the
    name is not its own stand-in's (`<first 9 characters>tmp`); see `pool_name_conflict`. When the
    Spot pool keeps its default name (`spot_pool_written` false), the clash is blamed on the pool
    whose name the file sets."""
    others = {"system_pool": system_pool, "user_pool": user_pool}
    reason = pool_name_conflict(spot_pool, others)
    if reason is None:
        return
    if not spot_pool_written:
        for key, preferred in (("user_pool", "npuser01"), ("system_pool", "npsystem")):
            if pool_name_conflict(spot_pool, {key: others[key]}) is not None:
                rest = {**{k: v for k, v in others.items() if k != key}, "spot_pool": spot_pool}
                raise ValueError(
                    f"cluster.{key}.name: {pool_name_conflict(others[key], {'spot_pool': spot_pool}) or reason} "
                    f"(spot_pool's default name, as this file does not set one); e.g. name: "
                    f"{free_pool_name(preferred, rest)}, or give spot_pool a name of its own")
    raise ValueError(f"cluster.spot_pool.name: {reason}; e.g. name: {free_pool_name('npspot01', others)}")


def check_firewall_sku(value: object) -> None:
    """Standard or Premium. Basic cannot carry the baseline's egress design: it has no DNS proxy,
    and the spoke resolves every name through the firewall's proxy (so FQDN rules see the answers
    the nodes get; https://learn.microsoft.com/azure/firewall/choose-firewall-sku)."""
    if value == "Basic":
        raise ValueError(
            "hub.firewall_sku: Basic has no DNS proxy, and the spoke resolves every name through the "
            "firewall's DNS proxy (so its FQDN rules see the answers the nodes get); use firewall_sku: "
            "Standard (no IDPS or TLS inspection) or Premium")
    if value not in FIREWALL_SKUS:
        raise ValueError(f"hub.firewall_sku: {_must_be(value)} Standard or Premium, e.g. firewall_sku: Standard")


def check_bastion_sku(value: object) -> None:
    """Standard, Premium or none. Developer and Basic cannot tunnel a native client, which is how
    `az aks bastion` reaches the private API server."""
    if value in ("Developer", "Basic"):
        raise ValueError(
            f"hub.bastion_sku: {value} cannot tunnel a native client (kubectl through `az aks bastion`), "
            "so it cannot reach the private API server; use bastion_sku: Standard, or bastion_sku: none "
            "with your own path to the API server (README \"Reaching the private API server\")")
    if value not in BASTION_SKUS:
        raise ValueError(f"hub.bastion_sku: {_must_be(value)} Standard, Premium or none (no Bastion, written "
                         "as the word none), e.g. bastion_sku: Standard")


def check_production_zones(environment_type: str, region: str, zones: Sequence[str], region_has_zones: bool,
                           field_name: str = "zones") -> None:
    """A production environment spreads over at least two zones wherever the region has them (the
    99.95 % AKS SLA needs zones); a non-production one may use one zone or none. `field_name` is the
    region's zones field (`regions[0].zones`)."""
    if environment_type == "production" and region_has_zones and len(zones) < 2:
        raise ValueError(
            f"{field_name}: production region {region} uses {plural(len(zones), 'availability zone')}; production "
            "spreads over at least two, e.g. zones: [\"1\", \"2\", \"3\"] (or set environment_type: "
            "non-production)")


def minutes_of_day(field_name: str, value: str) -> int:
    """`HH:MM` as minutes after midnight."""
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) == 2 and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"{field_name}: {value!r} is not a time of day; write HH:MM in quotes, e.g. \"07:00\"")
    return int(hours) * 60 + int(minutes)


def check_stop_schedule(environment_type: str, start: str, stop: str, days: Sequence[str]) -> None:
    """Stop when idle: non-production only, two different times, at least one day."""
    if environment_type != "non-production":
        raise ValueError(
            "cluster.stop_schedule: a stopped cluster serves nothing and has no SLA, so the schedule is "
            "only allowed for an environment marked non-production; remove stop_schedule or set "
            "environment_type: non-production")
    if minutes_of_day("cluster.stop_schedule.start", start) == minutes_of_day("cluster.stop_schedule.stop", stop):
        raise ValueError(
            f"cluster.stop_schedule.stop: {stop} is also the start time; give two different times, e.g. "
            "start: \"07:00\" and stop: \"19:00\"")
    if not days:
        raise ValueError("cluster.stop_schedule.days: list at least one day, e.g. days: [Monday, Tuesday]")
    check_unique("cluster.stop_schedule.days", days)


def check_key_vault_protection(environment_type: str, purge_protection: bool) -> None:
    """A production vault keeps purge protection on. Microsoft's Key Vault security guidance: "Turn
    on purge protection: Enable purge protection to protect against accidental or malicious deletion
    of Key Vault objects even after soft delete is enabled"
    (https://learn.microsoft.com/azure/key-vault/general/secure-key-vault#data-protection); without it
    anyone allowed to purge can destroy the vault and its certificates and secrets for good before
    the retention ends (https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection).
    A non-production sandbox may turn it off so it can be torn down and recreated under the same name.

    The soft-delete retention has no production minimum here: the same guidance only asks for soft
    delete "within a 7 to 90-day retention period" (Azure's range, `KEY_VAULT_SOFT_DELETE_DAYS`),
    90 days is Azure's default (and this project's), and the reference uses 7."""
    if not purge_protection and environment_type != "non-production":
        raise ValueError(
            "key_vault.purge_protection: a production vault keeps purge protection on, so no one (a mistake or "
            "a stolen identity) can destroy its certificates and secrets for good before the soft-delete "
            "retention ends (Microsoft's Key Vault guidance); write purge_protection: true (or remove the line: "
            "on by default), or set environment_type: non-production for a disposable sandbox")


def check_windows_time_zone(field_name: str, value: str) -> None:
    """A Windows time zone name (what Logic Apps recurrence triggers take), from the Unicode CLDR
    windowsZones table that tzlocal ships."""
    from tzlocal.windows_tz import tz_win, win_tz

    if value not in win_tz:
        windows = tz_win.get(value)  # America/New_York -> Eastern Standard Time (the same CLDR table)
        if windows is not None:
            raise ValueError(
                f"{field_name}: {value!r} is an IANA time zone name; Logic Apps takes Windows names, and "
                f"{value}'s is {windows}, e.g. time_zone: {windows}")
        close = sorted(name for name in win_tz if value.lower().split(" ")[0] in name.lower())[:3]
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise ValueError(
            f"{field_name}: {value!r} is not a Windows time zone name (Logic Apps uses those, not "
            f"Europe/Berlin-style names), e.g. time_zone: {close[0] if close else 'UTC'}{hint}")


POLICY_MAX_LIMITS = {"cpu": "500m", "memory": "256Mi"}
"""Azure Policy #5 (container CPU/memory limits should not exceed), enforced with Deny: the cluster
policy's parameters and the limit range of the workload namespace."""
