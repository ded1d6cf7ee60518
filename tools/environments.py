"""Which environments a tool's `--env` names, told apart: one that has no file in envs/ (a typo:
the message lists the environments that exist) and one that has a file but no synthesized stacks
in the output folder (the message says which `make synth` writes them).

Standard library only: tools/cost.py and tools/diagram.py run without the project's packages.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

ENVIRONMENT_FILE_SUFFIXES = (".yaml", ".yml")
"""An environment is a file `<name>.yaml` (or `.yml`) in the environments folder, as
`constructs_lib.config.loader.load_folder` reads them."""


def defined(envs: Path) -> list[str]:
    """The environment names of the files in `envs` (sorted); empty when the folder does not exist."""
    if not envs.is_dir():
        return []
    return sorted({path.stem for path in envs.iterdir()
                   if path.suffix in ENVIRONMENT_FILE_SUFFIXES and path.is_file()})


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def chosen_problem(names: Sequence[str], envs: Path, synthesized: Collection[str], outdir: Path | str) -> str | None:
    """Why the environments `names` (a tool's `--env` values) cannot be used, or None when every
    one has a file in `envs` and stacks among `synthesized` (the environments the output folder
    `outdir` holds). Unknown names are reported first, with the environments that exist;
    otherwise the ones without a synth, with the `make synth ENV=...` that writes them."""
    existing = defined(envs)
    unknown = [name for name in dict.fromkeys(names) if name not in existing]
    if unknown:
        there = (f"environments there: {', '.join(existing)}" if existing else
                 "the folder holds no environment file" if envs.is_dir() else "the folder does not exist")
        return f"no environment {_listed(unknown)} in {envs}/ ({there})"
    absent = [name for name in dict.fromkeys(names) if name not in synthesized]
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        env = absent[0] if len(absent) == 1 else f'"{" ".join(absent)}"'
        return f"{_listed(absent)} {verb} not synthesized in {outdir}/; run `make synth ENV={env}` first"
    return None
