""".ci/run on a fresh machine: installs Debian's graphviz when `dot` is missing (through sudo when
not root), then sets up and runs `make test`, whose summary stays the last line printed. Run with
stub commands on a PATH that holds nothing else, so nothing is installed for real."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.envfiles import PROJECT_ROOT


def fake_machine(tmp_path: Path, uid: int, apt_fails: bool = False) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / ".ci" / "run", project / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in ("bash", "mktemp", "cat", "rm", "dirname", "env"):
        found = shutil.which(command)
        assert found, command
        (bin_dir / command).symlink_to(found)
    calls = tmp_path / "calls"
    stubs = {
        "id": f'echo {uid}',
        "apt-get": f'echo "apt-get $*" >> {calls}; ' + ('echo "E: no network" >&2; exit 100' if apt_fails else "exit 0"),
        "sudo": f'echo "sudo" >> {calls}; "$@"',
        "make": f'echo "make $*" >> {calls}; if [ "$1" = test ]; then echo "3 passed in 1.00s"; fi; exit 0',
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return project, {"PATH": str(bin_dir), "CI": "true"}


@pytest.mark.parametrize(("uid", "sudo"), [(0, False), (1000, True)])
def test_installs_graphviz_when_dot_is_missing_then_tests_last(tmp_path, uid, sudo):
    project, env = fake_machine(tmp_path, uid)
    done = subprocess.run(["bash", str(project / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "3 passed in 1.00s"
    calls = (tmp_path / "calls").read_text().splitlines()
    expected = ["apt-get update -qq", "apt-get install -y -qq graphviz", "make setup", "make test"]
    if sudo:
        expected = ["sudo", expected[0], "sudo", expected[1], *expected[2:]]
    assert calls == expected


def test_a_failed_install_stops_with_apt_gets_message(tmp_path):
    project, env = fake_machine(tmp_path, 0, apt_fails=True)
    done = subprocess.run(["bash", str(project / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "E: no network" in done.stderr and "could not install graphviz" in done.stderr
    assert "make" not in (tmp_path / "calls").read_text()


def test_nothing_is_installed_when_dot_is_present(tmp_path):
    project, env = fake_machine(tmp_path, 0)
    dot = Path(env["PATH"]) / "dot"
    dot.write_text("#!/bin/sh\n")
    dot.chmod(0o755)
    done = subprocess.run(["bash", str(project / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert (tmp_path / "calls").read_text().splitlines() == ["make setup", "make test"]
