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

from constructs_lib.config.models import (
    AppGateway,
    Cluster,
    Environment,
    HubNetwork,
    NodePool,
    Region,
    SpokeNetwork,
    SpotNodePool,
)
from constructs_lib.config.regions import geo_replica_regions
from constructs_lib.config.rules import AKS_RESERVED_RANGES

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


PRIVATE_BLOCKS = tuple(ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
"""RFC 1918 ranges, where the examples for a VNet or cluster range are looked for."""


def free_range(within: ipaddress.IPv4Network, prefixlen: int,
               taken: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Network | None:
    """The first /`prefixlen` range inside `within` that overlaps none of `taken` (None when there
    is none): the valid example an overlap or size message gives."""
    if prefixlen < within.prefixlen or prefixlen > 32:
        return None
    size = 2 ** (32 - prefixlen)
    address, last = int(within.network_address), int(within.broadcast_address)
    while address + size - 1 <= last:
        candidate = ipaddress.IPv4Network((address, prefixlen))
        blocking = [network for network in taken if network.overlaps(candidate)]
        if not blocking:
            return candidate
        after = max(int(network.broadcast_address) for network in blocking) + 1
        address = -(-after // size) * size  # the next aligned start past what blocks this one
    return None


def prefix_for(addresses: int) -> int:
    """The longest prefix (smallest subnet) whose usable addresses hold `addresses`."""
    prefix = 29
    while prefix > 0 and usable_addresses(ipaddress.IPv4Network((0, prefix))) < addresses:
        prefix -= 1
    return prefix


def _free_subnet(space: ipaddress.IPv4Network, subnets: dict[str, ipaddress.IPv4Network], key: str,
                 prefixlen: int) -> ipaddress.IPv4Network | None:
    """A free /`prefixlen` range in the VNet `space` for subnet `key`, clear of its other subnets."""
    return free_range(space, prefixlen, [net for other, net in subnets.items() if other != key])


def _example(key: str, network: ipaddress.IPv4Network | None, missing: str = "") -> str:
    """`e.g. <key>: <network>` for a free range, or what to do when there is none."""
    return f"e.g. {key}: {network}" if network is not None else missing


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
    return _without_moved_subnets(problems)


def check_partial(data: dict[str, Any], context: dict[str, Any] | None = None) -> list[Problem]:
    """The address-plan problems of a file whose schema has errors elsewhere: every region,
    cluster and App Gateway section that validates on its own is checked, so a user sees schema
    and address-plan problems in one pass. Sections that do not validate are skipped (their
    schema errors are reported already). `context` is the validation context (`{"today": date}`)."""
    def valid(model: type[T], raw: object) -> T | None:
        try:
            return model.model_validate(raw if raw is not None else {}, context=context)
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
    return _without_moved_subnets(problems)


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
    suggested: dict[tuple[str, str], ipaddress.IPv4Network] = {}
    """(vnet, subnet) -> the range a message of this run suggests instead; later examples build on it."""
    for vnet_key, vnet in (("hub", region.hub), ("spoke", region.spoke)):
        subnets = vnet.subnets.model_dump()
        space = vnet.address_space

        def elsewhere(key: str, prefixlen: int, space: ipaddress.IPv4Network = space,
                      subnets: dict[str, ipaddress.IPv4Network] = subnets,
                      vnet_key: str = vnet_key) -> ipaddress.IPv4Network | None:
            """A free range for subnet `key`, clear of the other subnets and of the ranges already
            suggested in this run (two examples applied together must not collide)."""
            moved = {other: net for (where, other), net in suggested.items() if where == vnet_key}
            taken = {**subnets, **moved}
            if (vnet_key, key) in suggested:
                return suggested[(vnet_key, key)]
            room = free_range(space, prefixlen, [net for other, net in taken.items() if other != key])
            if room is not None:
                suggested[(vnet_key, key)] = room
            return room

        full_space = f"enlarge {at}.{vnet_key}.address_space"
        for key, subnet in subnets.items():
            if not subnet.subnet_of(space):
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key}",
                    f"{subnet} lies outside the {vnet_key} address space {space}; "
                    f"{_example(key, elsewhere(key, subnet.prefixlen), full_space)}",
                ))
        for (key_a, a), (key_b, b) in combinations(subnets.items(), 2):
            if a.overlaps(b):
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key_b}",
                    f"{b} overlaps {at}.{vnet_key}.subnets.{key_a} {a}; subnets of a VNet must not overlap, "
                    f"{_example(key_b, elsewhere(key_b, b.prefixlen), full_space)}",
                ))
        for key, subnet in subnets.items():
            if key in MINIMUM_PREFIX and subnet.prefixlen > MINIMUM_PREFIX[key][0]:
                minimum, rule = MINIMUM_PREFIX[key]
                problems.append(Problem(
                    f"{at}.{vnet_key}.subnets.{key}",
                    f"{subnet} is a /{subnet.prefixlen}; {rule} "
                    f"({2 ** (32 - minimum)} addresses, this one has {subnet.num_addresses}); "
                    f"{_example(key, elsewhere(key, minimum), full_space)}",
                ))

    spoke = region.spoke.subnets
    spoke_subnets = spoke.model_dump()

    def larger(key: str, needed: int) -> str:
        """What to write instead: a subnet that holds `needed` addresses."""
        prefix = prefix_for(needed)
        room = free_range(region.spoke.address_space, prefix,
                          [net for other, net in spoke_subnets.items() if other != key])
        return f"use a /{prefix} or larger, " + _example(
            key, room, f"which needs a larger {at}.spoke.address_space")

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
            f"with {mode} the pools need {demand} at full scale during an upgrade ({arithmetic}); "
            f"{larger('nodes', demand)}",
        ))

    gateway = sizing.app_gateway
    gateway_demand = gateway.max_capacity + 1 if gateway else 0
    if gateway is not None and gateway_demand > usable_addresses(spoke.app_gateway):
        problems.append(Problem(
            f"{at}.spoke.subnets.app_gateway",
            f"{spoke.app_gateway} holds {usable_addresses(spoke.app_gateway)} usable addresses; "
            f"WAF_v2 autoscaling to {gateway.max_capacity} instances needs "
            f"{gateway_demand} (one per instance + 1 private frontend); Azure recommends /24, "
            f"{larger('app_gateway', gateway_demand).removeprefix('use ')}",
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
            f"data endpoints) and key vault (1) private endpoints need {endpoint_demand}; "
            f"{larger('private_endpoints', endpoint_demand)}",
        ))

    # Judged against the ingress subnet this run suggests, when it suggests one: the two fixes are
    # applied together, so an address that fits the new subnet needs no message of its own.
    ilb_ip = region.spoke.ingress_load_balancer_ip
    ingress = suggested.get(("spoke", "ingress"), spoke.ingress)
    which = (f"the ingress subnet {ingress} suggested above" if ingress != spoke.ingress
             else f"the ingress subnet {ingress}")
    first_usable = ingress.network_address + 4
    if ilb_ip not in ingress:
        problems.append(Problem(
            f"{at}.spoke.ingress_load_balancer_ip",
            f"{ilb_ip} lies outside {which}; use an address from {first_usable} to "
            f"{ingress.broadcast_address - 1}, e.g. ingress_load_balancer_ip: {first_usable}",
        ))
    elif ilb_ip < first_usable or ilb_ip == ingress.broadcast_address:
        problems.append(Problem(
            f"{at}.spoke.ingress_load_balancer_ip",
            f"{ilb_ip} is one of the 5 addresses Azure reserves in {which}; "
            f"use {first_usable} to {ingress.broadcast_address - 1}, e.g. ingress_load_balancer_ip: "
            f"{first_usable}",
        ))
    return problems


def _home(vnet: HubNetwork | SpokeNetwork) -> ipaddress.IPv4Network | None:
    """The range of the VNet's size that holds all its subnets, when none of them lies in the VNet's
    address space (the address space was moved, the subnets were not); None otherwise."""
    space = vnet.address_space
    subnets = list(vnet.subnets.model_dump().values())
    if not subnets or any(subnet.subnet_of(space) for subnet in subnets) or subnets[0].prefixlen < space.prefixlen:
        return None
    home = ipaddress.IPv4Network(f"{subnets[0].network_address}/{space.prefixlen}", strict=False)
    return home if all(subnet.subnet_of(home) for subnet in subnets) else None


def _without_moved_subnets(problems: list[Problem]) -> list[Problem]:
    """A VNet told to go back to its subnets (`_check_overlaps`) drops the messages that move each
    subnet into the VNet's new range: the two fixes contradict each other."""
    moved = {p.path.removesuffix(".address_space") for p in problems
             if p.path.endswith(".address_space") and "holds none of its subnets" in p.message}
    def follows_the_subnets(problem: Problem, vnet: str) -> bool:
        return ((problem.path.startswith(f"{vnet}.subnets.") and " lies outside the " in problem.message)
                or (problem.path == f"{vnet}.ingress_load_balancer_ip" and "suggested above" in problem.message))

    return [p for p in problems if not any(follows_the_subnets(p, vnet) for vnet in moved)]


def _check_overlaps(regions: list[tuple[int, Region]], cluster: Cluster | None) -> list[Problem]:
    """VNets of every region must not overlap each other or the cluster's pod/service ranges."""
    problems: list[Problem] = []
    vnets = []
    for index, region in regions:
        vnets.append((f"regions[{index}].hub.address_space", region.hub.address_space))
        vnets.append((f"regions[{index}].spoke.address_space", region.spoke.address_space))
    network = cluster.network if cluster is not None else None
    cluster_ranges = [("cluster.network.service_cidr", network.service_cidr)] if network else []
    if network is not None and network.overlay_pod_cidr is not None:
        cluster_ranges.insert(0, ("cluster.network.pod_cidr", network.overlay_pod_cidr))
    everything = [net for _, net in vnets] + [net for _, net in cluster_ranges] + list(AKS_RESERVED_RANGES)

    def instead(path: str, current: ipaddress.IPv4Network) -> str:
        """A range of the same size in the same private block that overlaps nothing else."""
        block = next((block for block in PRIVATE_BLOCKS if current.subnet_of(block)), PRIVATE_BLOCKS[0])
        room = free_range(block, current.prefixlen, [net for net in everything if net != current])
        key = path.rsplit(".", 1)[-1]
        return _example(key, room, "choose a range that overlaps none of them")

    homes = {path: _home(vnet) for path, vnet in zip([p for p, _ in vnets], [v for _, region in regions
                                                         for v in (region.hub, region.spoke)], strict=True)}
    for (path_a, a), (path_b, b) in combinations(vnets, 2):
        if a.overlaps(b):
            # Blame the VNet moved away from its own subnets (the one edited), and send it back there:
            # the subnets' messages then have nothing to move (see `_without_moved_subnets`).
            if homes[path_b] is None and homes[path_a] is not None:
                (path_a, a), (path_b, b) = (path_b, b), (path_a, a)
            home = homes[path_b]
            if home is not None and not any(home.overlaps(net) for net in everything if net != b):
                problems.append(Problem(path_b, (
                    f"{b} overlaps {path_a} {a} and holds none of its subnets; VNets that are peered must not "
                    f"overlap, and its subnets lie in {home}: e.g. address_space: {home}")))
                continue
            problems.append(Problem(
                path_b, f"{b} overlaps {path_a} {a}; VNets that are peered must not overlap, {instead(path_b, b)}"))
    for path, cluster_range in cluster_ranges:
        for vnet_path, vnet in vnets:
            if cluster_range.overlaps(vnet):
                problems.append(Problem(path, (
                    f"{cluster_range} overlaps {vnet_path} {vnet}; pod and service ranges must stay clear of "
                    f"every VNet, {instead(path, cluster_range)}")))
    return problems
