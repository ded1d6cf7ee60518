"""The project's commands as someone runs them outside `make`: `--help` names every default, and a
Python that lacks the project's packages (any interpreter but .venv's) gets one plain message and
exit code 2 instead of a traceback (`constructs_lib.interpreter`)."""

from __future__ import annotations

import argparse
import importlib
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


EXPECTED_HINT = {
    "main.py": ("pydantic, PyYAML and tzlocal", "make synth", "main.py"),
    "main.py --list": ("pydantic, PyYAML and tzlocal", "make list", "main.py --list"),
    "preflight": ("pydantic, PyYAML and tzlocal", "make preflight", "-m tools.preflight"),
    "schema": ("pydantic, PyYAML and tzlocal", "make schema", "-m tools.env_schema"),
    "diagram": ("pydantic, diagrams and graphviz", "make diagram", "tools/diagram.py"),
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
    assert "warning: no budget check: pydantic, PyYAML and tzlocal are not installed in this Python (" in result.stdout


def test_every_package_the_checks_name_is_pinned_in_requirements():
    pins = interpreter.pinned_versions()
    for packages in (interpreter.CONFIG_PACKAGES, interpreter.SYNTH_PACKAGES, interpreter.DIAGRAM_PACKAGES):
        for module, distribution in packages.items():
            assert distribution.lower() in pins, f"{distribution} (import {module}) is not pinned in requirements.txt"


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

