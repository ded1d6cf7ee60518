"""Builds the cdktf app: every environment x region x stack, with tags and deploy order."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cdktf import App, Aspects, TerraformStack
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment

from constructs_lib.app.deploy_order import write_deploy_order
from constructs_lib.config.models import Environment
from constructs_lib.config.roles import role_definition_guid
from constructs_lib.config.stack_plan import bootstrap_stack
from constructs_lib.policy.aspects import apply_policy_aspects
from constructs_lib.policy.tagging import DefaultTags, default_tags
from constructs_lib.stacks.bootstrap import BootstrapStack
from constructs_lib.stacks.cluster import ClusterStack
from constructs_lib.stacks.hub import HubStack
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


def build_app(environments: list[Environment], outdir: str | os.PathLike[str]) -> BaselineApp:
    """Create every stack of every environment and region (nothing is written yet).

    Every stack carries the default tags and the security policy aspects: a broken invariant is
    an error annotation, and `synth` then fails naming the resource.
    """
    app = App(outdir=str(outdir), skip_validation=False)
    result = BaselineApp(app, Path(tempfile.mkdtemp(prefix="cdktf-charts-")))
    for env in environments:
        built: list[TerraformStack] = []
        for region in env.regions:
            hub = HubStack(app, env, region)
            spoke = SpokeStack(app, env, region, hub=hub)
            cluster = ClusterStack(app, env, region, spoke=spoke)
            workload = WorkloadStack(app, env, region, cluster=cluster, build_dir=result.scratch)
            built += (hub, spoke, cluster, workload)
        if bootstrap_stack(env) is not None:
            bootstrap = BootstrapStack(app, env, delegated_roles=delegated_role_guids(built))
            for stack in built:
                stack.add_dependency(bootstrap)  # order only: nothing reads the bootstrap's state
            built.insert(0, bootstrap)
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


def synth_replacing(environments: list[Environment], outdir: Path) -> list[str]:
    """Synthesize into a staging folder, then swap it in for `outdir` in one rename.

    A failed synth leaves the previous `outdir` untouched; a good one leaves no stale stack.
    """
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.staging-", dir=outdir.parent))
    staging.chmod(0o755)
    try:
        built = build_app(environments, staging)
        built.synth()
        write_deploy_order(staging, environments)
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
