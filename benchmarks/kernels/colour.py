"""Region colour kernels (tint with blend modes, whitening) against NumPy and OpenCV.

The ROI is the size of a cheeks/blush region on a face half the frame high; the mask is
a soft ellipse. The OpenCV versions compute the same formulas with whole-array calls on
float32 (cv2.multiply / cv2.add / cv2.subtract / cv2.sqrt / cv2.compare / cv2.merge /
cv2.transform / cv2.max / cv2.convertScaleAbs): OpenCV has no blend-mode or whitening
function, so this is the closest it gets.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._colour_inputs import face_roi, photo_frame, soft_ellipse
from effects.kernels.blend import (
    MODE_INDEX,
    WHITEN_DARK,
    WHITEN_DESATURATE,
    WHITEN_LIFT,
    WHITEN_RED,
    tint_nb,
    tint_np,
    whiten_nb,
    whiten_np,
)

_COLOUR = np.array([224, 96, 106], np.float64) / 255.0
_OPACITY = 0.5


def _to_float(roi: np.ndarray) -> np.ndarray:
    return cv2.multiply(roi, (1 / 255.0, 1 / 255.0, 1 / 255.0, 0.0), dtype=cv2.CV_32F)


def _mix_cv(s: np.ndarray, b: np.ndarray, alpha: np.ndarray, opacity: float) -> np.ndarray:
    a = cv2.multiply(alpha, opacity)
    a3 = cv2.merge([a, a, a])
    res = cv2.add(s, cv2.multiply(cv2.subtract(b, s), a3))
    return cv2.convertScaleAbs(res, alpha=255.0)


def _tint_cv(roi: np.ndarray, alpha: np.ndarray, mode: str) -> np.ndarray:
    s = _to_float(roi)
    c = tuple(float(v) for v in _COLOUR) + (0.0,)
    if mode == "normal":
        b = np.empty_like(s)
        b[...] = _COLOUR.astype(np.float32)
    elif mode == "multiply":
        b = cv2.multiply(s, c)
    else:  # soft_light, per channel (the colour decides the branch)
        chans = cv2.split(s)
        out = []
        for ch, cv in zip(chans, _COLOUR):
            one_minus = cv2.subtract(1.0, ch)
            if cv <= 0.5:
                out.append(cv2.subtract(ch, cv2.multiply(cv2.multiply(ch, one_minus), 1.0 - 2.0 * cv)))
            else:
                poly = cv2.multiply(cv2.add(cv2.multiply(cv2.add(cv2.multiply(ch, 16.0), -12.0), ch), 4.0), ch)
                low = cv2.compare(ch, 0.25, cv2.CMP_LE)
                d = cv2.sqrt(ch)
                d = cv2.copyTo(poly, low, d)
                out.append(cv2.add(ch, cv2.multiply(cv2.subtract(d, ch), 2.0 * cv - 1.0)))
        b = cv2.merge(out)
    return _mix_cv(s, b, alpha, _OPACITY)


def _smoothstep_cv(v: np.ndarray, e0: float, e1: float) -> np.ndarray:
    t = cv2.multiply(cv2.subtract(v, e0), 1.0 / (e1 - e0))
    t = cv2.max(cv2.min(t, 1.0), 0.0)
    return cv2.multiply(cv2.multiply(t, t), cv2.subtract(3.0, cv2.multiply(t, 2.0)))


def _whiten_cv(roi: np.ndarray, alpha: np.ndarray, amount: float) -> np.ndarray:
    s = _to_float(roi)
    lum = cv2.transform(s, np.array([[0.299, 0.587, 0.114]], np.float32))
    r, g, b = cv2.split(s)
    red = cv2.subtract(r, cv2.max(g, b))
    gate = cv2.multiply(_smoothstep_cv(lum, *WHITEN_DARK), cv2.subtract(1.0, _smoothstep_cv(red, *WHITEN_RED)))
    k = cv2.multiply(cv2.multiply(alpha, amount), gate)
    lifted = cv2.add(lum, cv2.multiply(cv2.subtract(1.0, lum), WHITEN_LIFT))
    lum3 = cv2.merge([lum, lum, lum])
    target = cv2.add(cv2.merge([lifted, lifted, lifted]), cv2.multiply(cv2.subtract(s, lum3), 1.0 - WHITEN_DESATURATE))
    return _mix_cv(s, target, k, 1.0)


def cases(height: int, width: int) -> list[KernelCase]:
    frame = photo_frame(height, width)
    y0, y1, x0, x1 = face_roi(height, width, 0.3, 0.3)
    roi = np.ascontiguousarray(frame[y0:y1, x0:x1])
    alpha = soft_ellipse(y1 - y0, x1 - x0)
    out = np.empty_like(roi)
    found: list[KernelCase] = []
    for mode, calls in (
        ("normal", "cv2.merge + cv2.multiply/subtract/add + cv2.convertScaleAbs (per-pixel alpha blend)"),
        ("multiply", "cv2.multiply + the same alpha blend"),
        ("soft_light", "cv2.split + cv2.multiply/add/subtract + cv2.sqrt + cv2.compare/copyTo + cv2.merge + alpha blend"),
    ):
        idx = MODE_INDEX[mode]
        found.append(KernelCase(
            name=f"region_tint[{mode}] {roi.shape[1]}x{roi.shape[0]} ROI",
            numba=_bind(tint_nb, roi, alpha, _COLOUR, idx, _OPACITY, out),
            numpy=_bind(tint_np, roi, alpha, _COLOUR, idx, _OPACITY, out),
            opencv=_bind(_tint_cv, roi, alpha, mode),
            opencv_calls=calls,
        ))
    found.append(KernelCase(
        name=f"whiten {roi.shape[1]}x{roi.shape[0]} ROI",
        numba=_bind(whiten_nb, roi, alpha, 0.7, out),
        numpy=_bind(whiten_np, roi, alpha, 0.7, out),
        opencv=_bind(_whiten_cv, roi, alpha, 0.7),
        opencv_calls="cv2.transform (luma) + cv2.split/max/min/multiply/add/subtract + cv2.merge + alpha blend",
    ))
    return found


def _bind(fn: Any, *args: Any) -> Any:
    return lambda: fn(*args)
