"""Subtle beauty (issue 16): changes a person can see side by side, written fresh as synthetic
effects (tests/effects/classify_synthetic.py) and classified on real faces, adults and children.

Eight faces: five adults (dark to light skin, one busy background) and the three children of
the quick set (one colour, two black-and-white photos).
"""

from __future__ import annotations

import classify_synthetic as synth
import pytest
from classify_faces import FACES, detector  # noqa: F401  (the shared module-scoped fixture)

from camera_app.tracking.tracker import FaceTracker
from effects.classification import Category, Change, ClassificationResult
from effects.classify import ReferenceSet, classify, load_reference

ADULTS = ("us_congress_C000714.jpg", "us_congress_B001287.jpg", "us_congress_H001056.jpg",
          "us_congress_M001160.jpg", "nasa_astronaut_eileen_collins.jpg")
CHILDREN = ("documerica_543863_child.jpg", "fsaowi_LC-USW3-015163_schoolboy_center.jpg",
            "fsaowi_LC-USF34-029514_4h_youth.jpg")


@pytest.fixture(scope="module")
def reference(detector: FaceTracker) -> ReferenceSet:
    return load_reference(FACES, detector).subset(ADULTS + CHILDREN)


def _altering(result: ClassificationResult) -> dict[Change, float]:
    return {r.change: r.median for r in result.reasons if r.altering}


def test_a_light_local_blush_with_a_thin_liner_is_makeup(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.local_blush_and_liner(), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    assert Change.ADDS_MAKEUP in _altering(result)
    assert any("colour on the" in n for n in result.notes), result.notes


def test_brow_darkening_is_makeup_on_the_brows(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.brow_darkening(), reference, detector)
    assert _altering(result).keys() == {Change.ADDS_MAKEUP}
    assert any("colour on the brows (darker)" in n for n in result.notes), result.notes


def test_light_smoothing_losing_15_to_20_percent_of_detail_is_altering(
    reference: ReferenceSet, detector: FaceTracker
) -> None:
    result = classify(synth.skin_soften(0.2), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    loss = _altering(result)[Change.SMOOTHS_SKIN]
    assert 12.0 <= loss <= 22.0, f"the sweep point meant 15-20% detail loss, measured {loss}"


def test_a_stack_of_three_subtle_changes_is_altering(reference: ReferenceSet, detector: FaceTracker) -> None:
    stack = synth.SyntheticStack("no_makeup_makeup", (
        synth.skin_soften(0.12), synth.lip_tint(opacity=0.2), synth.local_blush_and_liner(blush=0.15, liner=0.0)))
    result = classify(stack, reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING, result


@pytest.mark.parametrize("colour", [(245, 243, 238), (40, 190, 70)], ids=["white", "green"])
def test_opaque_unnatural_face_paint_is_playful(
    reference: ReferenceSet, detector: FaceTracker, colour: tuple[int, int, int]
) -> None:
    result = classify(synth.paint(colour), reference, detector)
    assert result.category is Category.PLAYFUL, result
    assert Change.SMOOTHS_SKIN not in {r.change for r in result.reasons}, "detail under the paint is the paint"
    assert any("face paint" in n for n in result.notes)


def test_glitter_is_playful_and_reported_as_added_content(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.glitter(), reference, detector)
    assert result.category is Category.PLAYFUL, result
    assert Change.ADDS_OVERLAY in {r.change for r in result.reasons}


@pytest.mark.parametrize("effect", [synth.eye_scale(1.035), synth.nose_scale(0.96)], ids=["eyes+3.5%", "nose-4%"])
def test_small_feature_changes_on_childrens_faces_are_altering(
    detector: FaceTracker, effect: synth.Synthetic
) -> None:
    children = load_reference(FACES, detector).subset(CHILDREN)
    result = classify(effect, children, detector)
    assert result.category is Category.APPEARANCE_ALTERING, result


@pytest.mark.parametrize("gain", [(1.06, 1.05, 1.04), (0.97, 0.93, 0.9)], ids=["lighter", "warmer"])
def test_skin_tone_shifts_of_2_to_4_de_are_altering(
    reference: ReferenceSet, detector: FaceTracker, gain: tuple[float, float, float]
) -> None:
    result = classify(synth.skin_shift(gain), reference, detector)
    de = _altering(result)[Change.SHIFTS_SKIN_TONE]
    assert 2.0 <= de <= 4.5, de


def test_declared_appearance_altering_is_a_floor_and_playful_is_never_trusted(
    reference: ReferenceSet, detector: FaceTracker
) -> None:
    honest = synth.Synthetic("says_altering", synth.identity().fn, declared=Category.APPEARANCE_ALTERING)
    result = classify(honest, reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    assert "declared category is kept" in result.notes[0] and "floor" in result.notes[0]
    liar = synth.Synthetic("says_playful", synth.brow_darkening().fn, declared=Category.PLAYFUL)
    assert classify(liar, reference, detector).category is Category.APPEARANCE_ALTERING


def test_a_change_under_the_lines_is_reported_with_its_line(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.skin_soften(0.05), reference, detector)
    assert result.category is Category.PLAYFUL and result.reasons == ()
    under = [n for n in result.notes if n.startswith("measured under the line: skin detail -")]
    assert under and under[0].endswith("% line"), result.notes
