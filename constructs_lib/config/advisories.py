"""Advice about a valid environment: settings Azure accepts today but that a platform team should
know about (printed as `warning:` lines by main.py; they never stop a synth).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from itertools import combinations

from constructs_lib.config import catalog
from constructs_lib.config.models import Environment, LocalState
from constructs_lib.config.regions import REGION_PAIRS

SUPPORT_ENDING_DAYS = 90
"""Warn this many days before a Kubernetes minor leaves AKS community support."""


def advisories(env: Environment, today: datetime.date | None = None) -> list[str]:
    """`<field>: <advice>` lines for one environment, in field order."""
    today = today or datetime.date.today()
    notes = []
    home = env.regions[0].name
    if env.paired_region and len(env.regions) == 1 and REGION_PAIRS.get(home) not in (None, env.paired_region):
        notes.append(
            f"paired_region: {env.paired_region} is not {home}'s Azure region pair ({REGION_PAIRS[home]}); "
            "fine if chosen on purpose (data residency, capacity), a leftover if copied from another file.")
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
    for key, pool in cluster.node_pools():
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
    notes += _production_choices(env)
    if env.cluster.network.data_plane == "azure":
        notes.append(
            "cluster.network.data_plane: azure uses Azure Network Policy Manager, which Microsoft is retiring "
            "(Linux support ends 2028-09-30, https://azure.microsoft.com/updates?id=500268); new clusters should "
            "use cilium. Switching an existing cluster in Terraform replaces it: run "
            "`az aks update --network-dataplane cilium` first (README \"Cluster\").")
    return notes


def _production_choices(env: Environment) -> list[str]:
    """Settings a production environment may choose that are weaker than the baseline's production and
    that the model allows (unlike Key Vault purge protection off, the Free tier or a Spot pool, which it
    refuses for production): said once per synth, so none goes by without a word."""
    if env.environment_type != "production":
        return []
    notes = []
    if env.hub.firewall_sku == "Standard":
        notes.append(
            "hub.firewall_sku: Standard in a production environment runs without IDPS and TLS inspection (the "
            "policy is built without intrusion detection); the baseline's production keeps Premium with IDPS "
            "in Deny. Fine if chosen on purpose; otherwise remove the line (default Premium).")
    if env.ingress.certificate_issuer == "Self":
        notes.append(
            "ingress.certificate_issuer: Self gives a production environment's public listener a self-signed "
            "certificate, which browsers and clients do not trust; name the Key Vault issuer of a public CA, "
            "e.g. certificate_issuer: DigiCert (README \"Global entry and failover\").")
    if isinstance(env.state, LocalState):
        notes.append(
            "state.backend: local keeps a production environment's Terraform state on this machine only (no "
            "locking, no shared history, lost with the disk); use backend: azurerm or cloud (README "
            "\"Bootstrap\").")
    return notes


def cross_environment_advisories(environments: list[Environment], about: Collection[str] | None = None) -> list[str]:
    """`<env>: <advice>` lines about several environments together: VNet ranges that overlap
    between environments (fine while they are never peered or routed to each other, a problem the
    day they are). `make preflight` prints them as notes; the shipped dev and prod share the
    reference's plan on purpose (separate subscriptions, never peered). With `about` (environment
    names), only the lines that involve one of those environments."""
    vnets = [(env.name, f"regions[{index}].{kind}.address_space", network)
             for env in environments for index, region in enumerate(env.regions)
             for kind, network in (("hub", region.hub.address_space), ("spoke", region.spoke.address_space))]
    notes = []
    for (env_a, path_a, a), (env_b, path_b, b) in combinations(vnets, 2):
        if env_a != env_b and a.overlaps(b) and (about is None or env_a in about or env_b in about):
            notes.append(f"{env_b}: {path_b} {b} overlaps {env_a}'s {path_a} {a}; fine while the two "
                         "environments are never peered or routed to each other")
    return notes
