"""The frame cost of an effect: its time on one 1280x720 frame with one reference face.

``frame_cost`` warms up once (Numba compiles on first use), then times up to ``COST_RUNS``
frames, stopping early once ``COST_TIME_CAP_S`` have been spent, or after a single frame
when that frame alone took more than ``STOP_FACTOR`` times the budget: an effect that costly
is refused whatever the other frames would say, and measuring it fifteen times would take
minutes. ``safelens effects check`` refuses an effect whose cost is above its budget
(``--max-cost``, default one 30 fps frame) before classifying it.

The budget is for the reference machine (the 2-core development machine), not for whatever
machine runs the check, so that a verdict does not depend on how busy or fast that machine
is: each timed frame of the effect is paired with a frame of a fixed calibration effect
(``CALIBRATION_TOML``: skin smoothing, a tint, film grain and a vignette: the same kinds of
kernels as effects),
and the effect's cost is its median ratio to the calibration times the calibration's time
on the reference machine (``CALIBRATION_REFERENCE_MS``). Both are slowed alike by a loaded
machine, so the ratio holds.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from camera_app.tracking.segmenter import image_segmenter
from effects.classify import ReferenceFace, ReferenceSet
from effects.engine import EffectStack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.spec import EffectSpec

FRAME_W, FRAME_H = 1280, 720
COST_WARMUP, COST_RUNS = 1, 15
COST_TIME_CAP_S = 3.0
STOP_FACTOR = 4.0
FRAME_BUDGET_MS = 1000.0 / 30.0
# Measured on the reference machine (2 cores, otherwise idle): the fastest of 60 calibration frames.
CALIBRATION_REFERENCE_MS = 3.3
CALIBRATION_TOML = """
id = "calibration"
version = "1.0.0"
author = "SafeLens"
[name]
en = "Calibration"
fr = "Calibrage"
[description]
en = "The fixed workload frame costs are scaled by."
fr = "La charge fixe qui sert d'étalon aux coûts."
[[ops]]
op = "smooth_skin"
strength = 0.8
[[ops]]
op = "region_tint"
regions = ["lips"]
color = "#b8344f"
opacity = 0.5
[[ops]]
op = "film_grain"
[[ops]]
op = "vignette"
"""


def spec_identity(spec: EffectSpec) -> dict[str, Any]:
    """The fields naming an effect in a creator-check report: where it came from and which version."""
    return {"path": str(spec.source), "id": spec.id, "version": spec.version, "content_hash": spec.content_hash}


@dataclass(frozen=True, slots=True)
class FrameCost:
    """``median_ms``, ``p95_ms``: on this machine; ``reference_ms``: the median scaled to the
    reference machine (what the budget is compared with)."""

    median_ms: float
    p95_ms: float
    runs: int
    reference_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": FRAME_W,
            "height": FRAME_H,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "runs": self.runs,
            "reference_machine_ms": round(self.reference_ms, 2),
            "share_of_30fps_budget": round(self.reference_ms / FRAME_BUDGET_MS, 3),
        }


@dataclass(frozen=True, slots=True)
class CostRefusal:
    """An effect refused by ``effects check`` because a frame costs more than the budget."""

    spec: EffectSpec
    frame_cost: FrameCost
    budget_ms: float

    @property
    def message(self) -> str:
        return (f"refused: a 1280x720 frame with one face takes {self.frame_cost.reference_ms:.1f} ms on the "
                f"reference machine ({self.frame_cost.median_ms:.1f} ms here, median of {self.frame_cost.runs}), "
                f"over the budget of {self.budget_ms:.1f} ms (--max-cost); make it cheaper (fewer or smaller ops) "
                "before it can be classified")

    def to_dict(self) -> dict[str, Any]:
        return {
            **spec_identity(self.spec),
            "refused": "frame_cost",
            "budget_ms": round(self.budget_ms, 2),
            "frame_cost": self.frame_cost.to_dict(),
            "message": self.message,
        }


def cost_face(reference: ReferenceSet) -> ReferenceFace:
    """The face the cost is measured on: a colour photo of an adult from the quick set."""
    adults = [f for f in reference.quick().faces if f.sheet_ok and not f.greyscale]
    return adults[0] if adults else reference.faces[0]


def on_canvas(face: ReferenceFace) -> tuple[np.ndarray, FaceTrack]:
    """The face scaled to about 40% of a 720p frame's height, pasted in the middle of a grey frame."""
    import cv2

    track = face.track
    scale = 0.4 * FRAME_H / max(track.box.height, 1.0)
    small = cv2.resize(face.rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    canvas = np.full((FRAME_H, FRAME_W, 3), 110, np.uint8)
    cx, cy = track.box.center
    dx, dy = int(round(FRAME_W / 2 - cx * scale)), int(round(FRAME_H / 2 - cy * scale))
    h, w = small.shape[:2]
    x0, y0 = max(dx, 0), max(dy, 0)
    x1, y1 = min(dx + w, FRAME_W), min(dy + h, FRAME_H)
    canvas[y0:y1, x0:x1] = small[y0 - dy : y1 - dy, x0 - dx : x1 - dx]
    m = np.array([[scale, 0.0, dx], [0.0, scale, dy]])
    return canvas, track.transformed(m)


def calibration_spec() -> EffectSpec:
    """The fixed effect frame costs are scaled by (built from ``CALIBRATION_TOML``)."""
    from effects.spec import parse_effect

    fields = parse_effect(CALIBRATION_TOML, "calibration", Path("."))
    return EffectSpec(**fields, root=Path("."), source=Path("calibration"), content_hash="calibration")


def _timed_ms(stack: EffectStack, frame: np.ndarray, track: FaceTrack, i: int) -> float:
    ctx = OpContext(frame_index=i, timestamp_ms=i * 33, seed=0)
    start = time.perf_counter()
    stack.apply(frame, (track,), ctx)
    return (time.perf_counter() - start) * 1000.0


def frame_cost(spec: EffectSpec, face: ReferenceFace, stop_above_ms: float = FRAME_BUDGET_MS) -> FrameCost:
    """The effect's time on one 1280x720 frame with one face (after warm-up), here and scaled to
    the reference machine; fewer runs when the time cap is reached or one run exceeds
    ``STOP_FACTOR * stop_above_ms`` on the reference machine."""
    frame, track = on_canvas(face)
    stack, calibration = EffectStack([spec], segmenter=image_segmenter()), EffectStack([calibration_spec()])
    times: list[float] = []
    ratios: list[float] = []
    began = time.perf_counter()
    for i in range(COST_WARMUP + COST_RUNS):
        calibration_ms = _timed_ms(calibration, frame, track, i)
        took_ms = _timed_ms(stack, frame, track, i)
        if i < COST_WARMUP:
            began = time.perf_counter()
            continue
        times.append(took_ms)
        ratios.append(took_ms / max(calibration_ms, 1e-3))
        if ratios[-1] * CALIBRATION_REFERENCE_MS > STOP_FACTOR * stop_above_ms or (
                len(times) >= 3 and time.perf_counter() - began > COST_TIME_CAP_S):
            break
    return FrameCost(statistics.median(times), float(np.percentile(times, 95)), len(times),
                     statistics.median(ratios) * CALIBRATION_REFERENCE_MS)
