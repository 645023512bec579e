"""Plan requests and step inputs as JSON-ready data, and back, exactly.

A saved plan keeps the request it was planned from (with the equivalence values and
formulations it used) and its step inputs, so it can be rebuilt and re-checked years later
without reading today's tables. The conversion is generic over the dataclass fields: a field
added later (with a default) round-trips with no change here, and data saved before it existed
loads with the default. A field the data names but the class no longer has is refused, never
dropped silently.

Encoding: ``Decimal`` as its exact string, ``Fraction`` as "n/d", dates as ISO strings, enums
by value, tuples as lists, mappings as objects (keys as strings), and dataclasses as objects of
their fields. A field typed as a union of several dataclasses (``Method``) carries the class
name under ``"type"``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .schedule import PlanRequest, StepInput
from .types import EngineError

TYPE_KEY = "type"


class SerializationError(EngineError):
    """Saved data that does not describe a request or steps (a wrong type, an unknown field)."""


def request_to_dict(request: PlanRequest) -> dict[str, Any]:
    return dict(_encode(request))


def request_from_dict(data: Mapping[str, Any]) -> PlanRequest:
    return _decode_dataclass(PlanRequest, data)


def request_drugs(data: Mapping[str, Any]) -> set[str]:
    """The drugs a saved request (``request_to_dict``) gives: its regimen's and its switch drug."""
    drugs = {item["drug"] for item in data.get("regimen", [])}
    switch = data.get("switch")
    if switch:
        drugs.add(switch["to_drug"])
    return drugs


def steps_to_list(steps: Sequence[StepInput]) -> list[dict[str, Any]]:
    return [_encode(step) for step in steps]


def steps_from_list(data: Sequence[Mapping[str, Any]]) -> list[StepInput]:
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        raise SerializationError(f"steps must be a list, not {type(data).__name__}")
    return [_decode_dataclass(StepInput, item) for item in data]


# Encoding ------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {TYPE_KEY: type(value).__name__, **encoded}
    if isinstance(value, Mapping):
        return {str(_encode(key)): _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    raise SerializationError(f"cannot save a value of type {type(value).__name__}")


# Decoding ------------------------------------------------------------------------------------


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved field types of ``cls`` (memoised: resolving them is slow)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode_dataclass(cls: type[Any], data: Any) -> Any:
    if not isinstance(data, Mapping):
        raise SerializationError(f"{cls.__name__} must be an object, not {type(data).__name__}")
    names = {field.name for field in dataclasses.fields(cls) if field.init}
    given = {key: value for key, value in data.items() if key != TYPE_KEY}
    unknown = sorted(set(given) - names)
    if unknown:
        raise SerializationError(f"{cls.__name__} has no field {', '.join(unknown)}")
    hints = _hints(cls)
    return cls(
        **{name: _decode(hints[name], value, what=f"{cls.__name__}.{name}") for name, value in given.items()}
    )


def _decode(hint: Any, value: Any, *, what: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(typing.get_args(hint), value, what=what)
    if hint is Any:
        return value
    if origin in (tuple, list, Sequence):
        return _decode_sequence(origin, typing.get_args(hint), value, what=what)
    if origin in (dict, Mapping):
        key_hint, value_hint = typing.get_args(hint)
        if not isinstance(value, Mapping):
            raise SerializationError(f"{what} must be an object")
        return {
            _decode(key_hint, key, what=what): _decode(value_hint, item, what=what)
            for key, item in value.items()
        }
    if isinstance(hint, type):
        return _decode_type(hint, value, what=what)
    raise SerializationError(f"{what}: cannot load a field typed {hint!r}")


def _decode_union(options: tuple[Any, ...], value: Any, *, what: str) -> Any:
    if value is None:
        if type(None) in options:
            return None
        raise SerializationError(f"{what} must not be empty")
    options = tuple(option for option in options if option is not type(None))
    classes: list[type[Any]] = [
        option for option in options if isinstance(option, type) and dataclasses.is_dataclass(option)
    ]
    if len(classes) > 1:
        name = value.get(TYPE_KEY) if isinstance(value, Mapping) else None
        chosen = next((cls for cls in classes if cls.__name__ == name), None)
        if chosen is None:
            known = ", ".join(cls.__name__ for cls in classes)
            raise SerializationError(f"{what} must name its type ({known}), not {name!r}")
        return _decode_dataclass(chosen, value)
    # A union of plain types (int | str, bool): the JSON value is kept when it is one of them.
    for option in options:
        if isinstance(option, type) and not dataclasses.is_dataclass(option) and _is_plain(option, value):
            return value
    if len(options) == 1:
        return _decode(options[0], value, what=what)
    raise SerializationError(f"{what}: {value!r} is none of the allowed types")


def _is_plain(option: type, value: Any) -> bool:
    return option in (int, str, bool) and type(value) is option


def _decode_sequence(origin: Any, args: tuple[Any, ...], value: Any, *, what: str) -> Any:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise SerializationError(f"{what} must be a list")
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(value):
            raise SerializationError(f"{what} must have {len(args)} items")
        return tuple(_decode(arg, item, what=what) for arg, item in zip(args, value, strict=True))
    items = [_decode(args[0], item, what=what) for item in value]
    return tuple(items) if origin is tuple else items


def _decode_type(hint: type, value: Any, *, what: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, value)
    if issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise SerializationError(f"{what}: {value!r} is not a {hint.__name__}") from None
    if hint is bool:
        if not isinstance(value, bool):
            raise SerializationError(f"{what} must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationError(f"{what} must be a whole number")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise SerializationError(f"{what} must be text")
        return value
    if hint is Decimal:
        return _decimal(value, what=what)
    if hint is Fraction:
        return _fraction(value, what=what)
    if hint is dt.date:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise SerializationError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None
    raise SerializationError(f"{what}: cannot load a field of type {hint.__name__}")


def _decimal(value: Any, *, what: str) -> Decimal:
    if not isinstance(value, str):
        # Saved decimals are strings: a float would already have lost exactness.
        raise SerializationError(f"{what} must be a decimal written as text, not {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise SerializationError(f"{what}: {value!r} is not a number") from None
    if not number.is_finite():
        raise SerializationError(f"{what}: {value!r} is not a finite number")
    return number


def _fraction(value: Any, *, what: str) -> Fraction:
    if not isinstance(value, str):
        raise SerializationError(f"{what} must be a fraction written as text, not {value!r}")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise SerializationError(f"{what}: {value!r} is not a fraction") from None
