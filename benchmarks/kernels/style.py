"""Whole-frame style kernels (posterize + ink edges, film grain, vignette) against NumPy and OpenCV.

OpenCV counterparts compute the same picture with whole-frame calls:
- posterize: cv2.transform (luma), cv2.sepFilter2D (5x5 binomial), cv2.LUT (levels),
  cv2.Sobel x2 + cv2.magnitude, smoothstep and mixes with cv2 arithmetic;
- film grain: cv2.randn on the grain lattice (OpenCV's RNG instead of our hash) +
  cv2.resize (bilinear) + luma weight (cv2.transform) + cv2.merge + cv2.add;
- vignette: the gain map computed once and cached (as the op does for its kernel), then
  cv2.multiply with its 3-channel float32 copy, which is all OpenCV needs per frame.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._colour_inputs import photo_frame
from effects.kernels.grain import frame_key, grain_nb, grain_np, lattice_nb, lattice_np, lattice_shape
from effects.kernels.posterize import SATURATION, level_table, posterize_nb, posterize_np
from effects.kernels.vignette import gain_map_nb, gain_np, gain_rows, vignette_nb, vignette_np

_INK = np.array([22.0, 18.0, 28.0])
_EDGE_LO, _EDGE_HI = 0.05, 0.08
_LEVELS = 5
_GRAIN_SD, _GRAIN_CELL = 12.0, 1.5
_VIGNETTE = (0.6, 0.4, 0.7)  # depth, radius, softness


def _posterize_cv(src: np.ndarray, table: np.ndarray) -> np.ndarray:
    s = src.astype(np.float32)
    y = cv2.transform(s, np.array([[0.299, 0.587, 0.114]], np.float32))
    k1 = np.array([1, 4, 6, 4, 1], np.float32) / 16.0
    lum = cv2.sepFilter2D(y, cv2.CV_32F, k1, k1, borderType=cv2.BORDER_REPLICATE)
    yq = cv2.LUT(cv2.convertScaleAbs(lum), table.astype(np.float32).reshape(256, 1))
    y3 = cv2.merge([y, y, y])
    p = cv2.add(cv2.merge([yq, yq, yq]), cv2.multiply(cv2.subtract(s, y3), SATURATION))
    p = cv2.max(cv2.min(p, 255.0), 0.0)
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE)
    mag = cv2.multiply(cv2.magnitude(gx, gy), 0.25 / 255.0)
    t = cv2.max(cv2.min(cv2.multiply(cv2.subtract(mag, _EDGE_LO), 1.0 / (_EDGE_HI - _EDGE_LO)), 1.0), 0.0)
    k = cv2.multiply(cv2.multiply(t, t), cv2.subtract(3.0, cv2.multiply(t, 2.0)))
    ink = np.empty_like(p)
    ink[...] = _INK.astype(np.float32)
    p = cv2.add(p, cv2.multiply(cv2.subtract(ink, p), cv2.merge([k, k, k])))
    return cv2.convertScaleAbs(p)


def _grain_cv(src: np.ndarray, lattice_hw: tuple[int, int]) -> np.ndarray:
    lat = np.empty(lattice_hw, np.float32)
    cv2.randn(lat, 0.0, 1.0)
    h, w = src.shape[:2]
    noise = cv2.resize(lat, (int(lattice_hw[1] * _GRAIN_CELL), int(lattice_hw[0] * _GRAIN_CELL)),
                       interpolation=cv2.INTER_LINEAR)[:h, :w]
    s = src.astype(np.float32)
    d = cv2.subtract(cv2.transform(s, np.array([[0.299, 0.587, 0.114]], np.float32) * (2.0 / 255.0)), 1.0)
    weight = cv2.subtract(1.0, cv2.multiply(cv2.multiply(d, d), 0.7))
    off = cv2.multiply(cv2.multiply(noise, weight), _GRAIN_SD)
    return cv2.convertScaleAbs(cv2.add(s, cv2.merge([off, off, off])))


def cases(height: int, width: int) -> list[KernelCase]:
    frame = photo_frame(height, width)
    out = np.empty_like(frame)
    table = level_table(_LEVELS)
    found = [KernelCase(
        name="posterize + ink edges frame",
        numba=_bind(posterize_nb, frame, table, True, _EDGE_LO, _EDGE_HI, _INK, 1.0, out),
        numpy=_bind(posterize_np, frame, table, True, _EDGE_LO, _EDGE_HI, _INK, 1.0, out),
        opencv=_bind(_posterize_cv, frame, table),
        opencv_calls="cv2.transform + cv2.sepFilter2D + cv2.LUT + cv2.Sobel x2 + cv2.magnitude + cv2.merge/min/max/multiply/add/subtract + cv2.convertScaleAbs",
    )]

    lat_hw = lattice_shape(height, width, _GRAIN_CELL)
    lattice = np.empty(lat_hw, np.float32)
    key = frame_key(7, 42)

    def grain_numba() -> None:
        lattice_nb(key, lattice)
        grain_nb(frame, lattice, 1.0 / _GRAIN_CELL, _GRAIN_SD, out)

    def grain_numpy() -> None:
        lattice_np(key, lattice)
        grain_np(frame, lattice, 1.0 / _GRAIN_CELL, _GRAIN_SD, out)

    found.append(KernelCase(
        name=f"film_grain (cell {_GRAIN_CELL} px) frame",
        numba=grain_numba,
        numpy=grain_numpy,
        opencv=_bind(_grain_cv, frame, lat_hw),
        opencv_calls="cv2.randn + cv2.resize (INTER_LINEAR) + cv2.transform + cv2.multiply/subtract + cv2.merge + cv2.add + cv2.convertScaleAbs",
    ))

    depth, radius, softness = _VIGNETTE
    gain = gain_np(height, width, depth, radius, softness).astype(np.float32)
    gain3 = cv2.merge([gain, gain, gain])
    fixed = np.empty((gain_rows(height), width * 3), np.uint16)
    gain_map_nb(depth, radius, softness, fixed, height)
    found.append(KernelCase(
        name="vignette frame (gain map cached for both)",
        numba=_bind(vignette_nb, frame, fixed, out),
        numpy=_bind(vignette_np, frame, depth, radius, softness, out),
        opencv=lambda: cv2.multiply(frame, gain3, dtype=cv2.CV_8U),
        opencv_calls="cv2.multiply by a cached 3-channel float32 gain map",
    ))
    return found


def _bind(fn: Any, *args: Any) -> Any:
    return lambda: fn(*args)
