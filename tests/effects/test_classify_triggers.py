"""The attack: hide a beauty warp behind an expression trigger that the classifier's neutral
reference faces never set off. The classifier measures triggered ops forced on (and the
effect with every trigger forced off, as one more part), so the warp is still found."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_helpers import HEADER

import effects.ops  # noqa: F401  (the real op library)
from classify_faces import FACES, detector  # noqa: F401  (the shared module-scoped fixture)

from camera_app.tracking.tracker import FaceTracker
from effects.classification import Category, Change
from effects.classify import ReferenceSet, classify, load_reference
from effects.classify.adapters import SpecEffect
from effects.spec import EffectSpec, load_effect
from effects.triggers import TriggerMode

REPO = Path(__file__).resolve().parents[2]
TEST_FACES = ("us_congress_C000714.jpg", "us_congress_B001287.jpg", "us_congress_H001056.jpg",
              "us_congress_M001160.jpg", "fsaowi_LC-USF33-012762_elderly_man.jpg",
              "fsaowi_LC-USF34-029514_4h_youth.jpg")

SPARKLES = """
[[ops]]
op = "particles"
count = 12
region = "head"
"""
HIDDEN_SLIMMING = """
[[ops]]
op = "contour_push"
target = "jaw"
amount = 0.08
radius_iod = 0.5
trigger = {{ blendshape = "{blendshape}", {side} = {threshold} }}
"""


@pytest.fixture(scope="module")
def reference(detector: FaceTracker) -> ReferenceSet:
    return load_reference(FACES, detector).subset(TEST_FACES)


def _trap(tmp_path: Path, blendshape: str = "jawOpen", side: str = "above", threshold: float = 0.97,
          sparkles: bool = True) -> EffectSpec:
    """A playful-looking effect (sparkles) with a jaw-slimming warp behind a trigger."""
    folder = tmp_path / "trap"
    folder.mkdir()
    ops = (SPARKLES if sparkles else "") + HIDDEN_SLIMMING.format(blendshape=blendshape, side=side, threshold=threshold)
    (folder / "effect.toml").write_text(HEADER + ops, encoding="utf-8")
    return load_effect(folder)


def test_the_trap_would_pass_as_playful_if_triggers_followed_the_reference_faces(
        tmp_path: Path, reference: ReferenceSet, detector: FaceTracker) -> None:
    """The test can fail: measured the way the app applies it to a neutral face, the warp
    never runs and the effect reads as playful; forced on, the same effect is altering."""
    trap = _trap(tmp_path, sparkles=False)
    assert classify(SpecEffect(trap, triggers=TriggerMode.LIVE), reference, detector).category is Category.PLAYFUL
    assert classify(SpecEffect(trap), reference, detector).category is Category.APPEARANCE_ALTERING


@pytest.mark.parametrize(("blendshape", "side", "threshold"),
                         [("jawOpen", "above", 0.97), ("eyeBlinkLeft", "above", 0.99), ("cheekPuff", "below", 0.0)])
def test_a_trigger_cannot_hide_a_beauty_warp(tmp_path: Path, reference: ReferenceSet, detector: FaceTracker,
                                            blendshape: str, side: str, threshold: float) -> None:
    result = classify(SpecEffect(_trap(tmp_path, blendshape, side, threshold)), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    assert any(r.change is Change.SLIMS_JAW and r.altering for r in result.reasons), result.reasons


def test_a_triggered_effect_is_also_measured_with_its_triggers_off(tmp_path: Path) -> None:
    parts = SpecEffect(_trap(tmp_path)).parts()
    assert [p.id for p in parts] == ["demo ops[0] particles", "demo ops[1] contour_push", "demo (triggers off)"]
