"""Skin smoothing kernel: a mask-weighted fast guided filter (self-guided, per colour) plus detail.

For the ROI (y0:y1, x0:x1) of the frame and its mask ``alpha`` (ROI-shaped, in [0, 1]):

1. the mask-weighted moments alpha * I, alpha * I^2 and alpha, averaged over ``s`` x ``s``
   blocks (s = 1: full resolution). Averaging the squares, not squaring the averages, keeps
   the variance of texture finer than a block, so a block-aligned window sees the same
   statistics as at full resolution;
2. guided-filter coefficients on that grid, with box means of radius ``r`` (window clamped to
   the image): a = var / (var + eps), b = mean - a * mean, then the weighted box means of a
   and b. The weights keep pixels outside the mask (eyes, lashes, lips, nostrils,
   background) out of the statistics, so they cannot bleed into the skin as a dark halo.
   Where the local variance is far above ``eps`` (an edge) a is close to 1 and the pixel is
   kept; on skin it goes to its local mean. With s > 1 this is He and Sun's "fast guided
   filter" (coefficients at low resolution, applied at full resolution);
3. at full resolution, with A and B interpolated bilinearly from the grid:
   smooth = A * I + B, fine = I - mean3x3(I) (pores, the finest texture), and
   out = I + alpha * amount * (smooth + detail * (1 - A) * fine - I), rounded and clipped,
   only where alpha > 0. ``detail`` 1 restores the fine texture the filter removed (the
   filter keeps a share A of it already), 0 leaves it smoothed.

``eps`` is in squared grey levels. Each Numba kernel has its NumPy reference below it; they
agree to within one grey level. The output may be the frame itself (the op smooths in place).
"""

from __future__ import annotations

import numpy as np
from effects.backend import njit

_TINY = 1e-9  # a window with less mask weight than this has no skin: leave it unchanged


@njit(cache=True, fastmath=False)
def _box_mean_nb(src: np.ndarray, r: int, out: np.ndarray, work: np.ndarray) -> None:
    """Mean over the (2r+1)^2 window clipped to the image, per channel; src, out (h, w, c) float64;
    ``work``: float64 scratch of at least (c + 1) * h * w items."""
    h, w, c = src.shape
    # Channel planes, so the inner loops run over contiguous rows.
    planes = work[: c * h * w].reshape(c, h, w)
    for i in range(h):
        for j in range(w):
            for ch in range(c):
                planes[ch, i, j] = src[i, j, ch]
    tmp = work[c * h * w : (c + 1) * h * w].reshape(h, w)
    col = np.empty(w, np.float64)
    inv_w = np.empty(w, np.float64)
    for j in range(w):
        inv_w[j] = 1.0 / (min(j + r, w - 1) - max(j - r, 0) + 1)
    for ch in range(c):
        plane = planes[ch]
        for i in range(h):
            row = plane[i]
            acc = 0.0
            for j in range(min(r, w - 1) + 1):
                acc += row[j]
            for j in range(w):
                if j > 0:
                    if j + r < w:
                        acc += row[j + r]
                    if j - r - 1 >= 0:
                        acc -= row[j - r - 1]
                tmp[i, j] = acc * inv_w[j]
        col[:] = 0.0
        for i in range(min(r, h - 1) + 1):
            for j in range(w):
                col[j] += tmp[i, j]
        for i in range(h):
            if i > 0:
                if i + r < h:
                    for j in range(w):
                        col[j] += tmp[i + r, j]
                if i - r - 1 >= 0:
                    for j in range(w):
                        col[j] -= tmp[i - r - 1, j]
            inv_h = 1.0 / (min(i + r, h - 1) - max(i - r, 0) + 1)
            for j in range(w):
                out[i, j, ch] = col[j] * inv_h


def _box_mean_np(src: np.ndarray, r: int) -> np.ndarray:
    """NumPy reference of _box_mean_nb (cumulative sums, window clipped to the image)."""
    def along(a: np.ndarray, axis: int) -> np.ndarray:
        n = a.shape[axis]
        c = np.cumsum(a, axis=axis)
        zero = np.zeros_like(np.take(c, [0], axis=axis))
        c = np.concatenate([zero, c], axis=axis)
        idx = np.arange(n)
        hi = np.minimum(idx + r, n - 1) + 1
        lo = np.maximum(idx - r, 0)
        count = (hi - lo).astype(np.float64)
        shape = [1] * a.ndim
        shape[axis] = n
        return (np.take(c, hi, axis=axis) - np.take(c, lo, axis=axis)) / count.reshape(shape)

    return along(along(src, 1), 0)


@njit(cache=True, fastmath=False)
def _block_stats_nb(frame: np.ndarray, y0: int, y1: int, x0: int, x1: int, alpha: np.ndarray, s: int,
                    stats: np.ndarray) -> None:
    """stats[i, j] = means over the s x s block (clipped to the ROI) at ROI cell (i, j) of
    (alpha * I_c for c in RGB, alpha * I_c^2, alpha): the mask-weighted moments the box means
    need, so the low-resolution variance keeps the texture finer than a block.

    The rows of a block are summed first along flat RGB rows (loops LLVM vectorises), then the
    sums of each block's s columns are gathered once per block row.
    """
    hl, wl = stats.shape[0], stats.shape[1]
    h, w = y1 - y0, x1 - x0
    w3 = 3 * w
    rows = frame.reshape(frame.shape[0], frame.shape[1] * 3)
    a3 = np.empty(w3, np.float64)
    acc1 = np.empty(w3, np.float64)
    acc2 = np.empty(w3, np.float64)
    acc_a = np.empty(w, np.float64)
    for i in range(hl):
        acc1[:] = 0.0
        acc2[:] = 0.0
        acc_a[:] = 0.0
        nh = min(s, h - i * s)
        for yy in range(i * s, i * s + nh):
            arow = alpha[yy]
            for xx in range(w):
                a = np.float64(arow[xx])
                acc_a[xx] += a
                a3[3 * xx] = a
                a3[3 * xx + 1] = a
                a3[3 * xx + 2] = a
            src = rows[y0 + yy, 3 * x0 : 3 * x1]
            for t in range(w3):
                v = np.float64(src[t])
                av = a3[t] * v
                acc1[t] += av
                acc2[t] += av * v
        for j in range(wl):
            xa = j * s
            xb = min(xa + s, w)
            inv = 1.0 / (nh * (xb - xa))
            cell = stats[i, j]
            sa = 0.0
            for xx in range(xa, xb):
                sa += acc_a[xx]
            cell[6] = sa * inv
            for c in range(3):
                s1 = 0.0
                s2 = 0.0
                for xx in range(xa, xb):
                    s1 += acc1[3 * xx + c]
                    s2 += acc2[3 * xx + c]
                cell[c] = s1 * inv
                cell[3 + c] = s2 * inv


@njit(cache=True, fastmath=False)
def _load_row_nb(rows: np.ndarray, y: int, x0: int, x1: int, dst: np.ndarray) -> None:
    """dst[3q + c] = channel c of pixel x0 - 1 + q of frame row y, as float64, for q in
    0 .. x1 - x0 + 1 (pixels outside the frame repeat its edge pixel)."""
    fw = rows.shape[1] // 3
    a = max(x0 - 1, 0)
    b = min(x1 + 1, fw)
    lead = 3 * (a - (x0 - 1))  # 3 when x0 == 0: the repeated left edge pixel comes first
    src = rows[y, 3 * a : 3 * b]
    body = dst[lead:]
    for t in range(3 * (b - a)):
        body[t] = np.float64(src[t])
    if lead:
        for c in range(3):
            dst[c] = dst[3 + c]
    n = 3 * (x1 - x0 + 2)
    if lead + 3 * (b - a) < n:  # x1 == fw: the right edge pixel repeats
        for c in range(3):
            dst[n - 3 + c] = dst[n - 6 + c]


def scratch_size(h: int, w: int, s: int) -> int:
    """float64 items of scratch ``guided_smooth_nb`` needs for an h x w ROI on s x s blocks."""
    cells = ((h + s - 1) // s) * ((w + s - 1) // s)
    return 42 * cells + 6 * ((h + s - 1) // s) * w


@njit(cache=True, fastmath=False)
def guided_smooth_nb(
    frame: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    alpha: np.ndarray,
    s: int,
    r: int,
    eps: float,
    amount: float,
    detail: float,
    out: np.ndarray,
    scratch: np.ndarray,
) -> None:
    """Write the smoothed ROI into ``out`` (same shape as frame, both C-contiguous; pixels with
    alpha 0 keep their value). ``out`` may be ``frame``: every source row is read (into a ring of
    three rows) before the row above it is written. ``scratch``: float64, at least
    ``scratch_size(y1 - y0, x1 - x0, s)`` items (kept by the caller from frame to frame)."""
    h = y1 - y0
    w = x1 - x0
    hl = (h + s - 1) // s
    wl = (w + s - 1) // s
    w3 = 3 * w
    n7 = hl * wl * 7
    both = scratch[:n7].reshape(hl, wl, 7)
    means = scratch[n7 : 2 * n7].reshape(hl, wl, 7)
    coef = scratch[2 * n7 : 3 * n7].reshape(hl, wl, 7)
    cm = scratch[3 * n7 : 4 * n7].reshape(hl, wl, 7)
    work = scratch[4 * n7 : 5 * n7 + hl * wl]
    ab = scratch[5 * n7 + hl * wl : 5 * n7 + hl * wl + hl * wl * 6].reshape(hl, wl, 6)
    tables = 5 * n7 + 7 * hl * wl
    ah = scratch[tables : tables + hl * w3].reshape(hl, w3)
    bh = scratch[tables + hl * w3 : tables + 2 * hl * w3].reshape(hl, w3)
    _block_stats_nb(frame, y0, y1, x0, x1, alpha, s, both)
    _box_mean_nb(both, r, means, work)
    for i in range(hl):
        for j in range(wl):
            wsum = means[i, j, 6]
            wt = both[i, j, 6]
            for c in range(3):
                if wsum > _TINY:
                    m = means[i, j, c] / wsum
                    var = means[i, j, 3 + c] / wsum - m * m
                    if var < 0.0:
                        var = 0.0
                    a = var / (var + eps)
                    b = m - a * m
                else:
                    a = 1.0
                    b = 0.0
                coef[i, j, c] = wt * a
                coef[i, j, 3 + c] = wt * b
            coef[i, j, 6] = wt
    _box_mean_nb(coef, r, cm, work)
    # A and B at the grid nodes, then interpolated along each grid row to the ROI's flat RGB columns.
    for i in range(hl):
        for j in range(wl):
            wsum = cm[i, j, 6]
            for c in range(3):
                if wsum > _TINY:
                    ab[i, j, c] = cm[i, j, c] / wsum
                    ab[i, j, 3 + c] = cm[i, j, 3 + c] / wsum
                else:
                    ab[i, j, c] = 1.0
                    ab[i, j, 3 + c] = 0.0
    half = (s - 1) * 0.5
    inv_s = 1.0 / s
    col_j = np.empty(w, np.int64)
    col_f = np.empty(w, np.float64)
    for xx in range(w):
        g = min(max((xx - half) * inv_s, 0.0), wl - 1.0)
        col_j[xx] = int(g)
        col_f[xx] = g - int(g)
    for i in range(hl):
        nodes = ab[i]
        for xx in range(w):
            j0 = col_j[xx]
            j1 = min(j0 + 1, wl - 1)
            fx = col_f[xx]
            for c in range(3):
                ah[i, 3 * xx + c] = nodes[j0, c] + (nodes[j1, c] - nodes[j0, c]) * fx
                bh[i, 3 * xx + c] = nodes[j0, 3 + c] + (nodes[j1, 3 + c] - nodes[j0, 3 + c]) * fx
    fh = frame.shape[0]
    rows = frame.reshape(fh, frame.shape[1] * 3)
    orows = out.reshape(fh, frame.shape[1] * 3)
    n3 = 3 * (w + 2)
    ring = np.empty((3, n3), np.float64)  # source rows y - 1, y, y + 1 (pixels x0 - 1 .. x1)
    sum3 = np.empty(n3, np.float64)
    kk = np.empty(w3, np.float64)
    _load_row_nb(rows, max(y0 - 1, 0), x0, x1, ring[(y0 - 1) % 3])
    _load_row_nb(rows, y0, x0, x1, ring[y0 % 3])
    ninth = 1.0 / 9.0
    for yy in range(h):
        y = y0 + yy
        _load_row_nb(rows, min(y + 1, fh - 1), x0, x1, ring[(y + 1) % 3])  # read before row y is written
        lo = 0
        while lo < w and alpha[yy, lo] <= 0.0:
            lo += 1
        if lo == w:
            continue
        hi = w
        while alpha[yy, hi - 1] <= 0.0:
            hi -= 1
        up = ring[(y - 1) % 3, 3 * lo :]
        mid = ring[y % 3, 3 * lo :]
        down = ring[(y + 1) % 3, 3 * lo :]
        for t in range(3 * (hi - lo + 2)):
            sum3[t] = up[t] + mid[t] + down[t]
        arow = alpha[yy, lo:hi]
        for q in range(hi - lo):
            kv = np.float64(arow[q]) * amount
            kk[3 * q] = kv
            kk[3 * q + 1] = kv
            kk[3 * q + 2] = kv
        g = min(max((yy - half) * inv_s, 0.0), hl - 1.0)
        i0 = int(g)
        fy = g - i0
        i1 = min(i0 + 1, hl - 1)
        # Every loop below runs from 0 over slices, so LLVM sees unit-stride indices.
        a_top = ah[i0, 3 * lo :]
        a_bot = ah[i1, 3 * lo :]
        b_top = bh[i0, 3 * lo :]
        b_bot = bh[i1, 3 * lo :]
        sums = sum3
        src = mid[3:]
        k = kk
        dst = orows[y, 3 * (x0 + lo) :]
        for t in range(3 * (hi - lo)):
            ca = a_top[t] + (a_bot[t] - a_top[t]) * fy
            cb = b_top[t] + (b_bot[t] - b_top[t]) * fy
            v = src[t]
            near = (sums[t] + sums[t + 3] + sums[t + 6]) * ninth
            target = ca * v + cb + detail * (1.0 - ca) * (v - near)
            res = min(max(v + k[t] * (target - v) + 0.5, 0.0), 255.0)
            dst[t] = np.uint8(int(res))


def guided_smooth_np(
    frame: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    alpha: np.ndarray,
    s: int,
    r: int,
    eps: float,
    amount: float,
    detail: float,
    out: np.ndarray,
    scratch: np.ndarray,
) -> None:
    """NumPy reference of guided_smooth_nb (``scratch`` unused)."""
    h = y1 - y0
    w = x1 - x0
    hl = (h + s - 1) // s
    wl = (w + s - 1) // s
    roi = frame[y0:y1, x0:x1].astype(np.float64)
    a_full = alpha.astype(np.float64)[:, :, None]
    padded = np.full((hl * s, wl * s, 7), np.nan)
    padded[:h, :w] = np.concatenate([a_full * roi, a_full * roi * roi, a_full], axis=2)
    both = np.nanmean(padded.reshape(hl, s, wl, s, 7), axis=(1, 3))
    wt = both[:, :, 6:7]
    means = _box_mean_np(both, r)
    wsum = means[:, :, 6:7]
    some = wsum > _TINY
    safe = np.where(some, wsum, 1.0)
    m = means[:, :, :3] / safe
    var = np.maximum(means[:, :, 3:6] / safe - m * m, 0.0)
    a = np.where(some, var / (var + eps), 1.0)
    b = np.where(some, m - a * m, 0.0)
    cm = _box_mean_np(np.concatenate([wt * a, wt * b, wt], axis=2), r)
    csum = cm[:, :, 6:7]
    csome = csum > _TINY
    csafe = np.where(csome, csum, 1.0)
    ab = np.concatenate([np.where(csome, cm[:, :, :3] / csafe, 1.0), np.where(csome, cm[:, :, 3:6] / csafe, 0.0)], axis=2)
    half = (s - 1) * 0.5
    gy = np.clip((np.arange(h) - half) / s, 0.0, hl - 1.0)
    gx = np.clip((np.arange(w) - half) / s, 0.0, wl - 1.0)
    i0 = gy.astype(np.int64)
    j0 = gx.astype(np.int64)
    fy = (gy - i0)[:, None, None]
    fx = (gx - j0)[None, :, None]
    i1 = np.minimum(i0 + 1, hl - 1)
    j1 = np.minimum(j0 + 1, wl - 1)
    rows = ab[i0] * (1.0 - fy) + ab[i1] * fy  # (h, wl, 6)
    up = rows[:, j0] * (1.0 - fx) + rows[:, j1] * fx
    ys = np.arange(y0, y1)
    f = frame.astype(np.float64)
    ym = np.maximum(ys - 1, 0)
    yp = np.minimum(ys + 1, frame.shape[0] - 1)
    xs = np.clip(np.arange(x0 - 1, x1 + 1), 0, frame.shape[1] - 1)
    col_sum = f[ym][:, xs] + f[ys][:, xs] + f[yp][:, xs]
    near = (col_sum[:, :-2] + col_sum[:, 1:-1] + col_sum[:, 2:]) / 9.0
    target = up[:, :, :3] * roi + up[:, :, 3:] + detail * (1.0 - up[:, :, :3]) * (roi - near)
    k = (alpha.astype(np.float64) * amount)[:, :, None]
    res = np.clip(roi + k * (target - roi) + 0.5, 0.0, 255.0).astype(np.int64).astype(np.uint8)
    on = alpha > 0.0
    region = out[y0:y1, x0:x1]
    region[on] = res[on]
