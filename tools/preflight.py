"""Preflight before a real deploy: what in the environment files is still an example, and whether
the target subscription offers what the stacks need.

    make preflight                 # every environment in envs/
    make preflight ENV=prod        # one environment

Exit 0 only when no placeholder is left, no value that must be the environment's own (public host
name, state account, state resource group: `config.conflicts`) is shared with another environment
of the folder, and every requirement was verified as registered with the Azure CLI (`az`, logged in
to the target subscription); 1 otherwise; 2 for an invalid file or a Python without the project's
packages. The shipped examples are synthesizable but not deployable, so they always fail here.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from constructs_lib import interpreter

# Every package the configuration imports (tzlocal too, which only some settings load), checked
# before importing any: a plain message and exit 2, not a traceback halfway through the run.
interpreter.require(interpreter.CONFIG_PACKAGES, "make preflight", "-m tools.preflight")

try:  # another Python than .venv's: a plain message and exit 2, not a traceback
    from constructs_lib.config.advisories import cross_environment_advisories
    from constructs_lib.config.conflicts import conflicts
    from constructs_lib.config.loader import ConfigError, load_folder, select_environments
    from constructs_lib.config.models import Environment
    from constructs_lib.config.placeholders import placeholders
    from constructs_lib.config.prerequisites import prerequisites
    from constructs_lib.config.subscription_requirements import subscription_requirements
except Exception as error:
    interpreter.stop_on_import_error(error, interpreter.CONFIG_PACKAGES, "make preflight", "-m tools.preflight")

Runner = Callable[[list[str]], "str | None"]
"""Runs a command and returns its stripped standard output, or None when it could not run."""


def run_az(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def check(env: Environment, runner: Runner, others: Sequence[Environment] = ()) -> tuple[list[str], int]:
    """(report lines, number of blocking problems) for one environment; `others` are the other
    environments of its folder, whose values it must not share (`config.conflicts`)."""
    lines = [f"{env.name}:"]
    problems = 0
    found = placeholders(env)
    if found:
        lines.append("  placeholders (replace before a real deploy):")
        lines += [f"    {p.path}: {p.value} is {p.reason}" for p in found]
        problems += len(found)
    shared = conflicts([env, *others], about=[env.name])
    if shared:
        lines.append("  shared with another environment (each needs its own):")
        lines += [f"    {conflict.detail}" for conflict in shared]
        problems += len(shared)
    lines.append("  subscription requirements:")
    subscription = str(env.subscription_id) if env.subscription_id else None
    for requirement in subscription_requirements(env):
        state = runner(requirement.check_command(subscription))
        problems += state != "Registered"
        lines.append(f"    {_status(state)} {requirement.label}: {requirement.why}")
        if state is None:
            lines.append(f"        check: {' '.join(requirement.check_command(subscription))}")
        elif state != "Registered":
            lines.append(f"        fix: {requirement.fix_command()}")
    later = [(stack, item) for stack, items in prerequisites(env).items() for item in items
             if item.kind in LATER_KINDS]
    if later:
        lines.append("  before later waves (cannot be checked before the stacks they need exist; "
                     "DEPLOY_ORDER.md lists them with commands):")
        lines += [f"    {stack}: {item.title}: {_plain(item.text)}" for stack, item in later]
    return lines, problems


LATER_KINDS = ("images", "network", "manifests", "kubelogin")
"""Prerequisite kinds (`config.prerequisites`) that hold between waves: image imports into the
registry the global stack creates, network reach to private endpoints and the API server, the
published cluster manifests, kubelogin."""


def _plain(text: str) -> str:
    return text.replace("`", "")


def _status(state: str | None) -> str:
    if state == "Registered":
        return "[ok]        "
    if state is None:
        return "[unverified]"
    return f"[{state.lower()}]".ljust(12)


def main(argv: list[str] | None = None, runner: Runner = run_az) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=Path, default=Path("envs"), help="folder of <env>.yaml files (default: envs/)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME",
                        help="only this environment (repeatable; default: every environment in --envs)")
    args = parser.parse_args(argv)
    try:
        loaded = load_folder(args.envs)
        environments = select_environments(loaded, args.envs)  # every file must load: overlaps span them all
        chosen = select_environments(loaded, args.envs, args.env)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except ImportError as error:  # a package only some settings need (tzlocal: cluster.stop_schedule)
        interpreter.stop_on_import_error(error, interpreter.CONFIG_PACKAGES, "make preflight", "-m tools.preflight")
    total = 0
    for env in chosen:
        lines, problems = check(env, runner, [other for other in environments if other.name != env.name])
        total += problems
        print("\n".join(lines))
    # Notes about the chosen environments only; one that pairs a chosen environment with another still counts.
    overlaps = cross_environment_advisories(environments, about=[env.name for env in chosen])
    if overlaps:
        print("notes (not blocking):")
        print("\n".join(f"  {note}" for note in overlaps))
    if runner is run_az and shutil.which("az") is None:
        print("The Azure CLI (az) is not installed or not on PATH, so no requirement could be verified.")
    verdict = "not deployable" if total else "deployable"
    print(f"preflight: {verdict} ({total} open item{'s' if total != 1 else ''})")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
