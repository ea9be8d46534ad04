"""Skin smoothing kernel: a mask-weighted fast guided filter (self-guided, per colour) plus detail.

For the ROI (y0:y1, x0:x1) of the frame and its mask ``alpha`` (ROI-shaped, in [0, 1]):

1. average ``s`` x ``s`` blocks into a low-resolution copy I' and mask weight w';
2. guided-filter coefficients there, with w'-weighted box means of radius ``r`` (window
   clamped to the image): a = var / (var + eps), b = mean - a * mean, then the weighted
   box means of a and b. The weights keep pixels outside the mask (eyes, lashes, lips,
   nostrils, background) out of the statistics, so they cannot bleed into the skin as a
   dark halo. Where the local variance is far above ``eps`` (an edge) a is close to 1 and
   the pixel is kept; on skin it goes to its local mean. This is He and Sun's "fast guided
   filter" (coefficients at low resolution, applied at full resolution);
3. at full resolution, with A and B interpolated bilinearly (rows first) from the grid:
   smooth = A * I + B, fine = I - mean3x3(I) (pores, the finest texture), and
   out = I + alpha * amount * (smooth + detail * (1 - A) * fine - I), rounded and clipped,
   only where alpha > 0. ``detail`` 1 restores the fine texture the filter removed (the
   filter keeps a share A of it already), 0 leaves it smoothed.

``eps`` is in squared grey levels. Each Numba kernel has its NumPy reference below it; they
agree to within one grey level.
"""

from __future__ import annotations

import numpy as np
from effects.backend import njit

_TINY = 1e-9  # a window with less mask weight than this has no skin: leave it unchanged


@njit(cache=True, fastmath=False)
def _box_mean_nb(src: np.ndarray, r: int, out: np.ndarray) -> None:
    """Mean over the (2r+1)^2 window clipped to the image, per channel; src, out (h, w, c) float64."""
    h, w, c = src.shape
    # Channel planes, so the inner loops run over contiguous rows.
    planes = np.empty((c, h, w), np.float64)
    for i in range(h):
        for j in range(w):
            for ch in range(c):
                planes[ch, i, j] = src[i, j, ch]
    tmp = np.empty((h, w), np.float64)
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
def _downsample_nb(frame: np.ndarray, y0: int, y1: int, x0: int, x1: int, s: int, low: np.ndarray) -> None:
    """low[i, j] = mean of the frame's s x s block (clipped to the ROI) at ROI cell (i, j)."""
    hl, wl = low.shape[0], low.shape[1]
    for i in range(hl):
        ya = y0 + i * s
        yb = min(ya + s, y1)
        for j in range(wl):
            xa = x0 + j * s
            xb = min(xa + s, x1)
            r = 0.0
            g = 0.0
            b = 0.0
            for y in range(ya, yb):
                for x in range(xa, xb):
                    r += frame[y, x, 0]
                    g += frame[y, x, 1]
                    b += frame[y, x, 2]
            n = (yb - ya) * (xb - xa)
            low[i, j, 0] = r / n
            low[i, j, 1] = g / n
            low[i, j, 2] = b / n


@njit(cache=True, fastmath=False)
def _downsample_alpha_nb(alpha: np.ndarray, s: int, low: np.ndarray) -> None:
    """low[i, j] = mean of alpha's s x s block (clipped to alpha's shape)."""
    h, w = alpha.shape
    for i in range(low.shape[0]):
        ya = i * s
        yb = min(ya + s, h)
        for j in range(low.shape[1]):
            xa = j * s
            xb = min(xa + s, w)
            acc = 0.0
            for y in range(ya, yb):
                for x in range(xa, xb):
                    acc += alpha[y, x]
            low[i, j] = acc / ((yb - ya) * (xb - xa))


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
) -> None:
    """Write the smoothed ROI into ``out`` (same shape as frame; pixels with alpha 0 untouched)."""
    h = y1 - y0
    w = x1 - x0
    hl = (h + s - 1) // s
    wl = (w + s - 1) // s
    low = np.empty((hl, wl, 3), np.float64)
    _downsample_nb(frame, y0, y1, x0, x1, s, low)
    weight = np.empty((hl, wl), np.float64)
    _downsample_alpha_nb(alpha, s, weight)
    both = np.empty((hl, wl, 7), np.float64)
    for i in range(hl):
        for j in range(wl):
            wt = weight[i, j]
            for c in range(3):
                v = low[i, j, c]
                both[i, j, c] = wt * v
                both[i, j, 3 + c] = wt * v * v
            both[i, j, 6] = wt
    means = np.empty((hl, wl, 7), np.float64)
    _box_mean_nb(both, r, means)
    coef = np.empty((hl, wl, 7), np.float64)
    for i in range(hl):
        for j in range(wl):
            wsum = means[i, j, 6]
            wt = weight[i, j]
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
    cm = np.empty((hl, wl, 7), np.float64)
    _box_mean_nb(coef, r, cm)
    ab = np.empty((hl, wl, 6), np.float64)
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
        g = (xx - half) * inv_s
        g = min(max(g, 0.0), wl - 1.0)
        col_j[xx] = int(g)
        col_f[xx] = g - int(g)
    fh, fw = frame.shape[0], frame.shape[1]
    row_ab = np.empty((wl, 6), np.float64)
    # Column sums of the 3 rows around y for x0-1 .. x1 (clamped to the frame), for the 3x3 mean.
    col_sum = np.empty((w + 2, 3), np.float64)
    for yy in range(h):
        # Only the span of the row where the mask is on.
        lo = 0
        while lo < w and alpha[yy, lo] <= 0.0:
            lo += 1
        if lo == w:
            continue
        hi = w
        while alpha[yy, hi - 1] <= 0.0:
            hi -= 1
        g = (yy - half) * inv_s
        g = min(max(g, 0.0), hl - 1.0)
        i0 = int(g)
        fy = g - i0
        i1 = min(i0 + 1, hl - 1)
        for j in range(wl):
            for c in range(6):
                row_ab[j, c] = ab[i0, j, c] * (1.0 - fy) + ab[i1, j, c] * fy
        y = y0 + yy
        ym = max(y - 1, 0)
        yp = min(y + 1, fh - 1)
        for q in range(lo, hi + 2):
            x = min(max(x0 + q - 1, 0), fw - 1)
            for c in range(3):
                col_sum[q, c] = float(frame[ym, x, c]) + float(frame[y, x, c]) + float(frame[yp, x, c])
        for xx in range(lo, hi):
            al = alpha[yy, xx]
            if al <= 0.0:
                continue
            j0 = col_j[xx]
            fx = col_f[xx]
            j1 = min(j0 + 1, wl - 1)
            x = x0 + xx
            kk = al * amount
            for c in range(3):
                ca = row_ab[j0, c] * (1.0 - fx) + row_ab[j1, c] * fx
                cb = row_ab[j0, 3 + c] * (1.0 - fx) + row_ab[j1, 3 + c] * fx
                v = float(frame[y, x, c])
                near = (col_sum[xx, c] + col_sum[xx + 1, c] + col_sum[xx + 2, c]) / 9.0
                target = ca * v + cb + detail * (1.0 - ca) * (v - near)
                res = v + kk * (target - v) + 0.5
                if res < 0.0:
                    res = 0.0
                elif res > 255.0:
                    res = 255.0
                out[y, x, c] = np.uint8(int(res))


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
) -> None:
    """NumPy reference of guided_smooth_nb."""
    h = y1 - y0
    w = x1 - x0
    hl = (h + s - 1) // s
    wl = (w + s - 1) // s
    roi = frame[y0:y1, x0:x1].astype(np.float64)
    padded = np.full((hl * s, wl * s, 3), np.nan)
    padded[:h, :w] = roi
    low = np.nanmean(padded.reshape(hl, s, wl, s, 3), axis=(1, 3))
    apad = np.full((hl * s, wl * s), np.nan)
    apad[:h, :w] = alpha
    wt = np.nanmean(apad.reshape(hl, s, wl, s), axis=(1, 3))[:, :, None]
    means = _box_mean_np(np.concatenate([wt * low, wt * low * low, wt], axis=2), r)
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
