"""Built-in 3D LUTs, generated in code (no files): "sepia", "vintage", "warm", "cool", "tan".

Each preset is a function of the input (r, g, b) in [0, 1], sampled on a 17-point
grid per channel (the curves are smooth, so interpolation between grid
points stays within a grey level or two of the function). Tables are ``[r, g, b]``
ordered, like ``effects.lut_io.CubeLut.table``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

PRESET_SIZE = 17
_LUMA = (0.299, 0.587, 0.114)

Rgb = tuple[np.ndarray, np.ndarray, np.ndarray]


class LutPresetError(ValueError):
    """An unknown preset name."""


def _luma(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b


def _s_curve(v: np.ndarray, amount: float) -> np.ndarray:
    """A gentle contrast curve: a mix of v and its smoothstep."""
    return (1.0 - amount) * v + amount * v * v * (3.0 - 2.0 * v)


def _smoothstep(e0: float, e1: float, v: np.ndarray) -> np.ndarray:
    t = np.clip((v - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _sepia(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Rgb:
    y = _s_curve(_luma(r, g, b), 0.35)
    fade = 0.05
    # Per-channel gamma: red stays high, blue drops in the mid-tones: a warm brown print.
    red, green, blue = (fade + (1.0 - 2.0 * fade) * y**gamma for gamma in (0.82, 1.0, 1.45))
    return red, green, blue


def _vintage(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Rgb:
    y = _luma(r, g, b)
    keep = 0.72  # faded colour
    r, g, b = (y + (c - y) * keep for c in (r, g, b))
    r = 0.07 + 0.90 * _s_curve(r, 0.3) ** 0.92
    g = 0.05 + 0.88 * _s_curve(g, 0.3)
    b = 0.13 + 0.70 * _s_curve(b, 0.2)  # lifted blue blacks, creamy highlights
    return r, g, b


def _warm(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Rgb:
    return 1.0 - (1.0 - r) * 0.86, 1.0 - (1.0 - g) * 0.96, b * 0.86


def _cool(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Rgb:
    return r * 0.88, 1.0 - (1.0 - g) * 0.98, 1.0 - (1.0 - b) * 0.86


def _tan(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Rgb:
    """Skin-coloured pixels (warm, moderately saturated, not dark) turn a deeper golden brown."""
    y = _luma(r, g, b)
    warmth = r - b
    chroma = warmth / np.maximum(r, 1e-6)
    skin = _smoothstep(0.04, 0.16, warmth) * (1.0 - _smoothstep(0.55, 0.8, chroma)) * _smoothstep(0.08, 0.25, y)
    skin *= (r >= g).astype(np.float64) * 0.5 + 0.5
    # darker, a little more saturated, hue nudged from pink towards golden brown
    dark = 0.8 * y
    tanned = (dark + (r - y) * 1.15 + 0.03, dark + (g - y) * 1.15 + 0.005, dark + (b - y) * 1.15 - 0.025)
    return tuple(c + (t - c) * skin for c, t in zip((r, g, b), tanned))


_PRESETS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], Rgb]] = {
    "sepia": _sepia,
    "vintage": _vintage,
    "warm": _warm,
    "cool": _cool,
    "tan": _tan,
}
PRESET_NAMES: tuple[str, ...] = tuple(_PRESETS)


@cache
def preset_table(name: str, size: int = PRESET_SIZE) -> np.ndarray:
    """The (size, size, size, 3) float32 [r, g, b] table of a preset (read-only, cached)."""
    if name not in _PRESETS:
        raise LutPresetError(f"unknown LUT preset {name!r}; expected one of {', '.join(PRESET_NAMES)}")
    axis = np.linspace(0.0, 1.0, size)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    out = np.stack(_PRESETS[name](r, g, b), axis=-1)
    table = np.ascontiguousarray(np.clip(out, 0.0, 1.0).astype(np.float32))
    table.flags.writeable = False
    return table


def identity_table(size: int) -> np.ndarray:
    """The (size, size, size, 3) identity LUT."""
    axis = np.linspace(0.0, 1.0, size)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    return np.stack([r, g, b], axis=-1).astype(np.float32)
