"""The order a Terraform team applies the synthesized stacks in, derived from their dependencies."""

from __future__ import annotations

import json
from pathlib import Path


class DependencyCycle(ValueError):
    """The stacks' dependencies contain a cycle, so no apply order exists."""


def apply_waves(dependencies: dict[str, list[str]]) -> list[list[str]]:
    """Stacks grouped into waves: each wave depends only on earlier waves (Kahn's algorithm).

    Stacks in one wave are independent of each other and may be applied in parallel.
    """
    remaining = {name: set(needs) for name, needs in dependencies.items()}
    unknown = {need for needs in remaining.values() for need in needs} - set(remaining)
    if unknown:
        raise ValueError(f"dependencies on unknown stacks: {', '.join(sorted(unknown))}")
    waves: list[list[str]] = []
    while remaining:
        ready = sorted(name for name, needs in remaining.items() if not needs)
        if not ready:
            raise DependencyCycle(f"cycle among stacks: {', '.join(sorted(remaining))}")
        waves.append(ready)
        for name in ready:
            del remaining[name]
        for needs in remaining.values():
            needs.difference_update(ready)
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
