"""Checking op values when an op is built directly (tests, code), not through an effect.toml.

The spec loader (``effects.validate``) already checks values against ``Param`` lists with
file and line; this is the same contract for the constructor, so an op built in code
with a bad value fails at once with a message naming the op and the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from effects.ops.base import REQUIRED, Param
from effects.regions import REGIONS


class OpParamError(ValueError):
    """An op was built with a missing, unknown or out-of-range value."""


def check_number(op: str, field: str, value: Any, lo: float | None, hi: float | None) -> float:
    """``value`` as a float if it is a finite real number (not a bool) within [lo, hi]."""
    p = Param(field, "float", min=lo, max=hi)
    expected = "a number" + p.range_text()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OpParamError(f"{op}: {field}: expected {expected}, found {value!r}")
    v = float(value)
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        raise OpParamError(f"{op}: {field}: expected {expected}, found {value!r}")
    return v


def _check(op: str, p: Param, value: Any) -> Any:
    if p.kind == "float":
        return check_number(op, p.name, value, p.min, p.max)
    if p.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise OpParamError(f"{op}: {p.name}: expected an integer{p.range_text()}, found {value!r}")
        check_number(op, p.name, value, p.min, p.max)
        return value
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise OpParamError(f"{op}: {p.name}: expected true or false, found {value!r}")
        return value
    if p.kind == "str":
        if not isinstance(value, str) or (p.choices and value not in p.choices):
            choices = ", ".join(f'"{c}"' for c in p.choices or ())
            raise OpParamError(f"{op}: {p.name}: expected one of {choices}, found {value!r}")
        return value
    if p.kind == "regions":
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            raise OpParamError(f"{op}: {p.name}: expected a non-empty list of landmark region names, found {value!r}")
        for name in value:
            if name not in REGIONS:
                raise OpParamError(
                    f"{op}: {p.name}: unknown landmark region {name!r}; expected one of {', '.join(sorted(REGIONS))}"
                )
        return tuple(value)
    if p.kind == "points":
        if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence) or not value:
            raise OpParamError(f"{op}: {p.name}: expected a non-empty list of tables, found {value!r}")
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise OpParamError(f"{op}: {p.name}[{i}]: expected a table, found {item!r}")
        return tuple(dict(v) for v in value)
    raise OpParamError(f"{op}: {p.name}: parameter kind {p.kind!r} is not checked here")


def checked_values(op: str, params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter's value (defaults filled in), or OpParamError naming the first bad one."""
    by_name = {p.name: p for p in params}
    for key in values:
        if key not in by_name:
            raise OpParamError(f"{op}: unknown parameter {key!r}; expected one of {', '.join(sorted(by_name))}")
    out: dict[str, Any] = {}
    for p in params:
        if p.name in values:
            out[p.name] = _check(op, p, values[p.name])
        elif p.default is REQUIRED:
            raise OpParamError(f"{op}: missing parameter {p.name!r}")
        else:
            out[p.name] = p.default
    return out
