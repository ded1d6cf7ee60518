"""The order a Terraform team applies the synthesized stacks in, derived from their dependencies."""

from __future__ import annotations

import json
from graphlib import CycleError, TopologicalSorter
from pathlib import Path


class DependencyCycle(ValueError):
    """The stacks' dependencies contain a cycle, so no apply order exists."""


def apply_waves(dependencies: dict[str, list[str]]) -> list[list[str]]:
    """Stacks grouped into waves: each wave depends only on earlier waves.

    Stacks in one wave are independent of each other and may be applied in parallel. Raises
    ValueError for a dependency on a stack that is not listed, DependencyCycle for a cycle.
    """
    unknown = {need for needs in dependencies.values() for need in needs} - set(dependencies)
    if unknown:
        raise ValueError(f"dependencies on unknown stacks: {', '.join(sorted(unknown))}")
    sorter = TopologicalSorter(dependencies)
    try:
        sorter.prepare()
    except CycleError as error:
        raise DependencyCycle(f"cycle among stacks: {' -> '.join(error.args[1])}") from None
    waves: list[list[str]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        waves.append(ready)
        sorter.done(*ready)
    return waves


def render(waves: list[list[str]], dependencies: dict[str, list[str]]) -> str:
    lines = [
        "# Deploy order",
        "",
        "Generated from `manifest.json` by `main.py`. Apply the stacks wave by wave; stacks within a",
        "wave are independent of each other. Run in each `stacks/<stack>/` folder:",
        "`terraform init && terraform plan -out tfplan && terraform apply tfplan`.",
        "",
        "A stack reads what earlier stacks created by name (data sources), so an earlier stack must be",
        "applied, not just planned, before a later one can plan.",
        "",
    ]
    step = 1
    for number, wave in enumerate(waves, start=1):
        lines.append(f"## Wave {number}")
        lines.append("")
        for name in wave:
            after = ", ".join(f"`{d}`" for d in sorted(dependencies[name])) or "nothing"
            lines.append(f"{step}. `{name}` (after {after})")
            step += 1
        lines.append("")
    return "\n".join(lines)


def write_deploy_order(outdir: Path) -> Path:
    """Write `DEPLOY_ORDER.md` next to `manifest.json` in a synthesized output folder."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    dependencies = {name: list(entry["dependencies"]) for name, entry in manifest["stacks"].items()}
    target = outdir / "DEPLOY_ORDER.md"
    target.write_text(render(apply_waves(dependencies), dependencies))
    return target
