"""What an environment file's valid parts still say when the file as a whole does not validate.

pydantic runs a model's own rules (its `model_validator`s) only once every field of the model has
validated, and a model with one bad field fails its parent, and so on up: one wrong value would hide
every cross-field and cross-section problem of the file. `view` validates the file part by part
instead: a section that validates is its model; one that does not becomes a `Partial`, whose valid
fields read as usual and whose invalid ones raise `rules.Unavailable`. `rule_problems` then runs
every model's rules on that view: a rule that reads an unavailable field is skipped (the field's own
error is reported already), every other rule reports exactly what it reports on a whole file.

A field is validated alone through its type (`TypeAdapter` of its annotation and constraints):
every field-level rule of the models is part of the field's type for that reason (no
`field_validator`s; tests/config/test_partial.py holds the models to it).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from constructs_lib.config.messages import models_in
from constructs_lib.config.rules import Unavailable


class _Invalid:
    """The value of a field that did not validate; reading anything from it is unavailable too."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise Unavailable(name)

    def __repr__(self) -> str:
        return "<invalid>"


INVALID: Any = _Invalid()
"""The value of a field (or list item) that did not validate."""


class Partial:
    """A model instance that failed validation, seen through the fields that validated.

    Reading a valid field gives its validated value (a model, a `Partial` for a section that failed
    in part, or a list of either); reading an invalid one raises `rules.Unavailable`. Properties and
    methods of the model run on the partial instance, so a rule reads it as it reads the model;
    pydantic's own methods (`model_dump`, ...) are unavailable."""

    __slots__ = ("model", "values")

    def __init__(self, model: type[BaseModel], values: dict[str, Any]):
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name: str) -> Any:
        if name in self.values:
            value = self.values[name]
            if value is INVALID:
                raise Unavailable(f"{self.model.__name__}.{name}")
            return value
        if name.startswith("__"):
            raise AttributeError(name)
        attribute = inspect.getattr_static(self.model, name, None)
        if isinstance(attribute, property) and attribute.fget is not None:
            return attribute.fget(self)
        if inspect.isfunction(attribute) and not hasattr(BaseModel, name):
            return types.MethodType(attribute, self)
        raise Unavailable(f"{self.model.__name__}.{name}")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{self.model.__name__} is immutable")

    def __repr__(self) -> str:
        return f"Partial({self.model.__name__}, {self.values!r})"


def view(model: type[BaseModel], raw: object, context: dict[str, Any] | None = None) -> Any:
    """`raw` validated as `model` as far as it validates: the model instance when it does, a
    `Partial` when it is a mapping some of whose fields do not (a missing required field is
    invalid, a missing optional one takes its default), `INVALID` when it is not a mapping."""
    if not isinstance(raw, dict):
        return INVALID
    try:
        return model.model_validate(raw, context=context)
    except ValidationError:
        pass
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in raw:
            values[name] = _field(model, name, raw[name], context)
        elif field.is_required():
            values[name] = INVALID
        else:
            values[name] = field.get_default(call_default_factory=True)
    return Partial(model, values)


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """Validates one field of `model` alone: its annotation with its constraints and validators."""
    field = model.model_fields[name]
    return TypeAdapter(typing.cast(Any, Annotated)[field.annotation, field])


def _field(model: type[BaseModel], name: str, raw: object, context: dict[str, Any] | None) -> Any:
    """One field's value: validated, a partial section, a list of partial items, or INVALID."""
    try:
        return _adapter(model, name).validate_python(raw, context=context)
    except ValidationError as error:
        failed = error.errors()
    annotation = model.model_fields[name].annotation
    sections = models_in(annotation)
    if len(sections) == 1 and isinstance(raw, dict):
        return view(sections[0], raw, context)
    if typing.get_origin(annotation) in (list, tuple) and isinstance(raw, list):
        items = [arg for arg in typing.get_args(annotation) if arg is not Ellipsis]
        item_models = models_in(items[0]) if len(items) == 1 else []
        # Only the items failed (not the list's own length): each item as far as it validates.
        if len(item_models) == 1 and all(item["loc"] and isinstance(item["loc"][0], int) for item in failed):
            return [view(item_models[0], item, context) for item in raw]
    return INVALID


def _rules(model: type[BaseModel]) -> list[Callable[..., Any]]:
    """The model's own rules: its `model_validator(mode="after")` functions."""
    return [decorator.func for decorator in model.__pydantic_decorators__.model_validators.values()
            if decorator.info.mode == "after"]


def rule_problems(node: Any, location: tuple[Any, ...] = (), context: dict[str, Any] | None = None,
                  ) -> list[tuple[tuple[Any, ...], str]]:
    """(location of the model, message line) of every model rule the partial view `node` breaks,
    inner sections first (the order pydantic reports them in). Only sections that failed are
    judged: a section that validated has passed its rules already."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += rule_problems(item, (*location, index), context)
        return found
    if not isinstance(node, Partial):
        return found
    for name, value in node.values.items():
        found += rule_problems(value, (*location, name), context)
    info = types.SimpleNamespace(context=context)
    for rule in _rules(node.model):
        try:
            rule(node, info) if len(inspect.signature(rule).parameters) == 2 else rule(node)
        except ValueError as error:
            found += [(location, line) for line in str(error).split("\n")]
        except Unavailable:
            continue
    return found
