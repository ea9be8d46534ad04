"""The creator check: what an effect will be, for users, before it is published.

``check_effects(paths, options)`` loads each effect folder (or .zip), classifies it by
measurement on the reference faces (``effects.classify``), and gathers what a creator
needs: the category and reasons, the disclosure text users will see (en, fr), guidance
on unintended consequences (skin tones, children's faces, head angles), how much the
result varies across faces, the frame cost at 720p on this machine, and optionally a
before/after contact sheet. ``safelens effects check`` prints it (``camera_app.cli``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import effects.ops  # noqa: F401  (fills the op registry the specs name)
from camera_app.catalog.result_cache import ResultCache
from camera_app.creator.contact_sheet import write_sheet
from camera_app.creator.cost import FRAME_BUDGET_MS, CostRefusal, FrameCost, cost_face, frame_cost, spec_identity
from camera_app.creator.guidance import (
    HEAD_ANGLE_FACES,
    Note,
    head_angle_notes,
    minor_notes,
    skin_tone_notes,
    variation,
)
from camera_app.models import ASSETS_DIR
from camera_app.tracking.segmenter import image_segmenter
from disclosure.catalogue import load_catalogue
from disclosure.labels import build_label
from effects.classification import Category, ClassificationResult
from effects.classify import Assessment, LandmarkDetector, ReferenceSet, assess, load_reference
from effects.classify.adapters import SpecEffect
from effects.spec import EffectSpec, load_effect

DEFAULT_FACES = ASSETS_DIR / "faces"
LANGUAGES = ("en", "fr")

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
    # An effect whose median frame cost at 720p is above this is refused before it is classified.
    max_cost_ms: float = FRAME_BUDGET_MS


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
            **spec_identity(self.spec),
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


def _sheet_path(base: Path, spec: EffectSpec, many: bool) -> Path:
    return base.with_name(f"{base.stem}-{spec.id}{base.suffix or '.png'}") if many else base


def check_effect(
    spec: EffectSpec,
    reference: ReferenceSet,
    detector: LandmarkDetector,
    options: CheckOptions,
    sheet: Path | None = None,
    progress: ProgressFn | None = None,
    cost: FrameCost | None = None,
) -> EffectCheck:
    """Classify one effect and gather the creator's report (``cost``: its frame cost, when
    already measured)."""
    effect = SpecEffect(spec, segmenter=image_segmenter())

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
    if cost is None:
        if progress is not None:
            progress("frame cost", 0, 1)
        cost = frame_cost(spec, cost_face(reference))
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
) -> list[EffectCheck | CostRefusal]:
    """``check_effect`` for each spec on the reference faces of ``options.faces_dir``. The frame
    cost is measured first: an effect over ``options.max_cost_ms`` is refused (a ``CostRefusal``)
    without being classified, which would run it on every reference face."""
    reference = load_reference(options.faces_dir, detector)
    many = len(specs) > 1
    checks: list[EffectCheck | CostRefusal] = []
    for spec in specs:
        step = progress(spec) if progress else None
        if step is not None:
            step("frame cost", 0, 1)
        cost = frame_cost(spec, cost_face(reference), stop_above_ms=options.max_cost_ms)
        if cost.median_ms > options.max_cost_ms:
            checks.append(CostRefusal(spec, cost, options.max_cost_ms))
            continue
        sheet = _sheet_path(options.sheet, spec, many) if options.sheet is not None else None
        checks.append(check_effect(spec, reference, detector, options, sheet, step, cost))
    return checks
