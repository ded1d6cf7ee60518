"""Builds the cdktf app: every environment x region x stack, with tags and deploy order."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cdktf import App, Aspects, TerraformStack
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment

from constructs_lib.app.deploy_order import write_deploy_order
from constructs_lib.config.models import Environment
from constructs_lib.config.roles import role_definition_guid
from constructs_lib.config.stack_plan import (
    BOOTSTRAP_KIND,
    REGIONAL_KINDS,
    PlannedStack,
    bootstrap_stack,
    environment_of,
    stack_plan,
)
from constructs_lib.policy.aspects import apply_policy_aspects
from constructs_lib.policy.tagging import DefaultTags, default_tags
from constructs_lib.stacks.bootstrap import BootstrapStack
from constructs_lib.stacks.cluster import ClusterStack
from constructs_lib.stacks.global_layer import GlobalStack
from constructs_lib.stacks.hub import HubStack
from constructs_lib.stacks.routing import RoutingStack
from constructs_lib.stacks.spoke import SpokeStack
from constructs_lib.stacks.workload import WorkloadStack


@dataclass
class BaselineApp:
    """The synthesizable app, its stacks keyed by name, and the scratch folder for generated
    charts (cdktf copies them into the stack folders during `synth`)."""

    app: App
    scratch: Path
    stacks: dict[str, TerraformStack] = field(default_factory=dict)

    def synth(self) -> None:
        """Write the output, then drop the scratch folder."""
        try:
            self.app.synth()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)


def build_app(environments: list[Environment], outdir: str | os.PathLike[str],
              on_stack: Callable[[str], None] | None = None) -> BaselineApp:
    """Create every stack of every environment and region (nothing is written yet), exactly as
    `config.stack_plan` lists them, each with the dependencies the plan gives it (deploy order
    only: a stack reads another's resources through name-based lookups, never its remote state).
    `on_stack` is called with `<env>-<region>` before that region's stacks are built (progress output).

    The bootstrap stack is built last (its deploy identity's condition allows the roles every other
    stack assigns, `delegated_role_guids`); nothing depends on it. Every stack carries the default
    tags and the security policy aspects: a broken invariant is an error annotation, and `synth`
    then fails naming the resource.
    """
    app = App(outdir=str(outdir), skip_validation=False)
    result = BaselineApp(app, Path(tempfile.mkdtemp(prefix="cdktf-charts-")))
    for env in environments:
        plan = stack_plan(env)
        stacks: dict[str, TerraformStack] = {}
        for planned in plan:
            if planned.kind == BOOTSTRAP_KIND:
                continue
            if on_stack is not None and planned.kind == REGIONAL_KINDS[0]:
                on_stack(f"{env.name}-{planned.region}")
            stacks[planned.name] = _new_stack(app, env, planned, result.scratch)
            for need in _recorded_order(planned, plan):
                stacks[planned.name].add_dependency(stacks[need])
        bootstrap = bootstrap_stack(env)
        if bootstrap is not None:
            stacks[bootstrap] = BootstrapStack(app, env, delegated_roles=delegated_role_guids(stacks.values()))
        for planned in plan:
            stack = result.stacks[planned.name] = stacks[planned.name]
            Aspects.of(stack).add(DefaultTags(default_tags(env)))
            apply_policy_aspects(stack)
    return result


ENVIRONMENT_STACKS: dict[str, type[GlobalStack | RoutingStack]] = {
    GlobalStack.kind: GlobalStack, RoutingStack.kind: RoutingStack}
"""Stack class of each environment-level kind of `config.stack_plan` (the bootstrap aside)."""
REGIONAL_STACKS: dict[str, type[HubStack | SpokeStack | ClusterStack]] = {
    HubStack.kind: HubStack, SpokeStack.kind: SpokeStack, ClusterStack.kind: ClusterStack}
"""Stack class of each regional kind (the workload stack aside: it also takes the charts folder)."""


def _new_stack(app: App, env: Environment, planned: PlannedStack, charts: Path) -> TerraformStack:
    """The stack `planned` names, without its dependencies."""
    if planned.region is None:
        return ENVIRONMENT_STACKS[planned.kind](app, env)
    region = next(region for region in env.regions if region.name == planned.region)
    if planned.kind == WorkloadStack.kind:
        return WorkloadStack(app, env, region, build_dir=charts)
    return REGIONAL_STACKS[planned.kind](app, env, region)


def _recorded_order(planned: PlannedStack, plan: list[PlannedStack]) -> list[str]:
    """`planned.depends_on` in the order `manifest.json` has always listed them: the stacks of the
    same region (or, for an environment-level stack, the environment-level ones) first, then the
    others, each in plan order."""
    position = {stack.name: (stack.region != planned.region, index) for index, stack in enumerate(plan)}
    return sorted(planned.depends_on, key=position.__getitem__)


def delegated_role_guids(stacks: Iterable[TerraformStack]) -> frozenset[str]:
    """Role definition GUIDs of every `azurerm_role_assignment` in `stacks` (by built-in name or
    by a role definition ID ending in a literal GUID, as a custom role with a deterministic ID
    has): what the deploy identity's RBAC Administrator condition must allow. Raises ValueError
    for an assignment whose role is not known at synth time."""
    guids: set[str] = set()
    for stack in stacks:
        for node in stack.node.find_all():
            if isinstance(node, RoleAssignment):
                role = node.role_definition_name_input or node.role_definition_id_input or ""
                guid = role_definition_guid(role)
                if guid is None:
                    raise ValueError(
                        f"{node.node.path}: role {role!r} has no role definition ID known at synth time, so the "
                        "deploy identity's condition cannot allow it; give a custom role a deterministic ID "
                        "(config.roles)")
                guids.add(guid)
    return frozenset(guids)


KEPT_IN_STACK_FOLDERS = (".terraform.lock.hcl", ".terraform")
"""What a Terraform team adds to a stack folder and a new synth carries over: the provider lock
file (commit it with the folder) and the initialized working directory (providers, backend)."""

PER_ENVIRONMENT_FOLDERS = ("diagrams",)
"""Output subfolders whose files belong to one environment each, `<env>.<ext>` (tools/diagram.py
draws `diagrams/<env>.{gv,png,svg}` from the synthesized JSON): a synth of some environments
keeps the other environments' files, since their stacks did not change."""


def synth_replacing(environments: list[Environment], outdir: Path, keep_other_environments: bool = False,
                    on_stack: Callable[[str], None] | None = None,
                    context_environments: list[Environment] | None = None) -> list[str]:
    """Synthesize into a staging folder, then swap it in for `outdir` in one rename.

    A failed synth leaves the previous `outdir` untouched; a good one leaves no stale stack of the
    synthesized environments. With `keep_other_environments`, the stack folders of environments
    not synthesized now stay as they were (and stay in `manifest.json` and the deploy order).
    Every stack folder that survives keeps its `.terraform.lock.hcl` and `.terraform/`.
    `context_environments` (default: `environments`) supply the prerequisites `DEPLOY_ORDER.md`
    lists, also for the kept environments. Returns the names of the stacks synthesized now.
    """
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.staging-", dir=outdir.parent))
    staging.chmod(0o755)
    try:
        built = build_app(environments, staging, on_stack)
        built.synth()
        if outdir.exists():
            _carry_over(outdir, staging, {env.name for env in environments}, keep_other_environments)
        write_deploy_order(staging, context_environments or environments)
        retired = None
        if outdir.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
            os.replace(outdir, retired / "out")
        os.replace(staging, outdir)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
        return sorted(built.stacks)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _carry_over(old: Path, new: Path, synthesized: set[str], keep_other_environments: bool) -> None:
    """Move what must survive from the previous output folder into the new one."""
    old_manifest = old / "manifest.json"
    old_stacks = json.loads(old_manifest.read_text()).get("stacks", {}) if old_manifest.is_file() else {}
    new_manifest_path = new / "manifest.json"
    manifest = json.loads(new_manifest_path.read_text())
    kept_other = False
    for name in sorted(old_stacks):
        folder = old / "stacks" / name
        if name in manifest["stacks"]:
            for kept in KEPT_IN_STACK_FOLDERS:
                if (folder / kept).exists():
                    os.replace(folder / kept, new / "stacks" / name / kept)
        elif keep_other_environments and environment_of(name) not in synthesized and folder.is_dir():
            os.replace(folder, new / "stacks" / name)
            manifest["stacks"][name] = old_stacks[name]
            kept_other = True
    if kept_other:
        manifest["stacks"] = dict(sorted(manifest["stacks"].items()))
        new_manifest_path.write_text(json.dumps(manifest, indent=2))
    if keep_other_environments:
        kept_environments = {environment_of(name) for name in manifest["stacks"]} - synthesized
        for folder_name in PER_ENVIRONMENT_FOLDERS:
            folder = old / folder_name
            files = sorted(folder.iterdir()) if folder.is_dir() else []
            for path in files:
                if path.is_file() and path.name.split(".")[0] in kept_environments:
                    (new / folder_name).mkdir(exist_ok=True)
                    os.replace(path, new / folder_name / path.name)
