"""Build environment files for tests from the shipped dev file, with targeted changes."""

from __future__ import annotations

import atexit
import copy
import datetime
import functools
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from constructs_lib.config.loader import ConfigError, load_environment, load_environments
from constructs_lib.config.models import Environment
from constructs_lib.config.stack_plan import stack_plan

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASE: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "tests" / "fixtures" / "base.yaml").read_text())
"""The environment most tests start from: a copy of the shipped dev.yaml kept in tests/fixtures, so the
tests do not change when a user edits envs/dev.yaml."""


def base_env() -> dict[str, Any]:
    """A deep copy of tests/fixtures/base.yaml (the shipped dev.yaml) as a dict."""
    return copy.deepcopy(BASE)


COST_PROFILE_KEYS = ("environment_type", "hub", "app_gateway", "key_vault")
COST_PROFILE_CLUSTER_KEYS = ("sku_tier", "system_pool", "user_pool", "spot_pool", "stop_schedule")


def reference_env() -> dict[str, Any]:
    """envs/dev.yaml without its cost profile (README "Cost") and its sandbox vault (purge protection
    off, which production refuses): every lever at the model's default, which is the reference
    (production, Premium firewall, Standard tier, 3-4 + 2-5 nodes, purge protection on)."""
    data = base_env()
    for key in COST_PROFILE_KEYS:
        data.pop(key, None)
    for key in COST_PROFILE_CLUSTER_KEYS:
        data.get("cluster", {}).pop(key, None)
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set `a.b[0].c` in nested data; returns the data for chaining."""
    target: Any = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    last = parts[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: Any) -> str:
    """YAML text of `data` in the key order given, through libyaml's emitter when the wheel has it
    (an order of magnitude faster than PyYAML's pure-Python one; the suite writes ~1,000 files)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False)


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """`text` parsed with the safe loader, libyaml's when the wheel has it (the counterpart of `dump`:
    tests parse every workflow, chart and manifest the project ships)."""
    return yaml.load(text, Loader=_Loader)


def write_env(folder: Path, data: dict[str, Any] | str | bytes, name: str | None = None) -> Path:
    """Write `data` (a dict, raw text or raw bytes) as `<name>.yaml` in `folder`."""
    name = name or (data.get("name") if isinstance(data, dict) else None) or "dev"
    path = folder / f"{name}.yaml"
    path.write_bytes(data if isinstance(data, bytes) else (data if isinstance(data, str) else dump(data)).encode())
    return path


def load(folder: Path, data: dict[str, Any] | str | bytes, name: str | None = None,
         today: datetime.date | None = None) -> Environment:
    return load_environment(write_env(folder, data, name), today)


def refused(folder: Path, data: dict[str, Any] | str | bytes, name: str = "dev",
            today: datetime.date | None = None) -> ConfigError:
    """The ConfigError loading `data` as `<name>.yaml` raises (fails if it loads or raises anything else)."""
    with pytest.raises(ConfigError) as caught:
        load(folder, data, name, today)
    return caught.value


def two_regions() -> dict[str, Any]:
    """dev with a second region (centralus) on its own address plan."""
    data = base_env()
    second = copy.deepcopy(data["regions"][0])
    second["name"] = "centralus"
    second["hub"] = {"address_space": "10.201.0.0/24", "subnets": {
        "firewall": "10.201.0.0/26", "gateway": "10.201.0.64/27", "bastion": "10.201.0.128/26"}}
    second["spoke"] = {"address_space": "10.241.0.0/16", "subnets": {
        "nodes": "10.241.0.0/22", "ingress": "10.241.4.0/28", "private_endpoints": "10.241.4.32/28",
        "app_gateway": "10.241.5.0/24", "api_server": "10.241.7.0/28"},
        "ingress_load_balancer_ip": "10.241.4.4"}
    data["regions"].append(second)
    data.pop("paired_region", None)
    data.pop("container_registry", None)  # dev's single-region cost choice; several regions replicate
    return data


PUBLIC_CA = "PublicCA"
"""A listener certificate issuer for a public CA: Front Door refuses a self-signed origin certificate."""


def two_regions_default() -> dict[str, Any]:
    """dev with a second region and no `front_door` section (dev's file turns it off)."""
    data = two_regions()
    data.pop("front_door", None)
    return data


def two_regions_public_ca() -> dict[str, Any]:
    """`two_regions_default` with a public CA's listener certificate: Front Door on, and the file loads."""
    return set_path(two_regions_default(), "ingress.certificate_issuer", PUBLIC_CA)


def generated_environment(name: str = "extra", region: str = "westeurope", hub_octet: int = 210,
                          spoke_octet: int = 250, local_state: bool = True) -> dict[str, Any]:
    """An environment a user could add on day one: dev's file with another name, region and
    address plan (10.<hub_octet>.0.0/24 hub, 10.<spoke_octet>.0.0/16 spoke) and either no `state`
    (local state) or dev's remote state in a storage account of its own."""
    data = base_env()
    data["name"] = name
    if local_state:
        data.pop("state", None)
    else:
        data["state"] = {**data["state"], "resource_group_name": f"rg-tfstate-{name}",
                         "storage_account_name": f"sttfstate{name}"}
    data.pop("paired_region", None)
    data["ingress"] = {**data.get("ingress", {}), "public_host": f"bicycle-{name}"}
    hub, spoke = f"10.{hub_octet}", f"10.{spoke_octet}"
    data["regions"] = [{
        "name": region,
        "zones": ["1", "2", "3"],
        "hub": {"address_space": f"{hub}.0.0/24", "subnets": {
            "firewall": f"{hub}.0.0/26", "gateway": f"{hub}.0.64/27", "bastion": f"{hub}.0.128/26"}},
        "spoke": {"address_space": f"{spoke}.0.0/16", "subnets": {
            "nodes": f"{spoke}.0.0/22", "ingress": f"{spoke}.4.0/28", "private_endpoints": f"{spoke}.4.32/28",
            "app_gateway": f"{spoke}.5.0/24", "api_server": f"{spoke}.7.0/28"},
            "ingress_load_balancer_ip": f"{spoke}.4.4"},
    }]
    return data


def other_cost_levers(data: dict[str, Any]) -> dict[str, Any]:
    """The cost levers dev's file leaves at their defaults, turned on (README "Cost"): no Bastion,
    the stop-when-idle schedule, one zone per region and a user pool that may scale to zero."""
    set_path(data, "hub.bastion_sku", "none")
    set_path(data, "cluster.stop_schedule", {"start": "07:00", "stop": "19:00", "time_zone": "W. Europe Standard Time"})
    set_path(data, "cluster.user_pool.min_count", 0)
    for region in data["regions"]:
        region["zones"] = ["1"]
    return data


def _unused_name(preferred: str) -> str:
    taken = {path.stem for path in (PROJECT_ROOT / "envs").glob("*.y*ml")}
    return next(name for name in (preferred, *(f"{preferred[:6]}{i}" for i in range(10, 100))) if name not in taken)


GENERATED_NAME = _unused_name("gentest")
"""The environment every session adds to the shipped ones (see `tested_envs_folder`); a name no file
in `envs/` uses, so it never shadows an environment a user added."""


@functools.cache
def tested_envs_folder() -> Path:
    """A copy of `envs/` plus `<GENERATED_NAME>.yaml`, generated the way a user adds an environment on day
    one (dev's file, another name, region, address plan and state account, with the cost levers
    dev leaves off turned on: `other_cost_levers`). The session's
    synthesis, the stack tests and the security gate all run over this folder, so every app-level
    assertion also holds for an environment the project never shipped."""
    folder = Path(tempfile.mkdtemp(prefix="tested-envs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for path in sorted((PROJECT_ROOT / "envs").glob("*.y*ml")):
        shutil.copy(path, folder / path.name)
    write_env(folder, other_cost_levers(
        generated_environment(GENERATED_NAME, "northeurope", 220, 230, local_state=False)))
    return folder


@functools.cache
def environments_under_test() -> list[Environment]:
    """The environments of `tested_envs_folder` (the shipped ones and the generated one), loaded once
    per session: the `environments` fixture, the session synth and the parameters of the stack tests
    (read at collection) all use this one load. Do not change the list."""
    return load_environments(tested_envs_folder())


def env_named(environments: Iterable[Environment], name: str) -> Environment:
    """The environment called `name` (StopIteration when none is)."""
    return next(env for env in environments if env.name == name)


def planned_stacks(kind: str) -> list[str]:
    """Names of the stacks of one kind (`hub`, `cluster`, `bootstrap`, `routing`, ...) the environments
    under test plan (`config.stack_plan`), in environment and region order: the parameters of the stack
    tests, read at collection without cdktf, so they cover every environment a user adds and only the
    stacks each one really has (a local-state environment without `ci` has no bootstrap)."""
    return [planned.name for env in environments_under_test() for planned in stack_plan(env) if planned.kind == kind]


def main_command(*args: str, options: Sequence[str] = ()) -> list[str]:
    """The command line that runs the project's main.py with `args` under this interpreter;
    `options` go to the interpreter (`-X importtime`)."""
    return [sys.executable, *options, str(PROJECT_ROOT / "main.py"), *args]


def shipped_environment_names() -> set[str]:
    """Names of the environments in the project's own `envs/` (file stems)."""
    return {path.stem for path in (PROJECT_ROOT / "envs").glob("*.y*ml")}
