"""Processes the suite runs beside its tests, at a lower CPU priority.

On two cores the suite is CPU-bound: the main thread (collection, then the tests one after another)
is what everything waits for, while the jobs beside it (the second synth, checkov, the static checks,
batches of main.py runs) have slack until their tests run. Those jobs run at niceness
`BACKGROUND_NICENESS`, so the scheduler gives a contended core to the tests first; their child
processes (jsii's node runtime) inherit it. Results are the same at any priority.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BACKGROUND_NICENESS = 10
"""Added to the niceness of every background process (POSIX `nice`: 0 is normal, 19 the lowest)."""


def lower_priority(pid: int) -> None:
    """Lower the CPU priority of process `pid` by `BACKGROUND_NICENESS` (where the OS allows it)."""
    # AttributeError: no setpriority (Windows); OSError: the process has already ended.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + BACKGROUND_NICENESS)


def run_in_background(command: list[str], *, input: str | None = None, env: dict[str, str] | None = None,
                      timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, capture_output=True, text=True)` from the project root, at lowered
    priority; raises subprocess.TimeoutExpired (after killing it) when it outlives `timeout` seconds."""
    options: dict[str, Any] = {"cwd": PROJECT_ROOT, "env": env, "text": True, "stdout": subprocess.PIPE,
                               "stderr": subprocess.PIPE, "stdin": subprocess.PIPE if input is not None else None}
    with subprocess.Popen(command, **options) as process:
        lower_priority(process.pid)
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def start(function: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
    """`function(*args, **kwargs)` on a daemon thread of its own: the future of its result (or of
    the exception it raised). For work that waits on a background process beside the tests."""
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(function(*args, **kwargs))
        except BaseException as error:  # handed to whoever waits for the result
            future.set_exception(error)

    threading.Thread(target=work, name=f"background-{getattr(function, '__name__', 'job')}", daemon=True).start()
    return future
