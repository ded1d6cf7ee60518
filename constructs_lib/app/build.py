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

from constructs_lib.app.deploy_order import write_deploy_order
from constructs_lib.config.models import Environment
from constructs_lib.config.stack_plan import environment_of
from constructs_lib.policy.aspects import apply_policy_aspects
from constructs_lib.policy.tagging import DefaultTags, default_tags
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


def build_app(environments: list[Environment], outdir: str | os.PathLike[str],
              on_stack: Callable[[str], None] | None = None) -> BaselineApp:
    """Create every stack of every environment and region (nothing is written yet); `on_stack`
    is called with `<env>-<region>` before that region's stacks are built (progress output).

    Every stack carries the default tags and the security policy aspects: a broken invariant is
    an error annotation, and `synth` then fails naming the resource.
    """
    app = App(outdir=str(outdir), skip_validation=False)
    result = BaselineApp(app, Path(tempfile.mkdtemp(prefix="cdktf-charts-")))
    for env in environments:
        for region in env.regions:
            if on_stack is not None:
                on_stack(f"{env.name}-{region.name}")
            hub = HubStack(app, env, region)
            spoke = SpokeStack(app, env, region, hub=hub)
            cluster = ClusterStack(app, env, region, spoke=spoke)
            workload = WorkloadStack(app, env, region, cluster=cluster, build_dir=result.scratch)
            for stack in (hub, spoke, cluster, workload):
                Aspects.of(stack).add(DefaultTags(default_tags(env)))
                apply_policy_aspects(stack)
                result.stacks[stack.node.id] = stack
    return result


KEPT_IN_STACK_FOLDERS = (".terraform.lock.hcl", ".terraform")
"""What a Terraform team adds to a stack folder and a new synth carries over: the provider lock
file (commit it with the folder) and the initialized working directory (providers, backend)."""


def synth_replacing(environments: list[Environment], outdir: Path, keep_other_environments: bool = False,
                    on_stack: Callable[[str], None] | None = None) -> list[str]:
    """Synthesize into a staging folder, then swap it in for `outdir` in one rename.

    A failed synth leaves the previous `outdir` untouched; a good one leaves no stale stack of the
    synthesized environments. With `keep_other_environments`, the stack folders of environments
    not synthesized now stay as they were (and stay in `manifest.json` and the deploy order).
    Every stack folder that survives keeps its `.terraform.lock.hcl` and `.terraform/`.
    Returns the names of the stacks synthesized now.
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
        write_deploy_order(staging)
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
