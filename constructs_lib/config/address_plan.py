"""Address-plan rules that span several fields: containment, overlap, minimum sizes, capacity.

Azure reserves five addresses in every subnet (the network address, the default gateway, two
for Azure DNS and the broadcast address), so a /N subnet offers 2^(32-N) - 5 usable addresses.
Every message states the numbers so the reader can fix the plan without redoing the math.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from constructs_lib.config.models import AppGateway, Cluster, Environment, NodePool, Region, SpotNodePool
from constructs_lib.config.regions import geo_replica_regions

T = TypeVar("T", bound=BaseModel)

AZURE_RESERVED_PER_SUBNET = 5

# Azure's documented minimum prefix lengths (a smaller number is a larger subnet).
MINIMUM_PREFIX = {
    "firewall": (26, "AzureFirewallSubnet must be /26 or larger"),
    "bastion": (26, "AzureBastionSubnet must be /26 or larger"),
    "gateway": (27, "GatewaySubnet should be /27 or larger for a VPN or ExpressRoute gateway"),
    "api_server": (28, "the API server VNet-integration subnet must be /28 or larger"),
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is (a dotted field path) and what is wrong."""

    path: str
    message: str


def usable_addresses(network: ipaddress.IPv4Network) -> int:
    """Addresses Azure lets resources use in a subnet of this size."""
    return max(0, network.num_addresses - AZURE_RESERVED_PER_SUBNET)


def node_subnet_demand(pools: list[NodePool | SpotNodePool], flat_cni: bool) -> tuple[int, str]:
    """Addresses the node subnet needs at full scale during an upgrade, with the arithmetic."""
    total = 0
    terms = []
    for pool in pools:
        nodes = pool.max_count + pool.surge_nodes()
        per_node = pool.max_pods + 1 if flat_cni else 1
        total += nodes * per_node
        if flat_cni:
            terms.append(
                f"{pool.name}: ({pool.max_count} max + {pool.surge_nodes()} surge) x "
                f"({pool.max_pods} pods + 1) = {nodes * per_node}"
            )
        else:
            terms.append(f"{pool.name}: {pool.max_count} max + {pool.surge_nodes()} surge = {nodes}")
    return total, "; ".join(terms)


@dataclass(frozen=True)
class Sizing:
    """What the subnet-capacity checks need besides the region; a part is None when the file's
    own section of it did not validate (then the checks that need it are skipped)."""

    cluster: Cluster | None
    app_gateway: AppGateway | None
    replica_count: int | None
    """Replicas of the environment's shared registry (`Environment.registry_replicas`)."""


def check_environment(env: Environment) -> list[Problem]:
    """All address-plan problems of an environment, in file order."""
    problems: list[Problem] = []
    sizing = Sizing(env.cluster, env.app_gateway, len(env.registry_replicas()))
    for index, region in enumerate(env.regions):
        problems += _check_region(region, f"regions[{index}]", sizing)
    problems += _check_overlaps(list(enumerate(env.regions)), env.cluster)
    return problems


def check_partial(data: dict[str, Any]) -> list[Problem]:
    """The address-plan problems of a file whose schema has errors elsewhere: every region,
    cluster and App Gateway section that validates on its own is checked, so a user sees schema
    and address-plan problems in one pass. Sections that do not validate are skipped (their
    schema errors are reported already)."""
    def valid(model: type[T], raw: object) -> T | None:
        try:
            return model.model_validate(raw if raw is not None else {})
        except ValidationError:
            return None

    raw_regions = data.get("regions")
    regions = [(index, region) for index, raw in enumerate(raw_regions if isinstance(raw_regions, list) else [])
               if (region := valid(Region, raw)) is not None]
    cluster = valid(Cluster, data.get("cluster"))
    app_gateway = valid(AppGateway, data.get("app_gateway"))
    problems: list[Problem] = []
    sizing = Sizing(cluster, app_gateway, _partial_replica_count(data))
    for index, region in regions:
        problems += _check_region(region, f"regions[{index}]", sizing)
    problems += _check_overlaps(regions, cluster)
    return problems


def _partial_replica_count(data: dict[str, Any]) -> int | None:
    """`len(Environment.registry_replicas())` from raw data (the same rule,
    `regions.geo_replica_regions`); a region entry without a readable name counts as a region of its
    own. None when `container_registry.geo_replication` is not a boolean."""
    registry = data.get("container_registry")
    geo = registry.get("geo_replication", True) if isinstance(registry, dict) else True
    if not isinstance(geo, bool):
        return None
    raw_regions = data.get("regions")
    names = [raw["name"] if isinstance(raw, dict) and isinstance(raw.get("name"), str) else f"<regions[{index}]>"
             for index, raw in enumerate(raw_regions if isinstance(raw_regions, list) else [])]
    paired = data.get("paired_region")
    if not geo or not names:
        return 0
    return len(geo_replica_regions(names[0], names, paired if isinstance(paired, str) else None))


def _check_region(region: Region, at: str, sizing: Sizing) -> list[Problem]:
    problems: list[Problem] = []
    for vnet_key, vnet in (("hub", region.hub), ("spoke", region.spoke)):
        subnets = vnet.subnets.model_dump()
        for key, subnet in subnets.items():
            if not subnet.subnet_of(vnet.address_space):
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key}",
                    f"{subnet} lies outside the {vnet_key} address space {vnet.address_space}",
                ))
        for (key_a, a), (key_b, b) in combinations(subnets.items(), 2):
            if a.overlaps(b):
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key_b}",
                    f"{b} overlaps {vnet_key}.subnets.{key_a} {a}",
                ))
        for key, subnet in subnets.items():
            if key in MINIMUM_PREFIX and subnet.prefixlen > MINIMUM_PREFIX[key][0]:
                minimum, rule = MINIMUM_PREFIX[key]
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key}",
                    f"{subnet} is a /{subnet.prefixlen}; {rule} "
                    f"({2 ** (32 - minimum)} addresses, this one has {subnet.num_addresses})",
                ))

    spoke = region.spoke.subnets
    cluster = sizing.cluster
    pools = [pool for _, pool in cluster.node_pools()] if cluster else []
    flat = cluster is not None and cluster.network.plugin_mode == "flat"
    demand, arithmetic = node_subnet_demand(pools, flat)
    if cluster is not None and demand > usable_addresses(spoke.nodes):
        mode = "flat Azure CNI (each pod takes a subnet IP)" if flat else "Azure CNI Overlay"
        problems.append(Problem(
            f"{at}.spoke.subnets.nodes",
            f"{spoke.nodes} holds {usable_addresses(spoke.nodes)} usable addresses "
            f"({spoke.nodes.num_addresses} - {AZURE_RESERVED_PER_SUBNET} reserved by Azure); "
            f"with {mode} the pools need {demand} at full scale during an upgrade ({arithmetic})",
        ))

    gateway = sizing.app_gateway
    gateway_demand = gateway.max_capacity + 1 if gateway else 0
    if gateway is not None and gateway_demand > usable_addresses(spoke.app_gateway):
        problems.append(Problem(
            f"{at}.spoke.subnets.app_gateway",
            f"{spoke.app_gateway} holds {usable_addresses(spoke.app_gateway)} usable addresses; "
            f"WAF_v2 autoscaling to {gateway.max_capacity} instances needs "
            f"{gateway_demand} (one per instance + 1 private frontend); Azure recommends /24",
        ))

    # The shared registry: one IP for the registry plus one data endpoint per replica region (home
    # included); key vault: one.
    replicas = sizing.replica_count
    endpoint_demand = 1 + (1 + (replicas or 0)) + 1
    if replicas is not None and endpoint_demand > usable_addresses(spoke.private_endpoints):
        problems.append(Problem(
            f"{at}.spoke.subnets.private_endpoints",
            f"{spoke.private_endpoints} holds {usable_addresses(spoke.private_endpoints)} usable "
            f"addresses; the registry (1 + {1 + replicas} regional "
            f"data endpoints) and key vault (1) private endpoints need {endpoint_demand}",
        ))

    ilb_ip = region.spoke.ingress_load_balancer_ip
    if ilb_ip not in spoke.ingress:
        problems.append(Problem(
            f"{at}.spoke.ingress_load_balancer_ip",
            f"{ilb_ip} lies outside the ingress subnet {spoke.ingress}",
        ))
    else:
        first_usable = spoke.ingress.network_address + 4
        if ilb_ip < first_usable or ilb_ip == spoke.ingress.broadcast_address:
            problems.append(Problem(
                f"{at}.spoke.ingress_load_balancer_ip",
                f"{ilb_ip} is one of the 5 addresses Azure reserves in {spoke.ingress}; "
                f"use {first_usable} to {spoke.ingress.broadcast_address - 1}",
            ))
    return problems


def _check_overlaps(regions: list[tuple[int, Region]], cluster: Cluster | None) -> list[Problem]:
    """VNets of every region must not overlap each other or the cluster's pod/service ranges."""
    problems: list[Problem] = []
    vnets = []
    for index, region in regions:
        vnets.append((f"regions[{index}].hub.address_space", region.hub.address_space))
        vnets.append((f"regions[{index}].spoke.address_space", region.spoke.address_space))
    for (path_a, a), (path_b, b) in combinations(vnets, 2):
        if a.overlaps(b):
            problems.append(Problem(path_b, f"{b} overlaps {path_a} {a}"))

    if cluster is None:
        return problems
    network = cluster.network
    cluster_ranges = [("cluster.network.service_cidr", network.service_cidr)]
    if network.overlay_pod_cidr is not None:
        cluster_ranges.insert(0, ("cluster.network.pod_cidr", network.overlay_pod_cidr))
    for path, cluster_range in cluster_ranges:
        for vnet_path, vnet in vnets:
            if cluster_range.overlaps(vnet):
                problems.append(Problem(path, f"{cluster_range} overlaps {vnet_path} {vnet}"))
    return problems
