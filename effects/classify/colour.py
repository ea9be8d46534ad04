"""Colour science for the classifier: sRGB to CIELAB (D65) and the CIEDE2000 difference.

Both are vectorised NumPy, written from the published definitions: IEC 61966-2-1 for
the sRGB transfer curve and primaries, CIE 15 for XYZ -> L*a*b* with the D65 white,
and Sharma, Wu & Dalal (2005), "The CIEDE2000 colour-difference formula:
implementation notes, supplementary test data, and mathematical observations",
Color Research & Application 30(1), for CIEDE2000 (with kL = kC = kH = 1).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# sRGB (linear) -> XYZ for the D65 white point, IEC 61966-2-1.
_RGB_TO_XYZ = np.array(
    [
        [0.4124, 0.3576, 0.1805],
        [0.2126, 0.7152, 0.0722],
        [0.0193, 0.1192, 0.9505],
    ]
)
_WHITE_D65 = _RGB_TO_XYZ.sum(axis=1)  # XYZ of sRGB white (1, 1, 1): Xn, Yn, Zn
_EPSILON = 216.0 / 24389.0  # (6/29)^3: where the CIELAB cube root meets its linear toe
_KAPPA = 24389.0 / 27.0


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (L* in 0-100) of sRGB colours: uint8 values 0-255 or floats in [0, 1], shape (..., 3)."""
    arr = np.asarray(rgb)
    if arr.shape[-1:] != (3,):
        raise ValueError(f"srgb_to_lab: expected an array of shape (..., 3), found {arr.shape}")
    if arr.dtype == np.uint8:
        c = arr.astype(np.float64) / 255.0
    elif np.issubdtype(arr.dtype, np.floating):
        c = arr.astype(np.float64)
    else:
        raise ValueError(f"srgb_to_lab: expected uint8 or float values, found {arr.dtype}")
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T
    t = xyz / _WHITE_D65
    f = np.where(t > _EPSILON, np.cbrt(t), (_KAPPA * t + 16.0) / 116.0)
    lab = np.empty(f.shape, np.float64)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 difference between CIELAB colours of matching shape (..., 3), as float64 (...)."""
    a = np.asarray(lab1, dtype=np.float64)
    b = np.asarray(lab2, dtype=np.float64)
    if a.shape[-1:] != (3,) or b.shape[-1:] != (3,):
        raise ValueError(f"ciede2000: expected Lab arrays of shape (..., 3), found {a.shape} and {b.shape}")
    l1, a1, b1 = a[..., 0], a[..., 1], a[..., 2]
    l2, a2, b2 = b[..., 0], b[..., 1], b[..., 2]

    # Step 1: C'_i and h'_i, with a* stretched by (1 + G) to even out near-neutral colours.
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2.0
    c_bar7 = c_bar**7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p = (1.0 + g) * a1
    a2p = (1.0 + g) * a2
    c1p = np.hypot(a1p, b1)
    c2p = np.hypot(a2p, b2)
    h1p = _hue_deg(b1, a1p)
    h2p = _hue_deg(b2, a2p)

    # Step 2: the differences dL', dC', dH' (the hue difference is 0 when a chroma is 0).
    dlp = l2 - l1
    dcp = c2p - c1p
    both_chromatic = (c1p * c2p) != 0.0
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(both_chromatic, dh, 0.0)
    dhp = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2.0))

    # Step 3: the weighting functions, from the mean L', C', h'.
    lp_bar = (l1 + l2) / 2.0
    cp_bar = (c1p + c2p) / 2.0
    h_sum = h1p + h2p
    h_far = np.abs(h1p - h2p) > 180.0
    hp_bar = np.where(h_far, np.where(h_sum < 360.0, (h_sum + 360.0) / 2.0, (h_sum - 360.0) / 2.0), h_sum / 2.0)
    hp_bar = np.where(both_chromatic, hp_bar, h_sum)
    t = (
        1.0
        - 0.17 * np.cos(np.radians(hp_bar - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * hp_bar))
        + 0.32 * np.cos(np.radians(3.0 * hp_bar + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * hp_bar - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((hp_bar - 275.0) / 25.0) ** 2))
    cp_bar7 = cp_bar**7
    r_c = 2.0 * np.sqrt(cp_bar7 / (cp_bar7 + 25.0**7))
    l50 = (lp_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / np.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * cp_bar
    s_h = 1.0 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c

    tl = dlp / s_l
    tc = dcp / s_c
    th = dhp / s_h
    return np.sqrt(tl * tl + tc * tc + th * th + r_t * tc * th)


def _hue_deg(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Hue angle in [0, 360) degrees; 0 for a neutral colour (a = b = 0)."""
    h = np.degrees(np.arctan2(b, a))
    return np.where(h < 0.0, h + 360.0, h)


def lab_chroma_hue(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C*ab and h_ab (degrees, [0, 360)) of CIELAB colours."""
    arr = np.asarray(lab, dtype=np.float64)
    return np.hypot(arr[..., 1], arr[..., 2]), _hue_deg(arr[..., 2], arr[..., 1])


def log_luminance(rgb: np.ndarray) -> np.ndarray:
    """log(Y + 0.01) of sRGB uint8 pixels, Y the linear luminance in [0, 1], as float32.

    In log units a darkening or a tint moves every value alike, so high-pass detail
    measured on it changes only when detail is really added or removed."""
    c = rgb.astype(np.float32) / np.float32(255.0)
    linear = np.where(c <= 0.04045, c / np.float32(12.92), ((c + np.float32(0.055)) / np.float32(1.055)) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    return np.log(y + np.float32(0.01)).astype(np.float32)


def detail_loss(l_in: np.ndarray, l_out: np.ndarray, mask: np.ndarray, sigma: float) -> float:
    """1 - RMS(after) / RMS(before) of the high-pass (minus a Gaussian blur at ``sigma``) of
    log luminance over ``mask``; NaN under 50 pixels or without detail before."""
    if mask.sum() < 50:
        return math.nan
    hp_in = l_in - cv2.GaussianBlur(l_in, (0, 0), sigma)
    hp_out = l_out - cv2.GaussianBlur(l_out, (0, 0), sigma)
    rms_in = math.sqrt(float(np.mean(hp_in[mask] ** 2)))
    rms_out = math.sqrt(float(np.mean(hp_out[mask] ** 2)))
    if rms_in <= 1e-6:
        return math.nan
    return 1.0 - rms_out / rms_in
