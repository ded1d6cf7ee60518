"""The second synth's process: `main.py` twice in one fresh Python (its own hash seed), as a user
runs it, so the suite pays the cdktf import once for both runs.

    python -m tests.second_synth ENVS OUTDIR ENVIRONMENT  ->  JSON on standard output

1. `main.py --envs ENVS --outdir OUTDIR --no-diagrams`: every environment, into a folder the caller
   prepared (a retired stack, a committed lock file).
2. The output copied to `OUTDIR.one`, where a Terraform team's work is laid down (a marker in
   another environment's folder, a lock file, `.terraform/` and a stale file in ENVIRONMENT's cluster
   folder, a diagram per environment), then `main.py --envs ENVS --outdir OUTDIR.one --env
   ENVIRONMENT --no-diagrams`: one environment, the others kept.

Prints {"full": run, "one": run, "one_outdir": OUTDIR.one, "before": [stacks in its manifest before
run 2], "other": the folder that got the marker}, each run as `tests.main_batch.run_case` gives it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from tests.main_batch import run_case

MARKER_TEXT = "untouched"
LOCK_TEXT = "# lock\n"
STALE_TEXT = "from the previous synth"


def prepare_one_environment(outdir: Path, environment: str) -> tuple[list[str], str]:
    """Lay down what a Terraform team leaves in a synthesized folder; returns (stacks in its
    manifest, the other environment's folder that got a marker)."""
    stacks = outdir / "stacks"
    other = next(p for p in sorted(stacks.iterdir()) if not p.name.startswith(f"{environment}-"))
    (other / "marker").write_text(MARKER_TEXT)
    mine = next(p for p in sorted(stacks.iterdir()) if p.name.startswith(f"{environment}-") and p.name.endswith("-cluster"))
    (mine / ".terraform.lock.hcl").write_text(LOCK_TEXT)
    (mine / ".terraform" / "providers").mkdir(parents=True)
    (mine / "stale").write_text(STALE_TEXT)
    manifest = json.loads((outdir / "manifest.json").read_text())["stacks"]
    (outdir / "diagrams").mkdir(exist_ok=True)
    for name in sorted({stack.split("-", 1)[0] for stack in manifest}):
        (outdir / "diagrams" / f"{name}.png").write_text(f"{name}, drawn before")
    return sorted(manifest), other.name


def _main() -> int:
    envs, outdir, environment = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    full = run_case(["--envs", envs, "--outdir", str(outdir), "--no-diagrams"])
    result: dict[str, Any] = {"full": full}
    if full["returncode"] == 0:
        one = outdir.with_name(outdir.name + ".one")
        shutil.copytree(outdir, one)
        result["before"], result["other"] = prepare_one_environment(one, environment)
        result["one_outdir"] = str(one)
        result["one"] = run_case(["--envs", envs, "--outdir", str(one), "--env", environment, "--no-diagrams"])
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
