"""Serialization of the generated manifests: deterministic YAML/TOML and minimal Helm charts.

Output is deterministic (sorted keys, fixed file names), so the same settings always give the
same bytes and the stack's asset hash changes only when a manifest does. The charts hold exactly
one kind of templating, the `{{ .Values.<name> }}` placeholders of `settings.HELM_VALUES`.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from constructs_lib.workload.manifests.settings import (
    HELM_VALUES,
    INGRESS_IDENTITY_CLIENT_ID,
    helm_value,
)

SAMPLE_GUID = "00000000-0000-0000-0000-000000000000"
SAMPLE_HELM_VALUES = {INGRESS_IDENTITY_CLIENT_ID: SAMPLE_GUID}
"""Stand-ins for install-time values, for validation and scanning only."""

_GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_HELM_VALUE_SCHEMAS = {INGRESS_IDENTITY_CLIENT_ID: {"type": "string", "pattern": _GUID_PATTERN}}
_CHART_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_TOML_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


# ----------------------------------------------------------------------------------- formats

class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings (embedded config files) as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(data: Any) -> str:
    """Deterministic YAML (sorted keys, block style, literal multi-line strings)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=False, width=4096)


def to_toml(data: Mapping[str, Any]) -> str:
    """TOML for nested tables of strings, booleans, integers and lists of those (Traefik config)."""
    lines: list[str] = []

    def key(name: str) -> str:
        return name if _TOML_BARE_KEY.match(name) else json.dumps(name)

    def value(item: Any) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int):
            return str(item)
        if isinstance(item, str):
            return json.dumps(item)
        if isinstance(item, (list, tuple)):
            return "[" + ", ".join(value(i) for i in item) + "]"
        raise TypeError(f"to_toml: unsupported value {item!r}")

    def table(path: list[str], body: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in body.items() if not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in body.items() if isinstance(v, Mapping)]
        if path and (scalars or not tables):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(key(p) for p in path) + "]")
        lines.extend(f"{'  ' if path else ''}{key(k)} = {value(v)}" for k, v in scalars)
        for name, sub in tables:
            table([*path, name], sub)

    table([], data)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- charts

def _placeholders() -> dict[str, str]:
    return {name: helm_value(name) for name in HELM_VALUES}


def _check_templating(text: str, where: str) -> set[str]:
    """The Helm values a text uses; any other `{{` is an error (it would be a template)."""
    used = {name for name, placeholder in _placeholders().items() if placeholder in text}
    stripped = text
    for name in used:
        stripped = stripped.replace(helm_value(name), "")
    if "{{" in stripped:
        allowed = sorted(_placeholders().values())
        raise ValueError(f"{where}: contains '{{{{' outside the allowed placeholders {allowed}")
    return used


def manifest_filename(index: int, manifest: Mapping[str, Any], width: int = 2) -> str:
    """`NN-<kind>-<name>.yaml`, e.g. `03-deployment-traefik-ingress-controller.yaml`."""
    kind, name = manifest.get("kind"), manifest.get("metadata", {}).get("name")
    if not isinstance(kind, str) or not isinstance(name, str) or not manifest.get("apiVersion"):
        raise ValueError(f"manifest #{index}: needs apiVersion, kind and metadata.name")
    return f"{index:0{width}d}-{kind.lower()}-{name}.yaml"


def write_chart(folder: Path, name: str, version: str, app_version: str, manifests: list[dict]) -> Path:
    """Write a minimal Helm chart (one manifest per template) into `folder` and return it.

    Also writes values.yaml (`ingressIdentityClientId: ""`) and, when a template uses a Helm
    value, values.schema.json requiring it, so an install that forgets `--set` fails up front.
    """
    if not _CHART_NAME.match(name):
        raise ValueError(f"name: {name!r} must be lowercase letters, digits and hyphens (Helm chart name)")
    if not _SEMVER.match(version):
        raise ValueError(f"version: {version!r} must be SemVer 2 (e.g. 1.0.0)")
    if not isinstance(app_version, str) or not app_version:
        raise ValueError("app_version: must be a non-empty string")
    if not manifests:
        raise ValueError("manifests: a chart needs at least one manifest")
    width = max(2, len(str(len(manifests) - 1)))
    templates: dict[str, str] = {}
    used: set[str] = set()
    for index, manifest in enumerate(manifests):
        filename = manifest_filename(index, manifest, width)
        text = to_yaml(manifest)
        used |= _check_templating(text, filename)
        templates[filename] = text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "templates", ignore_errors=True)
    (folder / "templates").mkdir()
    for stale in ("values.schema.json",):
        (folder / stale).unlink(missing_ok=True)
    chart = {
        "apiVersion": "v2",
        "name": name,
        "description": "Generated by constructs_lib.k8s; do not edit by hand.",
        "type": "application",
        "version": version,
        "appVersion": app_version,
    }
    write_text(folder / "Chart.yaml", to_yaml(chart))
    write_text(folder / "values.yaml", to_yaml({INGRESS_IDENTITY_CLIENT_ID: ""}))
    if used:
        schema = {
            "type": "object",
            "required": sorted(used),
            "properties": {n: _HELM_VALUE_SCHEMAS[n] for n in sorted(used)},
        }
        write_text(folder / "values.schema.json", json.dumps(schema, indent=2, sort_keys=True) + "\n")
    for filename, text in templates.items():
        write_text(folder / "templates" / filename, text)
    return folder


def render_for_validation(text: str, values: Mapping[str, str]) -> str:
    """Substitute the Helm placeholders with `values` (for tests and scanners, not for deploys).

    Raises ValueError when a used placeholder has no value or any other `{{` remains.
    """
    used = _check_templating(text, "text")
    missing = sorted(used - set(values))
    if missing:
        raise ValueError(f"values: no value for {missing}")
    for name in used:
        text = text.replace(helm_value(name), str(values[name]))
    return text


def write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))
