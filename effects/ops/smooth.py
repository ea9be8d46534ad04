"""``smooth_skin``: edge-preserving skin smoothing on the skin mask of each face.

The skin region (face oval minus eyes, brows, lips and nostrils) is shrunk a little and
feathered, so the smoothing fades out before the lash line and the lip border (no halo),
and the filter itself (``effects.kernels.smooth``: a fast guided filter) keeps strong
edges. ``detail`` adds back the finest texture (pores): 0 gives the smoothest skin, 1
keeps the pores over the evened-out skin tone. Sizes are fractions of the inter-ocular
distance, so the look does not depend on the face's size in the frame. The frame is changed
in place, face by face, inside each face's skin ROI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from effects import backend
from effects.face import FaceTrack
from effects.kernels import smooth as k
from effects.masks import region_mask
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.values import check_frame
from effects.ops.warp import STRENGTH
from effects.scratch import thread_buffer

# Squared grey levels: local contrast well above sqrt(EPS) (about 25 levels) counts as an edge;
# chosen by eye on the test faces (400: freckles stay faint, 900: skin starts to look plastic).
EPS = 600.0
FEATHER_IOD = 0.08  # the mask's soft edge
ERODE_IOD = 0.04  # the mask is pulled in this far from eyes, brows, lips, nostrils and the face edge


# The block size s of the fast guided filter: the largest (up to 4) whose box radius r, in
# blocks, is at least MIN_LOW_RADIUS[s]. Measured on three adult faces at inter-ocular distances
# of 110-400 px against the same filter at full resolution (s = 1, the same radius s * r), the
# skin then stays within 1 grey level at the 99th percentile and 2 at most; one block less (3
# blocks of 2 or 3 px, 4 of 4 px) gave a maximum of 3 (benchmarks/KERNELS.md).
MIN_LOW_RADIUS = {2: 4, 3: 4, 4: 5}


def filter_geometry(radius_px: float) -> tuple[int, int]:
    """(block size s, low-resolution box radius r) for a filter radius in frame pixels; the
    radius used is s * r, the requested one rounded to a multiple of s."""
    for s in sorted(MIN_LOW_RADIUS, reverse=True):
        r = int(radius_px / s + 0.5)
        if r >= MIN_LOW_RADIUS[s]:
            return s, r
    return 1, max(1, int(radius_px + 0.5))


@register_op
class SmoothSkin(Op):
    """Even out the skin while keeping edges and a controllable amount of pore detail."""

    name: ClassVar[str] = "smooth_skin"
    params: ClassVar[tuple[Param, ...]] = (
        Param("radius_iod", "float", 0.08, 0.01, 0.3, doc="smoothing radius, in inter-ocular distances"),
        Param("detail", "float", 0.3, 0.0, 1.0, doc="share of the finest texture (pores) kept"),
        STRENGTH,
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        if self.strength <= 0.0:
            return
        kernel = backend.pick(k.guided_smooth_nb, k.guided_smooth_np)
        for track in tracks:
            iod = track.interocular_px
            mask = region_mask(out.shape, track, ["skin"], feather_px=FEATHER_IOD * iod, dilate_px=-ERODE_IOD * iod)
            if mask.is_empty:
                continue
            y0, y1, x0, x1 = mask.roi
            s, r = filter_geometry(float(self.values["radius_iod"]) * iod)
            # In place (the kernel reads each source row before the row above it is written); faces
            # are done one after the other, so where two overlap the second smooths the first's result.
            scratch = thread_buffer("smooth_skin", k.scratch_size(y1 - y0, x1 - x0, s), np.float64)
            kernel(out, y0, y1, x0, x1, mask.alpha, s, r, EPS, self.strength, float(self.values["detail"]), out,
                   scratch)
