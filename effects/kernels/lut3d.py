"""Applying a 3D colour LUT to uint8 RGB with tetrahedral interpolation.

A LUT is a table ``table[r, g, b] -> (R, G, B)`` on an N x N x N grid over the input
domain ``[domain_min, domain_max]`` per channel (values in [0, 1]). An input value
v in 0..255 maps to the grid coordinate ``t = clip((v/255 - min) / (max - min), 0, 1) * (N-1)``,
split into a cell index and fractions (fr, fg, fb). The cell is cut into six tetrahedra
along its black-white diagonal; the one holding the point is chosen by the order of the
fractions, and the output is the barycentric mix of its four corners: with the fractions
sorted f1 >= f2 >= f3 along axes a1, a2, a3,
``(1 - f1) * c000 + (f1 - f2) * c[a1] + (f2 - f3) * c[a1 + a2] + f3 * c111``.
Tetrahedral interpolation is continuous, exact for linear maps, keeps greys on the grey
axis, and reads four grid points instead of trilinear's eight. The result is mixed with the
input by ``weight = strength * alpha`` (alpha per pixel for a masked scope, or 1
everywhere). Grid values are clipped to [0, 1] first.

The NumPy reference ``lut_np`` computes this in float64 and is the definition. The
Numba kernel ``lut_nb`` computes it in fixed point from ``prepare_lut`` (once per LUT):

* the table packs the three colours of a grid point, in 1/8 grey level (11 bits), into
  21-bit lanes of one int64 (R | G << 21 | B << 42), so one multiply weights all three;
* grid coordinates are computed in integer arithmetic, ``T = clip(v * S + O)`` in 1/2**32
  grid step, with (S, O) fitted in ``prepare_lut`` to the exact float64 coordinates of all
  256 input values (including domains so narrow that the ramp is a step); the fractions
  are rounded to 1/1024, so the four weights are integers summing to 1024;
* each image row is done in chunks, in three loops: coordinates, tetrahedron and weights
  (vectorised by LLVM), the four-point gather and blend (scalar), and the unpack and
  strength/alpha mix (vectorised, mix weight in 1/4096).

The rounding errors add up to well under one grey level (about 0.5 at worst, for a LUT
whose neighbouring grid points differ by the full range), so the kernel stays within one
grey level of the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from effects.backend import njit

VALUE_BITS = 3  # table colours in 1/8 grey level: 0..2040
WEIGHT_BITS = 10  # tetrahedron weights in 1/1024 (2040 * 1024 < 2**21: a blend fits a lane)
MIX_BITS = 12  # strength * alpha in 1/4096
COORD_BITS = 32  # grid coordinates in 1/2**32 step
CHUNK = 256  # pixels per inner loop (the per-pixel scratch stays in L1)
_LANE = 21
_LANE_MASK = (1 << _LANE) - 1
_OUT_BITS = VALUE_BITS + WEIGHT_BITS  # blended colours: 1/8192 grey level
_STEEP = 1 << 40  # the slope of a ramp narrower than one input step (above (N-1) << 32)


class LutPrepareError(ValueError):
    """A table or domain the fixed-point kernel cannot represent (never for a table read_cube accepts)."""


@dataclass(frozen=True, slots=True)
class PreparedLut:
    """The kernel's form of a LUT: the packed table and the integer coordinate maps."""

    size: int
    packed: np.ndarray  # int64 (N**3,): colours in 1/8 grey level, index r*N*N + g*N + b
    slope: np.ndarray  # int64 (3,): S per channel, grid steps per input level * 2**32
    offset: np.ndarray  # int64 (3,): O per channel


def grid_coords(size: int, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """For each 8-bit value: the lower grid index (0..N-2) and the fraction towards the upper one."""
    v = np.arange(256, dtype=np.float64) / 255.0
    t = np.clip((v - lo) / (hi - lo), 0.0, 1.0) * (size - 1)
    index = np.minimum(np.floor(t), size - 2).astype(np.int32)
    return index, (t - index)


def _coordinate_map(size: int, lo: float, hi: float) -> tuple[int, int]:
    """(S, O) with clip(v * S + O, 0, (N-1) << 32) equal to the grid coordinate of v, in 1/2**32 step."""
    v = np.arange(256, dtype=np.float64)
    t = np.clip((v / 255.0 - lo) / (hi - lo), 0.0, 1.0) * (size - 1)
    scale = float(1 << COORD_BITS)
    ramp = np.flatnonzero((t > 0.0) & (t < size - 1))
    if ramp.size >= 2:
        a, b = int(ramp[0]), int(ramp[-1])
        slope = int(round((t[b] - t[a]) / (b - a) * scale))
        offset = int(round(t[a] * scale)) - a * slope
    elif ramp.size == 1:  # one value inside the ramp: steep on both sides of it
        a = int(ramp[0])
        slope = _STEEP
        offset = int(round(t[a] * scale)) - a * slope
    else:  # a step (or constant): from the last value at 0 to the first at N-1
        low = np.flatnonzero(t <= 0.0)
        if low.size == 0:
            return 0, (size - 1) << COORD_BITS
        slope = _STEEP
        offset = -int(low[-1]) * slope - slope // 2
    got = np.clip(v * slope + offset, 0, (size - 1) * scale) / scale
    if not np.all(np.abs(got - t) < 1e-6):
        raise LutPrepareError(f"lut: domain [{lo!r}, {hi!r}]: expected a coordinate map exact to 1e-6 of a grid step, "
                              f"found an error of {float(np.abs(got - t).max()):.3g}")
    return slope, offset


def prepare_lut(table: np.ndarray, domain_min: tuple[float, float, float], domain_max: tuple[float, float, float]) -> PreparedLut:
    """The prepared form of an (N, N, N, 3) [r, g, b] table for lut_nb."""
    n = table.shape[0]
    q = np.floor(np.clip(table.astype(np.float64), 0.0, 1.0) * (255.0 * (1 << VALUE_BITS)) + 0.5).astype(np.int64)
    packed = q[..., 0] | (q[..., 1] << _LANE) | (q[..., 2] << (2 * _LANE))
    maps = [_coordinate_map(n, domain_min[c], domain_max[c]) for c in range(3)]
    return PreparedLut(
        size=n,
        packed=np.ascontiguousarray(packed.reshape(-1)),
        slope=np.array([m[0] for m in maps], np.int64),
        offset=np.array([m[1] for m in maps], np.int64),
    )


@njit(cache=True, fastmath=False)
def _tetrahedra_nb(s: np.ndarray, m: int, n: int, slope: np.ndarray, offset: np.ndarray, corner: np.ndarray,
                   weight: np.ndarray) -> None:
    """For the m pixels of the flat RGB run ``s``: the table indices of the four corners of
    each pixel's tetrahedron (corner[0..2]; the fourth is corner[0] + N*N + N + 1) and their
    weights (weight[0..3], summing to 1024). Branch-free, so LLVM vectorises it."""
    nn = n * n
    far = nn + n + 1
    top = np.int64(n - 1) << COORD_BITS
    cap = np.int64(n - 2)
    half = np.int64(1) << (COORD_BITS - WEIGHT_BITS - 1)
    down = COORD_BITS - WEIGHT_BITS
    full = np.int64(1) << WEIGHT_BITS
    sr, sg, sb = slope[0], slope[1], slope[2]
    o_r, o_g, o_b = offset[0], offset[1], offset[2]
    c0, c1, c2 = corner[0], corner[1], corner[2]
    w0, w1, w2, w3 = weight[0], weight[1], weight[2], weight[3]
    for t in range(m):
        tr = min(max(np.int64(s[3 * t]) * sr + o_r, 0), top)
        tg = min(max(np.int64(s[3 * t + 1]) * sg + o_g, 0), top)
        tb = min(max(np.int64(s[3 * t + 2]) * sb + o_b, 0), top)
        ir = min(tr >> COORD_BITS, cap)
        ig = min(tg >> COORD_BITS, cap)
        ib = min(tb >> COORD_BITS, cap)
        fr = (tr - (ir << COORD_BITS) + half) >> down
        fg = (tg - (ig << COORD_BITS) + half) >> down
        fb = (tb - (ib << COORD_BITS) + half) >> down
        hi = max(fr, max(fg, fb))
        lo = min(fr, min(fg, fb))
        mid = fr + fg + fb - hi - lo
        # The axis of the largest fraction (ties: r, g, b) and of the smallest (ties: b, g, r):
        # never the same axis, so the path c000 -> c[hi] -> c111 - c[lo] -> c111 is a tetrahedron.
        r_hi = np.int64((fr >= fg) & (fr >= fb))
        g_hi = (1 - r_hi) * np.int64(fg >= fb)
        b_lo = np.int64((fb <= fg) & (fb <= fr))
        g_lo = (1 - b_lo) * np.int64(fg <= fr)
        base = ir * nn + ig * n + ib
        c0[t] = base
        c1[t] = base + r_hi * nn + g_hi * n + (1 - r_hi - g_hi)
        c2[t] = base + far - ((1 - b_lo - g_lo) * nn + g_lo * n + b_lo)
        w0[t] = full - hi
        w1[t] = hi - mid
        w2[t] = mid - lo
        w3[t] = lo


@njit(cache=True, fastmath=False)
def lut_nb(
    src: np.ndarray,
    packed: np.ndarray,
    n: int,
    slope: np.ndarray,
    offset: np.ndarray,
    alpha: np.ndarray,
    use_alpha: bool,
    strength: float,
    out: np.ndarray,
) -> None:
    """out = src + (LUT(src) - src) * strength * (alpha if use_alpha else 1), per pixel.

    ``src`` and ``out`` are C-contiguous (h, w, 3) uint8 and may be the same array; ``alpha``
    is (h, w) float32 when ``use_alpha``.
    """
    h, w = src.shape[0], src.shape[1]
    far = n * n + n + 1
    one = np.int64(1) << MIX_BITS
    k_q = np.int64(np.floor(strength * one + 0.5))
    half_mix = np.int64(1) << (_OUT_BITS + MIX_BITS - 1)
    corner = np.empty((3, CHUNK), np.int64)
    weight = np.empty((4, CHUNK), np.int64)
    vals = np.empty(CHUNK, np.int64)
    mix = np.full(CHUNK, k_q, np.int64)
    rows_in = src.reshape(h, w * 3)
    rows_out = out.reshape(h, w * 3)
    c0, c1, c2 = corner[0], corner[1], corner[2]
    w0, w1, w2, w3 = weight[0], weight[1], weight[2], weight[3]
    for y in range(h):
        for x0 in range(0, w, CHUNK):
            m = min(CHUNK, w - x0)
            s = rows_in[y, 3 * x0 :]
            _tetrahedra_nb(s, m, n, slope, offset, corner, weight)
            for t in range(m):
                b = c0[t]
                vals[t] = packed[b] * w0[t] + packed[c1[t]] * w1[t] + packed[c2[t]] * w2[t] + packed[b + far] * w3[t]
            if use_alpha:
                a = alpha[y, x0:]
                for t in range(m):
                    mix[t] = np.int64(np.floor(strength * a[t] * one + 0.5))
            o = rows_out[y, 3 * x0 :]
            for t in range(m):
                v = vals[t]
                k = mix[t]
                s0 = np.int64(s[3 * t]) << _OUT_BITS
                s1 = np.int64(s[3 * t + 1]) << _OUT_BITS
                s2 = np.int64(s[3 * t + 2]) << _OUT_BITS
                o[3 * t] = np.uint8((s0 * one + ((v & _LANE_MASK) - s0) * k + half_mix) >> (_OUT_BITS + MIX_BITS))
                o[3 * t + 1] = np.uint8(
                    (s1 * one + (((v >> _LANE) & _LANE_MASK) - s1) * k + half_mix) >> (_OUT_BITS + MIX_BITS))
                o[3 * t + 2] = np.uint8(
                    (s2 * one + (((v >> (2 * _LANE)) & _LANE_MASK) - s2) * k + half_mix) >> (_OUT_BITS + MIX_BITS))


def lut_np(
    src: np.ndarray,
    table: np.ndarray,
    domain_min: tuple[float, float, float],
    domain_max: tuple[float, float, float],
    alpha: np.ndarray | None,
    strength: float,
    out: np.ndarray,
) -> None:
    """NumPy reference: tetrahedral interpolation of the original (N, N, N, 3) table in float64."""
    n = table.shape[0]
    tab = np.clip(table.astype(np.float64), 0.0, 1.0) * 255.0
    index = []
    frac = []
    for c in range(3):
        i, f = grid_coords(n, domain_min[c], domain_max[c])
        index.append(i[src[..., c]].astype(np.int64))
        frac.append(f[src[..., c]])
    f = np.stack(frac, axis=-1)  # (h, w, 3)
    order = np.argsort(-f, axis=-1, kind="stable")  # axes by decreasing fraction
    f_sorted = np.take_along_axis(f, order, axis=-1)
    steps = np.eye(3, dtype=np.int64)[order]  # (h, w, 3 steps, 3 axes)
    corner = np.stack(index, axis=-1)  # c000
    res = tab[corner[..., 0], corner[..., 1], corner[..., 2]] * (1.0 - f_sorted[..., 0:1])
    for k in range(3):
        corner = corner + steps[..., k, :]
        upper = f_sorted[..., k:k + 1] - (f_sorted[..., k + 1:k + 2] if k < 2 else 0.0)
        res += tab[corner[..., 0], corner[..., 1], corner[..., 2]] * upper
    s = src.astype(np.float64)
    weight = strength if alpha is None else (strength * alpha.astype(np.float64))[..., None]
    out[...] = np.clip(np.floor(s + (res - s) * weight + 0.5), 0, 255).astype(np.uint8)
