"""What Azure offers that the environment rules rely on: AKS Kubernetes minors and VM sizes.

A value outside these tables is refused at load unless the environment file opts out
explicitly (`cluster.allow_unlisted_kubernetes_version`, `cluster.allow_unlisted_vm_sizes`) for a
value newer than the table; the opt-out prints a warning on every synth. Refresh the tables from
the sources below and move `AS_OF`.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

AS_OF = datetime.date(2026, 8, 21)
"""Date of the newest source read for both tables."""

KUBERNETES_SOURCE = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"
KUBERNETES_CHANGELOG = "https://github.com/Azure/AKS/blob/master/CHANGELOG.md"
VM_SIZES_SOURCE = "https://learn.microsoft.com/azure/virtual-machines/sizes/overview"
EPHEMERAL_OS_SOURCE = "https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks"


@dataclass(frozen=True)
class KubernetesMinor:
    """One AKS Kubernetes minor version and its support calendar (month ends are the last day)."""

    minor: str
    aks_ga: datetime.date
    """First month AKS offered it as generally available."""
    community_end: datetime.date
    """Last day of AKS community support; afterwards only the LTS plan (Premium tier) keeps it."""
    newest_patch: int
    """Newest AKS patch seen in the sources (a pinned patch above it is not known to exist)."""


def _month_end(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


KUBERNETES_MINORS: dict[str, KubernetesMinor] = {m.minor: m for m in (
    KubernetesMinor("1.32", datetime.date(2025, 4, 1), _month_end(2026, 4), 12),
    KubernetesMinor("1.33", datetime.date(2025, 6, 1), datetime.date(2026, 7, 17), 13),
    KubernetesMinor("1.34", datetime.date(2025, 11, 1), _month_end(2026, 11), 9),
    KubernetesMinor("1.35", datetime.date(2026, 3, 1), _month_end(2027, 3), 7),
    KubernetesMinor("1.36", datetime.date(2026, 6, 1), _month_end(2027, 6), 2),
)}
"""AKS minors (calendar of KUBERNETES_SOURCE and release notes of KUBERNETES_CHANGELOG as of
AS_OF). 1.37 was planned for October 2026 but no AKS release note confirmed it by AS_OF."""


def supported_minors(today: datetime.date) -> list[str]:
    """Minors AKS offers with community support on `today`, oldest first."""
    return [m.minor for m in KUBERNETES_MINORS.values() if m.aks_ga <= today <= m.community_end]


@dataclass(frozen=True)
class VmSize:
    """What the node-pool rules need to know about one VM size."""

    name: str
    vcpus: int
    memory_gib: int
    ephemeral_os_max_gib: int | None
    """Largest ephemeral OS disk (the size's temp, cache or NVMe disk, capped at 2,040 GiB,
    EPHEMERAL_OS_SOURCE); None when the size cannot hold an ephemeral OS disk."""
    series: str
    """Size-series page under VM_SIZES_SOURCE."""
    arm64: bool = False
    burstable: bool = False


def _sizes(*rows: VmSize) -> dict[str, VmSize]:
    return {row.name: row for row in rows}


VM_SIZES: dict[str, VmSize] = _sizes(
    VmSize("Standard_D2d_v5", 2, 8, 75, "ddv5-series"),
    VmSize("Standard_D4d_v5", 4, 16, 150, "ddv5-series"),
    VmSize("Standard_D8d_v5", 8, 32, 300, "ddv5-series"),
    VmSize("Standard_D16d_v5", 16, 64, 600, "ddv5-series"),
    VmSize("Standard_D2ds_v5", 2, 8, 75, "ddsv5-series"),
    VmSize("Standard_D4ds_v5", 4, 16, 150, "ddsv5-series"),
    VmSize("Standard_D8ds_v5", 8, 32, 300, "ddsv5-series"),
    VmSize("Standard_D2s_v5", 2, 8, None, "dsv5-series"),
    VmSize("Standard_D4s_v5", 4, 16, None, "dsv5-series"),
    VmSize("Standard_D8s_v5", 8, 32, None, "dsv5-series"),
    VmSize("Standard_D2ads_v5", 2, 8, 75, "dadsv5-series"),
    VmSize("Standard_D4ads_v5", 4, 16, 150, "dadsv5-series"),
    VmSize("Standard_D8ads_v5", 8, 32, 300, "dadsv5-series"),
    VmSize("Standard_D2as_v5", 2, 8, None, "dasv5-series"),
    VmSize("Standard_D4as_v5", 4, 16, None, "dasv5-series"),
    VmSize("Standard_E2ds_v5", 2, 16, 75, "edsv5-series"),
    VmSize("Standard_E4ds_v5", 4, 32, 150, "edsv5-series"),
    VmSize("Standard_E8ds_v5", 8, 64, 300, "edsv5-series"),
    VmSize("Standard_D2ds_v6", 2, 8, 110, "ddsv6-series"),
    VmSize("Standard_D4ds_v6", 4, 16, 220, "ddsv6-series"),
    VmSize("Standard_DS2_v2", 2, 7, 86, "dsv2-series"),
    VmSize("Standard_DS3_v2", 4, 14, 127, "dsv2-series"),
    VmSize("Standard_DS4_v2", 8, 28, 344, "dsv2-series"),
    VmSize("Standard_B2s", 2, 4, 30, "bv1-series", burstable=True),
    VmSize("Standard_B2ms", 2, 8, 30, "bv1-series", burstable=True),
    VmSize("Standard_F4s_v2", 4, 8, 32, "fsv2-series"),
    VmSize("Standard_D4pds_v5", 4, 16, 150, "dpdsv5-series", arm64=True),
)
"""VM sizes with confirmed capabilities (size-series pages and the ephemeral OS disk rule, as of
AS_OF). Where sources disagree the smaller ephemeral size is kept (DS3_v2: 127 GiB)."""

SYSTEM_POOL_MIN_VCPUS, SYSTEM_POOL_MIN_MEMORY_GIB = 2, 4
"""AKS: system pools need at least 2 vCPUs and 4 GB memory and no B-series
(https://learn.microsoft.com/azure/aks/quotas-skus-regions)."""
USER_POOL_MIN_VCPUS, USER_POOL_MIN_MEMORY_GIB = 2, 2
"""AKS: user pools need at least 2 vCPUs and 2 GB memory (same source)."""
