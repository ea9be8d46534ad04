"""The classifier end to end: synthetic effects (tests/effects/classify_synthetic.py, OpenCV)
applied to real public-domain faces, landmarks re-detected with MediaPipe.

Six faces keep it quick: dark, medium and light skin, a black-and-white adult and a
black-and-white minor (the rule must hold on children's faces too).
"""

from __future__ import annotations

from pathlib import Path

import classify_synthetic as synth
import numpy as np
import pytest
from classify_faces import FACES, detector  # noqa: F401  (the shared module-scoped fixture)

from camera_app.tracking.tracker import FaceTracker
from effects.classification import Category, Change
from effects.classify import (
    QUICK_FACES,
    ClassifyError,
    ReferenceError,
    ReferenceSet,
    assess,
    classify,
    load_reference,
)

REPO = Path(__file__).resolve().parents[2]
TEST_FACES = (
    "us_congress_C000714.jpg",
    "us_congress_B001287.jpg",
    "us_congress_H001056.jpg",
    "us_congress_M001160.jpg",
    "fsaowi_LC-USF33-012762_elderly_man.jpg",
    "fsaowi_LC-USF34-029514_4h_youth.jpg",
)


@pytest.fixture(scope="module")
def reference(detector: FaceTracker) -> ReferenceSet:
    return load_reference(FACES, detector).subset(TEST_FACES)


def _altering(result: object) -> set[Change]:
    return {r.change for r in result.reasons if r.altering}  # type: ignore[attr-defined]


def test_an_effect_that_does_nothing_is_playful_with_no_reasons(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.identity(), reference, detector)
    assert result.category is Category.PLAYFUL
    assert result.reasons == ()
    assert result.confidence == 1.0


def test_a_10_percent_eye_scale_is_altering(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.eye_scale(1.10), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    (reason,) = result.reasons
    assert reason.change is Change.ENLARGES_EYES and reason.altering
    assert 7.0 <= reason.median <= 11.0, reason
    assert reason.low <= reason.median <= reason.high and reason.n_faces == len(TEST_FACES)


def test_a_50_percent_eye_scale_is_playful(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.eye_scale(1.50), reference, detector)
    assert result.category is Category.PLAYFUL
    assert [r.change for r in result.reasons] == [Change.EXAGGERATED_DISTORTION]
    assert result.reasons[0].median > 35.0
    assert any("far beyond a plausible change" in n for n in result.notes)


def test_sticker_ears_are_playful_and_sit_on_the_head(reference: ReferenceSet, detector: FaceTracker) -> None:
    a = assess(synth.sticker_ears(), reference, detector)
    assert a.result.category is Category.PLAYFUL
    assert [r.change for r in a.result.reasons] == [Change.ADDS_OVERLAY]
    assert 0.05 < a.result.reasons[0].median < 0.3
    assert all(row["overlay.head"] > 0.9 for row in a.whole.per_face)


def test_skin_blur_is_altering(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.skin_blur(), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    assert _altering(result) == {Change.SMOOTHS_SKIN}
    assert result.reasons[0].median >= 40.0


def test_whole_frame_sepia_is_playful(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.sepia(), reference, detector)
    assert result.category is Category.PLAYFUL
    assert [r.change for r in result.reasons] == [Change.STYLISES_WHOLE_FRAME]


def test_a_face_only_tan_is_altering(reference: ReferenceSet, detector: FaceTracker) -> None:
    result = classify(synth.face_tan(), reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING
    assert _altering(result) == {Change.SHIFTS_SKIN_TONE}
    assert result.reasons[0].median >= 4.0 and result.reasons[0].unit == "dE"


def test_a_stack_is_altering_if_any_part_is(reference: ReferenceSet, detector: FaceTracker) -> None:
    stack = synth.SyntheticStack("film_look_and_tan", (synth.sepia(), synth.face_tan()))
    a = assess(stack, reference, detector)
    assert a.whole.decision.category is Category.PLAYFUL, "the whole reads as a film look"
    assert [p.label for p in a.parts] == ["sepia", "face_tan"]
    assert a.result.category is Category.APPEARANCE_ALTERING
    assert _altering(a.result) == {Change.SHIFTS_SKIN_TONE}
    assert any("part face_tan applied alone" in n for n in a.result.notes)


def test_parts_are_not_measured_when_the_whole_is_already_altering(
    reference: ReferenceSet, detector: FaceTracker
) -> None:
    stack = synth.SyntheticStack("blur_and_ears", (synth.skin_blur(), synth.sticker_ears()))
    a = assess(stack, reference, detector)
    assert a.result.category is Category.APPEARANCE_ALTERING and a.parts == ()
    assert {r.change for r in a.result.reasons} == {Change.SMOOTHS_SKIN, Change.ADDS_OVERLAY}


def test_the_measurement_wins_over_the_declared_category(reference: ReferenceSet, detector: FaceTracker) -> None:
    blur = synth.skin_blur()
    declared = synth.Synthetic("beauty_says_playful", blur.fn, declared=Category.PLAYFUL)
    result = classify(declared, reference, detector)
    assert result.category is Category.APPEARANCE_ALTERING and result.declared is Category.PLAYFUL
    assert result.declared_disagrees
    assert result.notes[0] == "declared playful, measured appearance_altering: the measurement decides"
    honest = classify(synth.Synthetic("ears", synth.sticker_ears().fn, declared=Category.PLAYFUL), reference, detector)
    assert not honest.declared_disagrees and not any("measurement decides" in n for n in honest.notes)


def test_same_input_same_report(reference: ReferenceSet, detector: FaceTracker) -> None:
    first = classify(synth.lip_tint(), reference, detector)
    second = classify(synth.lip_tint(), reference, detector)
    assert first == second
    assert first.category is Category.APPEARANCE_ALTERING and _altering(first) == {Change.TINTS_LIPS}


def test_progress_counts_every_face(reference: ReferenceSet, detector: FaceTracker) -> None:
    seen: list[tuple[int, int]] = []
    assess(synth.identity(), reference, detector, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(TEST_FACES), len(TEST_FACES)) and len(seen) >= len(TEST_FACES)


def test_an_effect_returning_a_bad_frame_is_named(reference: ReferenceSet, detector: FaceTracker) -> None:
    broken = synth.Synthetic("broken", lambda rgb, tracks: rgb[:, :, :1])
    with pytest.raises(ClassifyError, match=r"broken: on us_congress_C000714\.jpg expected an \(275, 225, 3\) uint8 "
                       r"frame, found \(275, 225, 1\) uint8"):
        classify(broken, reference, detector)


def test_quick_subset_is_fixed_and_mixes_adults_and_minors(detector: FaceTracker) -> None:
    everything = load_reference(FACES, detector)
    assert len(everything) == 38 and everything.undetected == ()
    quick = everything.quick()
    assert [f.name for f in quick.faces] == list(QUICK_FACES) and quick.label == "quick"
    assert sum(f.minor for f in quick.faces) == 3
    assert sum(f.greyscale for f in quick.faces) == 3
    lightness = [f.skin_lightness for f in quick.faces if not f.greyscale]
    assert max(lightness) - min(lightness) > 30, "skin from dark to light"
    assert load_reference(FACES, detector) is everything, "landmarks are detected once per process"


def test_minors_are_known_and_kept_off_sheets(detector: FaceTracker) -> None:
    faces = {f.name: f for f in load_reference(FACES, detector).faces}
    minors = {n for n, f in faces.items() if f.minor}
    assert minors == {
        "fsaowi_LC-USW3-015163_schoolboy_center.jpg", "fsaowi_LC-USW3-015163_schoolboy_left.jpg",
        "fsaowi_LC-USW3-015163_schoolboy_right.jpg", "fsaowi_LC-USF34-029514_4h_youth.jpg",
        "documerica_543863_child.jpg",
    }
    # Cropped from the same photo as the child: kept off contact sheets as well.
    assert not faces["documerica_543863_older_girl.jpg"].sheet_ok
    assert faces["us_congress_C000714.jpg"].sheet_ok


def test_reference_folder_errors_name_the_file(tmp_path: Path, detector: FaceTracker) -> None:
    with pytest.raises(ReferenceError, match=f"{tmp_path / 'nope'}: expected a folder of face photos"):
        load_reference(tmp_path / "nope", detector)
    (tmp_path / "manifest.csv").write_text("file,notes\nmissing.jpg,\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match=r"manifest\.csv: line 2: file: expected an image in .*, found 'missing\.jpg'"):
        load_reference(tmp_path, detector)
    (tmp_path / "manifest.csv").unlink()
    (tmp_path / "not_an_image.jpg").write_bytes(b"hello")
    with pytest.raises(ReferenceError, match=r"not_an_image\.jpg: cannot be read as an image"):
        load_reference(tmp_path, detector)


def test_a_folder_without_manifest_has_no_known_minors(tmp_path: Path, detector: FaceTracker) -> None:
    import shutil

    for name in TEST_FACES[:2]:
        shutil.copy(FACES / name, tmp_path / name)
    ref = load_reference(tmp_path, detector)
    assert len(ref) == 2 and not ref.minors_known and not any(f.minor for f in ref.faces)


def test_the_outputs_kept_are_the_whole_effects(reference: ReferenceSet, detector: FaceTracker) -> None:
    a = assess(synth.sepia(), reference, detector)
    assert len(a.outputs) == len(TEST_FACES)
    expected = synth.sepia().apply(reference.faces[0].rgb, [reference.faces[0].track])
    assert np.array_equal(a.outputs[0], expected)


def test_spec_effects_offer_their_ops_as_parts() -> None:
    import effects.ops  # noqa: F401
    from effects.classify.adapters import SpecEffect
    from effects.spec import load_effect

    builtin = REPO / "assets" / "effects"
    glam = SpecEffect(load_effect(builtin / "glam"))
    labels = [p.id for p in glam.parts()]
    assert len(labels) == len(glam.specs[0].ops) and labels[0] == "glam ops[0] smooth_skin"
    assert SpecEffect(load_effect(builtin / "eye_enlarge")).parts() == []
    stack = SpecEffect([load_effect(builtin / "vintage_film"), load_effect(builtin / "skin_tan")])
    assert stack.id == "vintage_film+skin_tan" and stack.declared is Category.APPEARANCE_ALTERING
    assert SpecEffect([load_effect(builtin / "comic"), load_effect(builtin / "sparkles")]).declared is Category.PLAYFUL
