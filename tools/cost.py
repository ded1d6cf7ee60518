#!/usr/bin/env python3
"""Monthly cost estimate of every synthesized stack, before anything is deployed.

    python3 tools/cost.py [--outdir cdktf.out] [--prices cost/prices.csv] [--envs envs] [--env NAME] [--detail]

Reads `cdktf.out/stacks/*/cdk.tf.json` (never Azure, never a price API) and the committed price
table `cost/prices.csv` (one row per meter: unit price, unit, region, currency, the source's date,
status and source URL; list prices, pay-as-you-go). For each stack it prints:

- fixed: what the resources cost while they exist at their minimum (firewall, Bastion, App
  Gateway fixed part, registry and replicas, public IPs, AKS tier, private endpoints and DNS zones,
  log alert rules, node-pool minimums x VM price);
- up to: the same at the autoscale maximums (node pools, App Gateway instances; Spot nodes at the
  on-demand price, their ceiling with `spot_max_price = -1`);
- usage lines ("per GB", ...) for what depends on data (log ingestion, firewall data processed,
  egress, Prometheus samples): shown with their unit price, never guessed.

A stop schedule (`cluster.stop_schedule`) found in a stack scales the node and AKS-tier lines by
the share of the week the cluster runs. Prices are USD; a budget (`budget.monthly_amount`) is in
the billing currency. `estimate(outdir)` and `budget_warnings(environments, estimate)` are the
functions the synth summary calls. Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PRICES = PROJECT_ROOT / "cost" / "prices.csv"
HOURS_PER_MONTH = 730.0
"""Azure's pricing month."""
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
CAPACITY_UNITS_PER_INSTANCE = 10
"""App Gateway v2: one instance handles about 10 capacity units (Azure's sizing guidance); the
estimate's upper bound bills `max_capacity` instances at that many units."""
PRICE_COLUMNS = ("meter", "unit_price", "unit", "region", "currency", "date", "status", "source")
STATUSES = ("doc", "secondary", "unconfirmed")
"""doc: stated on a Microsoft page; secondary: read from a secondary source (Infracost's test data
built from the Azure Retail Prices API, or a blog); unconfirmed: no source found, verify first."""


class PriceError(Exception):
    """The price table is malformed or lacks a meter the JSON needs."""


@dataclass(frozen=True)
class Price:
    """One row of the price table."""

    meter: str
    unit_price: float
    unit: str
    region: str
    currency: str
    date: str
    status: str
    source: str


def load_prices(path: Path = DEFAULT_PRICES) -> dict[str, Price]:
    """The price table by meter. Raises PriceError on a missing column, a duplicate meter, a
    non-numeric or negative price, an unknown status or a row without source."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != PRICE_COLUMNS:
            raise PriceError(f"{path}: columns must be {', '.join(PRICE_COLUMNS)}; got {reader.fieldnames}")
        prices: dict[str, Price] = {}
        for line, row in enumerate(reader, start=2):
            try:
                value = float(row["unit_price"])
            except ValueError:
                raise PriceError(f"{path}:{line}: unit_price {row['unit_price']!r} is not a number") from None
            if value < 0 or row["status"] not in STATUSES or not row["source"] or not row["date"]:
                raise PriceError(f"{path}:{line}: {row['meter']}: needs a price >= 0, a date, a source and a "
                                 f"status out of {', '.join(STATUSES)}")
            if row["meter"] in prices:
                raise PriceError(f"{path}:{line}: meter {row['meter']} is listed twice")
            prices[row["meter"]] = Price(row["meter"], value, row["unit"], row["region"], row["currency"],
                                         row["date"], row["status"], row["source"])
    return prices


@dataclass(frozen=True)
class Charge:
    """A fixed-while-it-exists charge of one resource: `low`..`high` units per month."""

    address: str
    meter: str
    low: float
    high: float
    note: str = ""


@dataclass(frozen=True)
class Usage:
    """A charge that depends on data or use: shown per unit, never added up."""

    address: str
    meter: str
    note: str = ""


@dataclass(frozen=True)
class Line:
    """A priced charge: units and money per month."""

    charge: Charge
    price: Price

    @property
    def monthly_low(self) -> float:
        return self.charge.low * self.price.unit_price

    @property
    def monthly_high(self) -> float:
        return self.charge.high * self.price.unit_price


@dataclass
class StackEstimate:
    """The estimate of one stack."""

    name: str
    environment: str
    region: str
    lines: list[Line] = field(default_factory=list)
    usage: list[tuple[Usage, Price]] = field(default_factory=list)
    running_share: float = 1.0
    """Share of the week the cluster runs (below 1 with a stop schedule)."""

    @property
    def fixed(self) -> float:
        return round(sum(line.monthly_low for line in self.lines), 2)

    @property
    def maximum(self) -> float:
        return round(sum(line.monthly_high for line in self.lines), 2)


@dataclass
class Estimate:
    """Every stack of an output folder, grouped by environment."""

    stacks: list[StackEstimate]

    def environments(self) -> dict[str, list[StackEstimate]]:
        grouped: dict[str, list[StackEstimate]] = {}
        for stack in self.stacks:
            grouped.setdefault(stack.environment, []).append(stack)
        return grouped

    def fixed(self, environment: str, region: str | None = None) -> float:
        return round(sum(s.fixed for s in self.stacks
                         if s.environment == environment and region in (None, s.region)), 2)

    def maximum(self, environment: str, region: str | None = None) -> float:
        return round(sum(s.maximum for s in self.stacks
                         if s.environment == environment and region in (None, s.region)), 2)

    def regions(self, environment: str) -> tuple[list[str], list[str]]:
        """(the regions `environment`'s stacks run in, the regions the regional prices they use
        come from), each sorted; `region_note` says what the second means for the first."""
        stacks = [stack for stack in self.stacks if stack.environment == environment]
        used = [line.price for stack in stacks for line in stack.lines] + [p for s in stacks for _, p in s.usage]
        return (sorted({stack.region for stack in stacks if stack.region}),
                sorted({price.region for price in used if price.region != "any"}))

    def unpriced_regions(self, environment: str) -> list[str]:
        """The regions `environment` runs in that no regional price of its estimate comes from:
        its totals are an approximation there (empty when every region is priced)."""
        regions, priced_in = self.regions(environment)
        return [region for region in regions if region not in priced_in]


# ---------------------------------------------------------------------------------------------
# What each resource type costs. Every type in a synthesized stack is either priced here or in
# FREE with the reason; tests/tools/test_cost.py fails on a type that is neither.

Handler = Callable[[str, dict[str, Any]], list[Charge | Usage]]


def _hours(address: str, meter: str, count: float = 1, note: str = "") -> Charge:
    return Charge(address, meter, count * HOURS_PER_MONTH, count * HOURS_PER_MONTH, note)


def _firewall(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [_hours(address, f"firewall.{body.get('sku_tier')}"), Usage(address, "firewall.data", "data processed")]


def _bastion(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [_hours(address, f"bastion.{body.get('sku', 'Basic')}"), Usage(address, "bastion.outbound", "outbound data")]


def _app_gateway(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    sku = body.get("sku") or {}
    sku = sku[0] if isinstance(sku, list) else sku
    tier = sku.get("tier", "?")
    scale = body.get("autoscale_configuration") or {}
    scale = scale[0] if isinstance(scale, list) else scale
    low = float(scale.get("min_capacity", sku.get("capacity", 0) or 0))
    high = float(scale.get("max_capacity", low))
    units = CAPACITY_UNITS_PER_INSTANCE * HOURS_PER_MONTH
    return [
        _hours(address, f"app_gateway.{tier}.fixed"),
        Charge(address, f"app_gateway.{tier}.capacity_unit", low * units, high * units,
               f"{low:g}-{high:g} instances x {CAPACITY_UNITS_PER_INSTANCE} capacity units"),
    ]


def _registry(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    sku = body.get("sku")
    replicas = len(body.get("georeplications") or [])
    charges: list[Charge | Usage] = [Charge(address, f"container_registry.{sku}", DAYS_PER_MONTH, DAYS_PER_MONTH)]
    if replicas:
        charges.append(Charge(address, f"container_registry.{sku}.replica", replicas * DAYS_PER_MONTH,
                              replicas * DAYS_PER_MONTH, f"{replicas} replica(s)"))
    return charges


def _public_ip(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [_hours(address, f"public_ip.{body.get('sku', 'Basic')}.{body.get('allocation_method')}")]


def _pool_charge(address: str, pool: dict[str, Any], what: str) -> Charge:
    low, high = float(pool.get("min_count") or pool.get("node_count") or 0), float(pool.get("max_count") or 0)
    high = max(high, low)
    spot = pool.get("priority") == "Spot"
    note = f"{what}: {low:g}-{high:g} nodes" + (" (Spot: at most the on-demand price)" if spot else "")
    return Charge(address, f"vm.{pool.get('vm_size')}", low * HOURS_PER_MONTH, high * HOURS_PER_MONTH, note)


def _cluster(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [
        _hours(address, f"aks.tier.{body.get('sku_tier', 'Free')}", note="control plane"),
        _pool_charge(address, body.get("default_node_pool") or {}, "system pool"),
        _hours(address, "aks.load_balancer.rules", note="ingress load balancer AKS creates (not in the JSON)"),
        Usage(address, "aks.load_balancer.data", "ingress load balancer data processed"),
        Usage(address, "internet_egress", "internet egress (through the firewall)"),
        Usage(address, "defender.containers", "Defender for Containers, if the subscription plan is on"),
    ]


def _node_pool(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [_pool_charge(address, body, f"pool {body.get('name')}")]


def _workspace(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    usage = [Usage(address, "log_analytics.ingestion", "analytics logs ingested")]
    if int(body.get("retention_in_days") or 30) > 31:
        usage.append(Usage(address, "log_analytics.retention", f"kept beyond 31 days ({body['retention_in_days']} d)"))
    return list(usage)


def _log_alert(address: str, body: dict[str, Any]) -> list[Charge | Usage]:
    return [Charge(address, f"log_alert.{body.get('evaluation_frequency')}", 1, 1, "log search alert rule")]


PRICED: dict[str, Handler] = {
    "azurerm_firewall": _firewall,
    "azurerm_bastion_host": _bastion,
    "azurerm_application_gateway": _app_gateway,
    "azurerm_container_registry": _registry,
    "azurerm_public_ip": _public_ip,
    "azurerm_kubernetes_cluster": _cluster,
    "azurerm_kubernetes_cluster_node_pool": _node_pool,
    "azurerm_private_endpoint": lambda a, b: [_hours(a, "private_endpoint"),
                                              Usage(a, "private_endpoint.data", "data through private endpoints")],
    "azurerm_private_dns_zone": lambda a, b: [Charge(a, "private_dns_zone", 1, 1)],
    "azurerm_log_analytics_workspace": _workspace,
    "azurerm_log_analytics_workspace_table": lambda a, b: (
        [Usage(a, "log_analytics.basic_ingestion", f"{b.get('name')} on the Basic plan")]
        if b.get("plan") == "Basic" else []),
    "azurerm_monitor_workspace": lambda a, b: [Usage(a, "managed_prometheus.ingestion", "Prometheus samples")],
    "azurerm_monitor_scheduled_query_rules_alert_v2": _log_alert,
    "azurerm_key_vault": lambda a, b: [Usage(a, "key_vault.operations", "secret and certificate operations")],
    "azurerm_virtual_network_peering": lambda a, b: [Usage(a, "vnet_peering.data", "data across the peering")],
    "azurerm_logic_app_workflow": lambda a, b: [Usage(a, "logic_app.action", "trigger and action runs")],
    "azurerm_cdn_frontdoor_profile": lambda a, b: [
        Charge(a, f"front_door.{b.get('sku_name')}", 1, 1, "base fee per profile"),
        Usage(a, "front_door.requests", "requests served"),
        Usage(a, "front_door.data_to_client", "data from the edge to clients"),
    ],
}
"""Resource type -> its charges."""

FREE: dict[str, str] = {
    "azurerm_resource_group": "no charge",
    "azurerm_virtual_network": "no charge (peering data is on the peering)",
    "azurerm_subnet": "no charge",
    "azurerm_network_security_group": "no charge",
    "azurerm_network_security_rule": "no charge",
    "azurerm_subnet_network_security_group_association": "no charge",
    "azurerm_route_table": "no charge",
    "azurerm_subnet_route_table_association": "no charge",
    "azurerm_ip_group": "no charge",
    "azurerm_firewall_policy": "included in the firewall's deployment hours",
    "azurerm_firewall_policy_rule_collection_group": "part of the policy",
    "azurerm_private_dns_a_record": "queries are billed per million; negligible here",
    "azurerm_private_dns_zone_virtual_network_link": "no charge for registration-free links",
    "azurerm_web_application_firewall_policy": "included in the WAF_v2 gateway",
    "azurerm_key_vault_certificate": "operations billed on the vault (usage line)",
    "azurerm_user_assigned_identity": "no charge",
    "azurerm_federated_identity_credential": "no charge",
    "azurerm_role_assignment": "no charge",
    "azurerm_role_definition": "no charge",
    "azurerm_policy_definition": "no charge",
    "azurerm_resource_group_policy_assignment": "Azure Policy on Azure resources has no charge",
    "azurerm_kubernetes_cluster_extension": "the Flux extension on AKS has no charge of its own",
    "azurerm_kubernetes_flux_configuration": "part of the Flux extension",
    "azurerm_monitor_diagnostic_setting": "the data is billed as workspace ingestion (usage line)",
    "azurerm_monitor_data_collection_endpoint": "no charge; the data is billed where it lands",
    "azurerm_monitor_data_collection_rule": "no charge; the data is billed where it lands",
    "azurerm_monitor_data_collection_rule_association": "no charge",
    "azurerm_monitor_action_group": "e-mail notifications: the first 1,000 a month are free",
    "azurerm_monitor_activity_log_alert": "activity log alerts have no charge",
    "azurerm_monitor_alert_prometheus_rule_group": "rule queries are billed as Prometheus query usage",
    "azurerm_consumption_budget_resource_group": "no charge",
    "azurerm_logic_app_trigger_recurrence": "billed per run on the workflow (usage line)",
    "azurerm_logic_app_action_custom": "billed per run on the workflow (usage line)",
    "azurerm_management_lock": "no charge",
    "helm_release": "runs inside the cluster (node costs)",
    "azapi_update_resource": "an update of a priced resource",
    "azurerm_cdn_frontdoor_endpoint": "no charge per endpoint; the profile's base fee and usage",
    "azurerm_cdn_frontdoor_origin_group": "part of the profile",
    "azurerm_cdn_frontdoor_origin": "part of the profile (origin traffic is not billed to the edge)",
    "azurerm_cdn_frontdoor_route": "part of the profile",
    "azurerm_cdn_frontdoor_custom_domain": "managed certificate included",
    "azurerm_cdn_frontdoor_custom_domain_association": "part of the profile",
    "azurerm_cdn_frontdoor_firewall_policy": "managed rule sets are included in Premium (Front Door billing page)",
    "azurerm_cdn_frontdoor_security_policy": "part of the WAF policy",
    "azurerm_dns_txt_record": "records are billed with the zone, which the environment does not own",
    "azurerm_dns_cname_record": "records are billed with the zone, which the environment does not own",
    "azurerm_storage_account": "the state account holds state files of kilobytes (megabytes with versions); at "
                               "any per-GB price and a few thousand transactions a month it rounds to 0.00",
    "azurerm_storage_container": "part of the state account",
    "time_sleep": "Terraform only",
    "time_static": "Terraform only (the cluster's minor-version keeper)",
}
"""Resource type -> why it adds nothing to the estimate."""


def _address(resource_type: str, name: str) -> str:
    return f"{resource_type}.{name}"


# ---------------------------------------------------------------------------------------------
# Stop schedule: the share of the week a stopped-at-night cluster runs.

_OPERATION = re.compile(r"/(start|stop)\?api-version=")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def running_share(events: Iterable[tuple[str, str, int]]) -> float:
    """Share of a week the cluster runs, from (operation, weekday, minute of day) events: it runs
    from each start to the next event. 1.0 when there is no stop event."""
    timeline = sorted((_WEEKDAYS.index(day) * 1440 + minute, operation) for operation, day, minute in events)
    if not any(operation == "stop" for _, operation in timeline):
        return 1.0
    week = 7 * 1440
    running = 0
    for index, (at, operation) in enumerate(timeline):
        following = timeline[(index + 1) % len(timeline)][0] + (week if index + 1 == len(timeline) else 0)
        if operation == "start":
            running += following - at
    return running / week


def _schedule_events(resources: dict[str, dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(operation, day, minute) of every stop-schedule run found in a stack's resources."""
    operations: dict[str, str] = {}
    for body in resources.get("azurerm_logic_app_action_custom", {}).values():
        match = _OPERATION.search(str(body.get("body", "")))
        if match:
            operations[str(body.get("logic_app_id"))] = match.group(1)
    events = []
    for body in resources.get("azurerm_logic_app_trigger_recurrence", {}).values():
        operation = operations.get(str(body.get("logic_app_id")))
        schedule = body.get("schedule") or {}
        schedule = schedule[0] if isinstance(schedule, list) else schedule
        if operation is None or body.get("frequency") != "Week":
            continue
        for day in schedule.get("on_these_days") or ():
            for hour in schedule.get("at_these_hours") or ():
                for minute in schedule.get("at_these_minutes") or (0,):
                    events.append((operation, day, int(hour) * 60 + int(minute)))
    return events


# ---------------------------------------------------------------------------------------------

def stack_charges(document: dict[str, Any]) -> list[Charge | Usage]:
    """Every charge of one stack's Terraform JSON; raises PriceError on an unclassified type."""
    charges: list[Charge | Usage] = []
    for resource_type, items in sorted(document.get("resource", {}).items()):
        if resource_type in FREE:
            continue
        handler = PRICED.get(resource_type)
        if handler is None:
            raise PriceError(f"{resource_type}: not in the cost model; add it to tools/cost.py PRICED (with a "
                             "price row) or FREE (with the reason)")
        for name, body in sorted(items.items()):
            charges += handler(_address(resource_type, name), body)
    return charges


_SCALED_BY_SCHEDULE = re.compile(r"^(vm\.|aks\.tier\.)")


def estimate_stack(name: str, document: dict[str, Any], prices: dict[str, Price]) -> StackEstimate:
    """One stack (`<env>-<region>-<kind>`, or `<env>-<kind>` for an environment-level stack, whose
    region is then empty) priced; raises PriceError for a meter without a price."""
    parts = name.split("-")
    environment, region = parts[0], (parts[1] if len(parts) == 3 else "")
    result = StackEstimate(name, environment, region)
    result.running_share = running_share(_schedule_events(document.get("resource", {})))
    for charge in stack_charges(document):
        price = prices.get(charge.meter)
        if price is None:
            raise PriceError(f"{name}: {charge.address} needs meter {charge.meter}, which cost/prices.csv lacks; "
                             "add a row with its list price, date and source")
        if isinstance(charge, Usage):
            result.usage.append((charge, price))
            continue
        if result.running_share < 1 and _SCALED_BY_SCHEDULE.match(charge.meter):
            charge = Charge(charge.address, charge.meter, charge.low * result.running_share,
                            charge.high * result.running_share,
                            f"{charge.note}; runs {result.running_share:.0%} of the week (stop schedule)")
        result.lines.append(Line(charge, price))
    return result


def estimate(outdir: Path | str, prices: dict[str, Price] | None = None,
             environments: Collection[str] | None = None) -> Estimate:
    """Every stack in `<outdir>/stacks/*/cdk.tf.json` (only those of `environments` when given)
    priced from the price table (default cost/prices.csv). Raises PriceError for an unclassified
    resource type or a meter without a price, FileNotFoundError when the folder holds no stacks
    (of those environments)."""
    table = prices if prices is not None else load_prices()
    files = sorted(path for path in Path(outdir).glob("stacks/*/cdk.tf.json")
                   if environments is None or path.parent.name.split("-")[0] in environments)
    if not files:
        which = f" of {', '.join(environments)}" if environments else ""
        raise FileNotFoundError(f"no stacks{which} in {outdir}/stacks; run `make synth` first")
    return Estimate([estimate_stack(path.parent.name, json.loads(path.read_text()), table) for path in files])


class _BudgetedEnvironment(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def budget(self) -> Any: ...

    @property
    def regions(self) -> Any: ...


def budget_warnings(environments: Sequence[_BudgetedEnvironment], result: Estimate | Path | str) -> list[str]:
    """One warning per environment and region whose `budget.monthly_amount` (one budget per
    regional cluster resource group) is below that region's fixed monthly cost; empty when every
    budget covers it. `result` is the estimate already made (or the output folder to estimate).
    Environments without synthesized stacks are skipped."""
    if not isinstance(result, Estimate):
        result = estimate(result)
    warnings = []
    for env in environments:
        amount = env.budget.monthly_amount
        for region in env.regions:
            fixed = result.fixed(env.name, region.name)
            if fixed and amount < fixed:
                suggested = int(-(-fixed * 1.2 // 100) * 100)
                warnings.append(
                    f"{env.name}: budget.monthly_amount {amount:,} is below the fixed monthly cost of {region.name} "
                    f"(about {fixed:,.0f} USD at list prices before any data charges); raise it, e.g. "
                    f"budget.monthly_amount: {suggested}, or lower the cost (README \"Cost\")")
    return warnings


# ---------------------------------------------------------------------------------------------
# Report

def _money(value: float) -> str:
    return f"{value:>12,.2f}"


def render(result: Estimate, detail: bool = False) -> str:
    """The estimate as text: per environment a table of stacks, the usage lines and the
    unconfirmed prices it relies on."""
    out: list[str] = []
    for environment, stacks in result.environments().items():
        out.append(f"{environment}: monthly estimate, USD list prices, {HOURS_PER_MONTH:g} h a month")
        out.append(f"  {'stack':<28}{'fixed':>12}{'up to':>12}")
        for stack in stacks:
            schedule = f"   (cluster runs {stack.running_share:.0%} of the week)" if stack.running_share < 1 else ""
            out.append(f"  {stack.name:<28}{_money(stack.fixed)}{_money(stack.maximum)}{schedule}")
            if detail:
                for line in stack.lines:
                    out.append(f"      {line.charge.address:<60} {line.charge.meter:<34}"
                               f"{line.monthly_low:>10,.2f}{line.monthly_high:>10,.2f}  {line.charge.note}")
        out.append(f"  {'total':<28}{_money(result.fixed(environment))}{_money(result.maximum(environment))}")
        usage: dict[str, tuple[Price, set[str], int]] = {}
        for stack in stacks:
            for charge, price in stack.usage:
                _, notes, count = usage.get(charge.meter, (price, set(), 0))
                usage[charge.meter] = (price, notes | ({charge.note} if charge.note else set()), count + 1)
        out.append("  usage, not in the totals (depends on data):")
        for meter, (price, notes, count) in sorted(usage.items()):
            rate = f"{price.unit_price:g} {price.currency} per {price.unit}"
            out.append(f"    {meter:<32} {rate:<34} x{count:<3} {'; '.join(sorted(notes))}")
        used = {line.price.meter: line.price for stack in stacks for line in stack.lines}
        used.update({price.meter: price for stack in stacks for _, price in stack.usage})
        unconfirmed = sorted(m for m, p in used.items() if p.status == "unconfirmed")
        if unconfirmed:
            out.append(f"  unconfirmed prices used (verify, see cost/prices.csv): {', '.join(unconfirmed)}")
        note = region_note(*result.regions(environment))
        if note:
            out.append(f"  {note}")
        out.append("")
    return "\n".join(out)


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def region_note(regions: Sequence[str], priced_in: Sequence[str]) -> str | None:
    """What the estimate of an environment running in `regions` is worth when the price table's
    regional prices come from `priced_in`: None when every region is one of them; otherwise a
    sentence that names the regions the table does not price (every one of them, or those beside
    the priced ones)."""
    elsewhere = [region for region in regions if region not in priced_in]
    if not elsewhere:
        return None
    table = f"prices are the table's ({_listed(list(priced_in))})" if priced_in else "the table prices no region"
    if len(elsewhere) == len(regions):
        where = (f"this environment runs only in {elsewhere[0]}" if len(elsewhere) == 1 else
                 f"this environment runs in {_listed(elsewhere)}, none of them in the table")
    else:
        priced = [region for region in regions if region in priced_in]
        where = f"this environment runs in {_listed(priced)} and also in {_listed(elsewhere)}"
    return f"{table}; {where}, where list prices may differ: read the totals as an approximation"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", default="cdktf.out", help="synthesized output folder (default: cdktf.out)")
    parser.add_argument("--prices", default=str(DEFAULT_PRICES), help="price table (default: cost/prices.csv)")
    parser.add_argument("--envs", default="envs",
                        help="environment files, for the budget check and the names --env takes (default: envs)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME",
                        help="only this environment's stacks (repeatable; default: every stack in --outdir)")
    parser.add_argument("--detail", action="store_true", help="list every priced line")
    args = parser.parse_args(argv)
    if args.env:  # a name without a file in --envs, or one that is not synthesized, is told apart
        sys.path.insert(0, str(PROJECT_ROOT))
        from tools.environments import chosen_problem

        synthesized = {path.parent.name.split("-")[0] for path in Path(args.outdir).glob("stacks/*/cdk.tf.json")}
        problem = chosen_problem(args.env, Path(args.envs), synthesized, args.outdir)
        if problem:
            print(f"cost: {problem}", file=sys.stderr)
            return 2
    try:
        prices = load_prices(Path(args.prices))
        result = estimate(args.outdir, prices, environments=args.env or None)
    except (PriceError, FileNotFoundError) as error:
        print(f"cost: {error}", file=sys.stderr)
        return 1
    print(render(result, args.detail))
    envs = Path(args.envs)
    if envs.is_dir():
        for warning in _budget_check(envs, result):
            print(f"warning: {warning}")
    return 0


def _budget_check(envs: Path, result: Estimate) -> list[str]:
    """`budget_warnings` of the environment files in `envs` that have stacks in `result`. The estimate
    itself needs only the standard library; reading the files needs the project's packages, so a
    Python without them (or a file that does not load) gets a note instead of the check."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from constructs_lib import interpreter

    # Every package reading the files imports (tzlocal too, which only some settings load), looked
    # up before importing any.
    absent = interpreter.lacking(interpreter.CONFIG_PACKAGES, "make cost", "tools/cost.py")
    if absent:
        return [f"no budget check: {absent}"]
    from constructs_lib.config import loader

    try:
        environments = loader.load_environments(envs)
    except loader.ConfigError as error:
        return [f"no budget check: {error}"]
    shown = result.environments()
    return budget_warnings([env for env in environments if env.name in shown], result)


if __name__ == "__main__":
    sys.exit(main())
