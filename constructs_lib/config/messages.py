"""pydantic's validation errors in plain words: the rule, what was given, a valid example.

No message shows a regular expression, a Python type name or pydantic's wording ("Input
should be ...", "Tuple should have ..."). Pattern errors are turned back into the words of the
`config.patterns.Pattern` that was broken; an unknown key gets the closest valid keys of the
model at that place ("did you mean min_count?"). Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from constructs_lib.config import patterns
from constructs_lib.config.models import STATE_BACKEND_MODELS, STATE_BACKENDS
from constructs_lib.config.patterns import kind_of


def _choices(expected: str) -> list[str]:
    """"'Standard' or 'Premium'" -> ["Standard", "Premium"]."""
    return re.findall(r"'([^']*)'", expected)


def suggestions(word: str, candidates: typing.Iterable[str]) -> list[str]:
    """Candidates close to `word`: similar spelling (difflib) or sharing its start (min -> min_count)."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    lowered = word.lower()
    prefixed = [c for c in pool
                if len(lowered) >= 2 and (c.lower().startswith(lowered) or lowered.startswith(c.lower()))]
    found = close + [c for c in prefixed if c not in close]
    return found[:4]


def _did_you_mean(found: list[str]) -> str:
    if not found:
        return ""
    if len(found) == 1:
        return f"; did you mean {found[0]}?"
    return f"; did you mean one of {', '.join(found)}?"


def unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated/Optional/Union annotations."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in unwrap(arg)]
    return [annotation]


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation may hold (through Annotated, Optional and unions)."""
    return [kind for kind in unwrap(annotation) if isinstance(kind, type) and issubclass(kind, BaseModel)]


def model_at(root: type[BaseModel], location: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class a pydantic error location points into (None when it is not a model).

    Steps through fields, list/tuple items (integer parts) and the tag of a discriminated union
    (pydantic puts it in the location, e.g. `("state", "azurerm", "backendd")`).
    """
    current: list[Any] = [root]
    for part in location:
        models = [t for t in current if isinstance(t, type) and issubclass(t, BaseModel)]
        if isinstance(part, int):
            current = [arg for t in current for arg in typing.get_args(t) if arg is not Ellipsis]
            current = [u for t in current for u in unwrap(t)]
            continue
        tagged = [m for m in models if STATE_BACKEND_MODELS.get(part) is m]
        if tagged:
            current = tagged
            continue
        fields = [m.model_fields[part] for m in models if part in m.model_fields]
        if not fields:
            return None
        current = [u for f in fields for u in unwrap(f.annotation)]
    models = [t for t in current if isinstance(t, type) and issubclass(t, BaseModel)]
    return models[0] if len(models) == 1 else None


def _quote_advice(value: int | float | bool, written: str | None) -> str:
    """Text that YAML read as a number or boolean: quote what the user wrote (`written`, the
    scalar's source text, when known: `21:00`, which YAML 1.1 reads as 1260)."""
    if written is None:
        if isinstance(value, bool):
            return f"must be text, got {kind_of(value)}; write the text in quotes"
        return f"must be text, but YAML read {kind_of(value)}; write it in quotes, e.g. \"{value}\""
    if isinstance(value, bool):
        read = f"as the boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    elif written == repr(value):
        read = "as a number"
    elif re.fullmatch(r"[-+]?\d*\.\d*0", written) and float(written) == value:
        read = f"as the number {value!r}, dropping the trailing zero"
    else:
        read = f"as the number {value!r}"
    return f"must be text, but YAML read {written} {read}; write it in quotes: \"{written}\""


PER_ENVIRONMENT_FIELDS = frozenset({"public_host"})
"""Fields each environment gives its own value (two environments may not share a public host), so
their example is the default with the environment's name: `bicycle-dev`."""


def _accepted_example(pattern: patterns.Pattern, root: type[BaseModel], location: tuple[Any, ...],
                      refused: typing.Callable[[Any], list[str]] | None, environment: str | None = None) -> str:
    """An example of `pattern` for the field at `location` that the rest of the file accepts: the
    field's own default when it has the form (`npspot01` for spot_pool.name, not user_pool's
    `npuser01`; `bicycle-dev` for a per-environment field of dev.yaml), else the pattern's example,
    else either with another number (`npspot02`)."""
    model = model_at(root, location[:-1]) if location else None
    field = model.model_fields.get(str(location[-1])) if model is not None else None
    default = field.default if field is not None and isinstance(field.default, str) else None
    if default is not None and environment and location and location[-1] in PER_ENVIRONMENT_FIELDS:
        default = f"{default}-{environment}"
    first = [c for c in (default, pattern.example) if c is not None and pattern.matches(c)]
    if refused is None:
        return first[0]
    stem = first[0].rstrip("0123456789")
    for candidate in [*first, *(f"{stem}{i:02d}" for i in range(2, 6))]:
        if pattern.matches(candidate) and not refused(candidate):
            return candidate
    return first[0]


def _missing_example(root: type[BaseModel], location: tuple[Any, ...],
                     refused: typing.Callable[[Any], list[str]] | None) -> str:
    """How to add a missing field: a value of its pattern (`e.g. workload: bu0001a0008`), or where
    a whole section or value is shown (docs/example.yaml, every field with a sample value)."""
    key = str(location[-1]) if location else ""
    model = model_at(root, location[:-1]) if location else None
    field = model.model_fields.get(key) if model is not None else None
    if field is None:
        return ""
    for meta in field.metadata:
        pattern = patterns.describe_regex(str(getattr(meta, "pattern", "")))
        if pattern is not None:
            return f"; add it, e.g. {key}: {patterns.as_yaml(_accepted_example(pattern, root, location, refused))}"
    if any(isinstance(t, type) and issubclass(t, BaseModel) for t in unwrap(field.annotation)):
        return f"; add the {key}: section (docs/example.yaml shows one with every field)"
    return f"; add {key}: (docs/example.yaml shows a value for every field)"


def _list_example(key: str, allowed: list[str]) -> str:
    """`zones: ["1", "2", "3"]`: a whole list of accepted choices, as YAML reads it back."""
    return f"{key}: [{', '.join(patterns.as_yaml(c) if patterns.as_yaml(c) != c else c for c in allowed)}]"


def plain_message(error: dict[str, Any], root: type[BaseModel], written: str | None = None,
                  refused: typing.Callable[[Any], list[str]] | None = None, environment: str | None = None) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a plain-word message. `written`
    is the value's text in the file when YAML read it as a number or boolean (see the loader).
    `refused(value)` says what the rest of the file would refuse about `value` written in this
    field (empty: accepted); with it, a did-you-mean offers only values the file accepts, and the
    quoted form of a number is checked before it is advised. `environment` (the file's name) makes
    the example of a per-environment field (`PER_ENVIRONMENT_FIELDS`)."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    location: tuple[Any, ...] = tuple(error.get("loc", ()))
    if kind == "extra_forbidden":
        key = str(location[-1]) if location else ""
        model = model_at(root, location[:-1])
        valid = sorted(model.model_fields) if model else []
        listing = f" (valid keys here: {', '.join(valid)})" if valid and len(valid) <= 16 else ""
        return (f"unknown key {key!r}{_did_you_mean(suggestions(key, valid))}{listing}"
                if valid else f"unknown key {key!r}")
    if kind == "missing":
        return f"required field is missing{_missing_example(root, location, refused)}"
    if kind == "string_pattern_mismatch":
        pattern = patterns.describe_regex(str(ctx.get("pattern", "")))
        if pattern is not None:
            return pattern.message(value, _accepted_example(pattern, root, location, refused, environment))
        return f"{value!r} does not have the required form"
    if kind == "string_type":
        if isinstance(value, (int, float, bool)):
            advice = _quote_advice(value, written)
            quoted = written if written is not None else None if isinstance(value, bool) else str(value)
            still = refused(quoted) if refused is not None and quoted is not None else []
            if still:  # "1.30" in quotes is a version AKS no longer offers: say both in one round
                advice = (f"{advice.split('; write it in quotes')[0]}; quoting it (\"{quoted}\") is not enough: "
                          f"{still[0]}")
            return advice
        return f"must be text, got {kind_of(value)}"
    if kind in ("string_too_short", "string_too_long"):
        bound = ctx.get("min_length") if kind == "string_too_short" else ctx.get("max_length")
        word = "at least" if kind == "string_too_short" else "at most"
        length = len(value) if isinstance(value, str) else "?"
        return f"must be {word} {bound} characters long; it has {length}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {kind_of(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {kind_of(value)}"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {kind_of(value)}"
    if kind == "greater_than_equal":
        return f"{value!r} is below the minimum of {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{value!r} is above the maximum of {ctx.get('le')}"
    if kind == "greater_than":
        return f"{value!r} must be greater than {ctx.get('gt')}"
    if kind == "less_than":
        return f"{value!r} must be less than {ctx.get('lt')}"
    if kind in ("literal_error", "enum"):
        choices = _choices(str(ctx.get("expected", "")))
        # Only values the rest of the file accepts are offered (Free is a tier, not a production one).
        allowed = [c for c in choices if not refused(c)] if refused is not None else choices
        barred = [c for c in choices if c not in allowed]
        hint = _did_you_mean(suggestions(str(value), allowed)) if isinstance(value, str) else ""
        shown = repr(value) if isinstance(value, str) and len(value) <= 80 else kind_of(value)
        text = f"{shown} is not one of: {', '.join(choices)}{hint}"
        if barred and allowed:
            text += (f"; {' and '.join(barred)} {'is' if len(barred) == 1 else 'are'} refused by the rest of "
                     f"this file, so use {' or '.join(allowed)}")
        if len(location) >= 2 and isinstance(location[-1], int) and allowed:  # an item of a list
            text += f", e.g. {_list_example(str(location[-2]), allowed)}"
        return text
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return f"must be a list (e.g. [a, b] or one '- item' line per entry), got {kind_of(value)}"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return f"needs at least {minimum} {'entry' if minimum == 1 else 'entries'}"
    if kind == "too_long":
        maximum = ctx.get("max_length")
        return f"takes at most {maximum} {'entry' if maximum == 1 else 'entries'}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return f"must be a mapping (indented 'key: value' lines), got {kind_of(value)}"
    if kind in ("uuid_type", "uuid_parsing", "uuid_version"):
        shown = repr(value) if isinstance(value, str) and len(value) <= 80 else kind_of(value)
        return f"{shown} is not {patterns.GUID.description} (for example {patterns.GUID.example})"
    if kind == "union_tag_invalid":
        tags = _choices(str(ctx.get("expected_tags", "")))
        tag = str(ctx.get("tag", ""))
        return f"backend {tag!r} is not one of: {', '.join(tags)}{_did_you_mean(suggestions(tag, tags))}"
    if kind == "union_tag_not_found":
        return f"needs a 'backend' key ({', '.join(STATE_BACKENDS[:-1])} or {STATE_BACKENDS[-1]})"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"invalid value ({kind.replace('_', ' ')})"
