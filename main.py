#!/usr/bin/env python
"""Synthesize the environments in envs/ into cdktf.out/ (also the `app` of cdktf.json).

Environment files are validated completely before cdktf is even imported: a bad file ends the
run with one message per problem and exit code 2, and the previous cdktf.out/ stays as it was.
Progress goes to standard error, the summary table to standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from constructs_lib import __version__, interpreter


def commands(listing: bool) -> tuple[str, str]:
    """The make target and the command line (after `.venv/bin/python`) of this run, for messages:
    `make list` / `main.py --list` with --list, else `make synth` / `main.py`."""
    return ("make list", "main.py --list") if listing else ("make synth", "main.py")


_LISTING = commands("--list" in sys.argv[1:])
if __name__ == "__main__":  # every package the configuration imports (tzlocal too), checked before any import
    interpreter.require(interpreter.CONFIG_PACKAGES, *_LISTING)

try:  # another Python than .venv's: a plain message and exit 2, not a traceback
    from constructs_lib.app.deploy_order import apply_waves, is_bootstrap
    from constructs_lib.config.advisories import advisories
    from constructs_lib.config.conflicts import conflicts
    from constructs_lib.config.loader import ConfigError, load_folder, select_environments
    from constructs_lib.config.models import Environment
    from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, environment_of, stack_plan
except Exception as error:
    interpreter.stop_on_import_error(error, interpreter.CONFIG_PACKAGES, *_LISTING)


class Progress:
    """`[  8.1s] message` lines on standard error (silent with --quiet)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.monotonic() - self.start:5.1f}s] {message}", file=sys.stderr, flush=True)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


ONCE = "once"
"""The apply wave shown for `<env>-bootstrap`: applied once, by a person, before wave 1."""


def plan_rows(environments: list[Environment]) -> list[list[str]]:
    """environment, wave, stack, depends on — from the configuration alone."""
    rows = []
    for env in environments:
        plan = stack_plan(env)
        rows += [[env.name, ONCE, p.name, "-"] for p in plan if p.kind == BOOTSTRAP_KIND]
        depends = {p.name: list(p.depends_on) for p in plan if p.kind != BOOTSTRAP_KIND}
        for number, wave in enumerate(apply_waves(depends), start=1):
            rows += [[env.name, str(number), name, ", ".join(depends[name]) or "-"] for name in wave]
    return rows


def summary_rows(outdir: Path, synthesized: list[str]) -> list[list[str]]:
    """stack, resources, depends on, environment wave — read from the written output."""
    order = json.loads((outdir / "deploy-order.json").read_text())["environments"]
    wave_of = {name: number for env in order.values() for number, wave in enumerate(env["waves"], 1)
               for name in wave}
    depends = {name: deps for env in order.values() for name, deps in env["dependencies"].items()}
    rows = []
    for name in sorted(synthesized, key=lambda n: (environment_of(n), wave_of.get(n, 0), n)):
        doc = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())
        count = sum(len(items) for items in doc.get("resource", {}).values())
        wave = ONCE if is_bootstrap(name) else str(wave_of.get(name, "-"))
        rows.append([name, str(count), ", ".join(depends.get(name, [])) or "-", wave])
    return rows


def extras(outdir: Path, environments: list[Environment], progress: Progress, diagrams: bool = True) -> list[str]:
    """The cost estimate, budget warnings and topology diagrams of `environments` (the ones this
    run synthesized; with --env the output folder also holds others, which these lines leave out),
    each reported, never fatal: the synthesized stacks are what matters."""
    from tools import cost, diagram

    names = [env.name for env in environments]
    lines = []
    try:
        result = cost.estimate(outdir, environments=names)
        spans = [f"{env} {result.fixed(env):,.0f}-{result.maximum(env):,.0f}"
                 f"{_approximated(result.unpriced_regions(env))}" for env in result.environments()]
        lines.append(f"Monthly estimate in USD at list prices, before data charges, from the fixed cost to the "
                     f"autoscale maximums (`make cost` for every line): {'; '.join(spans)}")
        lines += [f"warning: {warning}" for warning in cost.budget_warnings(environments, result)]
    except (cost.PriceError, OSError) as error:
        lines.append(f"No cost estimate: {error}")
    if not diagrams:
        return lines
    progress("drawing the topology diagrams")
    try:
        drawn = [str(p) for p in diagram.render_diagrams(outdir, environments=names) if p.suffix == ".png"]
        lines.append(f"Diagrams: {', '.join(drawn)}")
    except diagram.DiagramError as error:
        lines.append(f"No diagrams: {error}")
    return lines


def _approximated(elsewhere: list[str]) -> str:
    """` (approximate: westus3 has no list prices in the table)` for the regions of an environment
    the price table does not price (`Estimate.unpriced_regions`; `make cost` says it in full,
    `cost.region_note`); empty when there are none."""
    if not elsewhere:
        return ""
    verb = "has" if len(elsewhere) == 1 else "have"
    return f" (approximate: {', '.join(elsewhere)} {verb} no list prices in the table)"


def synth_warnings(environments: list[Environment], folder: list[Environment]) -> list[str]:
    """`<env>: <advice>` for each environment synthesized now: its advisories, and each value it
    shares with another environment of the folder (`folder`: every file that loaded) although it
    must be its own (`config.conflicts`; `make preflight` counts them as open items)."""
    found = [f"{env.name}: {note}" for env in environments for note in advisories(env)]
    return found + [str(conflict) for conflict in conflicts(folder, about=[env.name for env in environments])]


def unchanged(outdir: Path) -> str:
    """The last line of a synth that stopped before writing anything."""
    return f"Nothing was synthesized; {outdir}/ is unchanged."


def missing_for_synth() -> str | None:
    """What a synth needs and this run lacks: the Python packages (cdktf, the provider bindings,
    and what validating the files needs) and Node.js on PATH (cdktf's jsii runtime); None when
    nothing is missing. Looked up, never imported: the check costs nothing."""
    absent = interpreter.lacking({**interpreter.SYNTH_PACKAGES, **interpreter.CONFIG_PACKAGES}, "make synth", "main.py")
    if absent:
        return absent
    if shutil.which("node") is None:
        return ("cdktf runs on Node.js (its jsii runtime), and `node` is not on PATH: install Node.js 20 or later "
                "(README \"Quick start\").")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=Path, default=Path("envs"),
                        help="folder of <env>.yaml files (default: envs/)")
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
                        help="output folder (default: cdktf.out/, or $CDKTF_OUTDIR when set, as the cdktf CLI does)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME",
                        help="synthesize only this environment (repeatable); the stack folders of the others "
                             "stay as they are (default: every environment in --envs)")
    parser.add_argument("--list", action="store_true", help="list stacks and apply waves from the configuration "
                                                            "(no synth)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line: no progress, no table, "
                                                             "no cost estimate or diagrams")
    parser.add_argument("--no-diagrams", action="store_true", help="skip drawing the topology (make diagram draws it)")
    parser.add_argument("--version", action="version", version=f"aks-baseline-cdktf {__version__}")
    args = parser.parse_args(argv)
    progress = Progress(args.quiet)
    # Only a synth writes the output folder, so only a synth says it left it unchanged; --list
    # needs neither cdktf nor Node.js, only a recent enough Python.
    after = "" if args.list else f"\n{unchanged(args.outdir)}"
    make, run = commands(args.list)
    lacking = interpreter.too_old(make, run) or (None if args.list else missing_for_synth())
    if lacking:
        print(f"{lacking}{after}", file=sys.stderr)
        return 2
    try:
        loaded = load_folder(args.envs)
        environments = select_environments(loaded, args.envs, args.env)
    except ConfigError as error:
        print(f"{error}{after}", file=sys.stderr)
        return 2
    except ImportError:  # a package only some settings need (tzlocal: cluster.stop_schedule)
        lacking = interpreter.diagnose(interpreter.CONFIG_PACKAGES, make, run)
        if lacking is None:
            raise
        print(f"{lacking}{after}", file=sys.stderr)
        return 2
    if args.list:
        print(table(plan_rows(environments), ["environment", "wave", "stack", "depends on"]))
        return 0
    names = ", ".join(env.name for env in environments)
    progress(f"validated {len(environments)} environment{'s' * (len(environments) != 1)} ({names}) from {args.envs}/")
    folder = _loaded_environments(loaded)
    for warning in synth_warnings(environments, folder):
        print(f"warning: {warning}", file=sys.stderr)

    progress("loading cdktf and the provider bindings")
    try:
        from constructs_lib.app import synth_replacing
    except ImportError:  # installed, but not the versions requirements.txt pins
        lacking = interpreter.diagnose(interpreter.SYNTH_PACKAGES, make, run)
        if lacking is None:
            raise
        print(f"{lacking}{after}", file=sys.stderr)
        return 2

    # With --env, the kept environments' prerequisites stay in DEPLOY_ORDER.md when their files load.
    context = folder
    if len(context) < len(loaded):
        context = environments
        progress("another environment file does not load; DEPLOY_ORDER.md lists prerequisites of "
                 f"{names} only")
    stacks = synth_replacing(environments, args.outdir, keep_other_environments=bool(args.env),
                             on_stack=lambda region: progress(f"building {region} (hub, spoke, cluster, workload)"),
                             context_environments=context)
    progress(f"wrote {args.outdir}/")
    rows = summary_rows(args.outdir, stacks)
    if not args.quiet:  # --quiet (the cdktf CLI's app): the summary line only
        print(table(rows, ["stack", "resources", "depends on", "wave"]))
        for line in extras(args.outdir, environments, progress, diagrams=not args.no_diagrams):
            print(line)
    total = sum(int(row[1]) for row in rows)
    print(f"Synthesized {len(stacks)} stacks ({total} resources) into {args.outdir}/ in {progress.elapsed:.1f} s; "
          f"apply them wave by wave as {args.outdir}/DEPLOY_ORDER.md lists.")
    return 0


def _loaded_environments(loaded: dict[str, Environment | ConfigError]) -> list[Environment]:
    """The environment files of the folder that loaded (a synth of some may run beside a broken other)."""
    return [result for result in loaded.values() if isinstance(result, Environment)]


if __name__ == "__main__":
    sys.exit(main())
