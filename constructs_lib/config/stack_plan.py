"""Which stacks an environment file produces and what each one must be applied after.

Pure configuration: `make list`, the deploy order and the pipeline read it without importing
cdktf, and a test holds the synthesized `manifest.json` to it, so the plan and the stacks the app
builds cannot drift apart. Stacks of different environments never depend on each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import Environment
from constructs_lib.config.rules import has_bootstrap

BOOTSTRAP_KIND = "bootstrap"
"""The environment-level stack applied once, by a person, before everything else: state storage and
the pipeline's identities (README "Bootstrap"). Every other stack of the environment depends on it."""

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


def bootstrap_stack(env: Environment) -> str | None:
    """`<env>-bootstrap` when the environment has one (azurerm state or a `ci` section), else None."""
    if has_bootstrap(env.state.backend, env.ci is not None):
        return stack_name(env.name, None, BOOTSTRAP_KIND)
    return None


def stack_plan(env: Environment) -> list[PlannedStack]:
    """Every stack of `env` in build order (each stack after what it depends on). The bootstrap
    stack, when there is one, comes first and every other stack depends on it directly."""
    plan: list[PlannedStack] = []
    bootstrap = bootstrap_stack(env)
    if bootstrap is not None:
        plan.append(PlannedStack(bootstrap, env.name, BOOTSTRAP_KIND, None, ()))
    for region in env.regions:
        previous: tuple[str, ...] = ()
        for kind in REGIONAL_KINDS:
            name = stack_name(env.name, region.name, kind)
            needs = tuple(sorted({*previous, *([bootstrap] if bootstrap else [])}))
            plan.append(PlannedStack(name, env.name, kind, region.name, needs))
            previous = (name,)
    return plan


def environment_of(stack: str) -> str:
    """The environment a stack name belongs to (environment names contain no hyphen)."""
    return stack.split("-", 1)[0]
