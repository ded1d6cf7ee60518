"""Resource addresses are state keys: a synth must never drop one silently.

`tests/address_inventory.json` records the addresses of every shipped stack. A resource that
disappears or is renamed would make Terraform destroy and recreate it; such a change must either
move the state (`move_to` / `add_move_target`) or update the inventory on purpose:

    .venv/bin/python -m tests.stacks.test_address_inventory --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INVENTORY = Path(__file__).resolve().parents[1] / "address_inventory.json"


def test_no_recorded_address_disappears(synthesized):
    recorded: dict[str, list[str]] = json.loads(INVENTORY.read_text())
    missing_stacks = sorted(set(recorded) - set(synthesized.stacks))
    assert not missing_stacks, f"stacks no longer synthesized: {missing_stacks}"
    for name, addresses in recorded.items():
        gone = sorted(set(addresses) - synthesized.stack(name).addresses())
        assert not gone, (f"{name}: these addresses would be destroyed: {gone}. Move their state "
                          "(move_to) or, if intended, update tests/address_inventory.json")


def test_inventory_covers_every_stack(synthesized):
    recorded = json.loads(INVENTORY.read_text())
    assert sorted(recorded) == sorted(synthesized.stacks), "run with --update after adding a stack"


def _update() -> None:
    import os
    import tempfile

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from constructs_lib.config.loader import load_environments
    from tests.synth import synthesize

    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as folder:
        synthesized = synthesize(load_environments(root / "envs"), Path(folder))
        inventory = {name: sorted(stack.addresses()) for name, stack in sorted(synthesized.stacks.items())}
    INVENTORY.write_text(json.dumps(inventory, indent=1) + "\n")
    print(f"recorded {sum(map(len, inventory.values()))} addresses of {len(inventory)} stacks")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
