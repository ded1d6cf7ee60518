"""`--env NAME` of every tool that takes it: a name without a file in envs/ is told apart from an
environment that exists but is not synthesized (tools/environments.py, main.py, tools/preflight.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from tests.tools.test_diagram import copy_output
from tools import cost, diagram, preflight

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture()
def dev_only(synthesized, tmp_path) -> tuple[Path, Path]:
    """An output folder holding dev's synth alone, beside an environments folder with dev and prod."""
    envs = tmp_path / "envs"
    envs.mkdir()
    for name in ("dev", "prod"):
        (envs / f"{name}.yaml").write_text((PROJECT_ROOT / "envs" / f"{name}.yaml").read_text())
    (envs / "environment.schema.json").write_text("{}")
    return copy_output(synthesized, tmp_path / "out", ["dev"]), envs


@pytest.mark.parametrize("tool", [cost.main, diagram.main], ids=["cost", "diagram"])
def test_an_unknown_environment_is_not_mistaken_for_one_not_synthesized(tool, dev_only, capsys):
    out, envs = dev_only
    name = tool.__module__.split(".")[-1]
    assert tool(["--outdir", str(out), "--envs", str(envs), "--env", "nosuch"]) == 2
    assert capsys.readouterr().err == f"{name}: no environment nosuch in {envs}/ (environments there: dev, prod)\n"
    assert tool(["--outdir", str(out), "--envs", str(envs), "--env", "prod"]) == 2
    assert capsys.readouterr().err == f"{name}: prod is not synthesized in {out}/; run `make synth ENV=prod` first\n"
    assert tool(["--outdir", str(out), "--envs", str(envs), "--env", "prod", "--env", "nosuch"]) == 2
    assert "no environment nosuch in" in capsys.readouterr().err, "the unknown name comes first"


def test_nothing_synthesized_at_all_still_names_the_environment_to_synthesize(dev_only, tmp_path, capsys):
    _, envs = dev_only
    for tool in (cost.main, diagram.main):
        assert tool(["--outdir", str(tmp_path / "empty"), "--envs", str(envs), "--env", "prod"]) == 2
        assert "prod is not synthesized in " in capsys.readouterr().err


@pytest.mark.parametrize("tool", [main.main, preflight.main], ids=["main", "preflight"])
def test_commands_that_read_the_files_list_the_environments_that_exist(tool, capsys):
    assert tool(["--envs", str(PROJECT_ROOT / "envs"), "--env", "nosuch"]) == 2
    assert "no environment nosuch; environments here: dev, prod" in capsys.readouterr().err
