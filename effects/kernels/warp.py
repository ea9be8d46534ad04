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
sampling position rounds to the pixel itself keep their value. The source is a window of the frame (``src`` with
its top-left at (oy, ox)) that holds every pixel the pass can read, so the output may be the
frame the window was copied from.

Each Numba kernel has its NumPy reference below it; they agree to within one grey level.
"""

from __future__ import annotations

import numpy as np
from effects.backend import njit

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
        lut = luts[row]
        for i in range(i_lo, i_hi):
            ey = float(gy0 + i * step) - cy
            nodes = grid[i, j_lo:j_hi]  # a slice walked from 0: unit-stride indices for LLVM
            for t in range(nodes.shape[0]):
                ex = float(gx0 + (j_lo + t) * step) - cx
                u = (ex * ex + ey * ey) * inv_r2
                if u < 1.0:
                    pos = u * last
                    i0 = int(pos)
                    fr = pos - i0
                    f = lut[i0] * (1.0 - fr) + lut[i0 + 1] * fr
                    nodes[t, 0] += ex * (f - 1.0)
                    nodes[t, 1] += ey * (f - 1.0)
    for k in range(pushes.shape[0]):
        px = pushes[k, 0]
        py = pushes[k, 1]
        inv_r2 = pushes[k, 4]
        rad = 1.0 / np.sqrt(inv_r2)
        i_lo, i_hi = _node_range(py - rad, py + rad, gy0, step, ny)
        j_lo, j_hi = _node_range(px - rad, px + rad, gx0, step, nx)
        vx = pushes[k, 2]
        vy = pushes[k, 3]
        for i in range(i_lo, i_hi):
            ey = float(gy0 + i * step) - py
            nodes = grid[i, j_lo:j_hi]
            for t in range(nodes.shape[0]):
                ex = float(gx0 + (j_lo + t) * step) - px
                u = (ex * ex + ey * ey) * inv_r2
                if u < 1.0:
                    w = 1.0 - u
                    w *= w
                    nodes[t, 0] += vx * w
                    nodes[t, 1] += vy * w


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
# Each lane holds 2 * value + 1: the blend then lands on 2 * v * SUB**2 + SUB**2, so shifting
# by 2 * SUB_BITS + 1 rounds v to the nearest integer with no rounding constant to add, and
# 511 * SUB**2 < 2**21 still fits a lane.
_UNPACK = 2 * SUB_BITS + 1


@njit(cache=True, fastmath=False)
def _pack_window_nb(frame: np.ndarray, oy: int, wy1: int, ox: int, wx1: int, flat: np.ndarray) -> None:
    """flat[i * ww + j] = (2R + 1) | (2G + 1) << 21 | (2B + 1) << 42 (int64) of frame[oy + i, ox + j]:
    then one multiply blends all three colours. Rows are read as contiguous byte runs."""
    ww = wx1 - ox
    rows = frame.reshape(frame.shape[0], frame.shape[1] * 3)
    for i in range(wy1 - oy):
        src = rows[oy + i, 3 * ox : 3 * wx1]
        dst = flat[i * ww : (i + 1) * ww]
        for j in range(ww):
            dst[j] = ((np.int64(src[3 * j]) * 2 + 1) | ((np.int64(src[3 * j + 1]) * 2 + 1) << _LANE)
                      | ((np.int64(src[3 * j + 2]) * 2 + 1) << (2 * _LANE)))


FIX_BITS = 16  # offsets are interpolated in fixed point, 1/65536 px


@njit(cache=True, fastmath=False)
def _grid_row_nb(grid: np.ndarray, i: int, step_bits: int, n: int, nodes: np.ndarray, cols: np.ndarray) -> None:
    """Grid row i in fixed point: at its nodes (nodes[0] = dx, nodes[1] = dy) and interpolated
    to the n ROI columns from its first node (cols[0], cols[1])."""
    nx = grid.shape[1]
    one = np.float64(1 << FIX_BITS)
    fx = nodes[0]
    fy = nodes[1]
    for q in range(nx):
        fx[q] = np.int64(np.floor(grid[i, q, 0] * one + 0.5))
        fy[q] = np.int64(np.floor(grid[i, q, 1] * one + 0.5))
    step = 1 << step_bits
    cx = cols[0]
    cy = cols[1]
    whole = min(nx - 1, n >> step_bits)  # grid cells whose columns all lie in the ROI
    for q in range(whole):
        ax = fx[q]
        dx = fx[q + 1] - ax
        ay = fy[q]
        dy = fy[q + 1] - ay
        ox = cx[q << step_bits :]
        oy = cy[q << step_bits :]
        for t in range(step):
            ox[t] = ax + ((dx * t) >> step_bits)
            oy[t] = ay + ((dy * t) >> step_bits)
    for j in range(whole << step_bits, n):
        q = j >> step_bits
        t = j - (q << step_bits)
        cx[j] = fx[q] + (((fx[q + 1] - fx[q]) * t) >> step_bits)
        cy[j] = fy[q] + (((fy[q + 1] - fy[q]) * t) >> step_bits)


@njit(cache=True, fastmath=False, inline="always")
def _cell_moves_nb(nodes_a: np.ndarray, nodes_b: np.ndarray, q: int) -> bool:
    """Whether a pixel of grid cell q (between nodes q and q + 1 of two grid rows) can move.

    Interpolated offsets lie between the corner values, and an offset below half a sampling
    step (|offset| < 2**(FIX_BITS - SUB_BITS - 1)) rounds to the pixel itself: a cell whose
    four corners are all that small leaves its pixels unchanged.
    """
    still = np.int64(1) << (FIX_BITS - SUB_BITS - 1)
    big = 0
    for row in (nodes_a, nodes_b):
        for c in range(2):
            big |= abs(row[c, q]) >= still
            big |= abs(row[c, q + 1]) >= still
    return big != 0


@njit(cache=True, fastmath=False)
def _moving_spans_nb(nodes_a: np.ndarray, nodes_b: np.ndarray, shift: int, step_bits: int, n: int,
                     lo: np.ndarray, hi: np.ndarray) -> int:
    """Column spans [lo[k], hi[k]) of the cells between two grid rows where a pixel can move
    (elsewhere every pixel samples itself); column = node column * step - shift."""
    nx = nodes_a.shape[1]
    count = 0
    q = 0
    while q < nx - 1:
        if not _cell_moves_nb(nodes_a, nodes_b, q):
            q += 1
            continue
        start = q
        q += 1
        while q < nx - 1 and _cell_moves_nb(nodes_a, nodes_b, q):
            q += 1
        a = max((start << step_bits) - shift, 0)
        b = min((q << step_bits) - shift + 1, n)
        if b > a:
            lo[count] = a
            hi[count] = b
            count += 1
    return count


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
    2**step_bits pixels apart, starting at (gx0, gy0) with gx0 <= x0, gy0 <= y0).

    The window frame[oy:wy1, ox:wx1] must hold every pixel the pass can read; it is first
    packed into ``packed`` (scratch of at least (height + 1) * width + 1 int64), which is also the
    snapshot the pass reads, so writing into the frame is safe. The offsets are rounded to
    1/65536 px at the nodes and interpolated in integer arithmetic (along a grid row to every
    pixel column, then between two grid rows per pixel row), the sampling position is rounded
    to 1/SUB px, and the bilinear blend of the three colours is done at once on packed pixels
    (21-bit lanes; a + (b - a) * w is exact on the packed integer even when a lane of b - a is
    negative, because the result's lanes are all in range).

    Speed notes: grid rows are converted two at a time (no per-frame tables); only the column
    spans of grid cells with a moving corner are visited; every inner loop runs from 0 over a
    slice, so LLVM sees unit-stride, non-negative indices (a loop from a variable start made it
    emit gathers/scatters for the wrap-around of negative indices, slow on this CPU); the
    positions are computed in one vectorised loop, then the blend is a scalar loop of 4 loads
    and 3 multiplies per pixel.
    """
    hh, ww = wy1 - oy, wx1 - ox
    frame_h, frame_w = frame.shape[0], frame.shape[1]
    if y1 <= y0 or x1 <= x0:
        return
    flat = packed[: (hh + 1) * ww + 1]
    flat[hh * ww :] = 0  # slack read (with weight 0) past the frame's bottom-right edge
    _pack_window_nb(frame, oy, wy1, ox, wx1, flat)
    nx = grid.shape[1]
    n = x1 - x0
    shift = x0 - gx0  # ROI column j is grid-relative column j + shift
    nodes = np.empty((2, 2, nx), np.int64)  # [slot, dx/dy, node]
    cols = np.empty((2, 2, n + shift), np.int64)  # [slot, dx/dy, grid-relative column]
    span_lo = np.empty(nx, np.int64)
    span_hi = np.empty(nx, np.int64)
    index = np.empty(n, np.uint64)
    wxs = np.empty(n, np.int64)
    wys = np.empty(n, np.int64)
    vals = np.empty(n, np.int64)
    max_qx = (frame_w - 1) * SUB
    max_qy = (frame_h - 1) * SUB
    down = FIX_BITS - SUB_BITS
    half = np.int64(1) << (down - 1)
    rows = frame.reshape(frame_h, frame_w * 3)
    uww = np.uint64(ww)
    g_first = (y0 - gy0) >> step_bits
    g_last = (y1 - 1 - gy0) >> step_bits
    _grid_row_nb(grid, g_first, step_bits, n + shift, nodes[0], cols[0])
    for gi in range(g_first, g_last + 1):
        a = (gi - g_first) & 1
        b = 1 - a
        _grid_row_nb(grid, gi + 1, step_bits, n + shift, nodes[b], cols[b])
        spans = _moving_spans_nb(nodes[a], nodes[b], shift, step_bits, n, span_lo, span_hi)
        r0 = max(gy0 + (gi << step_bits), y0)
        r1 = min(gy0 + ((gi + 1) << step_bits), y1)
        for y in range(r0, r1):
            ty = y - gy0 - (gi << step_bits)
            ybase = (np.int64(y) << FIX_BITS) + half
            for s in range(spans):
                j0 = span_lo[s]
                m = span_hi[s] - j0
                xa = cols[a, 0, j0 + shift :]
                xb = cols[b, 0, j0 + shift :]
                ya = cols[a, 1, j0 + shift :]
                yb = cols[b, 1, j0 + shift :]
                xbase = (np.int64(x0 + j0) << FIX_BITS) + half
                # Pass 1 (vectorised): where each pixel samples, in 1/SUB px.
                for t in range(m):
                    dx = xa[t] + (((xb[t] - xa[t]) * ty) >> step_bits)
                    dy = ya[t] + (((yb[t] - ya[t]) * ty) >> step_bits)
                    qx = min(max((xbase + (t << FIX_BITS) + dx) >> down, 0), max_qx)
                    qy = min(max((ybase + dy) >> down, 0), max_qy)
                    wxs[t] = qx & (SUB - 1)
                    wys[t] = qy & (SUB - 1)
                    # >= 0: positions are clamped to the frame and the window holds them.
                    index[t] = np.uint64(((qy >> SUB_BITS) - oy) * ww + ((qx >> SUB_BITS) - ox))
                # Pass 2: blend the four packed neighbours (at the frame's right or bottom
                # edge the next pixel's weight is 0, so reading the slack there is harmless).
                for t in range(m):
                    p = index[t]
                    c00 = flat[p]
                    c01 = flat[p + np.uint64(1)]
                    c10 = flat[p + uww]
                    c11 = flat[p + uww + np.uint64(1)]
                    top = (c00 << SUB_BITS) + (c01 - c00) * wxs[t]
                    bot = (c10 << SUB_BITS) + (c11 - c10) * wxs[t]
                    vals[t] = (top << SUB_BITS) + (bot - top) * wys[t]
                # Pass 3 (vectorised): unpack the three colours into the frame row.
                out = rows[y, 3 * (x0 + j0) :]
                for t in range(m):
                    v = vals[t]
                    out[3 * t] = np.uint8(v >> _UNPACK)
                    out[3 * t + 1] = np.uint8(v >> (_LANE + _UNPACK))
                    out[3 * t + 2] = np.uint8(v >> (2 * _LANE + _UNPACK))


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
