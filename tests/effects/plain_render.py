"""Effects applied by the engine alone, without the policy: the reference a gated render is
compared with (import after putting tests/effects on ``sys.path``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from camera_app.frame import Frame
from camera_app.tracking.segmenter import image_segmenter
from effects.engine import build_stack
from effects.ops.base import OpContext
from effects.spec import EffectSpec


def apply_effects(specs: Sequence[EffectSpec], frame: Frame, seed: int = 0) -> np.ndarray:
    """The pixels of ``frame`` with exactly these effects applied, in order."""
    if not specs:
        return frame.pixels
    ctx = OpContext(frame_index=frame.index, timestamp_ms=frame.timestamp_ms, seed=seed)
    return build_stack(list(specs), segmenter=image_segmenter()).apply(frame.pixels, frame.tracks, ctx)
