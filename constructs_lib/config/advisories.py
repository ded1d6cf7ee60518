"""Advice about a valid environment: settings Azure accepts today but that a platform team should
know about (printed as `warning:` lines by main.py; they never stop a synth).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import datetime

from constructs_lib.config import catalog
from constructs_lib.config.models import Environment

SUPPORT_ENDING_DAYS = 90
"""Warn this many days before a Kubernetes minor leaves AKS community support."""


def advisories(env: Environment, today: datetime.date | None = None) -> list[str]:
    """`<field>: <advice>` lines for one environment, in field order."""
    today = today or datetime.date.today()
    notes = []
    cluster = env.cluster
    minor = catalog.KUBERNETES_MINORS.get(cluster.kubernetes_minor)
    if minor is None:
        notes.append(
            f"cluster.kubernetes_version: {cluster.kubernetes_minor} is not in this project's table of AKS versions "
            f"(as of {catalog.AS_OF}); accepted because allow_unlisted_kubernetes_version is on. Check that AKS "
            "offers it in every region (`az aks get-versions -l <region>`).")
    elif (minor.community_end - today).days <= SUPPORT_ENDING_DAYS:
        notes.append(
            f"cluster.kubernetes_version: {minor.minor} leaves AKS community support on {minor.community_end}; "
            f"plan the upgrade to the next minor ({catalog.KUBERNETES_SOURCE}).")
    for key, pool in (("system_pool", cluster.system_pool), ("user_pool", cluster.user_pool)):
        size = catalog.VM_SIZES.get(pool.vm_size)
        if size is None:
            notes.append(
                f"cluster.{key}.vm_size: {pool.vm_size} is not in this project's VM size table (as of "
                f"{catalog.AS_OF}); accepted because allow_unlisted_vm_sizes is on. Check ephemeral OS disk "
                "and encryption-at-host support with `az vm list-skus -l <region> --size <size>`.")
        elif size.arm64:
            notes.append(
                f"cluster.{key}.vm_size: {pool.vm_size} is an Arm64 size; every image the pool runs (app.image, "
                "app.traefik_image and the add-ons) must have an arm64 variant.")
    if env.cluster.network.data_plane == "azure":
        notes.append(
            "cluster.network.data_plane: azure uses Azure Network Policy Manager, which Microsoft is retiring "
            "(Linux support ends 2028-09-30, https://azure.microsoft.com/updates?id=500268); new clusters should "
            "use cilium. Switching an existing cluster in Terraform replaces it: run "
            "`az aks update --network-dataplane cilium` first (README \"Cluster\").")
    return notes
