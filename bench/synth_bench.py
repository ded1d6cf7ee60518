#!/usr/bin/env python
"""Synth benchmark (run by `make bench`; not a test): wall time and peak memory of

  * the floor: a fresh process that only imports cdktf_cdktf_provider_azurerm (the whole prebuilt
    package, as any cdktf app that imports it normally pays),
  * the app's own import: `import constructs_lib.app.build`, every binding module a synth uses, loaded
    lazily (constructs_lib._bindings),
  * a full synth of every environment in envs/ (`main.py --outdir <tmp>`),
  * the test suite exactly as `make test` runs it (--skip-tests leaves it out),
  * synth of a generated environment with 1, 2, 4, 8 regions (`main.py --envs <tmp> --outdir <tmp>`),

each in its own child process, one after another, on this machine. Every row runs --repeat times
(default 3) and reports the median wall time and the highest peak RSS, since a shared 2-core
machine is noisy. Prints a Markdown table.

Memory: "peak RSS, largest process" is the child's ru_maxrss from os.wait4, i.e. the largest of
the child and the descendants it reaped (the Python process or jsii's node runtime, whichever is
bigger). "peak RSS, process tree" samples every 0.1 s (psutil) and sums the RSS of the child and
all its descendants (Python + node together), so it can miss a short spike.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # run as bench/synth_bench.py
from constructs_lib import interpreter  # noqa: E402 (standard library only)

# Checked before importing them: a plain message and exit 2, not a traceback.
interpreter.require({"psutil": "psutil", "yaml": "PyYAML"}, "make bench", "bench/synth_bench.py")

import psutil  # noqa: E402
import yaml  # noqa: E402

# Distinct zone-redundant regions, in the order the region-scaling environments take them.
BENCH_REGIONS = (
    "eastus2", "centralus", "westus3", "northeurope",
    "westeurope", "uksouth", "swedencentral", "francecentral",
)


@dataclass
class Run:
    """One measured child process."""

    label: str
    seconds: float
    max_rss_mib: float
    tree_rss_mib: float
    returncode: int


# --------------------------------------------------------------------------- measuring


def _process_tree_rss(root: int) -> int:
    """Bytes of RSS of `root` and all its descendants (0 once it has exited)."""
    try:
        parent = psutil.Process(root)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def log_path(log_dir: Path, label: str) -> Path:
    """Where `measure` writes the output of the run called `label`."""
    return log_dir / (label.replace(" ", "_").replace("/", "_") + ".log")


def measure(label: str, command: list[str], log_dir: Path) -> Run:
    """Run `command` from the project root, output to a log file; wall time and peak RSS."""
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1")
    log = log_path(log_dir, label)
    peak_tree = 0
    done = threading.Event()
    with open(log, "wb") as output:
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

        def sample() -> None:
            nonlocal peak_tree
            while not done.is_set():
                peak_tree = max(peak_tree, _process_tree_rss(child.pid))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
    run = Run(label, seconds, usage.ru_maxrss / 1024, peak_tree / 2**20, child.returncode)
    state = "ok" if run.returncode == 0 else f"EXIT {run.returncode}, see {log}"
    print(f"  {label}: {seconds:.1f} s, {run.max_rss_mib:.0f} MiB largest process, "
          f"{run.tree_rss_mib:.0f} MiB tree ({state})", file=sys.stderr, flush=True)
    return run


# --------------------------------------------------------------------------- region scaling


def region_block(template: dict, index: int, name: str) -> dict:
    """One region laid out like envs/dev.yaml: hub 10.(200+i).0.0/24, spoke 10.(100+i).0.0/16."""
    hub = ipaddress.IPv4Network(f"10.{200 + index}.0.0/24")
    spoke = ipaddress.IPv4Network(f"10.{100 + index}.0.0/16")
    h, s = hub.network_address, spoke.network_address
    block = copy.deepcopy(template)
    block.update({
        "name": name,
        "zones": ["1", "2", "3"],
        "hub": {
            "address_space": str(hub),
            "subnets": {"firewall": f"{h}/26", "gateway": f"{h + 64}/27", "bastion": f"{h + 128}/26"},
        },
        "spoke": {
            "address_space": str(spoke),
            "subnets": {
                "nodes": f"{s}/22",
                "ingress": f"{s + 4 * 256}/28",
                "private_endpoints": f"{s + 4 * 256 + 32}/28",
                "app_gateway": f"{s + 5 * 256}/24",
                "api_server": f"{s + 7 * 256}/28",
            },
            "ingress_load_balancer_ip": str(s + 4 * 256 + 4),
        },
    })
    return block


def write_region_env(folder: Path, regions: int) -> Path:
    """envs/dev.yaml with its regions replaced by `regions` generated ones, as <folder>/bench.yaml."""
    base = yaml.safe_load((PROJECT_ROOT / "envs" / "dev.yaml").read_text())
    template = base["regions"][0]
    names = BENCH_REGIONS[:regions]
    base["name"] = "bench"
    base["regions"] = [region_block(template, i, name) for i, name in enumerate(names)]
    # The same multi-region fix-ups as tests/envfiles.py two_regions (the benchmark does not import
    # the tests): keep both in step when the model's multi-region rules change.
    if base.get("paired_region") in names or regions > 1:
        base.pop("paired_region", None)  # only a single-region environment names one
    if regions > 1:
        base.pop("container_registry", None)  # several regions always replicate the registry
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bench.yaml"
    target.write_text(yaml.safe_dump(base, sort_keys=False))
    return target


# --------------------------------------------------------------------------- report


def measure_repeated(label: str, command: list[str], log_dir: Path, repeat: int) -> Run:
    """`measure` `repeat` times: median wall time, highest peaks, first non-zero exit code."""
    runs = [measure(label, command, log_dir) for _ in range(repeat)]
    return Run(
        label,
        statistics.median(r.seconds for r in runs),
        max(r.max_rss_mib for r in runs),
        max(r.tree_rss_mib for r in runs),
        next((r.returncode for r in runs if r.returncode), 0),
    )


def table(runs: list[Run], floor: Run) -> str:
    lines = [
        "| run | wall time (s) | vs floor (s) | time / floor | peak RSS, largest process (MiB) "
        "| peak RSS, process tree (MiB) | exit |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.seconds:.1f} | {run.seconds - floor.seconds:+.1f} | "
            f"{run.seconds / floor.seconds:.2f} | {run.max_rss_mib:.0f} | {run.tree_rss_mib:.0f} | {run.returncode} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (median; default 3)")
    parser.add_argument("--regions", type=int, nargs="*", default=[1, 2, 4, 8],
                        help=f"region counts to synthesize (max {len(BENCH_REGIONS)}; default 1 2 4 8)")
    args = parser.parse_args(argv)
    if any(not 1 <= n <= len(BENCH_REGIONS) for n in args.regions):
        parser.error(f"--regions: each count must be 1-{len(BENCH_REGIONS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    python = sys.executable
    runs: list[Run] = []
    print(f"benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{args.repeat} run(s) per row", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        work = Path(tmp)
        floor = measure_repeated("floor: import azurerm bindings",
                                 [python, "-c", "import cdktf_cdktf_provider_azurerm"], work, args.repeat)
        runs.append(floor)
        runs.append(measure_repeated("app import: constructs_lib.app.build (lazy bindings)",
                                     [python, "-c", "import constructs_lib.app.build"], work, args.repeat))
        envs = sorted(p.stem for p in (PROJECT_ROOT / "envs").glob("*.yaml"))
        runs.append(measure_repeated(f"synth envs/ ({', '.join(envs)})",
                                     [python, "main.py", "--outdir", str(work / "out-all")], work, args.repeat))
        for count in args.regions:
            folder = work / f"envs-{count}"
            write_region_env(folder, count)
            runs.append(measure_repeated(
                f"synth {count} region{'s' if count > 1 else ''}",
                [python, "main.py", "--envs", str(folder), "--outdir", str(work / f"out-{count}")],
                work, args.repeat))
        if not args.skip_tests:
            suite = measure_repeated("test suite (make test)", ["make", "--no-print-directory", "test"], work,
                                     args.repeat)
            runs.append(suite)
        print(table(runs, floor))
        if not args.skip_tests:
            print(f"\nmake test: {suite.seconds / floor.seconds:.2f} x the floor "
                  f"({suite.seconds:.1f} s / {floor.seconds:.1f} s; target at most 2.0).")
        load = os.getloadavg()
        print(f"\n{os.cpu_count()} cores; load average when done: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
              f"(1/5/15 min). Every row: median of {args.repeat} run(s), highest peak RSS.")
        failed = [run.label for run in runs if run.returncode != 0]
        if failed:
            print(f"\nnot all runs succeeded (logs were in {work}): {', '.join(failed)}", file=sys.stderr)
            for run in runs:
                if run.returncode != 0:
                    tail = "\n".join(log_path(work, run.label).read_text(errors="replace").splitlines()[-15:])
                    print(f"--- tail of {run.label} ---\n{tail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
