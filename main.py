#!/usr/bin/env python
"""Synthesize every environment in envs/ into cdktf.out/ (also the `app` of cdktf.json).

Environment files are validated completely before cdktf is even imported: a bad file ends the
run with one message per problem and exit code 2, and the previous cdktf.out/ stays as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from constructs_lib.config.advisories import advisories
from constructs_lib.config.loader import ConfigError, load_environments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=Path, default=Path("envs"), help="folder of <env>.yaml files")
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
                        help="output folder, replaced as a whole on success (default: cdktf.out)")
    args = parser.parse_args(argv)
    try:
        environments = load_environments(args.envs)
    except ConfigError as error:
        print(f"{error}\nNothing was synthesized; {args.outdir}/ is unchanged.", file=sys.stderr)
        return 2

    for env in environments:
        for note in advisories(env):
            print(f"warning: {env.name}: {note}", file=sys.stderr)

    from constructs_lib.app import (
        synth_replacing,  # imports cdktf and the provider bindings it uses
    )

    stacks = synth_replacing(environments, args.outdir)
    print(f"Synthesized {len(stacks)} stacks into {args.outdir}/: {', '.join(stacks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
