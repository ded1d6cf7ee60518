"""The session's own machinery (tests/conftest.py): no fixture calls cdktf while the session synth
runs on the worker thread."""

from __future__ import annotations

import pytest

from tests import conftest


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
