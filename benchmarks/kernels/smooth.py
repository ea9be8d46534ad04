"""Skin smoothing kernel cases on one face's skin ROI.

``smooth.skin`` times the kernel of ``smooth_skin`` (mask-weighted fast guided filter on the
op's s x s blocks, detail layer and masked blend over the skin ROI; the mask itself is built
once, outside the timing) against two OpenCV filters over the same ROI with the same radius and
edge threshold: ``cv2.ximgproc.guidedFilter`` (self-guided, full resolution) and
``cv2.bilateralFilter``. ``smooth.full_resolution`` is the same kernel on every pixel (s = 1,
the same radius s * r: the result the fast filter approximates and is tested against), so the
report shows the fast filter, the full-resolution one and OpenCV's from the same run; it has no
OpenCV ratio of its own (the op only filters on every pixel where that is cheap: small faces). The OpenCV calls only filter;
they do not blend with the mask, so they do a little less.
"""

from __future__ import annotations

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._face_scene import face_scene
from effects.kernels import smooth as k
from effects.masks import region_mask
from effects.ops.smooth import EPS, ERODE_IOD, FEATHER_IOD, filter_geometry

RADIUS_IOD = 0.08
DETAIL = 0.3
AMOUNT = 0.8


def cases(height: int, width: int) -> list[KernelCase]:
    rgb, track = face_scene(height, width)
    iod = track.interocular_px
    mask = region_mask(rgb.shape, track, ["skin"], FEATHER_IOD * iod, -ERODE_IOD * iod)
    y0, y1, x0, x1 = mask.roi
    radius_px = RADIUS_IOD * iod
    s, r = filter_geometry(radius_px)
    out = rgb.copy()
    roi = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    radius = max(1, int(round(radius_px)))

    scratch = np.empty(k.scratch_size(y1 - y0, x1 - x0, 1))  # s = 1 needs the most

    def run(fn, blocks: int = s, box: int = r) -> None:  # type: ignore[no-untyped-def]
        fn(rgb, y0, y1, x0, x1, mask.alpha, blocks, box, EPS, AMOUNT, DETAIL, out, scratch)

    guided = f"cv2.ximgproc.guidedFilter(guide=roi, src=roi, radius={radius}, eps={EPS:g})"
    return [
        KernelCase(
            name="smooth.skin_vs_guided",
            numba=lambda: run(k.guided_smooth_nb),
            numpy=lambda: run(k.guided_smooth_np),
            opencv=lambda: cv2.ximgproc.guidedFilter(roi, roi, radius, EPS),
            opencv_calls=guided,
        ),
        KernelCase(
            name="smooth.full_resolution",
            numba=lambda: run(k.guided_smooth_nb, 1, s * r),
            numpy=lambda: run(k.guided_smooth_np, 1, s * r),
            opencv=None,  # the reference the fast filter is held to, not a kernel the op runs at this size
            opencv_calls="(none: compare with smooth.skin_vs_guided's OpenCV time)",
        ),
        KernelCase(
            name="smooth.skin_vs_bilateral",
            numba=lambda: run(k.guided_smooth_nb),
            numpy=lambda: run(k.guided_smooth_np),
            opencv=lambda: cv2.bilateralFilter(roi, 2 * radius + 1, float(np.sqrt(EPS)), radius / 2.0),
            opencv_calls=f"cv2.bilateralFilter(roi, d={2 * radius + 1}, sigmaColor={np.sqrt(EPS):.1f}, "
            f"sigmaSpace={radius / 2.0:g})",
        ),
    ]
