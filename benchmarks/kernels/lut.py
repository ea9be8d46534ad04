"""3D LUT application against NumPy and an OpenCV implementation of 3D LUT interpolation.

The kernel interpolates tetrahedrally (four grid points per pixel, in fixed point). OpenCV
has no 3D LUT call and no tetrahedral interpolation; the closest it gets is trilinear
interpolation built from its primitives: per-pixel grid coordinates from 256-entry tables
(cv2.LUT with float32 tables), the LUT laid out as an (N*N, N) float32 image, two
cv2.remap (bilinear in red and green, one per blue slice), a blend of the two slices by the
blue weight (cv2.multiply/add/subtract), and the strength mix with the input
(cv2.addWeighted to uint8). Both are standard 3D LUT interpolations and agree within a
grey level or two on smooth LUTs. cv2.LUT alone (three 1D curves) is faster but cannot
express a 3D LUT (the presets mix channels), so it is not a counterpart."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._colour_inputs import face_roi, photo_frame, soft_ellipse
from effects.kernels.lut3d import grid_coords, lut_nb, lut_np, prepare_lut
from effects.lut_presets import preset_table

_STRENGTH = 0.8
_NO_ALPHA = np.zeros((1, 1), np.float32)


class _OpenCvLut:
    """Trilinear 3D LUT with OpenCV calls (see the module notes)."""

    def __init__(self, table: np.ndarray) -> None:
        n = table.shape[0]
        self.n = n
        # image rows b*N + g, columns r; values 0..255
        self.image = np.ascontiguousarray(
            (np.clip(table, 0, 1) * 255.0).transpose(2, 1, 0, 3).reshape(n * n, n, 3).astype(np.float32))
        i, f = grid_coords(n, 0.0, 1.0)
        coord = (i + f).astype(np.float32)
        self.coord = coord.reshape(256, 1)
        self.b0 = (i * n).astype(np.float32).reshape(256, 1)
        self.b1 = ((i + 1) * n).astype(np.float32).reshape(256, 1)
        self.fb = f.astype(np.float32).reshape(256, 1)

    def __call__(self, src: np.ndarray, strength: float) -> np.ndarray:
        r, g, b = cv2.split(src)
        mx = cv2.LUT(r, self.coord)
        gy = cv2.LUT(g, self.coord)
        my0 = cv2.add(gy, cv2.LUT(b, self.b0))
        my1 = cv2.add(gy, cv2.LUT(b, self.b1))
        fb = cv2.LUT(b, self.fb)
        s0 = cv2.remap(self.image, mx, my0, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        s1 = cv2.remap(self.image, mx, my1, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        res = cv2.add(s0, cv2.multiply(cv2.subtract(s1, s0), cv2.merge([fb, fb, fb])))
        return cv2.addWeighted(src.astype(np.float32), 1.0 - strength, res, strength, 0.0, dtype=cv2.CV_8U)


def cases(height: int, width: int) -> list[KernelCase]:
    frame = photo_frame(height, width)
    out = np.empty_like(frame)
    found: list[KernelCase] = []
    for preset, size in (("vintage", 17), ("sepia", 33)):
        table = preset_table(preset, size)
        p = prepare_lut(table, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
        ocv = _OpenCvLut(table)
        found.append(KernelCase(
            name=f"lut[{preset} {size}^3] frame",
            numba=_bind(lut_nb, frame, p.packed, p.size, p.slope, p.offset, _NO_ALPHA, False, _STRENGTH, out),
            numpy=_bind(lut_np, frame, table, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), None, _STRENGTH, out),
            opencv=_bind(ocv, frame, _STRENGTH),
            opencv_calls="cv2.split + cv2.LUT (float coords) x5 + cv2.remap x2 + cv2.multiply/add/subtract + cv2.merge + cv2.addWeighted",
        ))
    # face scope: the tan preset on a face-oval ROI with a soft mask
    y0, y1, x0, x1 = face_roi(height, width, 0.6, 0.3)
    roi = np.ascontiguousarray(frame[y0:y1, x0:x1])
    alpha = soft_ellipse(y1 - y0, x1 - x0)
    roi_out = np.empty_like(roi)
    table = preset_table("tan")
    p = prepare_lut(table, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    ocv = _OpenCvLut(table)

    def ocv_masked() -> np.ndarray:
        graded = ocv(roi, 1.0)
        a = cv2.multiply(alpha, _STRENGTH)
        a3 = cv2.merge([a, a, a])
        src = roi.astype(np.float32)
        return cv2.convertScaleAbs(cv2.add(src, cv2.multiply(cv2.subtract(graded.astype(np.float32), src), a3)))

    found.append(KernelCase(
        name=f"lut[tan] face ROI {roi.shape[1]}x{roi.shape[0]} masked",
        numba=_bind(lut_nb, roi, p.packed, p.size, p.slope, p.offset, alpha, True, _STRENGTH, roi_out),
        numpy=_bind(lut_np, roi, table, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), alpha, _STRENGTH, roi_out),
        opencv=ocv_masked,
        opencv_calls="the trilinear cv2 pipeline above + cv2.merge/multiply/subtract/add + cv2.convertScaleAbs (mask mix)",
    ))
    return found


def _bind(fn: Any, *args: Any) -> Any:
    return lambda: fn(*args)
