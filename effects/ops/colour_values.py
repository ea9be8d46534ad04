"""Checking the op values of the colour, style and sticker ops when built in code.

``effects.ops.param_values.checked_values`` checks numbers, flags, choices and regions;
this adds the kinds those ops also use: ``color`` (``[r, g, b]`` 0-255 or ``"#rrggbb"``,
normalised to a tuple of ints), ``asset`` (a non-empty relative path string; its
safety is checked when the file is read, see effects.asset_files), ``landmark`` (an
index 0-477 or one of the param's named anchors) and ``vec2`` (two numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from effects.face import N_LANDMARKS
from effects.ops.base import REQUIRED, Param
from effects.ops.param_values import OpParamError, checked_values

_EXTRA_KINDS = ("color", "asset", "landmark", "vec2")
_HEX = frozenset("0123456789abcdefABCDEF")


def parse_color(op: str, field: str, value: Any) -> tuple[int, int, int]:
    """An (r, g, b) tuple of ints 0-255 from ``[r, g, b]`` or ``"#rrggbb"``."""
    expected = 'a colour "#rrggbb" or [r, g, b] with integers 0-255'
    if isinstance(value, str):
        if len(value) == 7 and value[0] == "#" and all(c in _HEX for c in value[1:]):
            return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
    elif isinstance(value, Sequence) and len(value) == 3:
        if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c <= 255 for c in value):
            return (int(value[0]), int(value[1]), int(value[2]))
    raise OpParamError(f"{op}: {field}: expected {expected}, found {value!r}")


def color01(rgb: tuple[int, int, int]) -> np.ndarray:
    """A colour as float64 (3,) in [0, 1] for the kernels."""
    return np.asarray(rgb, dtype=np.float64) / 255.0


def _check_extra(op: str, p: Param, value: Any) -> Any:
    if p.kind == "color":
        return parse_color(op, p.name, value)
    if p.kind == "asset":
        if not isinstance(value, str) or not value:
            raise OpParamError(f"{op}: {p.name}: expected a relative path to a file inside the effect folder, found {value!r}")
        if p.choices and not value.lower().endswith(tuple(p.choices)):
            raise OpParamError(f"{op}: {p.name}: expected a file ending in {', '.join(p.choices)}, found {value!r}")
        return value
    if p.kind == "landmark":
        if isinstance(value, str):
            if p.choices and value in p.choices:
                return value
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < N_LANDMARKS:
            return int(value)
        names = f" or one of {', '.join(repr(c) for c in p.choices)}" if p.choices else ""
        raise OpParamError(f"{op}: {p.name}: expected a landmark index 0-{N_LANDMARKS - 1}{names}, found {value!r}")
    # vec2
    ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
    if ok:
        nums = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
                ok = False
                break
            if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
                ok = False
                break
            nums.append(float(v))
        if ok:
            return (nums[0], nums[1])
    lo = "" if p.min is None else f"{p.min:g}"
    hi = "" if p.max is None else f"{p.max:g}"
    bounds = f" in [{lo}, {hi}]" if p.min is not None and p.max is not None else ""
    raise OpParamError(f"{op}: {p.name}: expected a list of two numbers{bounds}, found {value!r}")


def op_values(op: str, params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter's checked value, defaults filled in (OpParamError names the first bad one)."""
    extra = {p.name: p for p in params if p.kind in _EXTRA_KINDS}
    out = checked_values(
        op,
        [p for p in params if p.name not in extra],
        {k: v for k, v in values.items() if k not in extra},
    )
    for name, p in extra.items():
        if name in values:
            out[name] = _check_extra(op, p, values[name])
        elif p.default is REQUIRED:
            raise OpParamError(f"{op}: missing parameter {name!r}")
        else:
            out[name] = p.default if p.kind != "color" else parse_color(op, name, p.default)
    return {p.name: out[p.name] for p in params}
