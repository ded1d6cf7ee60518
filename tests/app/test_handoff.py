"""What a Terraform team receives: deterministic, self-contained stack folders and an apply order."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from constructs_lib.config.prerequisites import prerequisites
from constructs_lib.config.stack_plan import bootstrap_stack, stack_plan


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("DEPLOY_ORDER.md", "deploy-order.json")
            and p.relative_to(folder).parts[0] != "diagrams"}


def test_two_synths_are_byte_identical(synthesized, second_synth):
    """The shipped environments, synthesized in this process and by main.py in another (another
    hash seed), give the same bytes."""
    shipped = {e.name for e in second_synth.environments} - {second_synth.generated.name}
    def of_shipped(digest: dict[str, str]) -> dict[str, str]:
        return {path: value for path, value in digest.items()
                if path.startswith("stacks/") and path.split("/")[1].split("-", 1)[0] in shipped}
    first, second = of_shipped(_digest(synthesized.outdir)), of_shipped(_digest(second_synth.outdir))
    assert first and second == first


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


def test_deploy_order_is_written_per_environment_and_matches_the_plan(second_synth):
    text = (second_synth.outdir / "DEPLOY_ORDER.md").read_text()
    machine = json.loads((second_synth.outdir / "deploy-order.json").read_text())["environments"]
    manifest = json.loads((second_synth.outdir / "manifest.json").read_text())["stacks"]
    assert sorted(machine) == sorted(env.name for env in second_synth.environments)
    for env in second_synth.environments:
        section = text.split(f"## Environment `{env.name}`")[1].split("## Environment")[0]
        listed = re.findall(r"^\d+\. `([^`]+)`", section, re.M)
        waves = machine[env.name]["waves"]
        assert listed == [name for wave in waves for name in wave]
        plan = stack_plan(env)
        bootstrap = bootstrap_stack(env)
        # The bootstrap runs once, by a person: named apart, never in a wave or a dependency list.
        assert machine[env.name].get("bootstrap") == bootstrap
        if bootstrap:
            assert f"### Once, before wave 1: `{bootstrap}`" in section
            assert section.index(f"`{bootstrap}`") < section.index("### Wave 1")
            assert all(bootstrap not in needs for needs in machine[env.name]["dependencies"].values())
        assert sorted([*listed, *([bootstrap] if bootstrap else [])]) == sorted(p.name for p in plan), \
            "the plan and the synthesized stacks differ"
        position = {name: number for number, wave in enumerate(waves) for name in wave}
        for planned in plan:
            assert sorted(manifest[planned.name]["dependencies"]) == list(planned.depends_on)
            assert all(position[need] < position[planned.name] for need in planned.depends_on if need != bootstrap)


def test_deploy_order_shows_each_stacks_prerequisites_with_the_real_names(synthesized, environments):
    text = (synthesized.outdir / "DEPLOY_ORDER.md").read_text()
    for env in environments:
        for name, items in prerequisites(env).items():
            for item in items:
                assert f"**{item.title}**: {item.text}" in text, name
                assert all(command in text for command in item.commands), name
        registry = synthesized.stack(f"{env.name}-global").only("azurerm_container_registry")["name"]
        assert f"az acr import --name {registry} " in text



def test_every_prerequisite_of_deploy_order_belongs_to_its_numbered_stack(synthesized, environments):
    """DEPLOY_ORDER.md rendered as CommonMark (markdown-it): each stack's bullets and commands are
    nested in its numbered item, also past item 9, where the marker `10. ` is wider than `9. `."""
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    needs = {name: items for env in environments for name, items in prerequisites(env).items()}
    text = (synthesized.outdir / "DEPLOY_ORDER.md").read_text()
    assert re.search(r"^\d{2}\. `", text, re.MULTILINE), "no two-digit item: the test would prove nothing"
    in_wave, numbered, escaped = False, 0, []
    for block in SyntaxTreeNode(MarkdownIt("commonmark").parse(text)).children:
        if block.type == "heading":
            in_wave = block.children[0].content.startswith("Wave ")
        elif in_wave and block.type == "ordered_list":
            for item in block.children:
                numbered += 1
                stack = re.match(r"`([^`]+)`", item.children[0].children[0].content)
                assert stack, item.children[0].children[0].content
                bullets = [entry for node in item.children if node.type == "bullet_list" for entry in node.children]
                fences = [child for entry in bullets for child in entry.children if child.type == "fence"]
                items = needs.get(stack.group(1), [])
                assert len(bullets) == len(items), f"{stack.group(1)}: {len(bullets)} of {len(items)} bullets nested"
                assert len(fences) == sum(1 for need in items if need.commands), stack.group(1)
        elif in_wave:
            escaped.append(f"{block.type} at line {block.map[0] + 1 if block.map else '?'}")
    assert numbered and not escaped, f"outside their numbered item: {escaped}"
