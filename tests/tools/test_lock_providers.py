"""`make lock`: the command per stack folder, a dry run, and clear failures offline."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from tests.envfiles import PROJECT_ROOT
from tools import lock_providers
from tools.lock_providers import DEFAULT_PLATFORMS, lock_command, main


def _outdir(tmp_path: Path, *stacks: str) -> Path:
    for stack in stacks:
        (tmp_path / "stacks" / stack).mkdir(parents=True)
        (tmp_path / "stacks" / stack / "cdk.tf.json").write_text("{}")
    (tmp_path / "stacks" / "not-a-stack").mkdir(parents=True)
    return tmp_path


def test_the_lock_command_names_every_platform_once():
    assert DEFAULT_PLATFORMS == ("linux_amd64", "darwin_arm64", "windows_amd64")
    assert lock_command() == ["terraform", "providers", "lock", "-platform=linux_amd64",
                              "-platform=darwin_arm64", "-platform=windows_amd64"]
    assert lock_command(("darwin_arm64", "darwin_arm64"), "tf", ("-fs-mirror=/m",)) == [
        "tf", "providers", "lock", "-platform=darwin_arm64", "-fs-mirror=/m"]
    with pytest.raises(ValueError, match="platform 'macos' is not <os>_<arch>, for example darwin_arm64"):
        lock_command(("macos",))
    with pytest.raises(ValueError, match="list at least one"):
        lock_command(())


def test_dry_run_prints_one_command_per_stack_folder(tmp_path, capsys):
    outdir = _outdir(tmp_path, "dev-bootstrap", "dev-eastus2-hub")
    assert main(["--outdir", str(outdir), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"(cd {outdir}/stacks/{s} && terraform providers lock -platform=linux_amd64 "
                     "-platform=darwin_arm64 -platform=windows_amd64)" for s in ("dev-bootstrap", "dev-eastus2-hub")]


def test_missing_terraform_or_stacks_is_a_clear_message(tmp_path, capsys):
    assert main(["--outdir", str(tmp_path / "nothing")]) == 2
    assert "no stacks under" in capsys.readouterr().err
    outdir = _outdir(tmp_path, "dev-eastus2-hub")
    assert main(["--outdir", str(outdir), "--terraform", "no-such-terraform-here"]) == 2
    assert "'no-such-terraform-here' is not on PATH; install Terraform >= 1.6, or run with --dry-run" in (
        capsys.readouterr().err)


def test_an_unreachable_registry_stops_with_a_clear_message(tmp_path, capsys):
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\necho 'Error: registry.terraform.io: failed to request discovery document: "
                    "dial tcp: lookup registry.terraform.io: no such host' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    outdir = _outdir(tmp_path / "out", "a-hub", "b-hub")
    assert main(["--outdir", str(outdir), "--terraform", str(fake)]) == 1
    captured = capsys.readouterr()
    assert "a-hub: terraform could not reach the provider registry" in captured.err
    assert "the other 1 stacks were not tried" in captured.err
    assert "0 of 2 stacks have a .terraform.lock.hcl for linux_amd64, darwin_arm64, windows_amd64" in captured.out


def test_a_working_terraform_runs_in_each_stack_folder(tmp_path, capsys):
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\necho "$@" > .terraform.lock.hcl\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    outdir = _outdir(tmp_path / "out", "a-hub", "b-hub")
    assert main(["--outdir", str(outdir), "--terraform", str(fake), "--platform", "linux_amd64"]) == 0
    for stack in ("a-hub", "b-hub"):
        assert (outdir / "stacks" / stack / ".terraform.lock.hcl").read_text().strip() == (
            "providers lock -platform=linux_amd64")
    assert not (outdir / "stacks" / "not-a-stack" / ".terraform.lock.hcl").exists()


def test_make_lock_runs_the_tool():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"\nlock: setup ##[^\n]*\n\t\$\(PY\) tools/lock_providers\.py --outdir cdktf\.out \$\(LOCK_ARGS\)\n", makefile)
    assert lock_providers.__doc__ and os.path.exists(PROJECT_ROOT / "tools" / "lock_providers.py")
