"""Warp kernel cases: the glam stack's warp field (eyes, nose, lips, face contour) on one face.

``warp.glam_field`` times the whole warp of one face: evaluating the field on its grid and
the backward-mapping pass over the ROI (Numba kernels vs their NumPy references). The OpenCV
counterpart produces the same picture with OpenCV calls: the same field grid (computed by the
Numba grid kernel, timed in both), upsampled to per-pixel maps with ``cv2.warpAffine``
(INTER_LINEAR), shifted by the pixel coordinates with ``cv2.add``, then ``cv2.remap``
(INTER_LINEAR, BORDER_REPLICATE).

``warp.resample_only`` isolates the resampling pass against ``cv2.remap`` given per-pixel maps
that are already built (maps OpenCV cannot make from the primitives by itself): the strictest
comparison, reported for information.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._face_scene import face_scene
from effects.kernels import warp as k
from effects.ops.warp import ContourPush, RadialScale
from effects.warp_field import WarpField, field_grid


def glam_field(height: int, width: int) -> tuple[np.ndarray, WarpField]:
    rgb, track = face_scene(height, width)
    wf = WarpField()
    for op in (
        RadialScale(regions=["left_eye", "right_eye"], scale=1.08, radius_iod=0.4),
        RadialScale(regions=["nose"], scale=0.92, radius_iod=0.3),
        RadialScale(regions=["lips"], scale=1.06, radius_iod=0.35),
        ContourPush(target="face", amount=0.05, radius_iod=0.5),
    ):
        wf.extend(op.field(track))
    return rgb, wf


def cases(height: int, width: int) -> list[KernelCase]:
    rgb, wf = glam_field(height, width)
    radial, luts, pushes = wf.arrays()
    fg = field_grid(rgb.shape, wf)
    y0, y1, x0, x1 = fg.roi
    grid = np.empty_like(fg.grid)
    reach = int(math.ceil(float(np.abs(fg.grid).max()))) + 2
    wy0, wy1 = max(y0 - reach, 0), min(y1 + reach, height)
    wx0, wx1 = max(x0 - reach, 0), min(x1 + reach, width)
    packed = np.empty((wy1 - wy0 + 1) * (wx1 - wx0) + 1, np.int64)
    out = rgb.copy()
    h, w = y1 - y0, x1 - x0

    def run(grid_fn, remap_fn) -> None:  # type: ignore[no-untyped-def]
        grid_fn(fg.gy0, fg.gx0, fg.step, radial, luts, pushes, grid)
        remap_fn(out, wy0, wy1, wx0, wx1, grid, fg.gy0, fg.gx0, fg.step.bit_length() - 1, y0, y1, x0, x1, packed)

    base_x = np.repeat(np.arange(x0, x1, dtype=np.float32)[None, :], h, axis=0)
    base_y = np.repeat(np.arange(y0, y1, dtype=np.float32)[:, None], w, axis=1)
    # Grid node (i, j) sits at ROI pixel (i * step, j * step): the inverse map scales by 1/step.
    to_grid = np.array([[1.0 / fg.step, 0.0, 0.0], [0.0, 1.0 / fg.step, 0.0]], np.float32)

    def opencv() -> None:
        k.field_grid_nb(fg.gy0, fg.gx0, fg.step, radial, luts, pushes, grid)
        offsets = cv2.warpAffine(grid.astype(np.float32), to_grid, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REPLICATE)
        map_x = cv2.add(offsets[:, :, 0], base_x)
        map_y = cv2.add(offsets[:, :, 1], base_y)
        out[y0:y1, x0:x1] = cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    # Per-pixel maps for the resampling-only comparison, built once.
    k.field_grid_nb(fg.gy0, fg.gx0, fg.step, radial, luts, pushes, grid)
    offsets = cv2.warpAffine(grid.astype(np.float32), to_grid, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REPLICATE)
    map_x = cv2.add(offsets[:, :, 0], base_x)
    map_y = cv2.add(offsets[:, :, 1], base_y)

    def remap_only(fn) -> None:  # type: ignore[no-untyped-def]
        fn(out, wy0, wy1, wx0, wx1, grid, fg.gy0, fg.gx0, fg.step.bit_length() - 1, y0, y1, x0, x1, packed)

    return [
        KernelCase(
            name="warp.glam_field",
            numba=lambda: run(k.field_grid_nb, k.remap_roi_nb),
            numpy=lambda: run(k.field_grid_np, k.remap_roi_np),
            opencv=opencv,
            opencv_calls="field grid (Numba) + cv2.warpAffine(INTER_LINEAR) + cv2.add + cv2.remap(INTER_LINEAR, BORDER_REPLICATE)",
        ),
        KernelCase(
            name="warp.resample_only",
            numba=lambda: remap_only(k.remap_roi_nb),
            numpy=lambda: remap_only(k.remap_roi_np),
            opencv=lambda: cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE),
            opencv_calls="cv2.remap(INTER_LINEAR, BORDER_REPLICATE) with prebuilt float32 maps",
        ),
    ]
