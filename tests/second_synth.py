"""The second synth's process: `main.py` twice in one fresh Python (its own hash seed), as a user
runs it, so the suite pays the cdktf import once for both runs.

    python -m tests.second_synth ENVS OUTDIR ENVIRONMENT  ->  JSON on standard output

1. `main.py --envs ENVS --outdir OUTDIR --no-diagrams`: every environment, into a folder the caller
   prepared (a retired stack, a committed lock file).
2. The output copied to `OUTDIR.one`, where a Terraform team's work is laid down (a marker in
   another environment's folder, a lock file, `.terraform/` and a stale file in ENVIRONMENT's cluster
   folder, a diagram per environment), then `main.py --envs ENVS --outdir OUTDIR.one --env
   ENVIRONMENT --no-diagrams`: one environment, the others kept.

Prints {"full": run, "one": run, "before": [stacks in OUTDIR.one's manifest before run 2],
"other": the folder that got the marker}, each run {"returncode", "stdout", "stderr"}.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any

MARKER_TEXT = "untouched"
LOCK_TEXT = "# lock\n"
STALE_TEXT = "from the previous synth"


def _run(arguments: list[str]) -> dict[str, Any]:
    import main

    # Text streams with a byte buffer: jsii copies node's output to sys.stderr.buffer.
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            returncode = main.main(arguments)
        except SystemExit as exit:
            returncode = exit.code if isinstance(exit.code, int) else 1
        except BaseException:  # what the interpreter prints for an uncaught exception
            traceback.print_exc()
            returncode = 1
    return {"returncode": returncode, "stdout": stdout.buffer.getvalue().decode(),  # type: ignore[attr-defined]
            "stderr": stderr.buffer.getvalue().decode()}  # type: ignore[attr-defined]


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
    full = _run(["--envs", envs, "--outdir", str(outdir), "--no-diagrams"])
    result: dict[str, Any] = {"full": full}
    if full["returncode"] == 0:
        one = outdir.with_name(outdir.name + ".one")
        shutil.copytree(outdir, one)
        result["before"], result["other"] = prepare_one_environment(one, environment)
        result["one"] = _run(["--envs", envs, "--outdir", str(one), "--env", environment, "--no-diagrams"])
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
