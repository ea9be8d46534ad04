"""Deterministic film grain: hashed value noise, the same for the same seed and frame index.

Noise values live on a lattice ``cell_px`` pixels apart (``cell_px`` >= 1; 1 = one value
per pixel) and are interpolated bilinearly between nodes, which gives grain of about
that size. A node's value comes from a 32-bit integer hash of (column, row, frame key),
where the frame key mixes the seed and the frame index; the four bytes of the hash are
summed into a roughly Gaussian value with unit variance. The grain is monochrome (the
same offset on R, G and B) and weaker in deep shadows and bright highlights, like
film: offset = noise * sd_levels * strength * (1 - 0.7 * (2 * luma - 1)^2).
"""

from __future__ import annotations

import numpy as np
from effects.backend import njit

_M32 = 0xFFFFFFFF
_BYTE_SUM_MEAN = 510.0
_BYTE_SUM_SD = 147.80138
SHADOW_FALLOFF = 0.7


def frame_key(seed: int, frame_index: int) -> int:
    """The 32-bit key of one frame's grain."""
    return ((seed & _M32) * 0x9E3779B1 + (frame_index & _M32) * 0x85EBCA77 + 0x165667B1) & _M32


@njit(cache=True, fastmath=False, inline="always")
def _hash_nb(x: int, y: int, key: np.uint64) -> np.uint64:
    m = np.uint64(_M32)
    h = (np.uint64(x) * np.uint64(0x8DA6B343)) ^ (np.uint64(y) * np.uint64(0xD8163841)) ^ key
    h &= m
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x7FEB352D)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x846CA68B)) & m
    h ^= h >> np.uint64(16)
    return h


@njit(cache=True, fastmath=False)
def lattice_nb(key: int, lattice: np.ndarray) -> None:
    """lattice[i, j] = the unit-variance noise value of node (column j, row i)."""
    k = np.uint64(key)
    b = np.uint64(255)
    for i in range(lattice.shape[0]):
        for j in range(lattice.shape[1]):
            h = _hash_nb(j, i, k)
            s = (h & b) + ((h >> np.uint64(8)) & b) + ((h >> np.uint64(16)) & b) + (h >> np.uint64(24))
            lattice[i, j] = np.float32((np.float64(s) - _BYTE_SUM_MEAN) / _BYTE_SUM_SD)


@njit(cache=True, fastmath=False)
def _lattice_row_nb(lattice: np.ndarray, i: int, ix: np.ndarray, tx: np.ndarray, row: np.ndarray) -> None:
    """Lattice row i interpolated to every pixel column (ix, tx: each column's node and weight)."""
    lat = lattice[i]
    for x in range(row.shape[0]):
        a = lat[ix[x]]
        row[x] = a + (lat[ix[x] + 1] - a) * tx[x]


@njit(cache=True, fastmath=False)
def grain_nb(src: np.ndarray, lattice: np.ndarray, inv_cell: float, sd_levels: float, out: np.ndarray) -> None:
    """Add the interpolated lattice noise (filled by lattice_nb) to every pixel.

    ``src`` and ``out`` are C-contiguous (h, w, 3) uint8. Lattice rows are interpolated to
    the pixel columns once each (two kept at a time), so each pixel row is a blend of two
    contiguous rows and a per-pixel luma weight: loops LLVM vectorises (float32).
    """
    h, w = src.shape[0], src.shape[1]
    ix = np.empty(w, np.int64)
    tx = np.empty(w, np.float32)
    for x in range(w):
        fx = x * inv_cell
        ix[x] = int(fx)
        tx[x] = np.float32(fx - int(fx))
    rows = np.empty((2, w), np.float32)
    noise = np.empty(w, np.float32)
    loaded = np.array([-1, -1])  # lattice row held by each slot
    rows_in = src.reshape(h, w * 3)
    rows_out = out.reshape(h, w * 3)
    kr = np.float32(0.299 * 2.0 / 255.0)
    kg = np.float32(0.587 * 2.0 / 255.0)
    kb = np.float32(0.114 * 2.0 / 255.0)
    fall = np.float32(SHADOW_FALLOFF)
    sd = np.float32(sd_levels)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    top = np.float32(255.0)
    half = np.float32(0.5)
    for y in range(h):
        fy = y * inv_cell
        iy = int(fy)
        ty = np.float32(fy - iy)
        for k in range(2):
            if loaded[(iy + k) & 1] != iy + k:
                _lattice_row_nb(lattice, iy + k, ix, tx, rows[(iy + k) & 1])
                loaded[(iy + k) & 1] = iy + k
        r0 = rows[iy & 1]
        r1 = rows[(iy + 1) & 1]
        for x in range(w):
            noise[x] = (r0[x] + (r1[x] - r0[x]) * ty) * sd
        s = rows_in[y]
        o = rows_out[y]
        for x in range(w):
            r = np.float32(s[3 * x])
            g = np.float32(s[3 * x + 1])
            b = np.float32(s[3 * x + 2])
            d = r * kr + g * kg + b * kb - one
            off = noise[x] * (one - fall * d * d) + half
            o[3 * x] = np.uint8(min(max(r + off, zero), top))
            o[3 * x + 1] = np.uint8(min(max(g + off, zero), top))
            o[3 * x + 2] = np.uint8(min(max(b + off, zero), top))


def lattice_shape(height: int, width: int, cell_px: float) -> tuple[int, int]:
    """Nodes needed to cover an image (one extra row and column for interpolation)."""
    inv = 1.0 / cell_px
    return int((height - 1) * inv) + 2, int((width - 1) * inv) + 2


def _hash_np(x: np.ndarray, y: np.ndarray, key: int) -> np.ndarray:
    m = np.uint64(_M32)
    h = (x.astype(np.uint64) * np.uint64(0x8DA6B343)) ^ (y.astype(np.uint64) * np.uint64(0xD8163841)) ^ np.uint64(key)
    h &= m
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x7FEB352D)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x846CA68B)) & m
    h ^= h >> np.uint64(16)
    return h


def lattice_np(key: int, lattice: np.ndarray) -> None:
    """NumPy reference of lattice_nb."""
    ny, nx = lattice.shape
    jj, ii = np.meshgrid(np.arange(nx), np.arange(ny))
    h = _hash_np(jj, ii, key)
    b = np.uint64(255)
    s = (h & b) + ((h >> np.uint64(8)) & b) + ((h >> np.uint64(16)) & b) + (h >> np.uint64(24))
    lattice[...] = ((s.astype(np.float64) - _BYTE_SUM_MEAN) / _BYTE_SUM_SD).astype(np.float32)


def grain_np(src: np.ndarray, lattice: np.ndarray, inv_cell: float, sd_levels: float, out: np.ndarray) -> None:
    """NumPy reference of grain_nb."""
    h, w = src.shape[:2]
    fy = np.arange(h) * inv_cell
    fx = np.arange(w) * inv_cell
    iy = fy.astype(np.int64)
    ix = fx.astype(np.int64)
    ty = (fy - iy)[:, None]
    tx = (fx - ix)[None, :]
    lat = lattice.astype(np.float64)
    a = lat[iy][:, ix]
    b = lat[iy][:, ix + 1]
    c = lat[iy + 1][:, ix]
    d = lat[iy + 1][:, ix + 1]
    n0 = a + (b - a) * tx
    n1 = c + (d - c) * tx
    n = n0 + (n1 - n0) * ty
    s = src.astype(np.float64)
    lum = (0.299 * s[..., 0] + 0.587 * s[..., 1] + 0.114 * s[..., 2]) * (2.0 / 255.0) - 1.0
    off = n * sd_levels * (1.0 - SHADOW_FALLOFF * lum * lum) + 0.5
    out[...] = np.clip(s + off[..., None], 0.0, 255.0).astype(np.uint8)
