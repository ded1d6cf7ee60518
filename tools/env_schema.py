"""The environment file's documentation, generated from the model (`config.models.Environment`):

- `envs/environment.schema.json`: JSON Schema with every field's description and default (from the
  field docstrings); the env files name it on their first line, so editors with a YAML language
  server validate and complete them;
- the key table of README.md "Every key" (between the `environment-keys` markers);
- `docs/example.yaml`: an environment with every key written out, each under its description.

    make schema            # write all three
    make schema ARGS=--check   # exit 1 when a committed file differs from the model (the tests do this)

Pure configuration: nothing here imports cdktf.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
import textwrap
import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from constructs_lib import interpreter

# Every package the configuration imports (tzlocal too, which only some settings load), checked
# before importing any: a plain message and exit 2, not a traceback halfway through the run.
interpreter.require(interpreter.CONFIG_PACKAGES, "make schema", "-m tools.env_schema")

try:  # another Python than .venv's: a plain message and exit 2, not a traceback
    import yaml
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    from constructs_lib.config.loader import load_environment
    from constructs_lib.config.messages import models_in, unwrap
    from constructs_lib.config.models import STATE_BACKEND_MODELS, Environment
except Exception as error:
    interpreter.stop_on_import_error(error, interpreter.CONFIG_PACKAGES, "make schema", "-m tools.env_schema")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "envs" / "environment.schema.json"
EXAMPLE_PATH = ROOT / "docs" / "example.yaml"
README_PATH = ROOT / "README.md"
BEGIN, END = "<!-- environment-keys:start -->", "<!-- environment-keys:end -->"
MODELINE = "# yaml-language-server: $schema=./environment.schema.json"
"""First line of every file in envs/: editors (VS Code's YAML extension, JetBrains) validate and
complete the file against the schema next to it."""
SCHEMA_ID = "https://github.com/contoso/aks-baseline-cdktf/envs/environment.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an environment file."""
    document = Environment.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "AKS baseline environment (envs/<name>.yaml)", **document}


def _item_models(annotation: Any) -> list[type[BaseModel]]:
    """Models inside list[...]/tuple[...]."""
    found = []
    for kind in unwrap(annotation):
        if typing.get_origin(kind) in (list, tuple):
            found += [m for arg in typing.get_args(kind) for m in models_in(arg)]
    return found


def _type_name(annotation: Any) -> str:
    names = []
    for kind in unwrap(annotation):
        origin = typing.get_origin(kind)
        if kind is type(None):
            names.append("null")
        elif origin is typing.Literal:
            names.append(" \\| ".join(f"`{value}`" for value in typing.get_args(kind)))
        elif origin in (list, tuple):
            inner = [a for a in typing.get_args(kind) if a is not Ellipsis]
            names.append(f"list of {_type_name(inner[0]) if inner else 'values'}")
        elif origin is dict:
            names.append("mapping")
        elif kind is ipaddress.IPv4Network:
            names.append("CIDR")
        elif kind is ipaddress.IPv4Address:
            names.append("IPv4 address")
        elif kind is uuid.UUID:
            names.append("GUID")
        elif kind is bool:
            names.append("boolean")
        elif kind is int:
            names.append("integer")
        elif kind is str:
            names.append("text")
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            names.append("section")
        else:
            names.append(getattr(kind, "__name__", str(kind)))
    return " or ".join(dict.fromkeys(names))


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default is PydanticUndefined else field.default
    if isinstance(value, BaseModel):
        return "see below"
    if value is None:
        return "unset"
    dumped = json.dumps(value, default=str) if not isinstance(value, str) else value
    return f"`{dumped}`" if dumped not in ("", "[]", "{}") else "empty"


def _first_sentence(text: str | None) -> str:
    flat = " ".join((text or "").split())
    end = re.search(r"(?<!\be\.g)(?<!\bi\.e)\. ", flat)
    if end:
        flat = flat[: end.start() + 1]
    return flat.replace("|", "\\|")


def key_rows(model: type[BaseModel] = Environment, prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(key path, type, default, description) for every field, depth first, in model order."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested, items = models_in(field.annotation), _item_models(field.annotation)
        if nested:
            yield path, "section", _default(field), _first_sentence(field.description)
            for sub in nested:
                label = ""
                if len(nested) > 1 and sub in STATE_BACKEND_MODELS.values():
                    backend = next(tag for tag, model in STATE_BACKEND_MODELS.items() if model is sub)
                    label = f"[backend: {backend}]"
                yield from key_rows(sub, f"{path}{label}.")
        elif items:
            yield path, "list of sections", _default(field), _first_sentence(field.description)
            for sub in items:
                yield from key_rows(sub, f"{path}[].")
        else:
            yield path, _type_name(field.annotation), _default(field), _first_sentence(field.description)


def key_table() -> str:
    """The README table of every key."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{path}` | {kind} | {default} | {text} |" for path, kind, default, text in key_rows()]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- example


EXAMPLE_BASE_PATH = ROOT / "tests" / "fixtures" / "base.yaml"
"""The example's values: the shipped dev.yaml as it was written, frozen in the file the tests start
from too (tests/envfiles.py BASE), so editing envs/ never changes the docs."""


def example_data() -> dict[str, Any]:
    """`EXAMPLE_BASE_PATH`'s values named `example`, with every optional section switched on, so the
    example shows every key."""
    data = yaml.safe_load(EXAMPLE_BASE_PATH.read_text())
    data["name"] = "example"
    data["ingress"] = {**data["ingress"], "certificate_issuer": "PublicCA", "public_host": "bicycle-example"}
    data["front_door"] = {"enabled": True, "public_dns_zone": {"name": "contoso.com", "resource_group_name": "rg-dns"}}
    data["cluster"] = {**data["cluster"], "stop_schedule": {
        "start": "07:00", "stop": "19:00", "time_zone": "W. Europe Standard Time",
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]}}
    data["cluster"]["network"] = {"pod_cidr": "192.168.0.0/16"}
    return data


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("\n...").strip()


def _comment(text: str | None, indent: str) -> list[str]:
    body = " ".join((text or "").split())
    width = max(40, 100 - len(indent))
    wrapped = textwrap.wrap(body, width=width, break_on_hyphens=False, break_long_words=False)
    return [f"{indent}# {line}" for line in wrapped]


def _emit(model: type[BaseModel], data: dict[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        value = data.get(name)
        lines += _comment(field.description, indent)
        nested, items = models_in(field.annotation), _item_models(field.annotation)
        if isinstance(value, dict) and nested:
            sub = nested[0]
            if len(nested) > 1:
                sub = STATE_BACKEND_MODELS[value["backend"]]
            lines.append(f"{indent}{name}:")
            lines += _emit(sub, value, indent + "  ")
        elif isinstance(value, list) and value and items:
            lines.append(f"{indent}{name}:")
            for item in value:
                inner = indent + "    "
                block = _emit(items[0], item, inner)
                first = next(i for i, line in enumerate(block) if not line.lstrip().startswith("#"))
                block[first] = f"{indent}  - {block[first][len(inner):]}"
                lines += block
        else:
            lines.append(f"{indent}{name}: {_scalar(value)}")
    return lines


def example_yaml() -> str:
    """`docs/example.yaml`: every key, each under its description, with the values of a valid
    environment (envs/dev.yaml plus every optional section)."""
    env = Environment.model_validate(example_data())
    data = env.model_dump(mode="json")
    header = [
        "# yaml-language-server: $schema=../envs/environment.schema.json",
        "# Every key of an environment file, each under its description (generated by `make schema` from",
        "# constructs_lib/config/models.py; do not edit). Copy what you need into envs/<name>.yaml; the",
        "# values are the shipped dev.yaml's plus every optional section switched on. README \"Adding an",
        "# environment\".",
    ]
    return "\n".join(header + _emit(Environment, data, "")) + "\n"


# ----------------------------------------------------------------------------------- files


def readme_with_table(text: str) -> str:
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{key_table()}\n{END}{after}"


def outputs() -> dict[Path, str]:
    """Every generated file and its content."""
    return {
        SCHEMA_PATH: json.dumps(schema(), indent=2) + "\n",
        EXAMPLE_PATH: example_yaml(),
        README_PATH: readme_with_table(README_PATH.read_text()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    generated = outputs()
    for path, content in generated.items():
        if args.check:
            if not path.is_file() or path.read_text() != content:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    if stale:
        print("out of date with the model: " + ", ".join(str(p.relative_to(ROOT)) for p in stale)
              + "; run `make schema`", file=sys.stderr)
        return 1
    if not args.check:
        load_environment(EXAMPLE_PATH)  # the example must be a valid environment
        print(f"wrote {', '.join(str(p.relative_to(ROOT)) for p in generated)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
