#!/usr/bin/env python3
"""Write `.terraform.lock.hcl` into every synthesized stack folder for the team's platforms.

    python3 tools/lock_providers.py [--outdir cdktf.out] [--platform linux_amd64 ...] [--dry-run]

For each `cdktf.out/stacks/<stack>/` it runs, in that folder:

    terraform providers lock -platform=linux_amd64 -platform=darwin_arm64 -platform=windows_amd64

which records the provider checksums of every listed platform, so `terraform init` on any team
machine or runner verifies the same packages. Terraform downloads the providers from their
registry (or `-fs-mirror` / `-net-mirror`, passed through with `--mirror-args`) to compute the
checksums, so this needs the network. `--dry-run` prints the commands without running them.

Exit codes: 0 done (or dry run), 1 a lock command failed (the message names the stack and says
whether the registry was unreachable), 2 nothing to do or terraform missing.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_PLATFORMS = ("linux_amd64", "darwin_arm64", "windows_amd64")
"""The team's platforms: CI runners and Linux laptops, Apple silicon, Windows."""
EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2
_NETWORK_HINTS = ("could not connect", "no such host", "dial tcp", "timeout", "i/o timeout",
                  "failed to request discovery document", "connection refused", "network is unreachable",
                  "could not retrieve the list of available versions")


def lock_command(platforms: tuple[str, ...] = DEFAULT_PLATFORMS, terraform: str = "terraform",
                 mirror_args: tuple[str, ...] = ()) -> list[str]:
    """`terraform providers lock -platform=<p> ...` for `platforms` (in the order given, no
    duplicates; ValueError for an empty list or a name that is not `<os>_<arch>`)."""
    if not platforms:
        raise ValueError("platforms: list at least one, for example linux_amd64")
    seen: list[str] = []
    for platform in platforms:
        parts = platform.split("_")
        if len(parts) != 2 or not all(part.isalnum() and part.islower() for part in parts):
            raise ValueError(f"platform {platform!r} is not <os>_<arch>, for example darwin_arm64")
        if platform not in seen:
            seen.append(platform)
    return [terraform, "providers", "lock", *(f"-platform={p}" for p in seen), *mirror_args]


def stack_folders(outdir: Path) -> list[Path]:
    """Every `stacks/<stack>/` folder holding a `cdk.tf.json`, sorted by name."""
    return sorted(p.parent for p in (outdir / "stacks").glob("*/cdk.tf.json"))


def plan_commands(outdir: Path, command: list[str]) -> list[tuple[Path, list[str]]]:
    """(folder, command) for each stack folder."""
    return [(folder, command) for folder in stack_folders(outdir)]


def explain_failure(stack: str, output: str) -> str:
    """One message for a failed lock: whether the registry was unreachable, and the tail of output."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    lowered = " ".join(output.lower().split())
    tail = "\n".join(output.strip().splitlines()[-5:])
    if any(hint in lowered for hint in _NETWORK_HINTS):
        return (f"{stack}: terraform could not reach the provider registry (this needs the network, or a "
                f"mirror through --mirror-args=-fs-mirror=DIR); nothing was written for this stack.\n{tail}")
    return f"{stack}: terraform providers lock failed:\n{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
                        help="synthesized output folder (default: cdktf.out, or $CDKTF_OUTDIR when set)")
    parser.add_argument("--platform", action="append", dest="platforms",
                        help=f"repeatable; default {' '.join(DEFAULT_PLATFORMS)}")
    parser.add_argument("--terraform", default=os.environ.get("TERRAFORM", "terraform"),
                        help="the terraform command (default: terraform, or $TERRAFORM when set)")
    parser.add_argument("--mirror-args", default="", help="extra arguments, e.g. -fs-mirror=/path (default: none)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    try:
        command = lock_command(tuple(args.platforms or DEFAULT_PLATFORMS), args.terraform,
                               tuple(shlex.split(args.mirror_args)))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    planned = plan_commands(args.outdir, command)
    if not planned:
        print(f"error: no stacks under {args.outdir}/stacks/; run `make synth` first", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.dry_run:
        for folder, cmd in planned:
            print(f"(cd {shlex.quote(str(folder))} && {shlex.join(cmd)})")
        return EXIT_OK
    if shutil.which(args.terraform) is None:
        print(f"error: {args.terraform!r} is not on PATH; install Terraform >= 1.6, or run with --dry-run to "
              "see the commands", file=sys.stderr)
        return EXIT_CANNOT_RUN
    failures, written = [], 0
    for folder, cmd in planned:
        print(f"{folder.name}: {shlex.join(cmd)}", flush=True)
        result = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=900,
                                env={**os.environ, "TF_IN_AUTOMATION": "1"})
        if result.returncode == 0:
            written += 1
            continue
        message = explain_failure(folder.name, result.stdout + result.stderr)
        failures.append(message)
        if "could not reach the provider registry" in message:
            failures.append(f"stopped: the registry is unreachable, so the other {len(planned) - written - 1} "
                            "stacks were not tried")
            break
    for message in failures:
        print(f"error: {message}", file=sys.stderr)
    platforms = ", ".join(part.split("=", 1)[1] for part in command if part.startswith("-platform="))
    print(f"{written} of {len(planned)} stacks have a .terraform.lock.hcl for {platforms}")
    return EXIT_FAILED if failures else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
