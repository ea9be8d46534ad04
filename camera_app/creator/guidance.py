"""Guidance for effect creators: unintended consequences the classifier's numbers reveal.

From an ``Assessment`` (the per-face measurements behind a classification):

- ``variation``: how much each deciding change varies across the reference faces;
- ``skin_tone_notes``: whether a change reads differently on darker and lighter skin
  (colour photos split at the median skin lightness L*; note that L* of a photo mixes
  skin tone with exposure, so this is a screen, not a verdict);
- ``minor_notes``: whether it behaves differently on children's faces (the faces the
  reference manifest marks as minors) than on adults';
- ``head_angle_notes``: the effect re-run on rotated and turned copies of a few adult
  faces: does the tracker still find the face, and does the change stay the same.

Each note is a ``Note`` with a level ("info" or "warning") and a sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from effects.classification import Category, Change
from effects.classify import Assessment, EffectUnderTest, LandmarkDetector, PartAssessment, ReferenceFace, reference_face
from effects.classify.measure import measure_face
from effects.classify.rules import Finding

# A group difference is worth a warning when it is this large relative to the overall
# median, and at least ABSOLUTE_STEP[unit] in absolute terms.
RELATIVE_STEP = 0.3
ABSOLUTE_STEP = {"%": 2.0, "dE": 2.0, "share": 0.05, "fraction": 0.25}
MIN_GROUP = 2
HEAD_ANGLE_FACES = 3
POSES: tuple[tuple[str, str, float], ...] = (
    ("tilted 30 deg", "roll", 30.0),
    ("tilted 45 deg", "roll", 45.0),
    ("turned ~30 deg (simulated)", "yaw", 30.0),
)


@dataclass(frozen=True, slots=True)
class Note:
    level: str  # "info" or "warning"
    topic: str  # "skin_tone", "minors", "head_angle", "variation"
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "topic": self.topic, "text": self.text}


@dataclass(frozen=True, slots=True)
class Deciding:
    """A finding the category rests on, with the unit (whole or part) it was measured on."""

    unit: PartAssessment
    finding: Finding

    @property
    def label(self) -> str:
        return self.finding.reason.change.value.replace("_", " ")

    def describe(self, value: float) -> str:
        """One face's value in words: "enlarges eyes +6.1%", "eyes +44% (exaggerated)"."""
        change = self.finding.reason.change
        if change is Change.EXAGGERATED_DISTORTION:
            feature = self.finding.metric.split(".")[-1].replace("_", " ")
            return f"{feature} {value:+.0f}% (exaggerated)"
        return f"{self.label} {_fmt(value, self.finding.reason.unit, change)}"

    def values(self) -> np.ndarray:
        """Per-face values in the reason's unit (% as percent), NaN where not measured."""
        scale = 100.0 if self.finding.reason.unit == "%" else 1.0
        return np.array([row.get(self.finding.metric, math.nan) for row in self.unit.per_face]) * scale


def deciding(assessment: Assessment) -> list[Deciding]:
    """The findings the category rests on: the altering ones (whole first, then parts), else all of the whole's."""
    whole = assessment.whole
    if whole.decision.category is Category.APPEARANCE_ALTERING:
        return [Deciding(whole, f) for f in whole.decision.findings if f.reason.altering]
    from_parts = [Deciding(p, f) for p in assessment.parts for f in p.decision.findings if f.reason.altering]
    return from_parts or [Deciding(whole, f) for f in whole.decision.findings if f.reason.change is not Change.HIDES_FACE]


_NOT_FACE_CHANGES = (Change.ADDS_OVERLAY, Change.HIDES_FACE, Change.STYLISES_WHOLE_FRAME)


def face_changes(assessment: Assessment) -> list[Deciding]:
    """The appearance-altering changes the category rests on: the ones worth comparing across
    skin tones, ages and head angles (a playful effect's size or placement varying is no
    consequence for the person; whether it turns altering on some faces is, see _category_split)."""
    return [d for d in deciding(assessment)
            if d.finding.reason.altering and d.finding.reason.change not in _NOT_FACE_CHANGES]


def _fmt(value: float, unit: str, change: Change | None = None) -> str:
    if change is Change.SMOOTHS_SKIN:
        return f"{value:.0f}% of fine skin detail removed"
    if unit == "fraction":
        return f"{100 * value:.0f}%"
    if unit == "share":
        return f"{100 * value:.0f}% of the face area"
    if unit == "dE":
        return f"dE {value:.1f}"
    return f"{value:+.1f}%"


def variation(assessment: Assessment) -> list[dict[str, object]]:
    """Per deciding change: median, P10-P90, min-max over faces, and the faces it was measured on."""
    rows: list[dict[str, object]] = []
    for d in deciding(assessment):
        v = d.values()
        ok = v[~np.isnan(v)]
        if ok.size == 0:
            continue
        p10, p90 = np.percentile(ok, [10, 90])
        rows.append(
            {
                "change": d.finding.reason.change.value,
                "measured_on": d.unit.label,
                "unit": d.finding.reason.unit,
                "median": round(float(np.median(ok)), 3),
                "p10": round(float(p10), 3),
                "p90": round(float(p90), 3),
                "min": round(float(ok.min()), 3),
                "max": round(float(ok.max()), 3),
                "n_faces": int(ok.size),
            }
        )
    return rows


def _compare(
    d: Deciding, a_mask: np.ndarray, b_mask: np.ndarray, a_name: str, b_name: str, topic: str,
    colour: np.ndarray | None = None,
) -> Note | None:
    """Compare a change between two groups of faces (colour changes: colour photos only)."""
    v = d.values()
    unit = d.finding.reason.unit
    usable = ~np.isnan(v)
    if unit == "dE" and colour is not None:
        usable &= colour
    a, b = v[a_mask & usable], v[b_mask & usable]
    if a.size < MIN_GROUP or b.size < MIN_GROUP:
        return None
    ma, mb = float(np.median(a)), float(np.median(b))
    overall = abs(float(np.nanmedian(v)))
    gap = abs(ma - mb)
    big = gap >= ABSOLUTE_STEP.get(unit, 2.0) and gap >= RELATIVE_STEP * overall
    change = d.finding.reason.change
    photos = " colour" if unit == "dE" and colour is not None else ""
    what = (f"{d.label}: {_fmt(ma, unit, change)} on {a_name} ({a.size}{photos} faces) vs {_fmt(mb, unit, change)} "
            f"on {b_name} ({b.size})")
    if big:
        stronger = a_name if abs(ma) > abs(mb) else b_name
        return Note("warning", topic, f"{what}: the effect does not look the same on both (stronger on {stronger}); "
                    "look at it on both")
    return Note("info", topic, f"{what}: similar")


def skin_tone_notes(assessment: Assessment) -> list[Note]:
    """Darker vs lighter skin (colour photos only, split at the median skin L*)."""
    faces = assessment.faces
    colour = np.array([not f.greyscale and not math.isnan(f.skin_lightness) for f in faces])
    if colour.sum() < 2 * MIN_GROUP:
        return [Note("info", "skin_tone", "too few colour photos to compare darker and lighter skin")]
    lightness = np.array([f.skin_lightness for f in faces])
    cut = float(np.median(lightness[colour]))
    darker = colour & (lightness <= cut)
    lighter = colour & (lightness > cut)
    notes = [n for d in face_changes(assessment)
             if (n := _compare(d, darker, lighter, "darker skin", "lighter skin", "skin_tone"))]
    notes += _category_split(assessment, darker, lighter, "darker skin", "lighter skin", "skin_tone")
    return notes or [Note("info", "skin_tone", "no change to the face itself to compare across skin tones")]


def minor_notes(assessment: Assessment, minors_known: bool) -> list[Note]:
    """Children's faces vs adults' (faces the reference manifest marks as minors)."""
    if not minors_known:
        return [Note("info", "minors", "the reference faces mark no minors: children's faces not compared")]
    minors = np.array([f.minor for f in assessment.faces])
    if minors.sum() < MIN_GROUP:
        return [Note("info", "minors", f"only {int(minors.sum())} minor(s) among these faces: not compared (use the full set)")]
    colour = np.array([not f.greyscale for f in assessment.faces])
    notes = [n for d in face_changes(assessment)
             if (n := _compare(d, minors, ~minors, "children's faces", "adults' faces", "minors", colour))]
    notes += _category_split(assessment, minors, ~minors, "children's faces", "adults' faces", "minors")
    return notes or [Note("info", "minors", "no change to the face itself to compare between children and adults")]


def _category_split(
    assessment: Assessment, a_mask: np.ndarray, b_mask: np.ndarray, a_name: str, b_name: str, topic: str
) -> list[Note]:
    """A warning when the rule, face by face, puts one group on the other side of the line."""
    altering = assessment.face_altering()
    counts = []
    for mask in (a_mask, b_mask):
        known = [a for a, m in zip(altering, mask, strict=True) if m and a is not None]
        counts.append((sum(known), len(known)))
    (ka, na), (kb, nb) = counts
    if na >= MIN_GROUP and nb >= MIN_GROUP and (ka / na >= 0.5) != (kb / nb >= 0.5):
        return [Note("warning", topic, f"face by face the rule finds the effect appearance-altering on {ka}/{na} "
                     f"{a_name} but on {kb}/{nb} {b_name}: it behaves differently on them")]
    return []


def posed(rgb: np.ndarray, kind: str, degrees: float) -> np.ndarray:
    """The picture rotated in the image plane (roll) or squeezed in perspective as if the head turned (yaw)."""
    h, w = rgb.shape[:2]
    if kind == "roll":
        m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
        return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # A turn seen from the front: the far side of the picture shrinks and moves in.
    squeeze = math.sin(math.radians(degrees)) * 0.5
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array([[0, 0], [w * (1 - squeeze), h * squeeze / 2], [w * (1 - squeeze), h * (1 - squeeze / 2)], [0, h]],
                   np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def head_angle_notes(
    effect: EffectUnderTest, assessment: Assessment, detector: LandmarkDetector, faces: Sequence[ReferenceFace]
) -> list[Note]:
    """Re-run the effect on tilted and turned copies of ``faces`` (adults) and compare with upright."""
    whole_findings = [d for d in face_changes(assessment) if d.unit is assessment.whole]
    metrics: list[tuple[str, str, str, Change | None]] = [
        (d.finding.metric, d.finding.reason.unit, d.label, d.finding.reason.change) for d in whole_findings[:2]
    ]
    if any(f.reason.change is Change.ADDS_OVERLAY for f in assessment.whole.decision.findings):
        metrics.append(("overlay.outside", "fraction", "share of the overlay off the head", None))
    index = {f.name: i for i, f in enumerate(assessment.faces)}
    notes: list[Note] = []
    for label, kind, degrees in POSES:
        found = 0
        at_pose: dict[str, list[float]] = {m[0]: [] for m in metrics}
        upright: dict[str, list[float]] = {m[0]: [] for m in metrics}
        for face in faces:
            rgb = posed(face.rgb, kind, degrees)
            tracks = detector.detect(rgb)
            if not tracks:
                continue
            found += 1
            turned = reference_face(f"{face.name} {label}", rgb, tracks[0])
            values = measure_face(turned, effect.apply(turned.rgb, (turned.track,)), detector)
            for m, unit, _, _ in metrics:
                scale = 100.0 if unit == "%" else 1.0
                at_pose[m].append(values.get(m, math.nan) * scale)
                if face.name in index:
                    upright[m].append(assessment.whole.per_face[index[face.name]].get(m, math.nan) * scale)
        n = len(faces)
        if not metrics and found == n:
            notes.append(Note("info", "head_angle", f"{label}: the face tracker found the face on {found}/{n} pictures"))
        if found < n:
            notes.append(Note("warning" if found == 0 or found < n / 2 else "info", "head_angle",
                              f"{label}: the face tracker found the face on {found}/{n} pictures; where it loses "
                              "the face the effect is not applied (it drops out, then pops back)"))
        for m, unit, name, change in metrics:
            a = np.array(at_pose[m], dtype=float)
            b = np.array(upright[m], dtype=float)
            if a.size == 0 or np.all(np.isnan(a)) or b.size == 0 or np.all(np.isnan(b)):
                continue
            ma, mb = float(np.nanmedian(a)), float(np.nanmedian(b))
            gap = (ma - mb) if unit == "fraction" else abs(ma - mb)  # an overlay matters only when it drifts off
            big = gap >= ABSOLUTE_STEP.get(unit, 2.0) and gap >= RELATIVE_STEP * max(abs(mb), 1e-9)
            text = f"{label}: {name}: {_fmt(ma, unit, change)} vs {_fmt(mb, unit, change)} upright ({found}/{n} faces)"
            if big:
                text += (": the overlay drifts off the head" if unit == "fraction"
                         else ": the effect changes the face differently when the head is turned")
            notes.append(Note("warning" if big else "info", "head_angle", text))
    return notes
