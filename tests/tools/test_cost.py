"""`make cost` (tools/cost.py): the estimate from the synthesized JSON and the committed price table."""

from __future__ import annotations

import copy
import csv
import json
import re
from types import SimpleNamespace

import pytest

from tests.envfiles import GENERATED_NAME, PROJECT_ROOT, env_named
from tools import cost

PRICE_TABLE = PROJECT_ROOT / "cost" / "prices.csv"


def table() -> dict[str, dict[str, str]]:
    """The price table read with nothing but csv (independent of tools/cost.py)."""
    with PRICE_TABLE.open(newline="") as handle:
        return {row["meter"]: row for row in csv.DictReader(handle)}


def price(meter: str) -> float:
    return float(table()[meter]["unit_price"])


@pytest.fixture(scope="module")
def estimate(synthesized):
    return cost.estimate(synthesized.outdir)


def test_every_price_row_says_where_it_comes_from():
    rows = table()
    assert rows, "empty price table"
    for meter, row in rows.items():
        assert float(row["unit_price"]) >= 0, meter
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), meter
        assert row["source"].startswith("https://"), meter
        assert row["status"] in ("doc", "secondary", "unconfirmed"), meter
        assert row["currency"] == "USD" and row["unit"] and row["region"], meter
    # Rows nobody could confirm from a source are marked so; the report names them.
    assert rows["vm.Standard_D4d_v5"]["status"] == "unconfirmed"


def test_every_resource_type_in_the_json_is_priced_or_known_to_be_free(synthesized):
    types = {t for stack in synthesized.stacks.values() for t in stack.doc.get("resource", {})}
    unknown = types - set(cost.PRICED) - set(cost.FREE)
    assert not unknown, f"add these to tools/cost.py PRICED (with a price row) or FREE (with the reason): {unknown}"
    assert not set(cost.PRICED) & set(cost.FREE)


def test_every_priced_meter_in_the_json_has_a_price_row(synthesized):
    """A new SKU (say a Basic registry or another VM size) fails here until cost/prices.csv has its row."""
    rows = table()
    missing = {charge.meter for stack in synthesized.stacks.values() for charge in cost.stack_charges(stack.doc)
               if charge.meter not in rows}
    assert not missing, f"cost/prices.csv lacks {sorted(missing)}"


def test_a_new_sku_without_a_price_is_an_error(synthesized):
    doc = copy.deepcopy(synthesized.stack("dev-eastus2-cluster").doc)
    next(iter(doc["resource"]["azurerm_kubernetes_cluster"].values()))["default_node_pool"]["vm_size"] = "Standard_X9_v9"
    with pytest.raises(cost.PriceError, match=r"needs meter vm\.Standard_X9_v9, which cost/prices.csv lacks"):
        cost.estimate_stack("dev-eastus2-cluster", doc, cost.load_prices())
    doc["resource"]["azurerm_frobnicator"] = {"X": {}}
    with pytest.raises(cost.PriceError, match=r"azurerm_frobnicator: not in the cost model"):
        cost.stack_charges(doc)


def test_dev_hub_total_recomputed_by_hand(estimate, synthesized, environments):
    """dev's hub: a Standard firewall with three public IPs, a Standard Bastion with one, 730 hours."""
    dev = env_named(environments, "dev")
    assert (dev.hub.firewall_sku, dev.hub.bastion_sku) == ("Standard", "Standard")
    hub = synthesized.stack("dev-eastus2-hub")
    assert len(hub.resources("azurerm_public_ip")) == 4
    by_hand = 730 * (price("firewall.Standard") + 4 * price("public_ip.Standard.Static") + price("bastion.Standard"))
    (stack,) = [s for s in estimate.stacks if s.name == "dev-eastus2-hub"]
    assert stack.fixed == stack.maximum == pytest.approx(by_hand, abs=0.01)
    assert by_hand == pytest.approx(912.50 + 14.60 + 730 * 0.29)


def test_dev_cluster_range_runs_from_the_node_minimums_to_the_maximums(estimate, synthesized):
    cluster = synthesized.stack("dev-eastus2-cluster")
    (stack,) = [s for s in estimate.stacks if s.name == "dev-eastus2-cluster"]
    d2, d4 = price("vm.Standard_D2d_v5") * 730, price("vm.Standard_D4d_v5") * 730
    gateway_units = 10 * 2 * price("app_gateway.WAF_v2.capacity_unit") * 730  # max_capacity 2, min 0
    # system 2-3 x D2d, user 2-3 x D4d, Spot 0-2 x D4d (at most the on-demand price)
    assert stack.maximum - stack.fixed == pytest.approx(1 * d2 + 1 * d4 + 2 * d4 + gateway_units, abs=0.01)
    assert not cluster.resources("azurerm_container_registry"), "the registry is the environment's (global stack)"
    assert {line.charge.meter for line in stack.lines} >= {"aks.tier.Free", "app_gateway.WAF_v2.fixed"}


def test_data_dependent_costs_are_per_unit_lines_never_totals(estimate):
    (stack,) = [s for s in estimate.stacks if s.name == "dev-eastus2-hub"]
    usage = {charge.meter for charge, _ in stack.usage}
    assert {"firewall.data", "log_analytics.ingestion", "bastion.outbound"} <= usage
    assert not usage & {line.charge.meter for line in stack.lines}


def test_a_stop_schedule_scales_nodes_and_tier_to_the_hours_the_cluster_runs(estimate):
    (stack,) = [s for s in estimate.stacks if s.name == f"{GENERATED_NAME}-northeurope-cluster"]
    assert stack.running_share == pytest.approx(5 * 12 / (7 * 24))  # 07:00-19:00, Monday-Friday
    vm = [line for line in stack.lines if line.charge.meter.startswith("vm.")]
    system = next(line for line in vm if "system pool" in line.charge.note)
    assert system.charge.low == pytest.approx(2 * 730 * stack.running_share)
    assert "stop schedule" in system.charge.note


@pytest.mark.parametrize(("events", "share"), [
    ([], 1.0),
    ([("start", "Monday", 7 * 60), ("stop", "Monday", 19 * 60)], 12 / 168),
    # Overnight: started Friday 18:00, stopped Monday 06:00.
    ([("start", "Friday", 18 * 60), ("stop", "Monday", 6 * 60)], (6 + 48 + 6) / 168),
])
def test_running_share_walks_the_week(events, share):
    assert cost.running_share(events) == pytest.approx(share)


def test_budget_warnings_name_the_environment_region_and_a_sufficient_amount(synthesized, environments):
    assert cost.budget_warnings(environments, synthesized.outdir) == []
    low = SimpleNamespace(name="dev", budget=SimpleNamespace(monthly_amount=500),
                          regions=[SimpleNamespace(name="eastus2")])
    (warning,) = cost.budget_warnings([low], synthesized.outdir)
    fixed = cost.estimate(synthesized.outdir).fixed("dev", "eastus2")
    assert warning.startswith(f"dev: budget.monthly_amount 500 is below the fixed monthly cost of eastus2 (about {fixed:,.0f} USD")
    suggested = int(re.search(r"budget\.monthly_amount: (\d+)", warning).group(1))
    assert suggested >= fixed


def test_make_cost_prints_every_environment(synthesized, capsys):
    assert cost.main(["--outdir", str(synthesized.outdir), "--envs", "/nonexistent"]) == 0
    out = capsys.readouterr().out
    for name in ("dev", "prod", GENERATED_NAME):
        assert re.search(rf"^{name}: monthly estimate", out, re.MULTILINE)
        assert re.search(r"^  total +[\d,]+\.\d\d +[\d,]+\.\d\d$", out, re.MULTILINE)
    assert "unconfirmed prices used" in out and "per GB" in out
    assert cost.main(["--outdir", "/nonexistent"]) == 1


def test_the_price_table_is_validated(tmp_path):
    bad = tmp_path / "prices.csv"
    bad.write_text("meter,unit_price,unit,region,currency,date,status,source\nx,abc,h,any,USD,2026-01-01,doc,https://x\n")
    with pytest.raises(cost.PriceError, match="unit_price 'abc' is not a number"):
        cost.load_prices(bad)
    bad.write_text("meter,unit_price,unit,region,currency,date,status,source\nx,1,h,any,USD,2026-01-01,guess,https://x\n")
    with pytest.raises(cost.PriceError, match="status out of doc, secondary, unconfirmed"):
        cost.load_prices(bad)


def test_cost_reads_registry_replicas_from_the_json_whatever_builds_them(synthesized):
    """The estimate counts whatever georeplications the shared registry's JSON holds."""
    doc = copy.deepcopy(synthesized.stack("prod-global").doc)
    registry = next(iter(doc["resource"]["azurerm_container_registry"].values()))
    registry["georeplications"] = []
    none = cost.estimate_stack("prod-global", doc, cost.load_prices())
    registry["georeplications"] = [{"location": "centralus"}, {"location": "westus3"}]
    two = cost.estimate_stack("prod-global", json.loads(json.dumps(doc)), cost.load_prices())
    assert two.fixed - none.fixed == pytest.approx(2 * price("container_registry.Premium.replica") * 730 / 24, abs=0.01)


def test_a_region_the_price_table_does_not_cover_is_said(estimate):
    text = cost.render(estimate)
    generated = text.split(f"{GENERATED_NAME}: monthly estimate", 1)[1].split("\n\n", 1)[0]
    assert "; this environment runs only in northeurope, where list prices may differ: read the totals as an " \
           "approximation" in generated, "its one region"
    dev = text.split("dev: monthly estimate", 1)[1].split("\n\n", 1)[0]
    assert "list prices may differ" not in dev, "eastus2 is priced"
    assert "data through private endpoints" in dev


@pytest.mark.parametrize(("regions", "note"), [
    (["eastus2"], None),
    (["westus2"], "prices are the table's (eastus and eastus2); this environment runs only in westus2, where list "
                  "prices may differ: read the totals as an approximation"),
    (["northeurope", "westus2"], "prices are the table's (eastus and eastus2); this environment runs in northeurope "
                                 "and westus2, none of them in the table, where list prices may differ: read the "
                                 "totals as an approximation"),
    (["eastus2", "westus2"], "prices are the table's (eastus and eastus2); this environment runs in eastus2 and also "
                             "in westus2, where list prices may differ: read the totals as an approximation"),
])
def test_the_region_note_fits_where_the_environment_runs(regions, note):
    """"also" only where the environment runs in a priced region too."""
    assert cost.region_note(regions, ["eastus", "eastus2"]) == note


def test_make_cost_with_env_prices_that_environment_alone(synthesized, capsys):
    """`make cost ENV=dev`: the output folder holds every environment; the estimate shows dev's."""
    assert cost.main(["--outdir", str(synthesized.outdir), "--env", "dev", "--envs", str(PROJECT_ROOT / "envs")]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^(\S+): monthly estimate", out, re.MULTILINE) == ["dev"]
