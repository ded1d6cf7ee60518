"""The package layout as a dependency graph: no import cycle between modules or between the
domain packages (the one-way layer order itself is an import-linter contract in pyproject.toml,
checked in tests/test_static_checks.py)."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import grimp
import pytest


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("constructs_lib", cache_dir=None)


def _acyclic(edges: dict[str, set[str]]) -> None:
    try:
        TopologicalSorter(edges).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_no_module_imports_itself_back(graph):
    _acyclic({module: graph.find_modules_directly_imported_by(module) for module in graph.modules})


def test_no_cycle_between_packages(graph):
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if package(imported) != package(module):
                edges.setdefault(package(module), set()).add(package(imported))
    edges.pop("constructs_lib._bindings", None)
    _acyclic(edges)
    assert "constructs_lib.stacks" not in set().union(*(
        targets for source, targets in edges.items() if source not in ("constructs_lib.app", "constructs_lib.stacks")))
