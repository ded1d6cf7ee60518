"""Builds the cdktf app: every environment x region x stack, with tags and deploy order."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cdktf import App, Aspects, TerraformStack
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment

from constructs_lib.app.deploy_order import write_deploy_order
from constructs_lib.config.models import Environment
from constructs_lib.config.roles import role_definition_guid
from constructs_lib.config.stack_plan import bootstrap_stack, environment_of
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
    """Create every stack of every environment and region (nothing is written yet), as
    `config.stack_plan` lists them: `<env>-global`, the four stacks of each region, and with Front
    Door on `<env>-routing`. `on_stack` is called with `<env>-<region>` before that region's stacks
    are built (progress output).

    Every stack carries the default tags and the security policy aspects: a broken invariant is
    an error annotation, and `synth` then fails naming the resource.
    """
    app = App(outdir=str(outdir), skip_validation=False)
    result = BaselineApp(app, Path(tempfile.mkdtemp(prefix="cdktf-charts-")))
    for env in environments:
        shared = GlobalStack(app, env)
        built: list[TerraformStack] = [shared]
        workloads: list[TerraformStack] = []
        for region in env.regions:
            if on_stack is not None:
                on_stack(f"{env.name}-{region.name}")
            hub = HubStack(app, env, region)
            spoke = SpokeStack(app, env, region, hub=hub)
            cluster = ClusterStack(app, env, region, spoke=spoke, shared=shared)
            workload = WorkloadStack(app, env, region, cluster=cluster, build_dir=result.scratch)
            built += [hub, spoke, cluster, workload]
            workloads.append(workload)
        if env.front_door_enabled:
            built.append(RoutingStack(app, env, after=[shared, *workloads]))
        if bootstrap_stack(env) is not None:
            # Applied once by a person before everything else; nothing reads it, so no stack records
            # a dependency on it (config.stack_plan).
            built.insert(0, BootstrapStack(app, env, delegated_roles=delegated_role_guids(built)))
        for stack in built:
            Aspects.of(stack).add(DefaultTags(default_tags(env)))
            apply_policy_aspects(stack)
            result.stacks[stack.node.id] = stack
    return result


def delegated_role_guids(stacks: list[TerraformStack]) -> frozenset[str]:
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
    for name in sorted(old_stacks):
        folder = old / "stacks" / name
        if name in manifest["stacks"]:
            for kept in KEPT_IN_STACK_FOLDERS:
                if (folder / kept).exists():
                    os.replace(folder / kept, new / "stacks" / name / kept)
        elif keep_other_environments and environment_of(name) not in synthesized and folder.is_dir():
            os.replace(folder, new / "stacks" / name)
            manifest["stacks"][name] = old_stacks[name]
    if set(manifest["stacks"]) != set(json.loads(new_manifest_path.read_text())["stacks"]):
        manifest["stacks"] = dict(sorted(manifest["stacks"].items()))
        new_manifest_path.write_text(json.dumps(manifest, indent=2))
