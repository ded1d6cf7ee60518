"""Apply order derived from stack dependencies."""

from __future__ import annotations

import pytest

from constructs_lib.app.deploy_order import (
    DependencyCycle,
    apply_waves,
    render,
    waves_by_environment,
)


def test_waves_follow_dependencies():
    deps = {"p-b-spoke": ["p-b-hub"], "p-a-hub": [], "p-b-hub": [], "p-a-spoke": ["p-a-hub"],
            "p-a-cluster": ["p-a-spoke"]}
    assert apply_waves(deps) == [["p-a-hub", "p-b-hub"], ["p-a-spoke", "p-b-spoke"], ["p-a-cluster"]]


def test_each_environment_is_ordered_on_its_own():
    deps = {"q-x-hub": [], "q-x-spoke": ["q-x-hub"], "p-a-hub": [], "p-a-spoke": ["p-a-hub"],
            "p-a-cluster": ["p-a-spoke"]}
    by_env = waves_by_environment(deps)
    assert by_env == {"p": [["p-a-hub"], ["p-a-spoke"], ["p-a-cluster"]],
                      "q": [["q-x-hub"], ["q-x-spoke"]]}
    text = render(by_env, deps)
    assert text.index("## Environment `p`") < text.index("`p-a-cluster`") < text.index("## Environment `q`")
    assert "3. `p-a-cluster` (after `p-a-spoke`)" in text
    assert "1. `q-x-hub` (after nothing)" in text  # numbering restarts per environment


def test_cycles_unknown_stacks_and_cross_environment_needs_are_refused():
    with pytest.raises(DependencyCycle, match=r"cycle among stacks: (a -> b -> a|b -> a -> b)"):
        apply_waves({"a": ["b"], "b": ["a"]})
    with pytest.raises(ValueError, match="unknown stacks: ghost"):
        apply_waves({"a": ["ghost"]})
    with pytest.raises(ValueError, match="p-a-spoke depends on another environment's stacks: q-a-hub"):
        waves_by_environment({"p-a-spoke": ["q-a-hub"], "q-a-hub": []})
