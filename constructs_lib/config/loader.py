"""Load and validate every `envs/*.yaml` before any construct is created.

Everything a user can get wrong in an environment file surfaces as one `ConfigError` that names
the file and the field path and states the rule; nothing here imports cdktf, so a bad file fails
in well under a second.
"""

from __future__ import annotations

import copy
import datetime
import functools
import inspect
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from constructs_lib.config import partial
from constructs_lib.config.address_plan import Problem, check_environment, check_partial
from constructs_lib.config.messages import plain_message
from constructs_lib.config.models import STATE_BACKENDS, Environment
from constructs_lib.config.naming import NamingError
from constructs_lib.config.resource_names import RegionNames
from constructs_lib.config.rules import Unavailable

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_NODES = 20_000
MAX_MESSAGE_CHARS = 1_000
"""A problem's message is cut here: a 200 kB value echoed back is not a clear error."""
MAX_REFUSAL_CHECKS = 12
"""Advice checked against the rest of the file per load (each check validates the file again)."""
MAX_PROBLEMS_SHOWN = 50
"""Problems listed per error; the rest are counted (a list of 10 000 bad zones is one mistake)."""

# C0/C1 control characters (terminal escapes, NUL, CR, newlines) from a hostile file must not
# reach the terminal raw: each problem is one line, and nothing in it can recolour or forge output.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_]{0,63}$")


def _printable(text: str) -> str:
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)  # "\x1b" for ESC, "\n" for LF
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{text[:MAX_MESSAGE_CHARS]}... ({len(text) - MAX_MESSAGE_CHARS} more characters)"
    return text


class ConfigError(Exception):
    """An environment file (or the envs folder) breaks a rule; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.located = [(source, problem) for problem in problems]
        super().__init__(self.render())

    @classmethod
    def combine(cls, errors: list[ConfigError]) -> ConfigError:
        """One error carrying the problems of several files, each still naming its file."""
        combined = cls("", [])
        combined.located = [item for error in errors for item in error.located]
        combined.args = (combined.render(),)
        return combined

    @property
    def problems(self) -> list[Problem]:
        return [problem for _, problem in self.located]

    def render(self) -> str:
        lines = [_printable(f"{source}: {p.path}: {p.message}" if p.path else f"{source}: {p.message}")
                 for source, p in self.located[:MAX_PROBLEMS_SHOWN]]
        if len(self.located) > MAX_PROBLEMS_SHOWN:
            lines.append(f"... and {len(self.located) - MAX_PROBLEMS_SHOWN} more problems")
        return "\n".join(lines)


# libyaml's parser (PyYAML's C extension) when the wheel has it: ~10x faster than the pure-Python
# one on an environment file, with the same events, marks and (Python) constructors and resolvers.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that rejects duplicate keys instead of silently keeping the last one, reads
    unquoted dates as strings (as YAML 1.2 and JSON do), and reports a scalar its explicit tag
    cannot read (`!!bool maybe`, `!!timestamp x`) as a YAML error with its line and column."""


# An unquoted 2026-12-01 stays the string the models expect; PyYAML would make it a date.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _reporting_errors(construct: Callable[..., Any]) -> Callable[..., Any]:
    """PyYAML's scalar constructors raise KeyError/AttributeError/ValueError on values their tag
    does not fit; turn those into a located ConstructorError."""

    def wrapped(loader: _StrictLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except (ArithmeticError, LookupError, AttributeError, TypeError, ValueError) as error:
            value = node.value if isinstance(node.value, str) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag.rsplit(':', 1)[-1]} value {value[:80]!r} cannot be read "
                f"({type(error).__name__}: {error})", node.start_mark) from None

    return wrapped


for _tag, _construct in yaml.SafeLoader.yaml_constructors.items():
    if _tag is not None and not inspect.isgeneratorfunction(_construct):
        _StrictLoader.add_constructor(_tag, _reporting_errors(_construct))


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
        elif part in STATE_BACKENDS and path.endswith("state"):
            continue  # pydantic's discriminator tag, not a key the user wrote
        elif part == "[key]":
            path += part  # pydantic's marker: the problem is the dict key itself, not its value
        elif not _PLAIN_KEY.match(str(part)):
            shown = str(part) if len(str(part)) <= 64 else f"{str(part)[:64]}..."
            path += f"[{shown!r}]"  # a key with spaces, dots or control characters, quoted
        else:
            path += f".{part}" if path else str(part)
    return path


Refusal = Callable[[tuple[Any, ...], Any], list[str]]
"""(location, value) -> what the file would say about that field with `value` written there instead
(nothing when the value would be accepted there, with the rest of the file as it is)."""


def _pydantic_problems(error: ValidationError, written: dict[str, str],
                       refusal: Refusal | None = None, environment: str | None = None,
                       only: str | None = None) -> list[Problem]:
    """Each error in plain words (`config.messages`), at the field path the user wrote; `written`
    maps a field path to the text of a value YAML read as a number or boolean, so a message can
    quote it; `refusal` lets a message offer only values the rest of the file accepts. A list
    whose items were refused is not reported again as too short. `only`: just the errors that can
    be about that field path (at it, inside it, or at an enclosing model whose rule may blame it)."""
    items = error.errors()
    paths = [_field_path(item["loc"]) for item in items]
    problems = []
    for item, path in zip(items, paths, strict=True):
        if only is not None and not (only.startswith(path) or path.startswith(only)):
            continue
        if item["type"] == "too_short" and any(other.startswith(f"{path}[") for other in paths):
            continue
        location = tuple(item["loc"])
        refused = (None if refusal is None
                   else functools.partial(refusal, location))
        # A rule that relates several fields reports each broken one on its own line.
        for message in plain_message(dict(item), Environment, written.get(path), refused, environment).split("\n"):
            problems.append(_located(path, message))
    return problems


_BLAMED_FIELD = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])?)*): (.+)$", re.S)


def _located(path: str, message: str) -> Problem:
    """A rule's message starts with the field it blames ("thresholds: ..."); the shared rules
    (`config.rules`) are written that way so constructs name the field too. Merge that field
    into the path pydantic reports (where the rule ran), without repeating it: the blamed field's
    longest start that `path` ends with is written once (`hub.firewall_sku` + `hub.firewall_sku:`
    is `hub.firewall_sku`; `ci.runner_ip_ranges` + `runner_ip_ranges[0]:` is
    `ci.runner_ip_ranges[0]`; `cluster` + `user_pool.name:` is `cluster.user_pool.name`)."""
    match = _BLAMED_FIELD.match(message)
    if not match:
        return Problem(path, message)
    blamed, rest = match.groups()
    return Problem(_joined(path, blamed), rest)


def _joined(path: str, blamed: str) -> str:
    """`blamed` (a field path relative to somewhere along `path`) as one path from the top."""
    if not path:
        return blamed
    starts = [match.start() for match in re.finditer(r"[.\[]", blamed)] + [len(blamed)]
    for end in reversed(starts):
        head = blamed[:end]
        if path == head or path.endswith(f".{head}"):
            return path + blamed[end:]
    return f"{path}.{blamed}"


def _check_names(env: Environment | partial.Partial) -> list[Problem]:
    """Derive every Azure name of every region; a name breaking Azure's rules is a config error.
    A region whose name (or an environment whose name parts) did not validate is skipped."""
    problems = []
    try:
        regions = list(enumerate(env.regions))
    except Unavailable:
        return []
    for index, region in regions:
        try:
            RegionNames.of(env, region)  # type: ignore[arg-type]  # a partial view reads as the model
        except NamingError as error:
            problems.append(Problem(f"regions[{index}].name", f"{error} (derived from name, workload and region)"))
        except Unavailable:
            continue
    return problems


def _check_file(env: Environment | partial.Partial, path: Path) -> list[Problem]:
    """The rules that need the file besides the model: its name, and the names derived from it."""
    problems = []
    try:
        if env.name != path.stem:
            problems.append(Problem("name", f"{env.name!r} must match the file name {path.stem!r}, e.g. "
                                            f"name: {path.stem}"))
    except Unavailable:
        pass
    return problems + _check_names(env)


def _rule_problems(data: dict[str, Any], path: Path, context: dict[str, Any]) -> list[Problem]:
    """The cross-field and cross-section rules of a file that did not validate, each judged on the
    parts it reads as far as they validated (`config.partial`), then the file-name, derived-name and
    address-plan checks of the sections that validated."""
    view = partial.view(Environment, data, context)
    problems = [_located(_field_path(location), message)
                for location, message in partial.rule_problems(view, context=context)]
    if view is not partial.INVALID:
        problems += _check_file(view, path)
    return problems + check_partial(data, context)


def _parse(text: str) -> tuple[Any, dict[str, str]]:
    """Parse once: compose the node graph, bound its size and depth, then build the data. Returns
    the data and, by field path, the text of every plain scalar YAML read as a number or a boolean
    (`21:00` became 1260, `1.30` became 1.3), for messages that quote what the user wrote."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _measure(node)
        data = loader.construct_document(node)
        written: dict[str, str] = {}
        _written_texts(node, data, (), written)
        return data, written
    finally:
        loader.dispose()


_NOT_TEXT_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool"))


def _written_texts(node: yaml.Node, data: Any, location: tuple[Any, ...], written: dict[str, str],
                   depth: int = 0) -> None:
    """Walk the node graph beside the data it became (after merges are flattened, a mapping
    node's pairs are the dict's items in order) and record the source text of plain scalars that
    resolved to numbers or booleans, by field path."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, yaml.ScalarNode):
        if not node.style and node.tag in _NOT_TEXT_TAGS and location:  # plain: not quoted, no block
            written[_field_path(location)] = node.value
    elif isinstance(node, yaml.MappingNode) and isinstance(data, dict) and len(node.value) == len(data):
        for (key_node, value_node), (key, value) in zip(node.value, data.items(), strict=True):
            _written_texts(key_node, key, (*location, key, "[key]"), written, depth + 1)
            _written_texts(value_node, value, (*location, key), written, depth + 1)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list) and len(node.value) == len(data):
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=True)):
            _written_texts(item_node, item, (*location, index), written, depth + 1)


# YAML's own words for where a construct started, in the words of the file.
_OPENED = {
    "while parsing a flow mapping": ("the { } mapping opened", "is its closing } missing?"),
    "while parsing a flow sequence": ("the [ ] list opened", "is its closing ] missing?"),
    "while scanning a quoted scalar": ("the quoted text opened", "is its closing quote missing?"),
    "while parsing a block mapping": ("the mapping that starts", "keys of one mapping start in the same column"),
    "while parsing a block collection": ("the list that starts", "items of one list start in the same column"),
    "while scanning a simple key": ("the key that starts", "a key ends with ': '"),
}


def _syntax_problem(error: yaml.MarkedYAMLError, text: str) -> str:
    """A YAML syntax error in plain words: where, what, and where the construct it broke started
    (an unclosed `{` opened 3 lines earlier), or that the culprit is a tab."""
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = error.problem or "not valid YAML"
    lines = text.splitlines()
    at = lines[mark.line][mark.column:mark.column + 1] if mark and mark.line < len(lines) else ""
    if at == "\t" or "tab" in problem:
        return (f"YAML syntax error: {where}a tab character; YAML indents with spaces only, so replace the tab "
                "with spaces")
    if error.context and error.context.startswith("expected"):
        return f"YAML syntax error: {where}{error.context}, {problem}"  # "expected a single document ..."
    context, start = error.context, error.context_mark
    if "mapping values are not allowed" in problem:
        problem += " (a value that contains ': ' must be quoted, e.g. \"a: b\")"
    if context and start is not None and (mark is None or (start.line, start.column) != (mark.line, mark.column)):
        opened, hint = _OPENED.get(context, (context.removeprefix("while ").replace("parsing", "reading")
                                             .replace("scanning", "reading") + " that starts", ""))
        place = f"line {start.line + 1}, column {start.column + 1}"
        problem += f" (in {opened} at {place}{'; ' + hint if hint else ''})"
    return f"YAML syntax error: {where}{problem}"


def load_environment(path: Path, today: datetime.date | None = None) -> Environment:
    """Parse and fully validate one environment file. Rules that depend on the calendar (Kubernetes
    support windows, budget start) judge against `today` (default: the current date)."""
    source = str(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # never read a huge file whole
    except OSError as error:
        raise ConfigError(source, [Problem("", f"cannot read the file ({error.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(source, [Problem(
            "", f"file is larger than {MAX_FILE_BYTES} bytes, the limit for an environment file")])
    try:
        text = raw.decode("utf-8")
        data, written = _parse(text)
    except UnicodeDecodeError:
        raise ConfigError(source, [Problem("", "file is not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as error:
        raise ConfigError(source, [Problem("", _syntax_problem(error, text))]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        reason = "nesting too deep" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(source, [Problem("", f"cannot parse YAML: {reason}")]) from None
    if not isinstance(data, dict):
        kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a single string"}
        kind = "empty" if data is None else kinds.get(type(data), f"a {type(data).__name__}")
        raise ConfigError(source, [Problem(
            "", f"the file is {kind}; an environment file must be a mapping with name, regions, ...")])
    context = {"today": today or datetime.date.today()}
    env, problems = _judge(data, path, context, written, _refusal(data, path, context))
    if env is None or problems:
        raise ConfigError(source, problems)
    return env


def _judge(data: dict[str, Any], path: Path, context: dict[str, Any], written: dict[str, str],
           refusal: Refusal | None, only: str | None = None) -> tuple[Environment | None, list[Problem]]:
    """The file's Environment (None when it does not validate) and every problem it has (`only`:
    the schema errors rendered are just those that can be about that field path)."""
    try:
        env = Environment.model_validate(data, context=context)
    except ValidationError as error:
        # Every rule whose inputs validated, and the address plan of the sections that did, come in
        # the same pass as the schema problems: one round fixes a file.
        problems = (_pydantic_problems(error, written, refusal, path.stem, only)
                    + _rule_problems(data, path, context))
        return None, list(dict.fromkeys(problems))
    return env, _check_file(env, path) + check_environment(env)


def _refusal(data: dict[str, Any], path: Path, context: dict[str, Any]) -> Refusal:
    """What the file would say about the field at a location if `value` were written there instead,
    the rest of the file as it is: the messages at that field's path (empty: the value is accepted).
    Lets a message check its advice (a did-you-mean, the quoted form of a number) before giving it."""

    budget = [MAX_REFUSAL_CHECKS]

    def refused(location: tuple[Any, ...], value: Any) -> list[str]:
        if budget[0] <= 0:
            return []  # a file with thousands of errors gets its advice unchecked, not slowly
        budget[0] -= 1
        changed = copy.deepcopy(data)
        target: Any = changed
        try:
            for part in location[:-1]:
                target = target[part]
            target[location[-1]] = value
        except (LookupError, TypeError):
            return []
        field = _field_path(location)
        _, problems = _judge(changed, path, context, {}, None, only=field)
        return [problem.message for problem in problems if problem.path == field]

    return refused


def load_folder(folder: Path, today: datetime.date | None = None) -> dict[str, Environment | ConfigError]:
    """Load every `*.yaml` (or `*.yml`) in `folder` once: environment name (the file's stem) ->
    its Environment, or the ConfigError of that file, in file-name order. A folder that is missing,
    holds no environment file, or defines a name by both a .yaml and a .yml file raises ConfigError."""
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
    loaded: dict[str, Environment | ConfigError] = {}
    for path in files:
        try:
            loaded[path.stem] = load_environment(path, today)
        except ConfigError as error:
            loaded[path.stem] = error
    return loaded


def select_environments(loaded: dict[str, Environment | ConfigError], folder: Path,
                        names: Sequence[str] = ()) -> list[Environment]:
    """The environments `names` (every one when empty) out of `load_folder`'s result. An unknown
    name raises ConfigError naming the folder and the environments it holds; any chosen file that
    did not load raises one ConfigError with all their problems."""
    unknown = [name for name in names if name not in loaded]
    if unknown:
        known = ", ".join(sorted(loaded)) or "none"
        raise ConfigError(str(folder), [Problem(
            "", f"no environment {', '.join(unknown)}; environments here: {known}")])
    chosen = [loaded[name] for name in dict.fromkeys(names)] if names else list(loaded.values())
    errors = [result for result in chosen if isinstance(result, ConfigError)]
    if errors:
        raise ConfigError.combine(errors)
    return [result for result in chosen if isinstance(result, Environment)]


def load_environments(folder: Path, today: datetime.date | None = None) -> list[Environment]:
    """Load every `*.yaml` in `folder`; any problem in any file raises one ConfigError."""
    return select_environments(load_folder(folder, today), folder)
