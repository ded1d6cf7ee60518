"""The project's commands as someone runs them outside `make`: `--help` names every default, and a
Python that lacks the project's packages (any interpreter but .venv's) gets one plain message and
exit code 2 instead of a traceback (`constructs_lib.interpreter`)."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from constructs_lib import interpreter
from tests.background import run_in_background, start

COMMANDS = ("main", "tools.preflight", "tools.cost", "tools.diagram", "tools.env_schema", "tools.lock_providers",
            "tools.security_gate", "tools.pipeline", "bench.synth_bench")
"""Modules whose `main(argv)` is a command line."""


class _Parsed(Exception):
    def __init__(self, parser: argparse.ArgumentParser):
        self.parser = parser


def parser_of(module_name: str, monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser a command's `main` builds, caught when it parses (nothing else of `main` runs)."""
    def caught(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        raise _Parsed(self)

    module = importlib.import_module(module_name)
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", caught)
    with pytest.raises(_Parsed) as parsed:
        module.main(["--help"])
    return parsed.value.parser


@pytest.mark.parametrize("module_name", COMMANDS)
def test_help_names_every_default(module_name, monkeypatch):
    """An option that has a default (other than off or none) says it in its help: `python main.py
    --help` tells where environment files are read from and where the output goes."""
    silent = []
    for action in parser_of(module_name, monkeypatch)._actions:
        default = action.default
        if not action.option_strings or argparse.SUPPRESS in (action.help, default) or default in (None, False, [], ""):
            continue
        if isinstance(default, (str, int, Path, list)) and "default" not in (action.help or ""):
            silent.append(f"{'/'.join(action.option_strings)} (default {default!r})")
    assert not silent, f"{module_name}: --help does not name these defaults: {silent}"


def test_main_help_says_where_it_reads_and_writes(monkeypatch):
    helps = {action.dest: action.help or "" for action in parser_of("main", monkeypatch)._actions}
    assert "(default: envs/)" in helps["envs"]
    assert "default: cdktf.out/" in helps["outdir"] and "CDKTF_OUTDIR" in helps["outdir"]
    assert "default: every environment" in helps["env"]


BARE_PYTHON = {
    "main.py": ["main.py"],
    "main.py --list": ["main.py", "--list"],
    "preflight": ["-m", "tools.preflight"],
    "schema": ["-m", "tools.env_schema", "--check"],
    "diagram": ["tools/diagram.py", "--outdir", "cdktf.out"],
}
"""Commands run with `python -S` (no site-packages: the interpreter's standard library alone)."""


@pytest.fixture(scope="module")
def bare_runs() -> dict[str, Future[Any]]:
    """Every `BARE_PYTHON` command, started together beside the tests."""
    return {name: start(run_in_background, [sys.executable, "-S", *command], timeout=120)
            for name, command in BARE_PYTHON.items()}


CONFIG_MISSING = "pydantic, pydantic-core, annotated-types, typing-extensions, typing-inspection, PyYAML and tzlocal"
EXPECTED_HINT = {
    "main.py": (CONFIG_MISSING, "make synth", "main.py"),
    "main.py --list": (CONFIG_MISSING, "make list", "main.py --list"),
    "preflight": (CONFIG_MISSING, "make preflight", "-m tools.preflight"),
    "schema": (CONFIG_MISSING, "make schema", "-m tools.env_schema"),
    "diagram": ("pydantic, pydantic-core, annotated-types, typing-extensions, typing-inspection, PyYAML, tzlocal, "
                "diagrams, graphviz, Jinja2 and MarkupSafe", "make diagram", "tools/diagram.py"),
}


@pytest.mark.parametrize("name", BARE_PYTHON)
def test_a_python_without_the_packages_gets_the_way_to_run_it(bare_runs, name):
    result = bare_runs[name].result(timeout=120)
    packages, make, run = EXPECTED_HINT[name]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{packages} are not installed in this Python (" in result.stderr, result.stderr
    assert f"Run `{make}`, which sets up .venv from requirements.txt first, or `.venv/bin/python {run}` once .venv " \
           "exists." in result.stderr


def test_the_cost_estimate_runs_on_the_standard_library_and_skips_the_budget_check(synthesized):
    """tools/cost.py needs no package for the estimate; the budget check reads the environment files."""
    result = run_in_background([sys.executable, "-S", "tools/cost.py", "--outdir", str(synthesized.outdir), "--env",
                                "dev"], timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith("dev: monthly estimate")
    assert f"warning: no budget check: {CONFIG_MISSING} are not installed in this Python (" in result.stdout


HIDING = ("import runpy, sys\n"
          "for module in sys.argv[1].split(','): sys.modules[module] = None\n"
          "command = sys.argv[2:]\n"
          "sys.argv = command[1:] if command[0] == '-m' else command\n"
          "runpy.run_module(command[1], run_name='__main__', alter_sys=True) if command[0] == '-m' "
          "else runpy.run_path(command[0], run_name='__main__')\n")
"""Runs a command (`-m module ...` or `script ...`) as Python would, with the modules of argv[1]
(comma-separated) made unimportable, as in a Python that lacks them."""

ONE_PACKAGE_MISSING = {
    "main.py --list": ("tzlocal", ["main.py", "--list"], "make list"),
    "main.py": ("tzlocal", ["main.py", "--outdir", "{outdir}"], "make synth"),
    "main.py, cdktf's own requirement": ("typeguard", ["main.py", "--outdir", "{scratch}"], "make synth"),
    "preflight": ("tzlocal", ["-m", "tools.preflight"], "make preflight"),
    "schema": ("tzlocal", ["-m", "tools.env_schema", "--check"], "make schema"),
    "pipeline deploy": ("tzlocal", ["tools/pipeline.py", "deploy", "--outdir", "{outdir}", "--max-waves", "6"],
                        "make setup"),
    "diagram": ("jinja2", ["tools/diagram.py", "--outdir", "{scratch}"], "make diagram"),
    "bench": ("psutil", ["bench/synth_bench.py"], "make bench"),
}
"""Entry point -> (one module it needs only indirectly or only for some settings, its command line, its
make target). tzlocal is imported only when a file sets `cluster.stop_schedule` (dev.yaml does)."""


@pytest.fixture(scope="module")
def hidden_runs(synthesized, tmp_path_factory) -> dict[str, Future[Any]]:
    """Every `ONE_PACKAGE_MISSING` command, started together beside the tests (each with a scratch
    output folder of its own)."""
    runs = {}
    for name, (module, command, _) in ONE_PACKAGE_MISSING.items():
        scratch = tmp_path_factory.mktemp("hidden") / "out"
        command = [part.format(outdir=synthesized.outdir, scratch=scratch) for part in command]
        runs[name] = start(run_in_background, [sys.executable, "-c", HIDING, module, *command], timeout=120)
    return runs


@pytest.mark.parametrize("name", ONE_PACKAGE_MISSING)
def test_every_entry_point_checks_all_it_imports_before_importing_any(name, hidden_runs):
    """A Python that has pydantic but not tzlocal (or cdktf but not typeguard, ...) is told so
    before the run starts, not by a `ModuleNotFoundError` traceback halfway through."""
    module, _, make = ONE_PACKAGE_MISSING[name]
    result = hidden_runs[name].result(timeout=120)
    distribution = {**interpreter.CONFIG_PACKAGES, **interpreter.SYNTH_PACKAGES, **interpreter.DIAGRAM_PACKAGES,
                    "psutil": "psutil"}[module]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{distribution} is not installed in this Python (" in result.stderr, result.stderr
    assert f"Run `{make}`" in result.stderr


def test_the_cost_budget_check_looks_up_tzlocal_before_reading_the_files(synthesized):
    result = run_in_background([sys.executable, "-c", HIDING, "tzlocal", "tools/cost.py", "--outdir",
                                str(synthesized.outdir), "--env", "dev"], timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "warning: no budget check: tzlocal is not installed in this Python (" in result.stdout


def _imported_by(distribution: str) -> set[str]:
    """The top-level modules an installed distribution provides (from its RECORD)."""
    files = importlib.metadata.distribution(distribution).files or []
    return {file.parts[0].split(".")[0] for file in files if file.suffix in (".py", ".so")
            and not file.parts[0].endswith((".dist-info", ".data")) and file.parts[0] != ".."}


def _requirements_of(distribution: str, skip: frozenset[str] = frozenset()) -> set[str]:
    """`distribution` and, transitively, every distribution it requires on this platform (lower case)."""
    from packaging.requirements import Requirement

    found: set[str] = set()
    todo = [distribution]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in found or name in skip:
            continue
        found.add(name)
        for line in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


@pytest.mark.parametrize(("packages", "direct", "skip"), [
    (interpreter.CONFIG_PACKAGES, ["pydantic", "PyYAML", "tzlocal"], frozenset()),
    (interpreter.SYNTH_PACKAGES, ["cdktf", "cdktf-cdktf-provider-azurerm", "cdktf-cdktf-provider-helm",
                                  "cdktf-cdktf-provider-time"], frozenset()),
    (interpreter.DIAGRAM_PACKAGES, ["pydantic", "PyYAML", "tzlocal", "diagrams", "graphviz"],
     frozenset({"pre-commit"})),  # required by diagrams' metadata, never imported by drawing
], ids=["config", "synth", "diagram"])
def test_the_checks_cover_every_package_imported_in_turn(packages, direct, skip):
    """Every distribution the directly used packages require, transitively (per their installed
    metadata), is in the set a command checks, under a module it provides."""
    for distribution in sorted(set().union(*(_requirements_of(name, skip) for name in direct))):
        modules = _imported_by(distribution)
        assert modules & set(packages), f"{distribution} (import {' or '.join(sorted(modules))}) is not checked"


def test_every_package_the_checks_name_is_pinned_or_required_by_a_pinned_one():
    pins = interpreter.pinned_versions()
    required = set().union(*(_requirements_of(name) for name in pins))
    for packages in (interpreter.CONFIG_PACKAGES, interpreter.SYNTH_PACKAGES, interpreter.DIAGRAM_PACKAGES):
        for module, distribution in packages.items():
            assert distribution.lower() in required, f"{distribution} (import {module}) comes from no pinned package"


def test_a_python_too_old_or_with_other_versions_is_told_so(tmp_path):
    assert interpreter.too_old("make synth", "main.py") is None, "this Python is recent enough"
    old = interpreter.too_old("make synth", "main.py", minimum=(99, 0))
    assert old is not None and "the project needs Python 99.0 or later. Run `make synth`" in old
    pins = tmp_path / "requirements.txt"
    pins.write_text("# pinned\nPyYAML==0.0.1\npydantic==99.0\ncdktf==0.21.0  # ok\n")
    assert interpreter.pinned_versions(pins) == {"pyyaml": "0.0.1", "pydantic": "99.0", "cdktf": "0.21.0"}
    found = interpreter.other_versions({"yaml": "PyYAML", "cdktf": "cdktf"}, requirements=pins)
    assert len(found) == 1 and found[0].startswith("PyYAML 6.") and found[0].endswith("(requirements.txt pins 0.0.1)")


def test_an_import_error_the_interpreter_does_not_explain_keeps_its_traceback():
    """A fault in the project's own code is not blamed on the interpreter."""
    error = ImportError("cannot import name 'nothing' from 'constructs_lib'")
    with pytest.raises(ImportError, match="cannot import name 'nothing'"):
        interpreter.stop_on_import_error(error, interpreter.CONFIG_PACKAGES, "make synth", "main.py")

