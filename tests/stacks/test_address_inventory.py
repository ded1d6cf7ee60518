"""Resource addresses are state keys: a synth must never drop one silently.

`tests/address_inventory.json` records the addresses of every stack of the project's own
`envs/`. A resource that disappears or is renamed would make Terraform destroy and recreate it;
such a change must either move the state (`move_to` / `add_move_target`) or be recorded on
purpose with

    make inventory

New stacks and new addresses need no step: the suite records them (outside CI) and they pass.
Stacks of environments that exist only in the test session (the generated one) are not recorded.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

INVENTORY = Path(__file__).resolve().parents[1] / "address_inventory.json"
UPDATE_COMMAND = "make inventory"
"""The one command that records a deliberate removal (runs this module with --update)."""


def reconcile(recorded: dict[str, list[str]], current: dict[str, set[str]],
              environments: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(inventory to keep, addresses that disappeared), for the stacks of `environments`.

    Every current address of those environments is kept (new stacks and addresses are recorded);
    a recorded address missing from `current` is reported as gone, and so is every address of a
    recorded stack that is no longer synthesized. Stacks of other environments are ignored.
    """
    ours = {name: addresses for name, addresses in current.items() if name.split("-", 1)[0] in environments}
    gone: dict[str, list[str]] = {}
    for name, addresses in recorded.items():
        missing = sorted(set(addresses) - ours.get(name, set()))
        if missing:
            gone[name] = missing
    kept = {name: sorted(ours[name]) for name in sorted(ours)}
    return kept, gone


def describe(gone: dict[str, list[str]]) -> str:
    lines = [f"{name}: {', '.join(addresses)}" for name, addresses in sorted(gone.items())]
    return ("These resource addresses would be destroyed by Terraform:\n  " + "\n  ".join(lines) +
            "\nMove their state (move_to / add_move_target) or, if the removal is intended, record it "
            f"with `{UPDATE_COMMAND}` and commit tests/address_inventory.json.")


def test_no_recorded_address_disappears_and_new_ones_are_recorded(synthesized):
    from tests.envfiles import shipped_environment_names

    recorded: dict[str, list[str]] = json.loads(INVENTORY.read_text())
    current = {name: stack.addresses() for name, stack in synthesized.stacks.items()}
    kept, gone = reconcile(recorded, current, shipped_environment_names())
    assert not gone, describe(gone)
    if kept != recorded and os.environ.get("CI", "").lower() not in ("1", "true"):
        INVENTORY.write_text(json.dumps(kept, indent=1) + "\n")


def test_reconcile_records_growth_and_reports_every_removal():
    recorded = {"p-a-hub": ["azurerm_firewall.F", "azurerm_subnet.S"], "p-a-old": ["azurerm_x.X"]}
    current = {"p-a-hub": {"azurerm_firewall.F", "azurerm_subnet.S", "azurerm_bastion_host.B"},
               "p-a-new": {"azurerm_y.Y"}, "t-a-hub": {"azurerm_z.Z"}}
    kept, gone = reconcile(recorded, current, {"p"})
    assert kept == {"p-a-hub": ["azurerm_bastion_host.B", "azurerm_firewall.F", "azurerm_subnet.S"],
                    "p-a-new": ["azurerm_y.Y"]}, "growth is recorded, other environments are not"
    assert gone == {"p-a-old": ["azurerm_x.X"]}, "a stack that is no longer built loses its addresses"
    current["p-a-hub"].discard("azurerm_subnet.S")
    _, gone = reconcile(recorded, current, {"p"})
    assert gone["p-a-hub"] == ["azurerm_subnet.S"]
    assert f"`{UPDATE_COMMAND}`" in describe(gone) and "p-a-hub: azurerm_subnet.S" in describe(gone)


def _update() -> None:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import tempfile

    from constructs_lib.config.loader import load_environments
    from tests.envfiles import PROJECT_ROOT
    from tests.synth import synthesize

    with tempfile.TemporaryDirectory() as folder:
        synthesized = synthesize(load_environments(PROJECT_ROOT / "envs"), Path(folder))
        inventory = {name: sorted(stack.addresses()) for name, stack in sorted(synthesized.stacks.items())}
    INVENTORY.write_text(json.dumps(inventory, indent=1) + "\n")
    print(f"recorded {sum(map(len, inventory.values()))} addresses of {len(inventory)} stacks")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
