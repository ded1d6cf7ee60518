"""What an adopter expects at the top of the repository: a license, a changelog whose newest entry
is the version the code reports, an npm lock file for the pinned cdktf CLI, and a cdktf CLI that
neither needs a prepared .venv nor calls home."""

from __future__ import annotations

import json
import re

import constructs_lib
from tests.envfiles import PROJECT_ROOT


def test_license_is_mit_like_the_reference():
    assert (PROJECT_ROOT / "LICENSE").read_text().startswith("MIT License")
    assert json.loads((PROJECT_ROOT / "package.json").read_text())["license"] == "MIT"


def test_one_version_everywhere():
    newest = re.search(r"^## \[(\d+\.\d+\.\d+)\]", (PROJECT_ROOT / "CHANGELOG.md").read_text(), re.M)
    assert newest and newest.group(1) == constructs_lib.__version__
    assert json.loads((PROJECT_ROOT / "package.json").read_text())["version"] == constructs_lib.__version__


def test_npm_lock_file_matches_package_json():
    """`npm install` on a fresh clone leaves the lock file as committed."""
    package = json.loads((PROJECT_ROOT / "package.json").read_text())
    lock = json.loads((PROJECT_ROOT / "package-lock.json").read_text())
    wanted = package["devDependencies"]["cdktf-cli"]
    root = lock["packages"][""]
    assert (lock["name"], lock["version"]) == (package["name"], package["version"])
    assert {key: root.get(key) for key in ("name", "version", "license", "devDependencies")} == {
        key: package.get(key) for key in ("name", "version", "license", "devDependencies")}
    assert lock["packages"]["node_modules/cdktf-cli"]["version"] == wanted


def test_the_cdktf_cli_sets_up_itself_and_the_readme_keeps_it_offline():
    app = json.loads((PROJECT_ROOT / "cdktf.json").read_text())["app"]
    assert app.startswith("make ") and app.endswith("cdktf-app"), "the CLI must work before make setup"
    assert "cdktf-app:" in (PROJECT_ROOT / "Makefile").read_text()
    assert not (PROJECT_ROOT / ".npmrc").exists(), "node-options in .npmrc break npm's install scripts"
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = readme.split("### Deploying with the cdktf CLI", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert lines[0] == "export CHECKPOINT_DISABLE=1" and lines[1] == "npm install", lines
