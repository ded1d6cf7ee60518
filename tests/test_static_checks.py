"""Static checks of the code, run by `make test`: ruff (style and common bugs), mypy (types) and
the import contracts in pyproject.toml (dependencies run one way: app -> stacks -> domain
packages -> core -> config; config/ and the Kubernetes manifests import no cdktf). They run as
subprocesses started with the session (tests/conftest.py) and overlap with the rest of the suite."""

from __future__ import annotations

import pytest

from tests.conftest import STATIC_CHECKS


@pytest.mark.parametrize("name", sorted(STATIC_CHECKS))
def test_static_check_is_clean(name, static_checks):
    result = static_checks[name].result()
    assert result.returncode == 0, f"{name} found problems:\n{result.stdout}\n{result.stderr}"
