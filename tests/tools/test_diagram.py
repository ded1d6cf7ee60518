"""Topology diagrams (tools/diagram.py, `make diagram`): drawn from the synthesized JSON of the
session's synth, every address range and every stack of an environment in the graph source, a
changed JSON changes the picture, Front Door drawn when a stack declares it, PNG and SVG rendered
by Graphviz, and a clear failure without it."""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.envfiles import PROJECT_ROOT, env_named
from tools import diagram

HAVE_DOT = shutil.which("dot") is not None


def needs_dot() -> None:
    """Rendering needs Graphviz: .ci/run installs it, so under CI its absence is a failure."""
    if not HAVE_DOT:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is missing; .ci/run installs it with apt-get")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")


def copy_output(synthesized: Any, target: Path, environments: list[str]) -> Path:
    """A writable copy of some environments of the session's synth (stacks' JSON and manifest) plus
    their deploy-order.json as main.py writes it."""
    from constructs_lib.app.deploy_order import write_deploy_order

    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    keep = {n: e for n, e in manifest["stacks"].items() if n.split("-")[0] in environments}
    for name in keep:
        (target / "stacks" / name).mkdir(parents=True)
        shutil.copy(synthesized.outdir / "stacks" / name / "cdk.tf.json", target / "stacks" / name / "cdk.tf.json")
    (target / "manifest.json").write_text(json.dumps({**manifest, "stacks": keep}))
    write_deploy_order(target)
    return target


@pytest.fixture(scope="module")
def rendered(synthesized) -> dict[str, str]:
    """The graph source of every shipped environment: environment -> .gv text, read from the
    session's synth and its deploy-order.json."""
    sources = {}
    for topology in diagram.read_topologies(synthesized.outdir):
        sources[topology.environment] = diagram.build_graph(topology).source
    return sources


def stack_docs(synthesized: Any, env: str) -> dict[str, dict[str, Any]]:
    return {n: s.doc for n, s in synthesized.stacks.items() if n.startswith(f"{env}-")}


def test_every_network_and_subnet_range_and_every_stack_is_in_the_graph(rendered, synthesized):
    assert sorted(rendered) == sorted({n.split("-")[0] for n in synthesized.stacks})
    for env, source in rendered.items():
        docs = stack_docs(synthesized, env)
        ranges = [cidr for doc in docs.values()
                  for vnet in doc.get("resource", {}).get("azurerm_virtual_network", {}).values()
                  for cidr in vnet["address_space"]]
        subnets = [cidr for doc in docs.values()
                   for subnet in doc.get("resource", {}).get("azurerm_subnet", {}).values()
                   for cidr in subnet["address_prefixes"]]
        assert ranges and subnets
        missing = [c for c in ranges + subnets if c not in source]
        assert not missing, f"{env}: address ranges not drawn: {missing}"
        assert not [s for s in docs if s not in source], f"{env}: stacks not drawn"


def test_the_architecture_parts_are_drawn_with_their_names(rendered, synthesized, environments):
    for env, source in rendered.items():
        model = env_named(environments, env)
        docs = stack_docs(synthesized, env)
        named = {
            rtype: [body["name"] for doc in docs.values() for body in doc.get("resource", {}).get(rtype, {}).values()]
            for rtype in ("azurerm_firewall", "azurerm_bastion_host", "azurerm_application_gateway",
                          "azurerm_kubernetes_cluster", "azurerm_kubernetes_cluster_node_pool",
                          "azurerm_private_endpoint", "azurerm_container_registry", "azurerm_key_vault")
        }
        for rtype, names in named.items():
            # An environment may build no Bastion (hub.bastion_sku: none, README "Cost").
            assert names or rtype == "azurerm_bastion_host", f"{env}: the synth has no {rtype}"
            assert all(n in source for n in names), f"{env}: {rtype} {names} not all drawn"
        regions = {vnet["location"] for doc in docs.values()
                   for vnet in doc.get("resource", {}).get("azurerm_virtual_network", {}).values()}
        assert all(f'label="region {r}"' in source for r in regions)
        hubs = [s for s in docs if s.endswith("-hub")]
        assert source.count('label=peering') == len(hubs), "one two-way peering per hub and spoke"
        assert source.count('label="egress 0.0.0.0/0"') >= len(hubs), "spoke subnets route to their firewall"
        host = f"{model.app.internal_host_label}.{model.ingress.internal_zone}"
        assert f'label="{host}"' in source, "App Gateway -> internal ingress"


def test_apply_waves_are_drawn_in_order(rendered, synthesized):
    for env, source in rendered.items():
        names = sorted(n for n in synthesized.stacks if n.startswith(f"{env}-"))
        hub = next(n for n in names if n.endswith("-hub"))
        workload = next(n for n in names if n.endswith("-workload"))
        assert source.index("wave 1") < source.index(hub) < source.index("wave 4") < source.index(workload)
        assert "wave_1 -> wave_2" in source and "wave_3 -> wave_4" in source


def test_the_picture_follows_the_json_not_hand_drawn_data(synthesized, tmp_path):
    out = copy_output(synthesized, tmp_path, ["dev"])
    hub_file = out / "stacks" / "dev-eastus2-hub" / "cdk.tf.json"
    hub = json.loads(hub_file.read_text())
    (firewall_subnet,) = [s for s in hub["resource"]["azurerm_subnet"].values() if s["name"] == "AzureFirewallSubnet"]
    old = firewall_subnet["address_prefixes"][0]
    firewall_subnet["address_prefixes"] = ["10.99.0.0/26"]
    del hub["resource"]["azurerm_bastion_host"]
    hub_file.write_text(json.dumps(hub))
    (topology,) = diagram.read_topologies(out)
    source = diagram.build_graph(topology).source
    assert "10.99.0.0/26" in source and f"AzureFirewallSubnet\\n{old}" not in source
    assert "Bastion" not in source.replace("AzureBastionSubnet", "")




def test_front_door_is_drawn_globally_with_an_edge_to_every_app_gateway(synthesized, tmp_path, environments):
    """prod's global entry, from the synthesized prod-global and prod-routing stacks."""
    env = env_named(environments, "prod")
    assert env.front_door_enabled
    out = copy_output(synthesized, tmp_path, ["prod"])
    (topology,) = diagram.read_topologies(out)
    front_door = next(i for i in topology.items if i.kind == "front_door")
    assert front_door.region is None, "outside every region"
    gateways = [i for v in topology.vnets.values() for sub in v.subnets.values() for i in sub.items
                if i.kind == "app_gateway"]
    assert len(gateways) == len(env.regions)
    edges = {(e.tail, e.head) for e in topology.edges if e.tail == front_door.key}
    assert edges == {(front_door.key, gateway.key) for gateway in gateways}, "one origin per region's App Gateway"
    source = diagram.build_graph(topology).source
    assert "prod-global" in source and "prod-routing" in source


def test_render_writes_png_svg_and_source_per_environment(synthesized, tmp_path):
    needs_dot()
    out = copy_output(synthesized, tmp_path, ["dev"])
    written = diagram.render_diagrams(out)
    folder = out / "diagrams"
    assert written == [folder / "dev.gv", folder / "dev.png", folder / "dev.svg"]
    assert (folder / "dev.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (folder / "dev.svg").read_text()
    assert "<svg" in svg and "data:image/png;base64," in svg
    assert 'href="/' not in svg, "icons are embedded, so the SVG stands alone"
    assert "10.240.0.0/22" in (folder / "dev.gv").read_text()


def test_without_graphviz_the_command_fails_with_the_install_hint(synthesized, tmp_path, monkeypatch, capsys):
    out = copy_output(synthesized, tmp_path, ["dev"])
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(diagram.DiagramError, match="apt-get install graphviz"):
        diagram.render_diagrams(out)
    assert (out / "diagrams" / "dev.gv").exists() and not (out / "diagrams" / "dev.png").exists()
    assert diagram.main(["--outdir", str(out)]) == diagram.EXIT_CANNOT_RUN
    assert "Graphviz's `dot` is not on PATH" in capsys.readouterr().err


def test_env_draws_that_environment_and_leaves_the_others(synthesized, tmp_path, monkeypatch):
    """`make diagram ENV=dev` (and `make synth ENV=dev`) draws dev's picture only."""
    out = copy_output(synthesized, tmp_path, ["dev", "prod"])
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)  # the .gv sources are enough here
    (out / "diagrams").mkdir()
    (out / "diagrams" / "prod.gv").write_text("drawn before")
    assert [t.environment for t in diagram.read_topologies(out, ["dev"])] == ["dev"]
    with pytest.raises(diagram.DiagramError, match="dot"):
        diagram.render_diagrams(out, ["dev"])
    assert (out / "diagrams" / "dev.gv").exists() and (out / "diagrams" / "prod.gv").read_text() == "drawn before"


def test_a_python_without_the_diagram_packages_is_told_how_to_run_it(synthesized, tmp_path, monkeypatch):
    out = copy_output(synthesized, tmp_path, ["dev"])
    monkeypatch.setitem(sys.modules, "diagrams", None)  # as if not installed
    with pytest.raises(diagram.DiagramError, match=r"^diagrams is not installed in this Python \(.*`make diagram`"):
        diagram.render_diagrams(out)
    assert not (out / "diagrams").exists()


def test_nothing_synthesized_is_a_clear_error(tmp_path):
    with pytest.raises(diagram.DiagramError, match="run `make synth` first"):
        diagram.render_diagrams(tmp_path)


def test_synth_never_imports_the_diagram_code():
    """The constructs never import it; main.py only in `extras`, after the output is written."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "constructs_lib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(PROJECT_ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("diagrams", "graphviz", "tools")]
    assert offenders == []
    tree = ast.parse((PROJECT_ROOT / "main.py").read_text())
    extras = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "extras")
    inside = {id(n) for n in ast.walk(extras)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("tools", "diagrams", "graphviz"):
            assert id(node) in inside, "main.py imports the diagram code outside extras()"


def test_a_spot_pool_is_marked_as_spot(synthesized, tmp_path):
    out = copy_output(synthesized, tmp_path, ["dev"])
    (topology,) = diagram.read_topologies(out)
    labels = [i.label for v in topology.vnets.values() for sub in v.subnets.values() for i in sub.items
              if i.kind == "pool"]
    assert any("npspot01 (user, Spot)" in label for label in labels), labels
    assert not any("npuser01 (user, Spot)" in label for label in labels)
