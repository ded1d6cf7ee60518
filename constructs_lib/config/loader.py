"""Load and validate every `envs/*.yaml` before any construct is created.

Everything a user can get wrong in an environment file surfaces as one `ConfigError` that names
the file and the field path and states the rule; nothing here imports cdktf, so a bad file fails
in well under a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from constructs_lib.config.address_plan import Problem, check_environment
from constructs_lib.config.models import Environment

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_NODES = 20_000


class ConfigError(Exception):
    """An environment file (or the envs folder) breaks a rule; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.located = [(source, problem) for problem in problems]
        super().__init__(self.render())

    @classmethod
    def combine(cls, errors: list["ConfigError"]) -> "ConfigError":
        """One error carrying the problems of several files, each still naming its file."""
        combined = cls("", [])
        combined.located = [item for error in errors for item in error.located]
        combined.args = (combined.render(),)
        return combined

    @property
    def problems(self) -> list[Problem]:
        return [problem for _, problem in self.located]

    def render(self) -> str:
        return "\n".join(f"{source}: {p.path}: {p.message}" if p.path else f"{source}: {p.message}"
                         for source, p in self.located)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping keys must be plain scalars, got {type(key).__name__}",
                key_node.start_mark)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _measure(node: yaml.Node, depth: int = 0, seen: int = 0) -> int:
    """Count nodes (aliases expanded) and enforce the depth limit; returns the running count."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nesting deeper than {MAX_DEPTH} levels; an environment file is shallow")
    seen += 1
    if seen > MAX_NODES:
        raise ValueError(f"more than {MAX_NODES} values (after expanding aliases)")
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            seen = _measure(key, depth + 1, seen)
            seen = _measure(value, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            seen = _measure(item, depth + 1, seen)
    return seen


def _field_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("azurerm", "local") and path.endswith("state"):
            continue  # pydantic's discriminator tag, not a key the user wrote
        else:
            path += f".{part}" if path else str(part)
    return path


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see README 'Environment files')"
        elif item["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(_field_path(item["loc"]), message))
    return problems


def _check_names(env: Environment) -> list[Problem]:
    """Derive every Azure name of every region; a name breaking Azure's rules is a config error."""
    from constructs_lib.naming import NamingError
    from constructs_lib.resource_names import RegionNames

    problems = []
    for index, region in enumerate(env.regions):
        try:
            RegionNames.of(env, region)
        except NamingError as error:
            problems.append(Problem(f"regions[{index}].name", f"{error} (derived from name, workload and region)"))
    return problems


def load_environment(path: Path) -> Environment:
    """Parse and fully validate one environment file."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(source, [Problem("", f"cannot read the file ({error.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(source, [Problem(
            "", f"file is {len(raw)} bytes; environment files are limited to {MAX_FILE_BYTES}")])
    try:
        text = raw.decode("utf-8")
        node = yaml.compose(text, Loader=_StrictLoader)
        if node is not None:
            _measure(node)
        data = yaml.load(text, Loader=_StrictLoader)
    except UnicodeDecodeError:
        raise ConfigError(source, [Problem("", "file is not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(source, [Problem("", f"YAML syntax error: {where}{error.problem}")]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        reason = "nesting too deep" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(source, [Problem("", f"cannot parse YAML: {reason}")]) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(source, [Problem(
            "", f"the file is {kind}; an environment file must be a mapping with name, regions, ...")])
    try:
        env = Environment.model_validate(data)
    except ValidationError as error:
        raise ConfigError(source, _pydantic_problems(error)) from None
    problems = []
    if env.name != path.stem:
        problems.append(Problem("name", f"{env.name!r} must match the file name {path.stem!r}"))
    problems += check_environment(env)
    problems += _check_names(env)
    if problems:
        raise ConfigError(source, problems)
    return env


def load_environments(folder: Path) -> list[Environment]:
    """Load every `*.yaml` in `folder`; any problem in any file raises one ConfigError."""
    if not folder.is_dir():
        raise ConfigError(str(folder), [Problem("", "the environments folder does not exist")])
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise ConfigError(str(folder), [Problem(
            "", "no environment files (*.yaml); add one such as envs/dev.yaml")])
    stems = [p.stem for p in files]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise ConfigError(str(folder), [Problem(
            "", f"environment {', '.join(duplicates)} is defined by both a .yaml and a .yml file")])
    environments = []
    errors: list[ConfigError] = []
    for path in files:
        try:
            environments.append(load_environment(path))
        except ConfigError as error:
            errors.append(error)
    if errors:
        raise ConfigError.combine(errors)
    return environments
