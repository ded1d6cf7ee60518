"""`main.py` as a user runs it: progress while it works, a summary table at the end, one
environment at a time without touching the others, a stack list without a synth, and the lock
files a Terraform team adds surviving every synth."""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import Future
from pathlib import Path

import pytest

import main
from constructs_lib.config.stack_plan import stack_plan
from tests.background import run_in_background, start
from tests.envfiles import PROJECT_ROOT, base_env, env_named, load, main_command, set_path
from tests.main_batch import SYNTH_PACKAGES, MainRun, start_batch
from tests.second_synth import LOCK_TEXT, MARKER_TEXT


def test_main_synthesizes_every_environment_shows_progress_and_a_summary(second_synth):
    result = second_synth.process
    stacks = sorted(p.name for p in (second_synth.outdir / "stacks").iterdir())
    assert "Traceback" not in result.stderr and "warning:" not in result.stderr
    progress = [line for line in result.stderr.splitlines() if re.match(r"^\[ *\d+\.\d+s\] ", line)]
    assert any("validated" in line for line in progress) and any("building" in line for line in progress)
    assert any(line.endswith(f"wrote {second_synth.outdir}/") for line in progress)
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["stack", "resources", "depends", "on", "wave"]
    estimate = next(line for line in lines if line.startswith("Monthly estimate in USD"))
    assert all(re.search(rf"\b{env.name} [\d,]+-[\d,]+", estimate) for env in second_synth.environments), estimate
    from tools import cost

    # As `make cost` does, the line says which estimates are approximations (a region without list prices).
    unpriced = {env.name: cost.estimate(second_synth.outdir).unpriced_regions(env.name)
                for env in second_synth.environments}
    assert unpriced[second_synth.generated.name], unpriced
    for env, regions in unpriced.items():
        note = f" (approximate: {', '.join(regions)} ha{'s' if len(regions) == 1 else 've'} no list prices in the table)"
        assert re.search(rf"\b{env} [\d,]+-[\d,]+{re.escape(note) if regions else '(;|$)'}", estimate), estimate
    assert not any(line.startswith(("Diagrams:", "No diagrams:")) for line in lines), "--no-diagrams"
    lines = [line for line in lines if not line.startswith(("Monthly estimate", "Diagrams:", "No diagrams:", "warning:"))]
    listed = [line.split()[0] for line in lines[2:-1]]
    assert sorted(listed) == stacks
    for line in lines[2:-1]:
        name, count = line.split()[:2]
        doc = json.loads((second_synth.outdir / "stacks" / name / "cdk.tf.json").read_text())
        assert int(count) == sum(len(items) for items in doc["resource"].values()), line
    assert re.match(rf"^Synthesized {len(stacks)} stacks \(\d+ resources\) into {re.escape(str(second_synth.outdir))}/ "
                    r"in \d+\.\d s", lines[-1]), lines[-1]


def test_one_environment_is_synthesized_and_the_others_stay_untouched(second_synth):
    """`main.py --env <generated>` over a synthesized folder a Terraform team has worked in
    (tests/second_synth.py lays the files down, in the second synth's process)."""
    one = second_synth.one_environment
    assert one is not None and one.process.returncode == 0, one and one.process.stderr
    generated = second_synth.generated
    other = one.outdir / "stacks" / one.other
    mine = one.outdir / "stacks" / f"{generated.name}-{generated.regions[0].name}-cluster"
    assert re.search(rf"^Synthesized {len(stack_plan(generated))} stacks ", one.process.stdout, re.M), one.process.stdout
    assert (other / "marker").read_text() == MARKER_TEXT, "another environment's folder was replaced"
    assert (mine / ".terraform.lock.hcl").read_text() == LOCK_TEXT and (mine / ".terraform" / "providers").is_dir()
    assert not (mine / "stale").exists(), "the synthesized environment's folders are new"
    after = json.loads((one.outdir / "manifest.json").read_text())["stacks"]
    assert sorted(after) == one.before
    order = json.loads((one.outdir / "deploy-order.json").read_text())["environments"]
    assert sorted(order) == sorted(e.name for e in second_synth.environments)
    assert sorted(p.name for p in (one.outdir / "diagrams").iterdir()) == sorted(
        f"{env.name}.png" for env in second_synth.environments if env.name != generated.name), \
        "the other environments keep their diagrams; the synthesized one's is drawn again (make synth)"


def test_a_full_synth_keeps_lock_files_and_drops_retired_stacks(second_synth):
    """The second synth ran into a folder holding a retired stack and a lock file a Terraform team
    had committed in a stack folder the synth writes again (tests/conftest.py `SecondSynth`)."""
    locked = second_synth.outdir / "stacks" / second_synth.locked_stack / ".terraform.lock.hcl"
    assert locked.read_text() == LOCK_TEXT
    assert sorted(p.name for p in (second_synth.outdir / "stacks").iterdir()) == sorted(
        p.name for env in second_synth.environments for p in stack_plan(env)), "a full synth leaves no other stack"


@pytest.fixture(scope="module", autouse=True)
def quick_runs(tmp_path_factory) -> tuple[Future[dict[str, MainRun]], Path]:
    """The main.py runs that stop before any synth, in one process (tests/main_batch.py) started
    with this module's first test so it runs beside the others, and the output folder the
    unknown-environment run was given."""
    outdir = tmp_path_factory.mktemp("unknown-environment") / "out"
    return start_batch({
        "list": ["--list"], "unknown environment": ["--env", ABSENT, "--outdir", str(outdir)],
        "list unknown environment": ["--list", "--env", ABSENT, "--outdir", str(outdir)],
        "without cdktf": {"arguments": ["--outdir", str(outdir)], "without": list(SYNTH_PACKAGES)},
    }), outdir


"""What a Python outside .venv lacks although it has pydantic and PyYAML (the report: a system Python)."""


SHIPPED_NAMES = sorted(path.stem for path in (PROJECT_ROOT / "envs").glob("*.yaml"))
ABSENT = next(f"absent{i}" for i in range(100) if f"absent{i}" not in SHIPPED_NAMES)


def test_list_shows_stacks_and_waves_without_importing_cdktf(environments, quick_runs):
    result = quick_runs[0].result(timeout=120)["list"]
    assert result.returncode == 0 and not result.imported, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[2:]]
    bootstraps = [row for row in rows if row[2].endswith("-bootstrap")]
    assert bootstraps and all(row[1] == "once" for row in bootstraps), "applied once, before wave 1"
    shipped = [env for env in environments if (PROJECT_ROOT / "envs" / f"{env.name}.yaml").exists()]
    assert sorted(row[2] for row in rows) == sorted(p.name for env in shipped for p in stack_plan(env))
    assert rows == main.plan_rows(shipped) or [r[:3] for r in rows] == [r[:3] for r in main.plan_rows(shipped)]


def test_an_unknown_environment_is_refused_before_cdktf(quick_runs):
    batch, outdir = quick_runs
    result = batch.result(timeout=120)["unknown environment"]
    assert result.returncode == 2 and not result.imported
    assert f"envs: no environment {ABSENT}; environments here: {', '.join(SHIPPED_NAMES)}" in result.stderr
    assert not outdir.exists()


def test_list_never_claims_to_have_left_the_output_unchanged(quick_runs):
    """--list writes nothing, so its refusal says nothing about a synth or the output folder."""
    result = quick_runs[0].result(timeout=120)["list unknown environment"]
    assert result.returncode == 2 and not result.imported
    assert result.stderr == f"envs: no environment {ABSENT}; environments here: {', '.join(SHIPPED_NAMES)}\n"


def test_a_python_without_cdktf_gets_the_way_to_run_main_not_a_traceback(quick_runs):
    """`python main.py` with a Python that has the configuration packages but not cdktf stops before
    any work with exit 2, saying what is missing and how to run main.py where it is installed."""
    batch, outdir = quick_runs
    result = batch.result(timeout=120)["without cdktf"]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    first, last = result.stderr.strip().splitlines()
    assert first.startswith("cdktf, constructs, jsii, cdktf-cdktf-provider-azurerm, cdktf-cdktf-provider-helm and "
                            "cdktf-cdktf-provider-time are not installed in this Python (")
    assert first.endswith("Run `make synth`, which sets up .venv from requirements.txt first, or "
                          "`.venv/bin/python main.py` once .venv exists.")
    assert last == f"Nothing was synthesized; {outdir}/ is unchanged."
    assert not outdir.exists()


@pytest.fixture(scope="module", autouse=True)
def run_without_node(tmp_path_factory) -> tuple[Future[subprocess.CompletedProcess[str]], Path]:
    """main.py with a PATH that holds no `node`, started with this module's first test: (the
    future of the run, the output folder it was given)."""
    folder = tmp_path_factory.mktemp("without-node")
    command = main_command("--outdir", str(folder / "out"))
    return start(run_in_background, command, env={"PATH": str(folder)}, timeout=120), folder / "out"


def test_without_node_the_run_stops_with_the_fix_not_a_traceback(run_without_node):
    """cdktf needs Node.js (jsii); Terraform is not needed to synthesize."""
    future, outdir = run_without_node
    result = future.result(timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "`node` is not on PATH: install Node.js 20 or later" in result.stderr
    assert not outdir.exists()


def test_the_summary_draws_the_diagrams_and_says_where(synthesized, environments, monkeypatch):
    from tools import diagram

    drawn = [synthesized.outdir / "diagrams" / f"{name}.{ext}" for name in ("dev", "prod") for ext in ("gv", "png")]
    monkeypatch.setattr(diagram, "render_diagrams", lambda outdir, environments=None: drawn)
    lines = main.extras(synthesized.outdir, environments, main.Progress(quiet=True))
    assert lines[-1] == f"Diagrams: {drawn[1]}, {drawn[3]}"
    monkeypatch.setattr(diagram, "render_diagrams",
                        lambda outdir, environments=None: (_ for _ in ()).throw(diagram.DiagramError("no dot")))
    assert main.extras(synthesized.outdir, environments, main.Progress(quiet=True))[-1] == "No diagrams: no dot"
    assert not any(line.startswith("Diagrams") for line in
                   main.extras(synthesized.outdir, environments, main.Progress(quiet=True), diagrams=False))


def test_the_summary_of_one_environment_is_about_that_environment(synthesized, environments, monkeypatch):
    """`make synth ENV=dev` leaves the other environments' stacks in the output folder: its cost line,
    budget check and diagrams are about dev alone."""
    from tools import diagram

    dev = env_named(environments, "dev")
    asked: list[object] = []
    monkeypatch.setattr(diagram, "render_diagrams", lambda outdir, environments=None: asked.append(environments) or [])
    estimate, *_ = main.extras(synthesized.outdir, [dev], main.Progress(quiet=True))
    assert re.search(r": dev [\d,]+-[\d,]+$", estimate), estimate
    assert asked == [["dev"]], "only dev's diagram is drawn again"


def test_a_synth_warns_about_values_an_environment_shares_with_another(tmp_path):
    """A copied file that keeps dev's public host and state account synthesizes, with a warning per
    value (`make preflight` counts them as open items)."""
    dev = load(tmp_path, base_env(), name="dev")
    uat = load(tmp_path, set_path(base_env(), "name", "uat"), name="uat")
    warned = main.synth_warnings([uat], [dev, uat])
    assert [w.split(": ")[1] for w in warned] == [
        "ingress.public_host", "state.storage_account_name", "state.resource_group_name"], warned
    assert warned[0].startswith("uat: ingress.public_host: bicycle-dev is also dev's; ")
    assert main.synth_warnings([dev], [dev]) == []
