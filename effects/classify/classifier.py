"""``classify``: run an effect on the reference faces, measure, apply the rule.

For each reference face the effect is applied to the photo with the face's detected
landmarks, and the output measured against the input (``measure.measure_face``).
``rules.decide`` turns the per-face measurements into findings. When the whole reads
as playful and the effect has several parts (ops, or effects of a stack), each part is
measured alone too (in quick mode on QUICK_PART_FACES faces): the effect is
appearance-altering when the whole or any part is. The children among the reference
faces are also judged as a group of their own (``judging.with_children``): an effect that
alters children's faces is altering, whatever the median over everyone says.

The creator's declared category is a floor, never a ceiling: a declared
``appearance_altering`` is kept when the measurement reads playful (a note says so),
a declared ``playful`` is never trusted (the measurement decides, and a note says so).

The confidence is the share of the measured faces on which the rule, applied to that
face alone, gives the overall category (faces where the deciding measures could not be
taken do not vote). Everything is deterministic: fixed face order, a fixed ``OpContext`` for the engine,
no randomness in the measures, so the same effect gives the same report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from effects.classification import Category, Change, ClassificationResult, Reason
from effects.classify.below import under_lines
from effects.classify.measure import measure_face
from effects.classify.protocols import EffectUnderTest, LandmarkDetector, StackUnderTest
from effects.classify.reference import ReferenceFace, ReferenceSet, load_reference
from effects.classify.judging import face_category, unreliable_metrics, with_children
from effects.classify.rules import Decision, Finding, decide, table
from effects.segmentation import PersonSegmenter, check_person_mask

Progress = Callable[[int, int], None]  # (done, total)

# In quick mode each part alone is measured on the first 6 quick faces (colour photos of
# adults, dark to light skin), so an effect of ten ops still checks in well under 30 s.
QUICK_PART_FACES = 6


class ClassifyError(RuntimeError):
    """The effect could not be run on a reference face; the message names the effect and the face."""


@dataclass(frozen=True, slots=True, eq=False)
class PartAssessment:
    """The measurements and decision for the whole effect or one of its parts."""

    label: str
    decision: Decision
    per_face: tuple[dict[str, float], ...]
    face_categories: tuple[Category | None, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Assessment:
    """Everything ``classify`` found: the result, and the per-face detail behind it."""

    result: ClassificationResult
    faces: tuple[ReferenceFace, ...]
    whole: PartAssessment
    parts: tuple[PartAssessment, ...]
    outputs: tuple[np.ndarray, ...]  # the whole effect's output on each face, for contact sheets

    def face_altering(self) -> tuple[bool | None, ...]:
        """Per face: does the rule, on that face alone, find the effect (or a part) altering?"""
        out: list[bool | None] = []
        for i in range(len(self.faces)):
            cats = [p.face_categories[i] for p in (self.whole, *self.parts)]
            known = [c for c in cats if c is not None]
            out.append(None if not known else any(c is Category.APPEARANCE_ALTERING for c in known))
        return tuple(out)


def classify(
    effect: EffectUnderTest,
    reference: ReferenceSet | Path | str,
    detector: LandmarkDetector,
    quick: bool = False,
) -> ClassificationResult:
    """The effect's category, confidence and reasons, measured on ``reference`` (quick: 12 faces)."""
    return assess(effect, reference, detector, quick=quick).result


def assess(
    effect: EffectUnderTest,
    reference: ReferenceSet | Path | str,
    detector: LandmarkDetector,
    quick: bool = False,
    progress: Progress | None = None,
) -> Assessment:
    """Like ``classify`` but keeps the per-face measurements and outputs (for the creator check)."""
    refs = reference if isinstance(reference, ReferenceSet) else load_reference(reference, detector)
    if quick:
        refs = refs.quick()
    faces = refs.faces
    parts: Sequence[EffectUnderTest] = ()
    if isinstance(effect, StackUnderTest):
        parts = tuple(effect.parts())
        if len(parts) < 2:
            parts = ()
    part_faces = min(len(faces), QUICK_PART_FACES) if quick else len(faces)
    total = len(faces) + part_faces * len(parts)
    done = 0
    # The person masks of the photos, from the segmenter the effect runs with (same mask path).
    segmenter: PersonSegmenter | None = getattr(effect, "segmenter", None)
    masks = {face.name: check_person_mask(segmenter.person_mask(face.rgb), face.rgb.shape) for face in faces} \
        if segmenter is not None else {}

    def run(unit: EffectUnderTest, label: str, keep: list[np.ndarray] | None, count: int) -> PartAssessment:
        nonlocal done
        rows: list[dict[str, float]] = []
        for face in faces[:count]:
            out = _apply(unit, face, label)
            rows.append(measure_face(face, out, detector, masks.get(face.name)))
            if keep is not None:
                keep.append(out)
            done += 1
            if progress is not None:
                progress(done, total)
        t = table(rows)
        minors = [row for row, face in zip(rows, faces, strict=False) if face.minor]
        decision = with_children(decide(t), decide(table(minors)) if minors else None, len(minors), t)
        deciding = [f.metric for f in decision.findings if f.reason.altering] or [f.metric for f in decision.findings]
        unreliable = unreliable_metrics(t, decision)
        categories = [face_category(r, deciding, unreliable) for r in rows]
        # Faces a part was not measured on (quick mode) have no row and no vote.
        pad = len(faces) - len(rows)
        return PartAssessment(label, decision, tuple(rows) + ({},) * pad, tuple(categories) + (None,) * pad)

    outputs: list[np.ndarray] = []
    whole = run(effect, effect.id, outputs, len(faces))
    # Parts only matter when the whole reads as playful: an altering whole is altering already.
    if whole.decision.category is Category.APPEARANCE_ALTERING:
        parts = ()
        total = done
        if progress is not None:
            progress(done, total)
    part_results = tuple(run(p, p.id, None, part_faces) for p in parts)
    result = _result(effect, refs, whole, part_results)
    return Assessment(result, faces, whole, part_results, tuple(outputs))


def _apply(effect: EffectUnderTest, face: ReferenceFace, label: str) -> np.ndarray:
    out = effect.apply(face.rgb, (face.track,))
    if not isinstance(out, np.ndarray) or out.shape != face.rgb.shape or out.dtype != np.uint8:
        found = f"{out.shape} {out.dtype}" if isinstance(out, np.ndarray) else type(out).__name__
        raise ClassifyError(f"{label}: on {face.name} expected an {face.rgb.shape} uint8 frame, found {found}")
    return out


def _result(
    effect: EffectUnderTest, refs: ReferenceSet, whole: PartAssessment, parts: tuple[PartAssessment, ...]
) -> ClassificationResult:
    findings: list[Finding] = list(whole.decision.findings)
    notes: list[str] = []
    if whole.decision.category is Category.PLAYFUL:
        # The whole reads as playful (e.g. a film look over a tan): a part that alters on its
        # own still makes the stack altering, and its findings say why.
        seen: set[Change] = set()
        for part in parts:
            for f in part.decision.findings:
                if f.reason.altering and f.reason.change not in seen:
                    findings.append(f)
                    seen.add(f.reason.change)
                    notes.append(
                        f"{f.reason.change.value}: measured on part {part.label} applied alone; "
                        "a stack is altering if any part is"
                    )
    for f in findings:
        if f.note:
            notes.append(f"{f.reason.change.value}: {f.note}")
    notes.extend(f"measured under the line: {text}" for text in under_lines(table(whole.per_face), whole.decision))
    category = Category.APPEARANCE_ALTERING if any(f.reason.altering for f in findings) else Category.PLAYFUL
    reasons: tuple[Reason, ...] = tuple(
        sorted((f.reason for f in findings), key=lambda r: not r.altering)
    )
    declared = effect.declared
    if declared is Category.APPEARANCE_ALTERING and category is Category.PLAYFUL:
        # The creator's word is a floor: never trusted to lower a result, always to raise it.
        category = Category.APPEARANCE_ALTERING
        notes.insert(0, "declared appearance_altering, measured playful: the declared category is kept "
                        "(a creator's appearance_altering is a floor, the stricter of the two decides)")
    elif declared is not None and declared is not category:
        notes.insert(
            0,
            f"declared {declared.value}, measured {category.value}: the measurement decides",
        )
    if refs.undetected:
        notes.append(f"no face found in {len(refs.undetected)} reference photo(s): {', '.join(refs.undetected)}")
    per_face = _per_face_altering(whole, parts)
    known = [a for a in per_face if a is not None]
    if known:
        agree = sum(1 for a in known if a == (category is Category.APPEARANCE_ALTERING))
        confidence = agree / len(known)
    else:
        confidence = 0.0
    return ClassificationResult(
        effect_id=effect.id,
        effect_version=effect.version,
        category=category,
        confidence=round(confidence, 3),
        reasons=tuple(_rounded(r) for r in reasons),
        declared=declared,
        notes=tuple(notes),
    )


def _per_face_altering(whole: PartAssessment, parts: tuple[PartAssessment, ...]) -> list[bool | None]:
    out: list[bool | None] = []
    for i in range(len(whole.face_categories)):
        cats = [p.face_categories[i] for p in (whole, *parts)]
        known = [c for c in cats if c is not None]
        out.append(None if not known else any(c is Category.APPEARANCE_ALTERING for c in known))
    return out


def _rounded(r: Reason) -> Reason:
    """Reasons rounded to what is meaningful (keeps reports byte-identical across runs)."""
    digits = 4 if r.unit == "share" else 2

    def q(v: float) -> float:
        return round(v, digits) if math.isfinite(v) else v

    return Reason(r.change, q(r.median), q(r.low), q(r.high), r.unit, r.n_faces, r.altering)
