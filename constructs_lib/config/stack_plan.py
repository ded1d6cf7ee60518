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
the pipeline's identities (README "Bootstrap"). No other stack records a dependency on it."""

REGIONAL_KINDS: tuple[str, ...] = ("hub", "spoke", "cluster", "workload")
"""Stacks built per region, each applied after the one before it (hub first)."""

GLOBAL_KIND = "global"
"""`<env>-global`: what every region of the environment shares and needs before its cluster
(the shared registry, the Front Door profile, endpoint, WAF and custom domain). Depends on nothing."""
ROUTING_KIND = "routing"
"""`<env>-routing`: Front Door's origin group, one origin per region's App Gateway, the route and
the public DNS records; applied after every region's workload, so traffic arrives only where the
application runs. Only with Front Door on."""


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
    """Every stack of `env` in build order (each stack after what it depends on).

    `<env>-bootstrap` (when the environment has one) first, with no dependents: it is applied once
    by a person before anything else and nothing reads it, so no other stack records a dependency
    on it (`cdktf deploy` of a stack never drags the bootstrap in). Then `<env>-global`; per region
    hub -> spoke -> cluster -> workload, each cluster also after `<env>-global` (it looks the
    shared registry and the Front Door profile up by name); with Front Door on, `<env>-routing`
    last, after `<env>-global` and every region's workload. The graph is acyclic by construction:
    environment-level stacks read nothing a regional stack creates except through names computed
    from the environment file.
    """
    plan: list[PlannedStack] = []
    bootstrap = bootstrap_stack(env)
    if bootstrap is not None:
        plan.append(PlannedStack(bootstrap, env.name, BOOTSTRAP_KIND, None, ()))
    shared = stack_name(env.name, None, GLOBAL_KIND)
    plan.append(PlannedStack(shared, env.name, GLOBAL_KIND, None, ()))
    last_of_region: list[str] = []
    for region in env.regions:
        previous: tuple[str, ...] = ()
        for kind in REGIONAL_KINDS:
            name = stack_name(env.name, region.name, kind)
            needs = (*previous, shared) if kind == "cluster" else previous
            plan.append(PlannedStack(name, env.name, kind, region.name, tuple(sorted(needs))))
            previous = (name,)
        last_of_region.extend(previous)
    if env.front_door_enabled:
        plan.append(PlannedStack(stack_name(env.name, None, ROUTING_KIND), env.name, ROUTING_KIND, None,
                                 tuple(sorted((shared, *last_of_region)))))
    return plan


def environment_of(stack: str) -> str:
    """The environment a stack name belongs to (environment names contain no hyphen)."""
    return stack.split("-", 1)[0]
