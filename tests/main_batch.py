"""Several `main.py` runs in one fresh process, for the cases that stop before any synth (bad files,
an unknown environment, `--list`): each process costs ~0.3 s of CPU to start and import the
configuration code, and the suite has a dozen such cases.

    python -m tests.main_batch  <  {"case": ["--envs", "...", ...], ...}   (JSON on standard input)

A case may also be {"arguments": [...], "without": ["cdktf", ...]}: the case then runs as in a Python
where those top-level modules are not installed (each set to None in `sys.modules`, so importing it
raises ModuleNotFoundError and `importlib.util.find_spec` finds nothing), restored afterwards.

prints {"case": {"returncode", "stdout", "stderr", "imported"}, ...} as JSON. Each case runs
`main.main(arguments)` as `python main.py arguments` would: its standard output and error are
captured apart, `SystemExit` gives the exit code, and an exception that escapes prints its
traceback to the case's standard error with exit code 1, as the interpreter would. `imported`
lists the cdktf and jsii modules loaded once the case is done: cases run in order in one process,
so a case that imports cdktf shows it from that case on, never before.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from constructs_lib._bindings import LAZY_PACKAGES
from tests.background import run_in_background, start

SYNTH_PACKAGES = ("cdktf", "constructs", "jsii", *LAZY_PACKAGES)
"""Top-level packages of cdktf, its runtime and the provider bindings: a run that stops before the
synth must not import them. The binding packages themselves are placeholders main.py registers
without running them (constructs_lib._bindings): only their submodules count."""


@dataclass(frozen=True)
class MainRun:
    """One case's result."""

    returncode: int
    stdout: str
    stderr: str
    imported: list[str]
    """cdktf and jsii modules loaded when the case was done (`SYNTH_PACKAGES`)."""


Case = list[str] | dict[str, list[str]]
"""main.py's arguments, or {"arguments": [...], "without": [module, ...]}."""


def run_batch(cases: dict[str, Case]) -> dict[str, MainRun]:
    """Run every case (name -> main.py arguments) in one new process, in order, from the project root."""
    process = run_in_background([sys.executable, "-m", "tests.main_batch"], input=json.dumps(cases), timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"tests.main_batch failed (exit {process.returncode}):\n{process.stderr}")
    return {name: MainRun(**result) for name, result in json.loads(process.stdout).items()}


def start_batch(cases: dict[str, Case]) -> Future[dict[str, MainRun]]:
    """`run_batch` started beside the tests (tests/background.py): the future of its result."""
    return start(run_batch, cases)


def _exit_code(exit: SystemExit) -> int:
    if exit.code is None:
        return 0
    if isinstance(exit.code, int):
        return exit.code
    print(exit.code, file=sys.stderr)  # what the interpreter does with a message
    return 1


@contextlib.contextmanager
def _without(modules: list[str]) -> Iterator[None]:
    """As if `modules` were not installed, for the duration."""
    saved = {name: sys.modules[name] for name in modules if name in sys.modules}
    sys.modules.update(dict.fromkeys(modules))
    try:
        yield
    finally:
        for name in modules:
            if name in saved:
                sys.modules[name] = saved[name]
            else:
                sys.modules.pop(name, None)


def _text_stream() -> io.TextIOWrapper:
    """A text stream with a byte buffer, like sys.stdout: jsii copies node's output to `.buffer`."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def run_case(case: Case) -> dict[str, Any]:
    """One case in this process, as `python main.py arguments` would run it (see the module)."""
    import main

    arguments, without = (case, []) if isinstance(case, list) else (case["arguments"], case.get("without", []))
    stdout, stderr = _text_stream(), _text_stream()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), _without(without):
        try:
            returncode = main.main(arguments)
        except SystemExit as exit:
            returncode = _exit_code(exit)
        except BaseException:  # what the interpreter prints for an uncaught exception
            traceback.print_exc()
            returncode = 1
    imported = sorted(name for name in sys.modules if name.split(".")[0] in SYNTH_PACKAGES and name not in LAZY_PACKAGES)
    return {"returncode": returncode, "stdout": stdout.buffer.getvalue().decode(),  # type: ignore[attr-defined]
            "stderr": stderr.buffer.getvalue().decode(), "imported": imported}  # type: ignore[attr-defined]


def _main() -> int:
    cases: dict[str, Case] = json.loads(sys.stdin.read())
    results = {name: run_case(arguments) for name, arguments in cases.items()}
    sys.stdout.write(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
