"""Warp kernels: a smooth displacement field on a coarse grid, then one backward-mapping pass.

The field is the sum of two kinds of primitive, each zero outside its disc:

* radial (cx, cy, inv_r2, lut): the point at squared normalised distance u = |p - c|^2 / R^2
  samples the source at c + (p - c) * f(u), with f read from a lookup table over u in [0, 1]
  (so no square root per point) and f(1) = 1;
* push (px, py, dx, dy, inv_r2): adds (dx, dy) * (1 - u)^2 to the sampling offset.

``field_grid`` evaluates the summed offset at grid nodes ``step`` pixels apart (the field is
smooth, so bilinear interpolation between nodes is within a few hundredths of a pixel of it);
``remap_roi`` interpolates the offset at each pixel of the ROI and samples the source
bilinearly there (coordinates clamped to the frame: border pixels repeat). Pixels whose
offset is exactly zero keep their value. The source is a window of the frame (``src`` with
its top-left at (oy, ox)) that holds every pixel the pass can read, so the output may be the
frame the window was copied from.

Each Numba kernel has its NumPy reference below it; they agree to within one grey level.
"""

from __future__ import annotations

import numpy as np
from numba import njit

RADIAL_COLS = 4  # cx, cy, inv_r2, lut row
PUSH_COLS = 5  # px, py, dx, dy, inv_r2


@njit(cache=True, fastmath=False)
def field_grid_nb(
    gy0: int, gx0: int, step: int, radial: np.ndarray, luts: np.ndarray, pushes: np.ndarray, grid: np.ndarray
) -> None:
    """grid[i, j] = summed offset (dx, dy) at pixel (x = gx0 + j*step, y = gy0 + i*step).

    Each primitive only visits the grid nodes of its own disc's bounding box.
    """
    ny, nx = grid.shape[0], grid.shape[1]
    last = luts.shape[1] - 1
    grid[:, :, :] = 0.0
    for k in range(radial.shape[0]):
        cx = radial[k, 0]
        cy = radial[k, 1]
        inv_r2 = radial[k, 2]
        row = int(radial[k, 3])
        rad = 1.0 / np.sqrt(inv_r2)
        i_lo, i_hi = _node_range(cy - rad, cy + rad, gy0, step, ny)
        j_lo, j_hi = _node_range(cx - rad, cx + rad, gx0, step, nx)
        for i in range(i_lo, i_hi):
            ey = float(gy0 + i * step) - cy
            for j in range(j_lo, j_hi):
                ex = float(gx0 + j * step) - cx
                u = (ex * ex + ey * ey) * inv_r2
                if u < 1.0:
                    pos = u * last
                    i0 = int(pos)
                    fr = pos - i0
                    f = luts[row, i0] * (1.0 - fr) + luts[row, i0 + 1] * fr
                    grid[i, j, 0] += ex * (f - 1.0)
                    grid[i, j, 1] += ey * (f - 1.0)
    for k in range(pushes.shape[0]):
        px = pushes[k, 0]
        py = pushes[k, 1]
        inv_r2 = pushes[k, 4]
        rad = 1.0 / np.sqrt(inv_r2)
        i_lo, i_hi = _node_range(py - rad, py + rad, gy0, step, ny)
        j_lo, j_hi = _node_range(px - rad, px + rad, gx0, step, nx)
        for i in range(i_lo, i_hi):
            ey = float(gy0 + i * step) - py
            for j in range(j_lo, j_hi):
                ex = float(gx0 + j * step) - px
                u = (ex * ex + ey * ey) * inv_r2
                if u < 1.0:
                    w = 1.0 - u
                    w *= w
                    grid[i, j, 0] += pushes[k, 2] * w
                    grid[i, j, 1] += pushes[k, 3] * w


@njit(cache=True, fastmath=False)
def _node_range(lo: float, hi: float, g0: int, step: int, n: int) -> tuple[int, int]:
    """Grid node indices [a, b) whose positions g0 + i*step may lie in [lo, hi] (one node of slack)."""
    a = int(np.floor((lo - g0) / step)) - 1
    b = int(np.ceil((hi - g0) / step)) + 2
    return max(a, 0), min(max(b, 0), n)


def field_grid_np(
    gy0: int, gx0: int, step: int, radial: np.ndarray, luts: np.ndarray, pushes: np.ndarray, grid: np.ndarray
) -> None:
    """NumPy reference of field_grid_nb."""
    ny, nx = grid.shape[0], grid.shape[1]
    y = (gy0 + np.arange(ny, dtype=np.float64) * step)[:, None]
    x = (gx0 + np.arange(nx, dtype=np.float64) * step)[None, :]
    dx = np.zeros((ny, nx))
    dy = np.zeros((ny, nx))
    last = luts.shape[1] - 1
    for cx, cy, inv_r2, row in radial:
        ex = x - cx
        ey = y - cy
        u = (ex * ex + ey * ey) * inv_r2
        inside = u < 1.0
        pos = np.where(inside, u, 0.0) * last
        i0 = pos.astype(np.int64)
        fr = pos - i0
        lut = luts[int(row)]
        f = lut[i0] * (1.0 - fr) + lut[np.minimum(i0 + 1, last)] * fr
        g = np.where(inside, f - 1.0, 0.0)
        dx += ex * g
        dy += ey * g
    for px, py, vx, vy, inv_r2 in pushes:
        ex = x - px
        ey = y - py
        u = (ex * ex + ey * ey) * inv_r2
        w = np.where(u < 1.0, 1.0 - u, 0.0)
        w *= w
        dx += vx * w
        dy += vy * w
    grid[:, :, 0] = dx
    grid[:, :, 1] = dy


SUB_BITS = 6
SUB = 1 << SUB_BITS  # sampling positions are rounded to 1/64 px (OpenCV's remap uses 1/32)
_LANE = 21  # bits per colour in a packed pixel: R | G << 21 | B << 42
_ROUND = (2048 << 42) | (2048 << 21) | 2048  # half of SUB * SUB in each lane


@njit(cache=True, fastmath=False)
def pack_rgb_nb(src: np.ndarray, packed: np.ndarray) -> None:
    """packed[i, j] = R | G << 21 | B << 42 (int64): then one multiply blends all three colours."""
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            packed[i, j] = (
                np.int64(src[i, j, 0]) | (np.int64(src[i, j, 1]) << _LANE) | (np.int64(src[i, j, 2]) << (2 * _LANE))
            )


FIX_BITS = 16  # offsets are interpolated in fixed point, 1/65536 px


@njit(cache=True, fastmath=False)
def _fixed_grid_nb(grid: np.ndarray, out: np.ndarray) -> None:
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            for c in range(2):
                out[i, j, c] = np.int64(np.floor(grid[i, j, c] * (1 << FIX_BITS) + 0.5))


@njit(cache=True, fastmath=False)
def remap_roi_nb(
    frame: np.ndarray,
    oy: int,
    wy1: int,
    ox: int,
    wx1: int,
    grid: np.ndarray,
    gy0: int,
    gx0: int,
    step_bits: int,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    packed: np.ndarray,
) -> None:
    """Warp ``frame`` in place for y0 <= y < y1, x0 <= x < x1: each pixel becomes the frame (as
    it was before the call) sampled at (x, y) + the offset interpolated from ``grid`` (nodes
    2**step_bits pixels apart, starting at (gx0, gy0)).

    The window frame[oy:wy1, ox:wx1] must hold every pixel the pass can read; it is first
    packed into ``packed`` (scratch of at least (height + 1) * width + 1 int64), which is also the
    snapshot the pass reads, so writing into the frame is safe. The offsets are rounded to
    1/65536 px at the nodes and interpolated in integer arithmetic (along the grid rows to
    every pixel column once, then between grid rows per pixel row), the sampling position is rounded to 1/SUB px, and the bilinear blend of
    the three colours is done at once on packed pixels (21-bit lanes). Parts of rows where the
    offset is zero on both neighbouring grid columns are skipped.
    """
    hh, ww = wy1 - oy, wx1 - ox
    frame_h, frame_w = frame.shape[0], frame.shape[1]
    flat = packed[: (hh + 1) * ww + 1]
    flat[hh * ww :] = 0
    pack_rgb_nb(frame[oy:wy1, ox:wx1], flat[: hh * ww].reshape(hh, ww))
    step = 1 << step_bits
    ny, nx = grid.shape[0], grid.shape[1]
    fixed = np.empty((ny, nx, 2), np.int64)
    _fixed_grid_nb(grid, fixed)
    n = x1 - x0
    # The grid rows interpolated to every pixel column of the ROI, and where each is non-zero.
    cols_x = np.empty((ny, n), np.int64)
    cols_y = np.empty((ny, n), np.int64)
    first = np.full(ny, n, np.int64)
    last = np.full(ny, -1, np.int64)
    for i in range(ny):
        for j in range(n):
            rel = x0 + j - gx0
            q = rel >> step_bits
            t = rel - (q << step_bits)
            a = fixed[i, q, 0]
            b = fixed[i, q, 1]
            va = a + (((fixed[i, q + 1, 0] - a) * t) >> step_bits)
            vb = b + (((fixed[i, q + 1, 1] - b) * t) >> step_bits)
            cols_x[i, j] = va
            cols_y[i, j] = vb
            if va != 0 or vb != 0:
                if j < first[i]:
                    first[i] = j
                last[i] = j
    qxs = np.empty(n, np.int64)
    qys = np.empty(n, np.int64)
    vals = np.empty(n, np.int64)
    max_qx = (frame_w - 1) * SUB
    max_qy = (frame_h - 1) * SUB
    down = FIX_BITS - SUB_BITS
    half = np.int64(1) << (down - 1)
    out2 = frame.reshape(frame_h, frame_w * 3)
    for y in range(y0, y1):
        gi = (y - gy0) >> step_bits
        ty = (y - gy0) - (gi << step_bits)
        j0 = min(first[gi], first[gi + 1])
        j1 = max(last[gi], last[gi + 1]) + 1
        if j1 <= j0:
            continue
        # Pass 1: the sampling position of each pixel in 1/SUB px (a loop LLVM vectorises).
        ybase = (np.int64(y) << FIX_BITS) + half
        xr0 = cols_x[gi]
        xr1 = cols_x[gi + 1]
        yr0 = cols_y[gi]
        yr1 = cols_y[gi + 1]
        for j in range(j0, j1):
            ox_ = xr0[j] + (((xr1[j] - xr0[j]) * ty) >> step_bits)
            oy_ = yr0[j] + (((yr1[j] - yr0[j]) * ty) >> step_bits)
            sx = ((np.int64(x0 + j) << FIX_BITS) + half + ox_) >> down
            sy = (ybase + oy_) >> down
            qxs[j] = min(max(sx, 0), max_qx)
            qys[j] = min(max(sy, 0), max_qy)
        # Pass 2: blend the four neighbours of each position.
        for j in range(j0, j1):
            qx = qxs[j]
            qy = qys[j]
            wx = qx & (SUB - 1)
            wy = qy & (SUB - 1)
            ix = qx >> SUB_BITS
            iy = qy >> SUB_BITS
            # At the frame's right or bottom edge the weight of the next pixel is 0, so reading
            # past the window there (into the scratch's slack) is harmless. Unsigned indices:
            # every one is >= 0 here, and Numba then skips its negative-index fix-up.
            p = np.uint64((iy - oy) * ww + (ix - ox))
            px = p + np.uint64(1)
            py = p + np.uint64(ww)
            pxy = py + np.uint64(1)
            top = flat[p] * (SUB - wx) + flat[px] * wx
            bot = flat[py] * (SUB - wx) + flat[pxy] * wx
            vals[j] = top * (SUB - wy) + bot * wy + _ROUND
        # Pass 3: unpack the three colours into the frame row.
        row = out2[y]
        for j in range(j0, j1):
            v = vals[j]
            k = np.uint64(3 * (x0 + j))
            row[k] = np.uint8((v >> (2 * SUB_BITS)) & 255)
            row[k + np.uint64(1)] = np.uint8((v >> (_LANE + 2 * SUB_BITS)) & 255)
            row[k + np.uint64(2)] = np.uint8((v >> (2 * _LANE + 2 * SUB_BITS)) & 255)


def remap_roi_np(
    frame: np.ndarray,
    oy: int,
    wy1: int,
    ox: int,
    wx1: int,
    grid: np.ndarray,
    gy0: int,
    gx0: int,
    step_bits: int,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    packed: np.ndarray,
) -> None:
    """NumPy reference of remap_roi_nb (same fixed-point interpolation, rounding and blend, per colour)."""
    if y1 <= y0 or x1 <= x0:
        return
    frame_h, frame_w = frame.shape[0], frame.shape[1]
    src = frame[oy:wy1, ox:wx1].astype(np.int64)
    fixed = np.floor(grid * (1 << FIX_BITS) + 0.5).astype(np.int64)
    ys = np.arange(y0, y1, dtype=np.int64)
    xs = np.arange(x0, x1, dtype=np.int64)
    gi = (ys - gy0) >> step_bits
    ty = ((ys - gy0) - (gi << step_bits))[:, None]
    q = (xs - gx0) >> step_bits
    t = ((xs - gx0) - (q << step_bits))[None, :]

    def position(ch: int, base: np.ndarray) -> np.ndarray:
        g = fixed[:, :, ch]
        cols = g[:, q] + (((g[:, q + 1] - g[:, q]) * t) >> step_bits)  # (ny, pixels)
        off = cols[gi] + (((cols[gi + 1] - cols[gi]) * ty) >> step_bits)
        return (base + off + (1 << (FIX_BITS - SUB_BITS - 1))) >> (FIX_BITS - SUB_BITS)

    qx = np.clip(position(0, (xs << FIX_BITS)[None, :]), 0, (frame_w - 1) * SUB)
    qy = np.clip(position(1, (ys << FIX_BITS)[:, None]), 0, (frame_h - 1) * SUB)
    wx = (qx & (SUB - 1))[:, :, None]
    wy = (qy & (SUB - 1))[:, :, None]
    ix = qx >> SUB_BITS
    iy = qy >> SUB_BITS
    ix1 = np.minimum(ix + 1, frame_w - 1) - ox
    iy1 = np.minimum(iy + 1, frame_h - 1) - oy
    ix -= ox
    iy -= oy
    top = src[iy, ix] * (SUB - wx) + src[iy, ix1] * wx
    bot = src[iy1, ix] * (SUB - wx) + src[iy1, ix1] * wx
    value = ((top * (SUB - wy) + bot * wy + SUB * SUB // 2) >> (2 * SUB_BITS)).astype(np.uint8)
    moved = (qx != (xs << SUB_BITS)[None, :]) | (qy != (ys << SUB_BITS)[:, None])
    region = frame[y0:y1, x0:x1]
    region[moved] = value[moved]
