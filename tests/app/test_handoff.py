"""What a Terraform team receives: deterministic, self-contained stack folders and an apply order."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "DEPLOY_ORDER.md"}


def test_two_synths_are_byte_identical(synthesized, second_synth):
    first = _digest(synthesized.outdir)
    second = {path: digest for path, digest in _digest(second_synth.outdir).items()
              if not path.startswith(f"stacks/{second_synth.generated.name}-")}
    assert second.pop("manifest.json") and first.pop("manifest.json"), "both synths write a manifest"
    assert second == first


def test_each_stack_folder_is_self_contained(synthesized):
    machine_paths = re.compile(r'"(/(?:tmp|home|root|work|Users|var)/|[A-Za-z]:\\\\)')
    for name, stack in synthesized.stacks.items():
        folder = synthesized.outdir / "stacks" / name
        text = (folder / "cdk.tf.json").read_text()
        assert not machine_paths.search(text), f"{name} holds a machine-specific path"
        terraform = stack.doc["terraform"]
        assert "backend" in terraform and terraform["required_version"]
        assert all("/" in p["source"] and p["version"] for p in terraform["required_providers"].values())
        # Every local file a stack points at (charts) lives inside its own folder.
        for release in stack.resources("helm_release").values():
            target = (folder / release["chart"]).resolve()
            assert target.is_relative_to(folder.resolve()) and target.is_dir(), release["chart"]
        assert "../" not in text.replace('"../../../terraform-state/', "")


def test_no_secret_values_in_the_output(synthesized):
    secretish = re.compile(r'"(access_key|sas_token|client_secret|password|private_key|secret_value|'
                           r'ssh_private_key_base64|https_key_base64)"\s*:\s*"[^"$]')
    for folder in (synthesized.outdir / "stacks").iterdir():
        for file in folder.rglob("*"):
            if file.is_file():
                text = file.read_text()
                assert not secretish.search(text), f"{file} carries a literal secret"
                assert "BEGIN" not in text or "PRIVATE KEY" not in text, f"{file} carries a key"
    for stack in synthesized.stacks.values():
        assert not stack.doc.get("variable"), "inputs would be needed at apply time"
        assert "kube_admin_config" not in json.dumps(stack.doc)


def test_deploy_order_is_written_and_follows_dependencies(second_synth):
    text = (second_synth.outdir / "DEPLOY_ORDER.md").read_text()
    order = re.findall(r"^\d+\. `([^`]+)`", text, re.M)
    assert len(order) == 4 * sum(len(e.regions) for e in second_synth.environments)
    for env in second_synth.environments:
        for region in env.regions:
            positions = [order.index(f"{env.name}-{region.name}-{kind}")
                         for kind in ("hub", "spoke", "cluster", "workload")]
            assert positions == sorted(positions)
