"""Session fixtures and background checks.

- The provider bindings load lazily (`constructs_lib._bindings`): importing `constructs_lib`
  first makes every later binding import cheap. Tests of pure configuration never import cdktf:
  the fixtures that need it import it when they are first used.
- Every shipped environment is synthesized once per session (`synthesized`).
- Work that runs in another process is started early, at a lower CPU priority
  (tests/background.py), and collected by the tests that judge it, so it overlaps with the rest of
  the suite on a second core. For the whole suite the second synth, the static checks (ruff, mypy,
  import contracts) and checkov's import start before collection, and checkov scans as soon as the
  session synth is written; a partial run starts, after collection, only what its selected tests use.
- The garbage collector runs less often and ignores what collection loaded (`gc.freeze`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import constructs_lib  # noqa: F401  (first: the provider bindings then load lazily)
from constructs_lib.config.loader import load_environments
from constructs_lib.config.stack_plan import stack_plan
from tests.background import lower_priority, run_in_background
from tests.envfiles import PROJECT_ROOT, env_named, environments_under_test, main_command
from tests.second_synth import LOCK_TEXT

VENV_BIN = Path(sys.executable).parent

STATIC_CHECKS: dict[str, list[str]] = {
    "ruff": [str(VENV_BIN / "ruff"), "check", "--no-cache", "."],
    "mypy": [str(VENV_BIN / "mypy")],
    "import contracts": [str(VENV_BIN / "lint-imports"), "--no-cache"],
}
"""Static checks `make test` runs (tests/test_static_checks.py), each a command from the project root."""

_executor = ThreadPoolExecutor(max_workers=5, thread_name_prefix="background-check")
_static: dict[str, Future[subprocess.CompletedProcess[str]]] = {}
_second_synth: list[Future[SecondSynth]] = []
_temporary: list[Path] = []
"""Folders the background jobs create; removed when the session finishes."""


@dataclass(frozen=True)
class OneEnvironment:
    """The second synth's output copied, a Terraform team's files laid into it
    (`tests.second_synth.prepare_one_environment`), then `main.py --env <generated>` over it."""

    process: subprocess.CompletedProcess[str]
    outdir: Path
    before: list[str]
    """The stacks its manifest listed before the run."""
    other: str
    """The other environment's stack folder that got a marker."""


@dataclass(frozen=True)
class SecondSynth:
    """`main.py` run end to end in a process of its own (another hash seed; tests/second_synth.py)
    over one shipped environment (prod when it exists) plus an environment generated the way a user
    adds one (tests/envfiles.py, local state, no role-propagation waits), into an output folder that
    held a stale stack (`old-eastus-hub`) and, in the folder of a stack it synthesizes again
    (`locked_stack`), a lock file (`tests.second_synth.LOCK_TEXT`); then, in the same process, `main.py --env`
    of the generated environment over a copy (`one_environment`)."""

    process: subprocess.CompletedProcess[str]
    outdir: Path
    environments: list[Any]
    """The shipped environments and the generated one, as main.py read them."""
    generated: Any
    """The generated environment."""
    locked_stack: str
    """The stack whose folder held `.terraform.lock.hcl` before the synth."""
    one_environment: OneEnvironment | None
    """None when the full run failed."""


def _run_second_synth() -> SecondSynth:
    from tests.envfiles import generated_environment, set_path, write_env

    folder = Path(tempfile.mkdtemp(prefix="second-synth-"))
    _temporary.append(folder)
    envs = folder / "envs"
    envs.mkdir()
    # The richest shipped environment (two regions, Front Door, the reference profile) beside the
    # generated one (dev's cheap profile on local state): every kind of stack, for half the work.
    shipped = sorted((PROJECT_ROOT / "envs").glob("*.y*ml"), key=lambda p: (p.stem != "prod", p.stem))
    shutil.copy(shipped[0], envs / shipped[0].name)
    # Also without role-propagation waits: tests/stacks/test_cluster_stack_providers.py reads its cluster stack.
    generated_file = write_env(envs, set_path(generated_environment(), "deploy.role_propagation_seconds", 0))
    environments = load_environments(envs)
    generated = env_named(environments, generated_file.stem)
    outdir = folder / "cdktf.out"
    stale = outdir / "stacks" / "old-eastus-hub"
    stale.mkdir(parents=True)
    (stale / "cdk.tf.json").write_text("{}")
    locked = next(planned.name for env in environments for planned in stack_plan(env) if planned.kind == "hub")
    (outdir / "stacks" / locked).mkdir()
    (outdir / "stacks" / locked / ".terraform.lock.hcl").write_text(LOCK_TEXT)
    # What the previous synth recorded (its manifest lists the stacks whose folders it wrote).
    previous = {name: {"name": name, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json", "dependencies": []}
                for name in ("old-eastus-hub", locked)}
    (outdir / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": previous}))
    # --no-diagrams: drawing is tested on the session synth (tests/tools/test_diagram.py).
    runner = run_in_background([sys.executable, "-m", "tests.second_synth", str(envs), str(outdir), generated.name],
                               env={**os.environ, "PYTHONHASHSEED": "random"})
    if runner.returncode != 0:
        raise RuntimeError(f"tests.second_synth failed (exit {runner.returncode}):\n{runner.stderr}")
    runs = json.loads(runner.stdout)

    def completed(run: dict[str, Any], outdir: Path) -> subprocess.CompletedProcess[str]:
        command = main_command("--envs", str(envs), "--outdir", str(outdir))
        return subprocess.CompletedProcess(command, run["returncode"], run["stdout"], run["stderr"])

    one = None
    if "one" in runs:
        one_outdir = Path(runs["one_outdir"])
        one = OneEnvironment(completed(runs["one"], one_outdir), one_outdir, runs["before"], runs["other"])
    return SecondSynth(completed(runs["full"], outdir), outdir, environments, generated, locked, one)


WAITS_FOR_BACKGROUND = ("tests/test_static_checks.py", "tests/tools/test_security_gate.py")
"""Test modules that collect the last background jobs to finish (the static checks, the checkov
gate): they run last, when those are most likely done (an order only: what starts a job is a
selected test that needs its fixture, see `_needs`)."""


PURE_TESTS = ("tests/config/", "tests/test_project_files.py", "tests/test_architecture.py",
              "tests/app/test_deploy_order.py", "tests/workload/test_manifests.py", "tests/tools/test_ci_run.py",
              "tests/tools/test_env_schema.py", "tests/tools/test_lock_providers.py", "tests/tools/test_preflight.py")
"""Tests that never touch cdktf (tests/test_conftest.py checks that none of them imports it): they run
first, while the session synth runs in the background."""
_session_synth: list[Future[Any]] = []


def _pure(item: Any) -> bool:
    return str(Path(str(item.path)).relative_to(PROJECT_ROOT)).startswith(PURE_TESTS)


def _needs(item: Any, fixture: str) -> bool:
    """Whether a test uses `fixture`: among the fixtures pytest computed for it (transitively), or
    named by a `uses` marker when the test gets it through `request.getfixturevalue`."""
    return fixture in getattr(item, "fixturenames", ()) or any(
        fixture in marker.args for marker in item.iter_markers("uses"))


_waiting_checkov: list[Any] = []
"""checkov started ahead of the synth (`tools.security_gate.WaitingCheckov`), when the gate's tests run."""


def _start_checkov() -> None:
    from tools import security_gate

    # Without checkov, run_gate (started without a waiting one) reports what is missing.
    with contextlib.suppress(security_gate.GateError):
        _waiting_checkov.append(security_gate.WaitingCheckov())
        lower_priority(_waiting_checkov[0].process.pid)


SYNTH_SWITCH_INTERVAL_SECONDS = 0.001
"""The interpreter's thread switch interval while the session synth runs (default 0.005)."""


def _synthesize_session(environments: list[Any], gate: bool) -> Any:
    """Every tested environment synthesized once (on a worker thread, overlapping the pure tests),
    then, with `gate`, the checkov gate started over the output (in the checkov that has been
    importing itself meanwhile, see `_start_checkov`)."""
    from tests.synth import synthesize

    outdir = Path(tempfile.mkdtemp(prefix="session-cdktf.out-"))
    _temporary.append(outdir)
    # Every jsii call hands the GIL back and forth with the tests on the main thread; at Python's
    # default 5 ms switch interval the synth waits up to that long per call for it (~5,000 calls).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SYNTH_SWITCH_INTERVAL_SECONDS)
    try:
        result = synthesize(environments, outdir)
    finally:
        sys.setswitchinterval(interval)
    if gate:
        from tools import security_gate

        result.security_gate = _executor.submit(
            security_gate.run_gate, result.outdir,
            [PROJECT_ROOT / path for path in security_gate.DEFAULT_MANIFESTS],
            started=_waiting_checkov[0] if _waiting_checkov else None)
    return result


def _whole_suite(config: pytest.Config) -> bool:
    """Whether this run is the whole suite as `make test` runs it (the configured test paths, no
    `-k`, `-m` or `--deselect`): then every background job is needed, known before collection."""
    option = config.option
    return (config.args_source == pytest.Config.ArgsSource.TESTPATHS and not option.keyword
            and not option.markexpr and not option.deselect and not option.collectonly)


def _start_static() -> None:
    for name, command in STATIC_CHECKS.items():
        _static[name] = _executor.submit(run_in_background, command)


def _start_second_synth() -> None:
    _second_synth.append(_executor.submit(_run_second_synth))


_JOBS = {"static": _start_static, "second synth": _start_second_synth, "checkov": _start_checkov}
"""The background jobs that need nothing from collection, by name."""
_started: set[str] = set()


def _start(job: str) -> None:
    """Start a background job of `_JOBS` (once)."""
    if job not in _started:
        _started.add(job)
        _JOBS[job]()


GC_THRESHOLDS = (10_000, 20, 20)
"""The cyclic garbage collector's thresholds during the session (Python's default: 700, 10, 10)."""


def pytest_configure(config: pytest.Config) -> None:
    """Fewer garbage collections: the process holds several hundred thousand long-lived objects
    (the provider bindings, hypothesis, pydantic, every test module), and each full collection walks
    them all. With Python's default thresholds (and no `gc.freeze`, below) the suite took about 3 s
more CPU and 2 s more wall time on two cores."""
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything collection created lives to the end of the session: move it out of the collector's
    sight (`gc.freeze`), so later collections walk only what the tests create."""
    gc.collect()
    gc.freeze()


def pytest_sessionstart(session: pytest.Session) -> None:
    """For the whole suite, start the jobs that need nothing from collection now, so they use the
    second core while pytest collects on the first. (The session synth waits for collection: jsii
    serves one caller, and collecting imports the constructs.)"""
    if _whole_suite(session.config):
        for job in _JOBS:
            _start(job)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """cdktf's jsii runtime serves one caller: a test that may use it starts only after the session
    synth on the worker thread is done (the pure tests, sorted first, do not wait). A hook, not an
    autouse fixture: it runs before every fixture of the test, module-scoped ones included."""
    if _session_synth and not _pure(item):
        _session_synth[0].result()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    """Order the selected tests (after `-k`, `-m` and `--deselect` have removed the others) and start
    the background jobs they need, each only when a selected test uses its fixture."""
    def waits(item: Any) -> bool:
        return str(Path(str(item.path)).relative_to(PROJECT_ROOT)) in WAITS_FOR_BACKGROUND

    items.sort(key=lambda item: (waits(item), not _pure(item)))
    if config.option.collectonly:
        return
    if any(_needs(item, "synthesized") for item in items):
        gate = any(_needs(item, "real_gate") for item in items)
        if gate:
            _start("checkov")
        # Loaded here, on the main thread: the worker and the tests then share one cached load.
        _session_synth.append(_executor.submit(_synthesize_session, environments_under_test(), gate))
    if any(_needs(item, "static_checks") for item in items):
        _start("static")
    if any(_needs(item, "second_synth") for item in items):
        _start("second synth")


def pytest_sessionfinish(session: pytest.Session) -> None:
    _executor.shutdown(wait=True, cancel_futures=True)
    for checkov in _waiting_checkov:
        checkov.close()  # unused when the session synth failed
    for folder in _temporary:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def static_checks() -> dict[str, Future[subprocess.CompletedProcess[str]]]:
    """The static checks started with the session: name -> future of the finished process."""
    return _static


@pytest.fixture(scope="session")
def second_synth() -> SecondSynth:
    """The second synth (see `SecondSynth`), started with the session when a selected test uses it."""
    assert _second_synth, "started with the session"
    result = _second_synth[0].result()
    assert result.process.returncode == 0, result.process.stderr
    return result


@pytest.fixture(scope="session")
def real_gate(synthesized):
    """checkov, once, over every stack of the shipped environments and the shipped manifests
    (started in the background as soon as they were synthesized, when a selected test uses it)."""
    assert synthesized.security_gate is not None, "the gate starts with the synth when its tests are selected"
    return synthesized.security_gate.result()


@pytest.fixture(scope="session")
def environments():
    """The shipped environments (envs/*.yaml) and the generated one, validated
    (`tests.envfiles.environments_under_test`)."""
    return environments_under_test()


@pytest.fixture(scope="session")
def synthesized():
    """Every tested environment (shipped + generated) synthesized once, through `App.synth()` as
    main.py does, started on a worker thread once collection is done."""
    assert _session_synth, "started once collection is done"
    return _session_synth[0].result()


