"""Hand-built classifier results for disclosure tests (the classifier is tested elsewhere)."""

from __future__ import annotations

from pathlib import Path

from effects.classification import Category, Change, ClassificationResult, Reason

REPO = Path(__file__).resolve().parents[2]
FONT = REPO / "assets" / "fonts" / "Roboto-Regular.ttf"


def reason(change: str, median: float, low: float, high: float, unit: str = "%", altering: bool = True,
           n_faces: int = 38) -> Reason:
    return Reason(Change(change), median, low, high, unit, n_faces, altering)


def glam() -> ClassificationResult:
    """An appearance-altering result: smoothing (share), eye enlargement (%), face slimming (%)."""
    return ClassificationResult(
        effect_id="glam",
        effect_version="1.2.0",
        category=Category.APPEARANCE_ALTERING,
        confidence=0.93,
        reasons=(
            reason("enlarges_eyes", 12.0, 10.0, 14.0),
            reason("slims_face", -8.0, -9.5, -6.0),
            reason("smooths_skin", 0.62, 0.55, 0.70, unit="share"),
            reason("adds_overlay", 0.01, 0.0, 0.02, unit="share", altering=False),
        ),
    )


def puppy() -> ClassificationResult:
    """A playful result: an overlay on the head."""
    return ClassificationResult(
        effect_id="puppy_ears",
        effect_version="2",
        category=Category.PLAYFUL,
        confidence=0.97,
        reasons=(reason("adds_overlay", 0.30, 0.22, 0.41, unit="share", altering=False),),
    )
