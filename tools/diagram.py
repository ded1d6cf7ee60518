#!/usr/bin/env python3
"""Topology diagrams per environment, drawn from the synthesized Terraform JSON.

    python3 tools/diagram.py [--outdir cdktf.out] [--env NAME]   # `make diagram`

Reads `<outdir>/stacks/*/cdk.tf.json` and `<outdir>/deploy-order.json` (nothing hand-drawn, no
environment file) and writes, per environment `E`, under `<outdir>/diagrams/`:

- `E.gv`  the Graphviz source (written without Graphviz; the tests read it),
- `E.png` and `E.svg` rendered by Graphviz's `dot` (the SVG embeds its icons, so it stands alone).

What is drawn: each Azure region (the `location` of its virtual networks), the hub and spoke
virtual networks with their address spaces, every subnet with its prefixes, the resources placed
in a subnet (firewall, Bastion, Application Gateway, AKS API server and node pools, private
endpoints, the internal ingress address an App Gateway backend resolves to through a private DNS
record), the registry and Key Vault of the region, peerings, the egress route to the firewall,
the global entry (Front Door, `azurerm_cdn_frontdoor_*`) when a stack declares one, and the apply
waves of `deploy-order.json` (the bootstrap stack, applied once by hand, before wave 1).

Kept out of the synth path on purpose: constructs_lib never imports this module, and the `diagrams`
package is only imported when a diagram is built. `render_diagrams` raises `DiagramError` when
Graphviz's `dot` is missing; the command then exits 2 with the install hint.
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import os
import re
import shutil
import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_CANNOT_RUN = 0, 2
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM_FOLDER = "diagrams"
INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: `brew install graphviz`) "
                "and run `make diagram` again")

_REF = re.compile(r"^\$\{(?:(data)\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_\[\]\.]+)\}$")


class DiagramError(Exception):
    """A diagram cannot be drawn: no synthesized stacks, Graphviz's `dot` or a Python package is missing."""


# --------------------------------------------------------------------------- model (pure JSON)


@dataclass(frozen=True)
class Ref:
    """A Terraform reference `${[data.]type.logical_id.attribute}` inside one stack."""

    stack: str
    block: str
    """`resource` or `data`."""
    rtype: str
    lid: str
    attribute: str


def parse_ref(stack: str, value: Any) -> Ref | None:
    """The reference a whole-string value makes, or None for a literal (or a composite string)."""
    if not isinstance(value, str):
        return None
    match = _REF.match(value)
    if not match:
        return None
    data, rtype, lid, attribute = match.groups()
    return Ref(stack, "data" if data else "resource", rtype, lid, attribute)


@dataclass
class Item:
    """One drawn resource."""

    key: str
    """Graph node ID, unique in the diagram and stable across renders."""
    kind: str
    """Icon: firewall, bastion, app_gateway, aks, pool, private_endpoint, registry, key_vault,
    ingress, front_door, storage, identity, subnet."""
    label: str
    region: str | None = None
    """Region the item is drawn in (None: global, outside every region)."""
    subnet: tuple[str, str] | None = None
    """(virtual network name, subnet name) the item sits in, if any."""


@dataclass
class Subnet:
    name: str
    prefixes: list[str]
    items: list[Item] = field(default_factory=list)


@dataclass
class VirtualNetwork:
    name: str
    address_space: list[str]
    region: str
    stack: str
    subnets: dict[str, Subnet] = field(default_factory=dict)

    @property
    def role(self) -> str:
        """`hub` or `spoke` from the stack kind that declares it (`<env>-<region>-hub`)."""
        return self.stack.rsplit("-", 1)[-1]


@dataclass
class Edge:
    tail: str
    head: str
    label: str = ""
    style: str = "solid"
    both: bool = False


@dataclass
class Topology:
    """What one environment's diagram shows, read from its synthesized stacks."""

    environment: str
    stacks: list[str]
    waves: list[list[str]]
    bootstrap: str | None
    vnets: dict[str, VirtualNetwork] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    @property
    def regions(self) -> list[str]:
        found = [v.region for v in self.vnets.values()] + [i.region for i in self.items if i.region]
        return list(dict.fromkeys(found))


def _blocks(block: Any) -> list[dict[str, Any]]:
    """A nested block as a list (cdktf writes a single block as an object, several as a list)."""
    if isinstance(block, dict):
        return [block]
    return [b for b in block or [] if isinstance(b, dict)]


def _node_id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p) for p in parts)


class _Reader:
    """Resolves references and names across one environment's stacks."""

    def __init__(self, docs: dict[str, dict[str, Any]]):
        self.docs = docs

    def body(self, ref: Ref) -> dict[str, Any]:
        return self.docs.get(ref.stack, {}).get(ref.block, {}).get(ref.rtype, {}).get(ref.lid, {})

    def resources(self, rtype: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for stack, doc in self.docs.items():
            for lid, body in doc.get("resource", {}).get(rtype, {}).items():
                yield stack, lid, body

    def name_of(self, stack: str, value: Any) -> str | None:
        """A literal name, or the literal `name` of the resource/data source a reference points at."""
        ref = parse_ref(stack, value)
        if ref is None:
            return value if isinstance(value, str) and "${" not in value else None
        name = self.body(ref).get("name")
        return self.name_of(stack, name) if name is not None else None

    def subnet_of(self, stack: str, value: Any) -> tuple[str, str] | None:
        """(virtual network name, subnet name) of a subnet ID reference."""
        ref = parse_ref(stack, value)
        if ref is None or ref.rtype != "azurerm_subnet":
            return None
        body = self.body(ref)
        vnet, name = self.name_of(stack, body.get("virtual_network_name")), self.name_of(stack, body.get("name"))
        return (vnet, name) if vnet and name else None

    def first_subnet(self, stack: str, block: Any) -> tuple[str, str] | None:
        """The subnet of the first IP configuration in `block` (a nested block of `subnet_id`s) that
        names one."""
        return next((s for c in _blocks(block) if (s := self.subnet_of(stack, c.get("subnet_id")))), None)


def read_environment(outdir: Path, environment: str, stacks: list[str], waves: list[list[str]],
                     bootstrap: str | None = None) -> Topology:
    """The topology of one environment from its stacks' `cdk.tf.json` under `outdir/stacks/`.

    Raises DiagramError when a listed stack has no synthesized JSON.
    """
    docs: dict[str, dict[str, Any]] = {}
    for stack in stacks:
        path = outdir / "stacks" / stack / "cdk.tf.json"
        if not path.is_file():
            raise DiagramError(f"{path} is missing; run `make synth` first")
        docs[stack] = json.loads(path.read_text(encoding="utf-8"))
    topology = Topology(environment, stacks, waves, bootstrap)
    reader = _Reader(docs)
    _read_networks(reader, topology)
    _read_items(reader, topology)
    return topology


def _read_networks(reader: _Reader, topology: Topology) -> None:
    for stack, _, body in reader.resources("azurerm_virtual_network"):
        name = reader.name_of(stack, body.get("name"))
        if name:
            topology.vnets[name] = VirtualNetwork(name, list(body.get("address_space", [])),
                                                  str(body.get("location", "")), stack)
    for stack, _, body in reader.resources("azurerm_subnet"):
        vnet, name = reader.name_of(stack, body.get("virtual_network_name")), reader.name_of(stack, body.get("name"))
        if vnet in topology.vnets and name:
            topology.vnets[vnet].subnets[name] = Subnet(name, list(body.get("address_prefixes", [])))
    peerings = {}
    for stack, lid, body in reader.resources("azurerm_virtual_network_peering"):
        local = reader.name_of(stack, body.get("virtual_network_name"))
        remote = reader.name_of(stack, body.get("remote_virtual_network_id"))
        if local in topology.vnets and remote in topology.vnets:
            peerings[(local, remote)] = lid
    drawn: set[frozenset[str]] = set()
    for local, remote in peerings:
        pair = frozenset((local, remote))
        if pair in drawn:
            continue
        drawn.add(pair)
        both = (remote, local) in peerings
        topology.edges.append(Edge(_node_id("vnet", local), _node_id("vnet", remote),
                                   "peering" if both else "peering (one way)", "bold", both))


def _place(topology: Topology, item: Item) -> None:
    if item.subnet:
        vnet = topology.vnets.get(item.subnet[0])
        subnet = vnet.subnets.get(item.subnet[1]) if vnet else None
        if vnet and subnet:
            item.region = vnet.region
            subnet.items.append(item)
            return
        item.subnet = None
    topology.items.append(item)


def _read_items(reader: _Reader, topology: Topology) -> None:
    by_target: dict[tuple[str, str], str] = {}
    """(resource type, name) -> node ID, for edges from private endpoints and Front Door."""

    def add(stack: str, rtype: str, body: dict[str, Any], kind: str, label: str,
            subnet: tuple[str, str] | None = None) -> Item:
        name = reader.name_of(stack, body.get("name")) or kind
        item = Item(_node_id(kind, name), kind, label, body.get("location"), subnet)
        _place(topology, item)
        by_target[(rtype, name)] = item.key
        return item

    for stack, _, body in reader.resources("azurerm_firewall"):
        subnet = reader.first_subnet(stack, body.get("ip_configuration"))
        public = len(_blocks(body.get("ip_configuration")))
        add(stack, "azurerm_firewall", body, "firewall",
            f"{body.get('name')}\nFirewall {body.get('sku_tier', '')}, {public} public IP(s)", subnet)
    for stack, _, body in reader.resources("azurerm_bastion_host"):
        subnet = reader.first_subnet(stack, body.get("ip_configuration"))
        add(stack, "azurerm_bastion_host", body, "bastion", f"{body.get('name')}\nBastion {body.get('sku', '')}",
            subnet)
    app_gateways: list[tuple[str, Item, dict[str, Any]]] = []
    for stack, _, body in reader.resources("azurerm_application_gateway"):
        subnet = reader.first_subnet(stack, body.get("gateway_ip_configuration"))
        sku = (_blocks(body.get("sku")) or [{}])[0].get("name", "")
        item = add(stack, "azurerm_application_gateway", body, "app_gateway",
                   f"{body.get('name')}\nApplication Gateway {sku}", subnet)
        app_gateways.append((stack, item, body))
        for frontend in _blocks(body.get("frontend_ip_configuration")):
            pip = reader.name_of(stack, frontend.get("public_ip_address_id"))
            if pip:
                by_target[("azurerm_public_ip", pip)] = item.key
    for stack, _, body in reader.resources("azurerm_kubernetes_cluster"):
        profile = (_blocks(body.get("api_server_access_profile")) or [{}])[0]
        api_subnet = reader.subnet_of(stack, profile.get("subnet_id"))
        private = "private API server" if body.get("private_cluster_enabled") else "public API server"
        cluster = add(stack, "azurerm_kubernetes_cluster", body, "aks",
                      f"{body.get('name')}\nAKS {body.get('kubernetes_version', '')}, {private}", api_subnet)
        for pool in _blocks(body.get("default_node_pool")):
            _pool(reader, topology, stack, cluster, pool, "system")
    for stack, _, body in reader.resources("azurerm_kubernetes_cluster_node_pool"):
        ref = parse_ref(stack, body.get("kubernetes_cluster_id"))
        owner = reader.name_of(stack, reader.body(ref).get("name")) if ref else None
        cluster_key = by_target.get(("azurerm_kubernetes_cluster", owner or ""))
        _pool(reader, topology, stack, None, body, str(body.get("mode", "User")).lower(), cluster_key)
    for stack, _, body in reader.resources("azurerm_container_registry"):
        replicas = [g.get("location") for g in _blocks(body.get("georeplications"))]
        where = f"\nreplicas: {', '.join(str(r) for r in replicas)}" if replicas else ""
        add(stack, "azurerm_container_registry", body, "registry",
            f"{body.get('name')}\nContainer Registry {body.get('sku', '')}{where}")
    for stack, _, body in reader.resources("azurerm_key_vault"):
        add(stack, "azurerm_key_vault", body, "key_vault", f"{body.get('name')}\nKey Vault")
    for stack, _, body in reader.resources("azurerm_storage_account"):
        add(stack, "azurerm_storage_account", body, "storage",
            f"{body.get('name')}\nStorage {body.get('account_replication_type', '')}")
    for stack, _, body in reader.resources("azurerm_private_endpoint"):
        subnet = reader.subnet_of(stack, body.get("subnet_id"))
        pe = add(stack, "azurerm_private_endpoint", body, "private_endpoint",
                 f"{body.get('name')}\nPrivate endpoint", subnet)
        for connection in _blocks(body.get("private_service_connection")):
            ref = parse_ref(stack, connection.get("private_connection_resource_id"))
            name = reader.name_of(stack, reader.body(ref).get("name")) if ref else None
            target = by_target.get((ref.rtype, name)) if ref and name else None
            if target:
                topology.edges.append(Edge(pe.key, target, ", ".join(connection.get("subresource_names", []))))
    _read_ingress(reader, topology, app_gateways)
    _read_egress(reader, topology, by_target)
    _read_front_door(reader, topology, by_target)


def _pool(reader: _Reader, topology: Topology, stack: str, cluster: Item | None, pool: dict[str, Any],
          mode: str, cluster_key: str | None = None) -> None:
    subnet = reader.subnet_of(stack, pool.get("vnet_subnet_id"))
    name = str(pool.get("name", "pool"))
    count = (f"{pool.get('min_count')}-{pool.get('max_count')} nodes" if pool.get("min_count") is not None
             else f"{pool.get('node_count', '?')} nodes")
    priority = ", Spot" if pool.get("priority") == "Spot" else ""
    item = Item(_node_id("pool", cluster.key if cluster else cluster_key or stack, name), "pool",
                f"{name} ({mode}{priority})\n{pool.get('vm_size', '')}, {count}", None, subnet)
    _place(topology, item)
    owner = cluster.key if cluster else cluster_key
    if owner:
        topology.edges.append(Edge(owner, item.key, style="dashed"))


def _read_ingress(reader: _Reader, topology: Topology, app_gateways: list[tuple[str, Item, dict[str, Any]]]) -> None:
    """App Gateway backends given as FQDNs, resolved through the stacks' private DNS A records to
    an address, drawn in the subnet that holds it."""
    records: dict[tuple[str, str], list[str]] = {}
    """(stack, FQDN) -> addresses: a name resolves in the zone of the gateway's own stack (every
    region has its own private zone with the same name)."""
    for stack, _, body in reader.resources("azurerm_private_dns_a_record"):
        zone = reader.name_of(stack, body.get("zone_name"))
        if zone and body.get("name"):
            records[(stack, f"{body['name']}.{zone}")] = list(body.get("records", []))
    for stack, gateway, body in app_gateways:
        for pool in _blocks(body.get("backend_address_pool")):
            targets = [(fqdn, a) for fqdn in pool.get("fqdns", []) for a in records.get((stack, fqdn), [])]
            targets += [(a, a) for a in pool.get("ip_addresses", [])]
            for shown, address in targets:
                subnet = _subnet_holding(topology, address)
                key = _node_id("ingress", *(subnet or ("",)), address)
                if key not in _keys(topology):
                    _place(topology, Item(key, "ingress", f"ingress (internal load balancer)\n{address}", None, subnet))
                topology.edges.append(Edge(gateway.key, key, shown))


def _keys(topology: Topology) -> set[str]:
    """Node IDs of every item placed so far."""
    inside = [i.key for v in topology.vnets.values() for s in v.subnets.values() for i in s.items]
    return {*inside, *(i.key for i in topology.items)}


def _subnet_holding(topology: Topology, address: str) -> tuple[str, str] | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    for vnet in topology.vnets.values():
        for subnet in vnet.subnets.values():
            if any(ip in ipaddress.ip_network(p, strict=False) for p in subnet.prefixes):
                return vnet.name, subnet.name
    return None


def _read_egress(reader: _Reader, topology: Topology, by_target: dict[tuple[str, str], str]) -> None:
    """Route tables whose next hop is a firewall: an edge from each associated subnet to it."""
    hops: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for stack, lid, body in reader.resources("azurerm_route_table"):
        for route in _blocks(body.get("route")):
            ref = parse_ref(stack, route.get("next_hop_in_ip_address"))
            if ref and ref.rtype == "azurerm_firewall":
                firewall = by_target.get(("azurerm_firewall", reader.name_of(stack, reader.body(ref).get("name"))
                                          or ""))
                if firewall:
                    hops.setdefault((stack, lid), []).append((firewall, str(route.get("address_prefix", ""))))
    for stack, _, body in reader.resources("azurerm_subnet_route_table_association"):
        table = parse_ref(stack, body.get("route_table_id"))
        subnet = reader.subnet_of(stack, body.get("subnet_id"))
        if not table or not subnet or subnet[0] not in topology.vnets:
            continue
        drawn = topology.vnets[subnet[0]].subnets.get(subnet[1])
        if drawn is None:
            continue
        anchor = drawn.items[0].key if drawn.items else _empty_subnet_key(subnet)
        for firewall, prefix in hops.get((table.stack, table.lid), []):
            topology.edges.append(Edge(anchor, firewall, f"egress {prefix}", "dotted"))


def _read_front_door(reader: _Reader, topology: Topology, by_target: dict[tuple[str, str], str]) -> None:
    """Front Door profiles (global) and an edge from each to the origins its origin groups name."""
    profiles: dict[tuple[str, str], Item] = {}
    for stack, lid, body in reader.resources("azurerm_cdn_frontdoor_profile"):
        item = Item(_node_id("front_door", str(body.get("name", lid))), "front_door",
                    f"{body.get('name')}\nFront Door {body.get('sku_name', '')}")
        topology.items.append(item)
        profiles[(stack, lid)] = item
    if not profiles:
        return
    endpoints: dict[tuple[str, str], list[str]] = {}
    for stack, _, body in reader.resources("azurerm_cdn_frontdoor_endpoint"):
        ref = parse_ref(stack, body.get("cdn_frontdoor_profile_id"))
        if ref:
            endpoints.setdefault((ref.stack, ref.lid), []).append(str(body.get("name", "")))
    for key, item in profiles.items():
        if endpoints.get(key):
            item.label += f"\nendpoint: {', '.join(endpoints[key])}"
    groups: dict[tuple[str, str], Item] = {}
    for stack, lid, body in reader.resources("azurerm_cdn_frontdoor_origin_group"):
        ref = parse_ref(stack, body.get("cdn_frontdoor_profile_id"))
        profile = profiles.get((ref.stack, ref.lid)) if ref else None
        groups[(stack, lid)] = profile or next(iter(profiles.values()))
    from constructs_lib.config.resource_names import public_ip_fqdn

    # An origin named by its public IP's DNS name (<label>.<region>.cloudapp.azure.com): the stacks
    # write that name as text, so it is matched to the public IP that carries the label.
    by_fqdn = {public_ip_fqdn(str(ip.get("domain_name_label")), str(ip.get("location"))): str(ip.get("name"))
               for _, _, ip in reader.resources("azurerm_public_ip") if ip.get("domain_name_label")}
    for stack, _, body in reader.resources("azurerm_cdn_frontdoor_origin"):
        ref = parse_ref(stack, body.get("cdn_frontdoor_origin_group_id"))
        profile = (groups.get((ref.stack, ref.lid)) if ref else None) or next(iter(profiles.values()))
        host = body.get("host_name")
        host_ref = parse_ref(stack, host)
        target = None
        if host_ref and host_ref.rtype in ("azurerm_public_ip", "azurerm_application_gateway"):
            target = by_target.get(("azurerm_public_ip", reader.name_of(stack, reader.body(host_ref).get("name"))
                                    or ""))
        if target is None and isinstance(host, str) and host in by_fqdn:
            target = by_target.get(("azurerm_public_ip", by_fqdn[host]))
        if target is None:
            shown = host if isinstance(host, str) and "${" not in host else str(body.get("name", "origin"))
            target = _node_id("origin", shown)
            if target not in _keys(topology):
                topology.items.append(Item(target, "origin", f"origin\n{shown}"))
        topology.edges.append(Edge(profile.key, target, f"origin {body.get('name', '')}".strip()))


def _empty_subnet_key(subnet: tuple[str, str]) -> str:
    return _node_id("subnet", *subnet)


def read_deploy_order(outdir: Path) -> dict[str, dict[str, Any]]:
    """`deploy-order.json`'s environments (main.py writes it beside manifest.json)."""
    path = outdir / "deploy-order.json"
    if not path.is_file():
        raise DiagramError(f"{outdir}/ holds no synthesized app (no deploy-order.json); run `make synth` first")
    return dict(json.loads(path.read_text(encoding="utf-8"))["environments"])


def read_topologies(outdir: Path, environments: Collection[str] | None = None) -> list[Topology]:
    """One topology per environment of a synthesized output folder (only `environments`, when given)."""
    topologies = []
    for env, entry in read_deploy_order(outdir).items():
        if environments is not None and env not in environments:
            continue
        waves = [list(w) for w in entry.get("waves", [])]
        bootstrap = entry.get("bootstrap")
        stacks = [s for w in waves for s in w] + ([bootstrap] if bootstrap else [])
        topologies.append(read_environment(outdir, env, stacks, waves, bootstrap))
    return topologies


# --------------------------------------------------------------------------- drawing (diagrams)


def _icons() -> dict[str, Any]:
    from diagrams.azure.compute import VMScaleSets
    from diagrams.azure.containers import ContainerRegistries, KubernetesServices
    from diagrams.azure.identity import ManagedIdentities
    from diagrams.azure.network import (
        ApplicationGateway,
        Firewall,
        FrontDoors,
        LoadBalancers,
        PrivateEndpoint,
        PublicIpAddresses,
        Subnets,
        VirtualNetworks,
    )
    from diagrams.azure.networking import Bastions
    from diagrams.azure.security import KeyVaults
    from diagrams.azure.storage import StorageAccounts

    return {"firewall": Firewall, "bastion": Bastions, "app_gateway": ApplicationGateway, "aks": KubernetesServices,
            "pool": VMScaleSets, "private_endpoint": PrivateEndpoint, "registry": ContainerRegistries,
            "key_vault": KeyVaults, "ingress": LoadBalancers, "front_door": FrontDoors, "storage": StorageAccounts,
            "identity": ManagedIdentities, "subnet": Subnets, "vnet": VirtualNetworks, "origin": PublicIpAddresses}


@contextmanager
def _diagram_context(diagram: Any) -> Iterator[Any]:
    """`with Diagram(...)` renders into the working folder on exit; this sets the same context
    without rendering, so the graph can be built (and its source read) without Graphviz."""
    from diagrams import setdiagram

    setdiagram(diagram)
    try:
        yield diagram
    finally:
        setdiagram(None)


def _cluster(label: str, key: str, **attrs: str) -> Any:
    from diagrams import Cluster

    cluster = Cluster(label, graph_attr=attrs)
    cluster.dot.name = f"cluster_{key}"  # labels may repeat across regions; IDs may not
    return cluster


def build_graph(topology: Topology) -> Any:
    """The `graphviz.Digraph` of one environment (diagrams' Azure icons); needs no `dot` binary."""
    from diagrams import Diagram, Node

    icons = _icons()
    diagram = Diagram(f"{topology.environment}: topology and apply waves (from the synthesized JSON)",
                      filename=topology.environment, show=False, direction="LR", curvestyle="curved",
                      graph_attr={"pad": "0.5", "fontsize": "20", "splines": "spline"},
                      edge_attr={"fontname": "Sans-Serif", "fontsize": "11"})

    def node(item: Item) -> Node:
        return icons.get(item.kind, Node)(item.label, nodeid=item.key)

    with _diagram_context(diagram):
        for item in topology.items:
            if item.region is None:
                node(item)
        for region in topology.regions:
            with _cluster(f"region {region}", _node_id("region", region), fontsize="16"):
                for vnet in (v for v in topology.vnets.values() if v.region == region):
                    with _cluster(f"{vnet.role} {vnet.name}\n{', '.join(vnet.address_space)}",
                                  _node_id("cl", vnet.name)):
                        icons["vnet"](f"{vnet.name}\n{', '.join(vnet.address_space)}",
                                      nodeid=_node_id("vnet", vnet.name))
                        for subnet in vnet.subnets.values():
                            with _cluster(f"{subnet.name}\n{', '.join(subnet.prefixes)}",
                                          _node_id("cl", vnet.name, subnet.name)):
                                for item in subnet.items:
                                    node(item)
                                if not subnet.items:
                                    icons["subnet"](f"{subnet.name}\n{', '.join(subnet.prefixes)}",
                                                    nodeid=_empty_subnet_key((vnet.name, subnet.name)))
                for item in topology.items:
                    if item.region == region:
                        node(item)
        with _cluster("apply waves (deploy-order.json)", "waves", bgcolor="#FFFFFF"):
            previous = None
            if topology.bootstrap:
                previous = Node(f"once, by hand:\n{topology.bootstrap}", nodeid="wave_0", shape="note",
                                width="3", height="0.8", labelloc="c")
            for number, wave in enumerate(topology.waves, start=1):
                step = Node(f"wave {number}\n" + "\n".join(wave), nodeid=f"wave_{number}", shape="box",
                            width="3", height=str(0.4 + 0.25 * len(wave)), labelloc="c")
                if previous is not None:
                    previous >> step
                previous = step
        for edge in topology.edges:
            diagram.dot.edge(edge.tail, edge.head, label=edge.label, style=edge.style,
                             **({"dir": "both"} if edge.both else {}))
    return diagram.dot


def _inline_images(svg: str) -> str:
    """Replace the SVG's links to icon files on this machine with embedded data URIs."""
    def embed(match: re.Match[str]) -> str:
        path = Path(match.group(2))
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'{match.group(1)}="data:image/png;base64,{data}"'
    return re.sub(r'(xlink:href|href)="(/[^"]+\.png)"', embed, svg)


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render_diagrams(outdir: Path, environments: Collection[str] | None = None) -> list[Path]:
    """Render every environment of a synthesized output folder (only `environments`, when given;
    the other environments' files are left as they are) to `outdir/diagrams/<env>.{gv,png,svg}`.

    Returns the written files (per environment: .gv, .png, .svg) in environment order. Raises
    DiagramError when this Python lacks the packages the drawing needs, when nothing is synthesized
    or when Graphviz's `dot` is not on PATH (the .gv sources are written first in that case, so
    the graph can still be read).
    """
    from constructs_lib import interpreter

    absent = interpreter.lacking(interpreter.DIAGRAM_PACKAGES, "make diagram", "tools/diagram.py")
    if absent:
        raise DiagramError(absent)
    topologies = read_topologies(outdir, environments)
    folder = outdir / DIAGRAM_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    graphs = []
    written: list[Path] = []
    for topology in topologies:
        graph = build_graph(topology)
        source = folder / f"{topology.environment}.gv"
        source.write_text(graph.source, encoding="utf-8")
        graphs.append((topology.environment, graph, source))
    if not graphviz_available():
        raise DiagramError(f"Graphviz's `dot` is not on PATH, so no PNG/SVG was drawn (the sources are in {folder}/); "
                           + INSTALL_HINT)
    for env, graph, source in graphs:
        png, svg = folder / f"{env}.png", folder / f"{env}.svg"
        png.write_bytes(graph.pipe(format="png", quiet=True))
        svg.write_text(_inline_images(graph.pipe(format="svg", encoding="utf-8", quiet=True)), encoding="utf-8")
        written += [source, png, svg]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
                        help="synthesized output folder (default: cdktf.out, or $CDKTF_OUTDIR when set)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME",
                        help="only this environment (repeatable; default: every environment in --outdir)")
    parser.add_argument("--envs", type=Path, default=Path("envs"),
                        help="environment files, for the names --env takes (default: envs/)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))  # run as tools/diagram.py: constructs_lib names the public IP FQDNs
    if args.env:  # a name without a file in --envs, or one that is not synthesized, is told apart
        from tools.environments import chosen_problem

        try:
            synthesized = read_deploy_order(args.outdir)
        except DiagramError:
            synthesized = {}
        problem = chosen_problem(args.env, args.envs, synthesized, args.outdir)
        if problem:
            print(f"diagram: {problem}", file=sys.stderr)
            return EXIT_CANNOT_RUN
    try:
        written = render_diagrams(args.outdir, args.env or None)
    except DiagramError as error:
        print(f"diagram: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    for path in written:
        if path.suffix == ".png":
            print(f"diagram: {path} (and {path.with_suffix('.svg').name}, {path.with_suffix('.gv').name})")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
