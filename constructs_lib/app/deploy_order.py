"""The order a Terraform team applies the synthesized stacks in, derived from their dependencies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from constructs_lib.config.models import Environment
from constructs_lib.config.prerequisites import Prerequisite, prerequisites
from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, environment_of, stack_name


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


def waves_by_environment(dependencies: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    """Apply waves per environment (sorted by environment name); environments never depend on each
    other, so each one is ordered on its own. Raises ValueError for a dependency across
    environments, plus what `apply_waves` raises."""
    groups: dict[str, dict[str, list[str]]] = {}
    for name, needs in dependencies.items():
        env = environment_of(name)
        foreign = [need for need in needs if environment_of(need) != env]
        if foreign:
            raise ValueError(f"{name} depends on another environment's stacks: {', '.join(foreign)}")
        groups.setdefault(env, {})[name] = list(needs)
    return {env: apply_waves(groups[env]) for env in sorted(groups)}


def is_bootstrap(stack: str) -> bool:
    """Whether `stack` is its environment's `<env>-bootstrap` stack."""
    return stack == stack_name(environment_of(stack), None, BOOTSTRAP_KIND)


def split_bootstrap(dependencies: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The dependencies without the bootstrap stacks (applied once by a person, never in a wave),
    and environment -> its bootstrap stack."""
    bootstraps = {environment_of(name): name for name in dependencies if is_bootstrap(name)}
    rest = {name: [need for need in needs if not is_bootstrap(need)]
            for name, needs in dependencies.items() if not is_bootstrap(name)}
    return rest, bootstraps


def _prerequisite_lines(items: Sequence[Prerequisite], indent: str) -> list[str]:
    """One `- **title**: text` bullet per item, each with its commands in a fenced block, every
    line indented by `indent`: the width of the numbered item's marker (`9. ` is 3 characters,
    `10. ` is 4) the bullets belong to, since CommonMark ends a list item at the first line
    indented less than its content."""
    inner = f"{indent}  "  # the content of a `- ` bullet
    lines: list[str] = []
    for item in items:
        first, *rest = item.text.splitlines() or [""]
        lines += [f"{indent}- **{item.title}**: {first}", *(f"{inner}{line}" for line in rest)]
        if item.commands:
            code = [line for command in item.commands for line in command.splitlines()]
            lines += [f"{inner}```bash", *(f"{inner}{line}" for line in code), f"{inner}```"]
    return lines


def render(by_environment: dict[str, list[list[str]]], dependencies: dict[str, list[str]],
           bootstraps: dict[str, str] | None = None,
           needs: dict[str, list[Prerequisite]] | None = None) -> str:
    """`DEPLOY_ORDER.md`: per environment, its one-time bootstrap (when it has one), then its waves,
    each stack with its predecessors and its prerequisites (`config.prerequisites`)."""
    bootstraps, needs = bootstraps or {}, needs or {}
    lines = [
        "# Deploy order",
        "",
        "Generated from `manifest.json` by `main.py`. Each environment is applied on its own; apply its",
        "stacks wave by wave; stacks within a wave are independent of each other. Run in each",
        "`stacks/<stack>/` folder: `terraform init && terraform plan -out tfplan && terraform apply tfplan`.",
        "",
        "A stack reads what earlier stacks created by name (data sources), so an earlier stack must be",
        "applied, not just planned, before a later one can plan. `deploy-order.json` holds the same",
        "waves for machines (the pipeline reads it). Under each stack: what must be true before it is",
        "applied, with the commands that make it so.",
        "",
    ]
    for env, waves in by_environment.items():
        lines += [f"## Environment `{env}`", ""]
        bootstrap = bootstraps.get(env)
        if bootstrap:
            lines += [
                f"### Once, before wave 1: `{bootstrap}`",
                "",
                "Applied once by a person (not by the pipeline) before every stack below; with azurerm state it",
                "runs on local state by design, the account it creates does not exist yet. In",
                f"`stacks/{bootstrap}/`: `terraform init && terraform apply`.",
                "",
                *_prerequisite_lines(needs.get(bootstrap, []), ""),
                "",
            ]
        step = 1
        for number, wave in enumerate(waves, start=1):
            lines += [f"### Wave {number}", ""]
            for name in wave:
                after = ", ".join(f"`{d}`" for d in sorted(dependencies[name])) or "nothing"
                marker = f"{step}. "
                lines.append(f"{marker}`{name}` (after {after})")
                lines += _prerequisite_lines(needs.get(name, []), " " * len(marker))
                step += 1
            lines.append("")
    return "\n".join(lines)


def write_deploy_order(outdir: Path, environments: Sequence[Environment] = ()) -> Path:
    """Write `DEPLOY_ORDER.md` and `deploy-order.json` next to `manifest.json` in a synthesized
    output folder. The JSON is `{"environments": {<env>: {"waves": [[<stack>, ...], ...],
    "dependencies": {<stack>: [<stack>, ...]}, "bootstrap": "<env>-bootstrap"}}}`; the bootstrap
    stack is in no wave and no dependency list (`"bootstrap"` is absent when the environment has
    none). `environments` supply each stack's prerequisites."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    everything = {name: sorted(entry["dependencies"]) for name, entry in manifest["stacks"].items()}
    dependencies, bootstraps = split_bootstrap(everything)
    by_environment = waves_by_environment(dependencies)
    machine: dict[str, dict[str, object]] = {"environments": {
        env: {"waves": waves,
              "dependencies": {name: dependencies[name] for wave in waves for name in wave},
              **({"bootstrap": bootstraps[env]} if env in bootstraps else {})}
        for env, waves in by_environment.items()}}
    (outdir / "deploy-order.json").write_text(json.dumps(machine, indent=2) + "\n")
    needs = {name: items for env in environments for name, items in prerequisites(env).items()}
    target = outdir / "DEPLOY_ORDER.md"
    target.write_text(render(by_environment, dependencies, bootstraps, needs))
    return target
