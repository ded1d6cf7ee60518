"""What the project's commands need from the Python that runs them, said in plain words.

`make synth` and the other targets run in `.venv`, which `make setup` fills from requirements.txt.
Someone who runs `python main.py` (or `python -m tools.preflight`) with another interpreter gets,
instead of a `ModuleNotFoundError` traceback, one message naming what is missing and the two ways
to run the command where it is installed. Nothing here imports a package it checks: `missing`
only looks the packages up (`importlib.util.find_spec`), so the check costs no import.

Standard library only, so it works in exactly the interpreters that lack the packages.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path
from typing import NoReturn

MINIMUM_PYTHON = (3, 11)
"""The oldest Python the project runs on (README "Quick start")."""

PYDANTIC: dict[str, str] = {
    "pydantic": "pydantic", "pydantic_core": "pydantic-core", "annotated_types": "annotated-types",
    "typing_extensions": "typing-extensions", "typing_inspection": "typing-inspection",
}
"""pydantic and what it imports in turn (its requirements in the installed metadata)."""

CONFIG_PACKAGES: dict[str, str] = {**PYDANTIC, "yaml": "PyYAML", "tzlocal": "tzlocal"}
"""Import name -> distribution (as requirements.txt or the package's own requirements name it) of
what reading and validating the environment files needs, transitive requirements included
(tzlocal: the Windows time-zone names of `cluster.stop_schedule`, imported only when a file sets it;
its own requirement tzdata is Windows-only)."""

SYNTH_PACKAGES: dict[str, str] = {
    "cdktf": "cdktf", "constructs": "constructs", "jsii": "jsii",
    "cdktf_cdktf_provider_azurerm": "cdktf-cdktf-provider-azurerm",
    "cdktf_cdktf_provider_helm": "cdktf-cdktf-provider-helm",
    "cdktf_cdktf_provider_time": "cdktf-cdktf-provider-time",
    "typeguard": "typeguard", "publication": "publication", "dateutil": "python-dateutil", "tzdata": "tzdata",
    "cattrs": "cattrs", "attrs": "attrs", "typing_extensions": "typing-extensions",
}
"""Import name -> distribution of what a synth adds: cdktf, its jsii runtime and the provider
bindings, with what jsii imports in turn (typeguard, publication, python-dateutil, cattrs...)."""

DIAGRAM_PACKAGES: dict[str, str] = {
    **CONFIG_PACKAGES, "diagrams": "diagrams", "graphviz": "graphviz", "jinja2": "Jinja2", "markupsafe": "MarkupSafe",
}
"""Import name -> distribution of what drawing the topology diagrams needs (tools/diagram.py; the
public IP names come from `config.resource_names`, which imports the configuration models). The
`diagrams` distribution also requires pre-commit, which drawing never imports, so it is not checked."""

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def missing(packages: dict[str, str]) -> list[str]:
    """The distributions of `packages` (import name -> distribution) this interpreter cannot import,
    in the order given; nothing is imported to find out."""
    return [distribution for module, distribution in packages.items() if not _findable(module)]


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken parent package, or a module set to None
        return False


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def how_to_run(make: str, run: str) -> str:
    """The two ways to run a command in `.venv`: `make` (the make target, which sets .venv up
    first) and `run` (the Python command line after `.venv/bin/python`)."""
    return (f"Run `{make}`, which sets up .venv from requirements.txt first, or `.venv/bin/python {run}` "
            "once .venv exists.")


def not_installed(distributions: list[str], make: str, run: str) -> str:
    """The message for packages this interpreter lacks (`distributions`, as `missing` returns them)."""
    verb = "is" if len(distributions) == 1 else "are"
    return f"{_listed(distributions)} {verb} not installed in this Python ({sys.executable}). {how_to_run(make, run)}"


def lacking(packages: dict[str, str], make: str, run: str) -> str | None:
    """`not_installed`'s message for the distributions of `packages` this interpreter cannot import;
    None when it can import every one. Nothing is imported to find out."""
    absent = missing(packages)
    return not_installed(absent, make, run) if absent else None


def too_old(make: str, run: str, minimum: tuple[int, int] = MINIMUM_PYTHON) -> str | None:
    """The message when this interpreter is older than `minimum`; None when it is recent enough."""
    if sys.version_info >= minimum:
        return None
    wanted = ".".join(map(str, minimum))
    return (f"this Python ({sys.executable}) is {sys.version.split()[0]}; the project needs Python {wanted} or "
            f"later. {how_to_run(make, run)} (make uses python3; `make PYTHON=python{wanted} setup` names another).")


def pinned_versions(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """Distribution name (lower case, `_` as `-`) -> the version requirements.txt pins with `==`."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9._-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[_normalized(match.group(1))] = match.group(2)
    return pins


def _normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def other_versions(packages: dict[str, str], requirements: Path = REQUIREMENTS) -> list[str]:
    """`<distribution> <installed> (requirements.txt pins <pinned>)` for each of `packages` whose
    installed version is not the one `requirements` pins; empty when that file cannot be read."""
    try:
        pins = pinned_versions(requirements)
    except OSError:
        return []
    found = []
    for distribution in packages.values():
        pinned = pins.get(_normalized(distribution))
        try:
            installed = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
        if pinned and installed != pinned:
            found.append(f"{distribution} {installed} (requirements.txt pins {pinned})")
    return found


def diagnose(packages: dict[str, str], make: str, run: str) -> str | None:
    """Why this interpreter cannot run a command that needs `packages`: too old, packages missing,
    or other versions than requirements.txt pins (looked up only here, after an import failed);
    None when none of these holds."""
    unusable = too_old(make, run) or lacking(packages, make, run)
    if unusable:
        return unusable
    others = other_versions(packages)
    if others:
        return (f"this Python ({sys.executable}) has {_listed(others)}, which the project does not run on. "
                f"{how_to_run(make, run)}")
    return None


def require(packages: dict[str, str], make: str, run: str) -> None:
    """Called by a command before it imports anything outside the standard library: when this
    interpreter is too old or lacks one of `packages` (every package the command imports,
    transitive requirements included), prints the plain message to standard error and exits with
    code 2. Nothing is imported to find out."""
    message = too_old(make, run) or lacking(packages, make, run)
    if message is not None:
        print(message, file=sys.stderr)
        raise SystemExit(2)


def stop_on_import_error(error: BaseException, packages: dict[str, str], make: str, run: str) -> NoReturn:
    """Called in the `except` of a command's imports: prints `diagnose`'s message to standard error
    and exits with code 2 when it explains the failure; otherwise re-raises `error` (a fault of the
    project's own code keeps its traceback)."""
    message = diagnose(packages, make, run)
    if message is None:
        raise error
    print(message, file=sys.stderr)
    raise SystemExit(2) from None
