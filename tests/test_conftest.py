"""The session's own machinery (tests/conftest.py): no fixture calls cdktf while the session synth
runs on the worker thread."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

from tests import conftest
from tests.main_batch import SYNTH_PACKAGES


def test_the_tests_run_beside_the_session_synth_never_import_cdktf():
    """The pure tests run while the worker thread synthesizes, and jsii serves one caller: none of
    them may import cdktf or the bindings, directly or through what they import (any import
    statement, also one inside a function)."""
    graph = grimp.build_graph("tests", "constructs_lib", "tools", include_external_packages=True, cache_dir=None)
    pure = [module for module in graph.modules if module.startswith("tests.")
            and Path(*module.split(".")).with_suffix(".py").as_posix().startswith(conftest.PURE_TESTS)]
    assert "tests.config.test_models" in pure and "tests.workload.test_manifests" in pure
    chains = [graph.find_shortest_chain(importer=module, imported=package)
              for module in pure for package in SYNTH_PACKAGES if package in graph.modules]
    found = [" -> ".join(chain) for chain in chains if chain]
    assert not found, f"tests run beside the session synth import cdktf: {found}"


@pytest.fixture(scope="module")
def session_synth_done_at_module_setup() -> list[bool]:
    """Whether the session synth had finished when this module-scoped fixture was set up."""
    return [future.done() for future in conftest._session_synth]


def test_module_fixtures_wait_for_the_session_synth(session_synth_done_at_module_setup):
    """A module-scoped fixture (such as `synth_construct` over a construct) is set up before any
    function-scoped one: the wait must come before both (`pytest tests/network` alone)."""
    assert all(session_synth_done_at_module_setup)


def test_the_session_synth_ran(synthesized):
    """Selects the session synth, so the test above has one to wait for when run alone."""
    assert synthesized.stacks
