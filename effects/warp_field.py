"""Displacement fields built from radial scales and pushes, applied in one remap pass per face.

A ``WarpField`` collects the primitives of one face (from one op or several warp ops in a
row), then ``apply_field`` resamples only the pixels inside the union of their discs, in
one backward-mapping pass with bilinear sampling (kernels in ``effects.kernels.warp``).

Radial scale profile: for scale s >= 1 the pixel at normalised distance t = r / R samples
the source at radius r * (1 - (1 - 1/s) * w(t)) with w(t) = 1 - smoothstep(t): the centre
is magnified by s, the effect fades smoothly to nothing at R, and the map is monotonic (no
fold-over) for every s >= 1. For s < 1 the profile is the exact inverse of the s' = 1/s
bulge, so shrinking is just as smooth and fold-free. The profile is tabulated over u = t^2.

Push: the content at p moves by v, fading as (1 - |x - p|^2 / R^2)^2; the map stays
one-to-one while |v| < 0.65 R for a lone push (the steepest slope of the falloff is 1.54/R).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from effects import backend
from effects.kernels import warp as k
from effects.scratch import thread_buffer

LUT_SIZE = 257
_DENSE = 4097


class WarpError(ValueError):
    """A warp primitive or frame of the wrong shape, type or range."""


def _smoothstep(t: np.ndarray) -> np.ndarray:
    return t * t * (3.0 - 2.0 * t)


def radial_profile(scale: float) -> np.ndarray:
    """f(u) for u = (r/R)^2 on LUT_SIZE points: the source radius is r * f(u); f(1) = 1 (read-only)."""
    if not (math.isfinite(scale) and scale > 0.0):
        raise WarpError(f"radial_profile: scale: expected a finite number > 0, found {scale!r}")
    return _profile(float(scale))


@functools.lru_cache(maxsize=64)
def _profile(scale: float) -> np.ndarray:
    u = np.linspace(0.0, 1.0, LUT_SIZE)
    t = np.sqrt(u)
    if scale >= 1.0:
        kk = 1.0 - 1.0 / scale
        f = 1.0 - kk * (1.0 - _smoothstep(t))
    else:
        # Invert the bulge of 1/scale: tabulate its source radius densely and swap axes.
        kk = 1.0 - scale
        td = np.linspace(0.0, 1.0, _DENSE)
        rd = td * (1.0 - kk * (1.0 - _smoothstep(td)))
        inv = np.interp(t, rd, td)
        f = np.empty_like(t)
        f[1:] = inv[1:] / t[1:]
        f[0] = 1.0 / scale
    f[-1] = 1.0
    f.flags.writeable = False
    return f


@dataclass
class WarpField:
    """Primitives of one face. Coordinates are frame pixels; offsets are backward (source - output)."""

    radial: list[tuple[float, float, float]] = field(default_factory=list)  # cx, cy, radius_px
    profiles: list[np.ndarray] = field(default_factory=list)
    pushes: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # px, py, vx, vy, R

    def add_radial(self, cx: float, cy: float, radius_px: float, scale: float) -> None:
        """Scale the content of the disc about (cx, cy) by ``scale`` at the centre, fading to 1 at the edge."""
        _check_finite("add_radial", cx=cx, cy=cy, radius_px=radius_px, scale=scale)
        if radius_px <= 0.0 or scale <= 0.0:
            raise WarpError(f"add_radial: expected radius_px > 0 and scale > 0, found {radius_px!r}, {scale!r}")
        if scale == 1.0:
            return
        self.radial.append((float(cx), float(cy), float(radius_px)))
        self.profiles.append(radial_profile(float(scale)))

    def add_push(self, px: float, py: float, move_x: float, move_y: float, radius_px: float) -> None:
        """Move the content at (px, py) by (move_x, move_y) pixels, fading to nothing at radius_px."""
        _check_finite("add_push", px=px, py=py, move_x=move_x, move_y=move_y, radius_px=radius_px)
        if radius_px <= 0.0:
            raise WarpError(f"add_push: radius_px: expected a number > 0, found {radius_px!r}")
        if move_x == 0.0 and move_y == 0.0:
            return
        self.pushes.append((float(px), float(py), -float(move_x), -float(move_y), float(radius_px)))

    def add_pushes(self, points: np.ndarray, moves: np.ndarray, radius_px: float) -> None:
        """``add_push`` for each row of ``points`` and ``moves`` ((n, 2) pixels), one radius for all."""
        pts = np.asarray(points, np.float64)
        mv = np.asarray(moves, np.float64)
        if pts.ndim != 2 or pts.shape[1] != 2 or mv.shape != pts.shape:
            raise WarpError(f"add_pushes: expected points and moves of one (n, 2) shape, found {pts.shape} and {mv.shape}")
        _check_finite("add_pushes", radius_px=radius_px)
        if not (np.all(np.isfinite(pts)) and np.all(np.isfinite(mv))):
            raise WarpError("add_pushes: expected finite points and moves, found NaN or inf")
        if radius_px <= 0.0:
            raise WarpError(f"add_pushes: radius_px: expected a number > 0, found {radius_px!r}")
        r = float(radius_px)
        self.pushes += [(px, py, -vx, -vy, r) for (px, py), (vx, vy) in zip(pts.tolist(), mv.tolist(), strict=True)
                        if vx != 0.0 or vy != 0.0]

    def extend(self, other: WarpField) -> None:
        self.radial += other.radial
        self.profiles += other.profiles
        self.pushes += other.pushes

    @property
    def is_empty(self) -> bool:
        return not self.radial and not self.pushes

    def bounds(self) -> tuple[float, float, float, float]:
        """(y0, y1, x0, x1) of the union of the primitives' discs."""
        discs = [(cx, cy, r) for cx, cy, r in self.radial] + [(px, py, r) for px, py, _, _, r in self.pushes]
        a = np.array(discs, dtype=np.float64)
        return (float((a[:, 1] - a[:, 2]).min()), float((a[:, 1] + a[:, 2]).max()),
                float((a[:, 0] - a[:, 2]).min()), float((a[:, 0] + a[:, 2]).max()))

    def min_radius(self) -> float:
        return min([r for _, _, r in self.radial] + [p[4] for p in self.pushes])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kernel inputs: radial (n, 4), luts (max(n, 1), LUT_SIZE), pushes (m, 5), float64."""
        radial = np.zeros((len(self.radial), k.RADIAL_COLS))
        for i, (cx, cy, r) in enumerate(self.radial):
            radial[i] = (cx, cy, 1.0 / (r * r), i)
        luts = np.ones((max(len(self.profiles), 1), LUT_SIZE))
        for i, prof in enumerate(self.profiles):
            luts[i] = prof
        pushes = np.zeros((len(self.pushes), k.PUSH_COLS))
        for i, (px, py, vx, vy, r) in enumerate(self.pushes):
            pushes[i] = (px, py, vx, vy, 1.0 / (r * r))
        return radial, luts, pushes


def _check_finite(where: str, **values: float) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, float, np.floating, np.integer)) or isinstance(v, bool) or not math.isfinite(v):
            raise WarpError(f"{where}: {name}: expected a finite number, found {v!r}")


def grid_step(min_radius_px: float) -> int:
    """Grid spacing, a power of two: 4 px for discs of radius >= 32 px, 2 px from 16 px, else 1 px."""
    return 4 if min_radius_px >= 32 else 2 if min_radius_px >= 16 else 1


@dataclass(frozen=True, slots=True)
class FieldGrid:
    """The offset field sampled every ``step`` pixels from (gy0, gx0), for the pixels of ``roi``."""

    grid: np.ndarray  # (ny, nx, 2) float64
    gy0: int
    gx0: int
    step: int
    roi: tuple[int, int, int, int]  # y0, y1, x0, x1 (may be empty)


def field_grid(frame_shape: tuple[int, ...], wf: WarpField) -> FieldGrid:
    """Evaluate the field on its grid over the ROI (the discs, clipped to the frame)."""
    h, w = int(frame_shape[0]), int(frame_shape[1])
    if wf.is_empty:
        return FieldGrid(np.zeros((2, 2, 2)), 0, 0, 1, (0, 0, 0, 0))
    by0, by1, bx0, bx1 = wf.bounds()
    y0 = min(max(int(math.floor(by0)), 0), h)
    y1 = max(min(int(math.ceil(by1)) + 1, h), y0)
    x0 = min(max(int(math.floor(bx0)), 0), w)
    x1 = max(min(int(math.ceil(bx1)) + 1, w), x0)
    step = grid_step(wf.min_radius())
    ny = max(y1 - 1 - y0, 0) // step + 2
    nx = max(x1 - 1 - x0, 0) // step + 2
    grid = np.empty((ny, nx, 2), np.float64)
    radial, luts, pushes = wf.arrays()
    backend.pick(k.field_grid_nb, k.field_grid_np)(y0, x0, step, radial, luts, pushes, grid)
    return FieldGrid(grid, y0, x0, step, (y0, y1, x0, x1))


def apply_field(frame: np.ndarray, wf: WarpField) -> None:
    """Warp ``frame`` ((H, W, 3) uint8, C-contiguous) in place by the field of one face."""
    if not (isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8):
        found = f"{frame.shape} {frame.dtype}" if isinstance(frame, np.ndarray) else type(frame).__name__
        raise WarpError(f"apply_field: frame: expected an (H, W, 3) uint8 array, found {found}")
    if not frame.flags.c_contiguous:
        raise WarpError("apply_field: frame: expected a C-contiguous array, found a strided view")
    fg = field_grid(frame.shape, wf)
    y0, y1, x0, x1 = fg.roi
    if y1 <= y0 or x1 <= x0:
        return
    h, w = frame.shape[:2]
    # The window of the frame the pass can read: the ROI grown by the largest offset.
    reach = int(math.ceil(float(np.abs(fg.grid).max()))) + 2
    wy0, wy1 = max(y0 - reach, 0), min(y1 + reach, h)
    wx0, wx1 = max(x0 - reach, 0), min(x1 + reach, w)
    packed = thread_buffer("warp.packed", (wy1 - wy0 + 1) * (wx1 - wx0) + 1, np.int64)
    backend.pick(k.remap_roi_nb, k.remap_roi_np)(
        frame, wy0, wy1, wx0, wx1, fg.grid, fg.gy0, fg.gx0, fg.step.bit_length() - 1, y0, y1, x0, x1, packed
    )
