"""Which stacks an environment file produces and what each one must be applied after.

Pure configuration: `make list`, the deploy order and the pipeline read it without importing
cdktf, and a test holds the synthesized `manifest.json` to it, so the plan and the stacks the app
builds cannot drift apart. Stacks of different environments never depend on each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import Environment

REGIONAL_KINDS: tuple[str, ...] = ("hub", "spoke", "cluster", "workload")
"""Stacks built per region, each applied after the one before it (hub first)."""


def stack_name(environment: str, region: str | None, kind: str) -> str:
    """`<env>-<region>-<kind>` for a regional stack (`prod-eastus2-hub`), `<env>-<kind>` for one
    that serves the whole environment (`prod-global`)."""
    return f"{environment}-{region}-{kind}" if region else f"{environment}-{kind}"


@dataclass(frozen=True)
class PlannedStack:
    """One stack of the plan."""

    name: str
    environment: str
    kind: str
    """`hub`, `spoke`, `cluster`, `workload`, or an environment-level kind."""
    region: str | None
    """Azure region of a regional stack; None for an environment-level stack."""
    depends_on: tuple[str, ...]
    """Names of the stacks that must be applied first (sorted)."""


def stack_plan(env: Environment) -> list[PlannedStack]:
    """Every stack of `env` in build order (each stack after what it depends on)."""
    plan: list[PlannedStack] = []
    for region in env.regions:
        previous: tuple[str, ...] = ()
        for kind in REGIONAL_KINDS:
            name = stack_name(env.name, region.name, kind)
            plan.append(PlannedStack(name, env.name, kind, region.name, previous))
            previous = (name,)
    return plan


def environment_of(stack: str) -> str:
    """The environment a stack name belongs to (environment names contain no hyphen)."""
    return stack.split("-", 1)[0]
