"""The one checker of op parameter values, against the op's ``Param`` list.

``check_value`` says whether a value fits a ``Param`` and returns it normalised (colours as
``(r, g, b)`` ints, lists as tuples, integers given for a float as floats); a misfit raises
``ValueProblem`` with what was expected and what was found. Two callers wrap it:

- the spec loader (``effects.validate``) turns a problem into an ``EffectSpecError`` with
  the file, line and field path (``effect.toml:14: ops[2].strength: expected ...``);
- ``Op.__init__`` (``op_values``) turns it into an ``OpParamError`` naming the op and the
  field, so an op built in code fails at once with the same words.

TOML gives lists and Python code tuples; both are accepted wherever a list is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import numpy as np

from effects.face import N_LANDMARKS
from effects.regions import REGIONS

PathPart = str | int

REQUIRED: Any = object()


@dataclass(frozen=True, slots=True)
class Param:
    """One op parameter.

    ``kind`` is one of ``"float"``, ``"int"``, ``"bool"``, ``"str"``, ``"color"`` (an
    ``[r, g, b]`` list of 0-255 ints or a ``"#rrggbb"`` string), ``"region"`` (a name
    from ``effects.regions``), ``"regions"`` (a list of them), ``"landmark"`` (an index
    0-477) or ``"asset"`` (a path inside the effect folder; its ``choices`` are the file
    suffixes the op can read, e.g. ``(".cube",)``, so a spec is refused at load time, not
    when the op first reads the file).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    doc: str = ""

    def range_text(self) -> str:
        """The allowed range in words for messages (``" in [0, 1]"``, ``" >= 0"``, or ``""``)."""
        if self.min is not None and self.max is not None:
            return f" in [{self.min:g}, {self.max:g}]"
        if self.min is not None:
            return f" >= {self.min:g}"
        if self.max is not None:
            return f" <= {self.max:g}"
        return ""

_HEX = frozenset("0123456789abcdefABCDEF")


class ValueProblem(Exception):
    """A value does not fit its ``Param``; ``sub_path`` points inside a list (``(2,)``)."""

    def __init__(self, detail: str, sub_path: tuple[PathPart, ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.sub_path = sub_path


class OpParamError(ValueError):
    """An op was built in code with a missing, unknown or out-of-range value."""


def show(value: Any) -> str:
    """A TOML-like rendering of a value for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        inner = ", ".join(show(v) for v in value[:6])
        return f"[{inner}{', ...' if len(value) > 6 else ''}]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {show(v)}" for k, v in list(value.items())[:6]) + "}"
    return str(value)


def describe(value: Any) -> str:
    """What kind of value this is, for 'found ...' in a type error."""
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, str):
        return f"a string {show(value)}"
    if isinstance(value, int | np.integer):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({show(value)})"
    if isinstance(value, list | tuple):
        return f"a list {show(value)}"
    if isinstance(value, Mapping):
        return f"a table {show(value)}"
    if isinstance(value, date | time):  # TOML's dates and times (datetime is a date)
        return f"a date/time ({value})"
    return f"a {type(value).__name__} ({value})"


def quoted_list(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def expected_text(param: Param) -> str:
    """What a value of ``param`` must look like, in words."""
    kind = param.kind
    if kind == "float":
        return "a number" + param.range_text()
    if kind == "int":
        return "an integer" + param.range_text()
    if kind == "bool":
        return "true or false"
    if kind == "str":
        return f"one of {quoted_list(param.choices)}" if param.choices else "a string"
    if kind == "color":
        return 'a colour "#rrggbb" or [r, g, b] with integers 0-255'
    if kind == "region":
        return "a landmark region name"
    if kind == "regions":
        return "a non-empty list of landmark region names"
    if kind == "landmark":
        text = f"a landmark index 0-{N_LANDMARKS - 1}"
        return text + (f" or one of {quoted_list(param.choices)}" if param.choices else "")
    if kind == "asset":
        if param.choices:
            return f"a relative path to a {', '.join(param.choices)} file inside the effect folder"
        return "a relative path to a file inside the effect folder"
    if kind == "vec2":
        return "a list of two numbers" + param.range_text()
    if kind == "points":
        return "a non-empty list of tables"
    raise ValueError(f"Param {param.name!r}: unknown kind {kind!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _in_range(param: Param, number: float) -> bool:
    return not ((param.min is not None and number < param.min) or (param.max is not None and number > param.max))


def _number(param: Param, value: Any, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueProblem(f"expected {expected}, found {describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueProblem(f"expected {expected}, found {show(value)}")
    if not _in_range(param, number):
        raise ValueProblem(f"expected {expected}, found {show(number)}")
    return number


def _float(param: Param, value: Any) -> float:
    return _number(param, value, expected_text(param))


def _int(param: Param, value: Any) -> int:
    if not _is_int(value):
        raise ValueProblem(f"expected {expected_text(param)}, found {describe(value)}")
    if not _in_range(param, int(value)):
        raise ValueProblem(f"expected {expected_text(param)}, found {int(value)}")
    return int(value)


def _bool(param: Param, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueProblem(f"expected true or false, found {describe(value)}")
    return bool(value)


def _str(param: Param, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"expected {expected_text(param)}, found {describe(value)}")
    if param.choices and value not in param.choices:
        raise ValueProblem(f"expected one of {quoted_list(param.choices)}, found {show(value)}")
    return value


def _color(param: Param, value: Any) -> tuple[int, int, int]:
    expected = expected_text(param)
    if isinstance(value, str):
        if len(value) == 7 and value[0] == "#" and all(c in _HEX for c in value[1:]):
            return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
        raise ValueProblem(f"expected {expected}, found {show(value)}")
    if _is_list(value):
        if len(value) == 3 and all(_is_int(c) and 0 <= c <= 255 for c in value):
            return (int(value[0]), int(value[1]), int(value[2]))
        raise ValueProblem(f"expected {expected}, found {show(value)}")
    raise ValueProblem(f"expected {expected}, found {describe(value)}")


def _region_name(value: Any, sub_path: tuple[PathPart, ...] = ()) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"expected a landmark region name, found {describe(value)}", sub_path)
    if value not in REGIONS:
        raise ValueProblem(f"unknown landmark region {show(value)}; expected one of {', '.join(sorted(REGIONS))}",
                           sub_path)
    return value


def _region(param: Param, value: Any) -> str:
    return _region_name(value)


def _regions(param: Param, value: Any) -> tuple[str, ...]:
    if not _is_list(value) or not value:
        raise ValueProblem(f"expected {expected_text(param)}, found {describe(value)}")
    names = tuple(_region_name(v, (i,)) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        raise ValueProblem(f"expected each region once, found {show(value)}")
    return names


def _landmark(param: Param, value: Any) -> int | str:
    expected = expected_text(param)
    if isinstance(value, str) and param.choices:
        if value in param.choices:
            return value
        raise ValueProblem(f"expected {expected}, found {show(value)}")
    if not _is_int(value):
        raise ValueProblem(f"expected {expected}, found {describe(value)}")
    if not 0 <= value < N_LANDMARKS:
        raise ValueProblem(f"expected {expected}, found {value}")
    return int(value)


def _vec2(param: Param, value: Any) -> tuple[float, float]:
    expected = expected_text(param)
    if not _is_list(value) or len(value) != 2:
        raise ValueProblem(f"expected {expected}, found {describe(value)}")
    return (_number(param, value[0], expected), _number(param, value[1], expected))


def _points(param: Param, value: Any) -> tuple[Mapping[str, Any], ...]:
    if not _is_list(value) or not value or not all(isinstance(v, Mapping) for v in value):
        raise ValueProblem(f"expected {expected_text(param)}, found {describe(value)}")
    return tuple(dict(v) for v in value)


def _asset(param: Param, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueProblem(f"expected {expected_text(param)}, found {describe(value)}")
    if param.choices and not value.lower().endswith(tuple(param.choices)):
        # The op reads only these kinds of file: refuse now rather than when the effect first renders.
        raise ValueProblem(f"expected a file ending in {', '.join(param.choices)}, found {show(value)}")
    return value


_CHECKERS: dict[str, Callable[[Param, Any], Any]] = {
    "float": _float,
    "int": _int,
    "bool": _bool,
    "str": _str,
    "color": _color,
    "region": _region,
    "regions": _regions,
    "landmark": _landmark,
    "vec2": _vec2,
    "points": _points,
    "asset": _asset,
}


def check_value(param: Param, value: Any) -> Any:
    """``value`` normalised for ``param``, or ``ValueProblem`` saying what was expected."""
    checker = _CHECKERS.get(param.kind)
    if checker is None:
        raise ValueError(f"Param {param.name!r}: unknown kind {param.kind!r}; expected one of {sorted(_CHECKERS)}")
    return checker(param, value)


def op_values(op: str, params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter's checked value, defaults filled in (and normalised like given values);
    ``OpParamError`` names the op and the first bad field."""
    by_name = {p.name: p for p in params}
    for key in values:
        if key not in by_name:
            raise OpParamError(f"{op}: unknown parameter {key!r}; expected one of {', '.join(sorted(by_name))}")
    out: dict[str, Any] = {}
    for p in params:
        if p.name in values:
            value = values[p.name]
        elif p.default is REQUIRED:
            raise OpParamError(f"{op}: missing parameter {p.name!r}")
        else:
            value = p.default
            if p.kind in ("asset", "str") and value == "":  # an optional file or choice left out
                out[p.name] = value
                continue
        try:
            out[p.name] = check_value(p, value)
        except ValueProblem as problem:
            where = p.name + "".join(f"[{part}]" for part in problem.sub_path)
            raise OpParamError(f"{op}: {where}: {problem.detail}") from None
    return out


def check_number(op: str, field: str, value: Any, lo: float | None, hi: float | None) -> float:
    """One number of a structured value (e.g. a point of ``displace``), or ``OpParamError``."""
    param = Param(field, "float", min=lo, max=hi)
    try:
        return _float(param, value)
    except ValueProblem as problem:
        raise OpParamError(f"{op}: {field}: {problem.detail}") from None


class FrameError(ValueError):
    """A frame given to an op or a stack is not an (H, W, 3) uint8 array."""


def check_frame(where: str, rgb: Any) -> np.ndarray:
    """``rgb`` if it is an (H, W, 3) uint8 array; ``FrameError`` naming ``where`` (an op, a
    stack) otherwise."""
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
        prefix = f"{where}: " if where else ""
        raise FrameError(f"{prefix}rgb: expected an (H, W, 3) uint8 array, found {found}")
    return rgb


def color01(rgb: tuple[int, int, int]) -> np.ndarray:
    """A colour as float64 (3,) in [0, 1], as the kernels take it."""
    return np.asarray(rgb, dtype=np.float64) / 255.0
