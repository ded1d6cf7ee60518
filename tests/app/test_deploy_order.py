"""Apply order derived from stack dependencies."""

from __future__ import annotations

import pytest

from constructs_lib.app.deploy_order import DependencyCycle, apply_waves, render


def test_waves_follow_dependencies():
    deps = {"p-b-spoke": ["p-b-hub"], "p-a-hub": [], "p-b-hub": [], "p-a-spoke": ["p-a-hub"],
            "p-a-cluster": ["p-a-spoke"]}
    assert apply_waves(deps) == [["p-a-hub", "p-b-hub"], ["p-a-spoke", "p-b-spoke"], ["p-a-cluster"]]
    text = render(apply_waves(deps), deps)
    assert text.index("`p-a-hub`") < text.index("`p-a-spoke`") < text.index("`p-a-cluster`")
    assert "5. `p-a-cluster` (after `p-a-spoke`)" in text


def test_cycles_and_unknown_stacks_are_refused():
    with pytest.raises(DependencyCycle, match=r"cycle among stacks: (a -> b -> a|b -> a -> b)"):
        apply_waves({"a": ["b"], "b": ["a"]})
    with pytest.raises(ValueError, match="unknown stacks: ghost"):
        apply_waves({"a": ["ghost"]})
