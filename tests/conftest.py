"""Session fixtures: the azurerm bindings are imported once and every environment is
synthesized once per test session (the import alone costs ~12 s and ~0.5 GB)."""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from pathlib import Path

import pytest

from constructs_lib.app import synth_replacing
from constructs_lib.config.loader import load_environments
from tests.synth import Synthesized, synthesize

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def environments():
    """The shipped environments (envs/*.yaml), validated."""
    return load_environments(PROJECT_ROOT / "envs")


@pytest.fixture(scope="session")
def synthesized(environments, tmp_path_factory) -> Synthesized:
    """Every shipped environment synthesized once, through `App.synth()` as main.py does."""
    return synthesize(environments, tmp_path_factory.mktemp("cdktf.out"))


@pytest.fixture(scope="session")
def replaced_output(environments, tmp_path_factory) -> Path:
    """What `main.py` does to an existing cdktf.out/ holding a stale stack: `synth_replacing` of
    every shipped environment (a second, independent synth of the same input)."""
    outdir = tmp_path_factory.mktemp("replaced") / "cdktf.out"
    stale = outdir / "stacks" / "old-eastus-hub"
    stale.mkdir(parents=True)
    (stale / "cdk.tf.json").write_text("{}")
    synth_replacing(environments, outdir)
    return outdir
