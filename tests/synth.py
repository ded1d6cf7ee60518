"""Helpers to synthesize the app or a single construct and read the Terraform JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_azurerm.provider import (
    AzurermProvider,
    AzurermProviderFeatures,
)
from cdktf_cdktf_provider_time.provider import TimeProvider

from constructs_lib.app import BaselineApp, build_app
from constructs_lib.app.deploy_order import write_deploy_order
from constructs_lib.config.models import Environment, Region
from constructs_lib.core.azapi import AzapiProvider
from tests.envfiles import env_named


@dataclass
class StackJson:
    """One synthesized stack (`cdk.tf.json`) with lookups by resource type."""

    name: str
    doc: dict[str, Any]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.doc.get("resource", {}).get(resource_type, {})

    def data(self, data_type: str) -> dict[str, dict[str, Any]]:
        return self.doc.get("data", {}).get(data_type, {})

    def only(self, resource_type: str) -> dict[str, Any]:
        """The single resource of a type; fails if there is not exactly one."""
        found = self.resources(resource_type)
        assert len(found) == 1, f"{self.name}: expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.values()))

    def named(self, resource_type: str, name: str) -> dict[str, Any]:
        """The resource of a type whose Azure `name` is `name`."""
        matches = [body for body in self.resources(resource_type).values() if body.get("name") == name]
        assert len(matches) == 1, f"{self.name}: expected one {resource_type} named {name}, found {len(matches)}"
        return matches[0]

    def named_data(self, data_type: str, name: str) -> dict[str, Any]:
        """The data source of a type that looks up `name`."""
        matches = [body for body in self.data(data_type).values() if body.get("name") == name]
        assert len(matches) == 1, f"{self.name}: expected one data {data_type} named {name}, found {len(matches)}"
        return matches[0]

    def address(self, resource_type: str, name: str | None = None) -> str:
        """`type.logical_id` of the one resource of a type (or the one whose Azure `name` is `name`), as
        `depends_on` lists it; fails unless exactly one matches."""
        keys = [k for k, b in self.resources(resource_type).items() if name is None or b.get("name") == name]
        assert len(keys) == 1, f"{self.name}: {resource_type} {name}: {sorted(self.resources(resource_type))}"
        return f"{resource_type}.{keys[0]}"

    def ref(self, resource_type: str, attribute: str = "id", name: str | None = None) -> str:
        """`${type.logical_id.attribute}` of the one resource of a type (or the one named `name`)."""
        return f"${{{self.address(resource_type, name)}.{attribute}}}"

    def data_ref(self, data_type: str, name: str, attribute: str = "id") -> str:
        """`${data.type.logical_id.attribute}` of the data source looking up `name`."""
        keys = [k for k, b in self.data(data_type).items() if b.get("name") == name]
        assert len(keys) == 1, f"{self.name}: data {data_type} {name}: {sorted(self.data(data_type))}"
        return f"${{data.{data_type}.{keys[0]}.{attribute}}}"

    def environment(self, environments: list[Environment]) -> tuple[Environment, Region]:
        """The environment and region this stack (`<env>-<region>-<kind>`) was built from; for an
        environment-level stack (`<env>-bootstrap`) the region it lives in, the first."""
        parts = self.name.split("-")
        env = env_named(environments, parts[0])
        return env, (next(r for r in env.regions if r.name == parts[1]) if len(parts) == 3 else env.regions[0])

    def addresses(self) -> set[str]:
        return {f"{rtype}.{name}" for rtype, items in self.doc.get("resource", {}).items() for name in items}


@dataclass
class Synthesized:
    """An app synthesized to disk: the output folder, the manifest and every stack's JSON."""

    outdir: Path
    manifest: dict[str, Any]
    stacks: dict[str, StackJson]
    security_gate: Future[Any] | None = field(default=None, repr=False)
    """The checkov gate over `outdir`, running in the background (see tests/conftest.py)."""
    app: BaselineApp | None = field(default=None, repr=False)
    """The app `synthesize` built (its stacks' constructs); None for an output read from disk."""

    def stack(self, name: str) -> StackJson:
        assert name in self.stacks, f"no stack {name}; have {sorted(self.stacks)}"
        return self.stacks[name]

    def of_kind(self, kind: str) -> list[StackJson]:
        return [s for name, s in sorted(self.stacks.items()) if name.endswith(f"-{kind}")]


def synthesize(environments: list[Environment], outdir: Path) -> Synthesized:
    """`environments` synthesized into `outdir` with the deploy order main.py writes beside the stacks
    (`DEPLOY_ORDER.md` with each stack's prerequisites, `deploy-order.json`)."""
    built = build_app(environments, outdir)
    built.synth()
    write_deploy_order(outdir, environments)
    result = read_output(outdir)
    result.app = built
    return result


def read_output(outdir: Path) -> Synthesized:
    """A synthesized output folder (`cdktf.out/`) read back: manifest and every stack's JSON."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {
        name: StackJson(name, json.loads((outdir / entry["synthesizedStackPath"]).read_text()))
        for name, entry in manifest["stacks"].items()
    }
    return Synthesized(outdir, manifest, stacks)


def empty_stack(name: str = "test") -> TerraformStack:
    """A bare stack in a throwaway app, for constructs that must refuse their props."""
    return TerraformStack(Testing.app(), name)


def synth_construct(build: Callable[[TerraformStack], Any]) -> StackJson:
    """Synthesize whatever `build` adds to a bare stack with the providers a stack declares
    (azurerm, and time and azapi for the waits and version updates some constructs add)."""
    stack = empty_stack()
    AzurermProvider(stack, "azurerm", features=[AzurermProviderFeatures()])
    TimeProvider(stack, "time")
    AzapiProvider(stack)
    build(stack)
    return StackJson("test", json.loads(Testing.synth(stack)))
