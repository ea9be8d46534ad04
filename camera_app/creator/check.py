"""The creator check: what an effect will be, for users, before it is published.

``check_effects(paths, options)`` loads each effect folder (or .zip), classifies it by
measurement on the reference faces (``effects.classify``), and gathers what a creator
needs: the category and reasons, the disclosure text users will see (en, fr), guidance
on unintended consequences (skin tones, children's faces, head angles), how much the
result varies across faces, the frame cost at 720p on this machine, and optionally a
before/after contact sheet. ``safelens effects check`` prints it (``camera_app.cli``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import effects.ops  # noqa: F401  (fills the op registry the specs name)
from camera_app.catalog.result_cache import ResultCache
from camera_app.creator.contact_sheet import write_sheet
from camera_app.creator.guidance import (
    HEAD_ANGLE_FACES,
    Note,
    head_angle_notes,
    minor_notes,
    skin_tone_notes,
    variation,
)
from camera_app.models import ASSETS_DIR
from disclosure.catalogue import load_catalogue
from disclosure.labels import build_label
from effects.classification import Category, ClassificationResult
from effects.classify import Assessment, LandmarkDetector, ReferenceFace, ReferenceSet, assess, load_reference
from effects.classify.adapters import SpecEffect
from effects.engine import EffectStack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.spec import EffectSpec, load_effect

DEFAULT_FACES = ASSETS_DIR / "faces"
LANGUAGES = ("en", "fr")
FRAME_W, FRAME_H = 1280, 720
COST_WARMUP, COST_RUNS = 2, 15
FRAME_BUDGET_MS = 1000.0 / 30.0

ProgressFn = Callable[[str, int, int], None]  # (stage label, done, total)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    faces_dir: Path = DEFAULT_FACES
    quick: bool = False
    sheet: Path | None = None
    expect: Category | None = None
    # Where to keep results measured on the bundled faces for render and the app
    # (``camera_app.catalog.classifications``); None: keep nothing.
    cache: ResultCache | None = None


@dataclass(frozen=True, slots=True)
class FrameCost:
    median_ms: float
    p95_ms: float
    runs: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": FRAME_W,
            "height": FRAME_H,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "runs": self.runs,
            "share_of_30fps_budget": round(self.median_ms / FRAME_BUDGET_MS, 3),
        }


@dataclass(frozen=True, slots=True)
class EffectCheck:
    """Everything the check found about one effect."""

    spec: EffectSpec
    result: ClassificationResult
    reference: str
    n_faces: int
    n_minors: int
    disclosure: dict[str, dict[str, Any]]
    guidance: tuple[Note, ...]
    variation: tuple[dict[str, object], ...]
    frame_cost: FrameCost
    sheet: Path | None = None
    expect: Category | None = None
    undetected: tuple[str, ...] = field(default=())
    cached: Path | None = None  # the user cache entry written for this result

    @property
    def expect_met(self) -> bool | None:
        return None if self.expect is None else self.expect is self.result.category

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.spec.source),
            "id": self.spec.id,
            "version": self.spec.version,
            "content_hash": self.spec.content_hash,
            "declared": None if self.spec.declared_category is None else self.spec.declared_category.value,
            "category": self.result.category.value,
            "declared_disagrees": self.result.declared_disagrees,
            "classification": self.result.to_dict(),
            "reference": {"set": self.reference, "faces": self.n_faces, "minors": self.n_minors,
                          "undetected": list(self.undetected)},
            "disclosure": self.disclosure,
            "guidance": [n.to_dict() for n in self.guidance],
            "variation": list(self.variation),
            "frame_cost": self.frame_cost.to_dict(),
            "sheet": None if self.sheet is None else str(self.sheet),
            "expect": None if self.expect is None else self.expect.value,
            "expect_met": self.expect_met,
            "cached": None if self.cached is None else str(self.cached),
        }


def load_specs(paths: Sequence[str | Path]) -> list[EffectSpec]:
    """Every effect, loaded and validated before anything runs (EffectSpecError names file and field)."""
    return [load_effect(p) for p in paths]


def disclosure_texts(result: ClassificationResult, spec: EffectSpec) -> dict[str, dict[str, Any]]:
    """The label and info sheet users will see, per language."""
    out: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        label = build_label(result, load_catalogue(lang), names={spec.id: spec.name.get(lang, spec.id)})
        out[lang] = {"kind": label.kind.value, "label": label.text, "sheet": list(label.sheet)}
    return out


def _on_canvas(face: ReferenceFace) -> tuple[np.ndarray, FaceTrack]:
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


def frame_cost(spec: EffectSpec, face: ReferenceFace) -> FrameCost:
    """Median and 95th percentile time of the effect on one 1280x720 frame with one face (after warm-up)."""
    frame, track = _on_canvas(face)
    stack = EffectStack([spec])
    times: list[float] = []
    for i in range(COST_WARMUP + COST_RUNS):
        ctx = OpContext(frame_index=i, timestamp_ms=i * 33, seed=0)
        start = time.perf_counter()
        stack.apply(frame, (track,), ctx)
        if i >= COST_WARMUP:
            times.append((time.perf_counter() - start) * 1000.0)
    return FrameCost(statistics.median(times), float(np.percentile(times, 95)), len(times))


def _sheet_path(base: Path, spec: EffectSpec, many: bool) -> Path:
    return base.with_name(f"{base.stem}-{spec.id}{base.suffix or '.png'}") if many else base


def check_effect(
    spec: EffectSpec,
    reference: ReferenceSet,
    detector: LandmarkDetector,
    options: CheckOptions,
    sheet: Path | None = None,
    progress: ProgressFn | None = None,
) -> EffectCheck:
    """Classify one effect and gather the creator's report."""
    effect = SpecEffect(spec)

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("measuring", done, total)

    assessment: Assessment = assess(effect, reference, detector, quick=options.quick, progress=step)
    refs = reference.quick() if options.quick else reference
    # Head angles on colour photos of adults from the quick set (varied skin), whichever set was measured.
    adults = [f for f in reference.quick().faces if f.sheet_ok and not f.greyscale][:HEAD_ANGLE_FACES]
    adults = adults or [f for f in assessment.faces if f.sheet_ok][:HEAD_ANGLE_FACES]
    if progress is not None:
        progress("head angles", 0, 1)
    guidance = (
        *skin_tone_notes(assessment),
        *minor_notes(assessment, reference.minors_known),
        *head_angle_notes(effect, assessment, detector, adults),
    )
    if progress is not None:
        progress("frame cost", 0, 1)
    cost = frame_cost(spec, adults[0] if adults else assessment.faces[0])
    result = assessment.result
    disclosure = disclosure_texts(result, spec)
    written = None
    if sheet is not None:
        lines = [
            f"Measured: {result.category.value} (confidence {result.confidence:.2f}); "
            f"declared: {spec.declared_category.value if spec.declared_category else 'none'}",
            f"Label (en): {disclosure['en']['label']}",
        ]
        title = f"{spec.name.get('en', spec.id)}  ({spec.id} {spec.version})"
        written = write_sheet(assessment, sheet, title, lines)
    return EffectCheck(
        spec=spec,
        result=result,
        reference=refs.label,
        n_faces=len(assessment.faces),
        n_minors=sum(1 for f in assessment.faces if f.minor),
        disclosure=disclosure,
        guidance=tuple(guidance),
        variation=tuple(variation(assessment)),
        frame_cost=cost,
        sheet=written,
        expect=options.expect,
        undetected=reference.undetected,
        cached=_keep(spec, result, options),
    )


def _keep(spec: EffectSpec, result: ClassificationResult, options: CheckOptions) -> Path | None:
    """Store a result measured on the bundled reference faces in the classification cache, so
    render and the app use it instead of measuring again (a built-in effect's bundled result
    stays the one they use)."""
    from camera_app.catalog.classifications import REFERENCE_FACES, load_bundled, write_cached

    if options.cache is None or options.faces_dir.resolve() != REFERENCE_FACES.resolve():
        return None
    if load_bundled().get(spec) is not None:
        return None
    return write_cached(spec, result, options.cache, "quick" if options.quick else "full")


def check_effects(
    specs: Sequence[EffectSpec],
    detector: LandmarkDetector,
    options: CheckOptions,
    progress: Callable[[EffectSpec], ProgressFn] | None = None,
) -> list[EffectCheck]:
    """``check_effect`` for each spec on the reference faces of ``options.faces_dir``."""
    reference = load_reference(options.faces_dir, detector)
    many = len(specs) > 1
    checks = []
    for spec in specs:
        sheet = _sheet_path(options.sheet, spec, many) if options.sheet is not None else None
        checks.append(check_effect(spec, reference, detector, options, sheet, progress(spec) if progress else None))
    return checks
