"""The ONNX age model: input encoding, determinism, batching, and what it says on the reference faces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from age_faces import CONGRESS_PREFIX, age_model, face_samples

from age_estimation.align import align_face
from age_estimation.model import AgeModel, AgeModelError, AgeModelOptions, chips_to_tensor
from age_estimation.prediction import (
    CLASS_AGES_YEARS,
    MIN_HALF_RANGE_YEARS,
    PredictionError,
    prediction_from_probabilities,
)
from camera_app.models import model_path

# What the model says on the reference faces (measured with this alignment, printed by
# `safelens age estimate assets/faces/*.jpg`):
# - every adult portrait comes out between 26.7 and 80 years, P(<18) at most 0.10 ...
# - ... except us_congress_M001160 (a woman in her sixties), estimated at about 9 years with
#   P(<18) 0.93: a gross error on a dark-skinned adult face, kept here as a known failure.
# - documerica child: ~6 years, P(<13) ~1.0; schoolboy_left: ~13.5 years.
# - schoolboy_center, schoolboy_right (1940s grainy crops) and the 4-H youth: ~26 years,
#   the over-estimation of young faces the model card warns about.
KNOWN_ADULT_FAILURE = "us_congress_M001160.jpg"
OVERESTIMATED_MINORS = frozenset(
    {
        "fsaowi_LC-USW3-015163_schoolboy_center.jpg",
        "fsaowi_LC-USW3-015163_schoolboy_right.jpg",
        "fsaowi_LC-USF34-029514_4h_youth.jpg",
    }
)


def _chip(name: str) -> np.ndarray:
    sample = face_samples()[name]
    return align_face(sample.rgb, sample.landmarks)


def _predict_all() -> dict[str, object]:
    names = sorted(face_samples())
    chips = np.stack([_chip(n) for n in names])
    return dict(zip(names, age_model().predict(chips)))


def test_input_encoding_matches_the_model_card() -> None:
    chip = np.zeros((1, 64, 64, 3), np.uint8)
    chip[..., 0], chip[..., 1], chip[..., 2] = 123, 117, 104
    chip[0, 5, 7] = (255, 0, 10)
    tensor = chips_to_tensor(chip)
    assert tensor.shape == (1, 3, 64, 64) and tensor.dtype == np.float32
    assert tensor[0, :, 0, 0] == pytest.approx([(123 - 122.781998) / 256, (117 - 117.000999) / 256, (104 - 104.297997) / 256], abs=1e-7)
    assert tensor[0, :, 5, 7] == pytest.approx([(255 - 122.781998) / 256, -117.000999 / 256, (10 - 104.297997) / 256], abs=1e-7)


def test_same_chip_gives_the_same_age() -> None:
    chip = _chip("usnavy_grace_hopper.jpg")[None]
    first = age_model().probabilities(chip)
    for _ in range(3):
        assert np.array_equal(age_model().probabilities(chip), first)
    # A fresh session over the same file agrees too.
    with AgeModel(AgeModelOptions(model_path("age"))) as other:
        assert np.array_equal(other.probabilities(chip), first)


def test_batch_equals_single() -> None:
    names = sorted(face_samples())[:11]
    chips = np.stack([_chip(n) for n in names])
    batched = age_model().probabilities(chips)  # runs as batches of 8 + 3
    single = np.concatenate([age_model().probabilities(c[None]) for c in chips])
    assert np.abs(batched - single).max() < 1e-5
    for b, s in zip(age_model().predict(chips), (age_model().predict(c[None])[0] for c in chips)):
        assert b.expected_years == pytest.approx(s.expected_years, abs=1e-3)


def test_optimisation_levels_agree() -> None:
    chips = np.stack([_chip(n) for n in sorted(face_samples())[:4]])
    with AgeModel(AgeModelOptions(model_path("age"), graph_optimization="disable_all")) as plain:
        assert np.abs(plain.probabilities(chips) - age_model().probabilities(chips)).max() < 1e-4


def test_empty_batch() -> None:
    assert age_model().predict(np.zeros((0, 64, 64, 3), np.uint8)) == []


def test_adult_portraits_come_out_adult() -> None:
    predictions = _predict_all()
    adults = [n for n, s in face_samples().items() if s.is_adult and n != KNOWN_ADULT_FAILURE]
    assert len([n for n in adults if n.startswith(CONGRESS_PREFIX)]) == 26
    for name in adults:
        p = predictions[name]
        assert p.expected_years >= 25.0, (name, p.expected_years)
        assert p.p_under_18 < 0.15, (name, p.p_under_18)
        assert p.p_under_13 < 0.15, (name, p.p_under_13)


def test_known_failure_an_adult_taken_for_a_child() -> None:
    """If this starts failing, the model or the alignment changed: update the notes above."""
    p = _predict_all()[KNOWN_ADULT_FAILURE]
    assert p.expected_years < 13.0 and p.p_under_18 > 0.8


def test_child_photos_come_out_young_or_over_estimated_as_known() -> None:
    predictions = _predict_all()
    child = predictions["documerica_543863_child.jpg"]
    assert child.expected_years < 10.0 and child.p_under_13 > 0.9
    boy = predictions["fsaowi_LC-USW3-015163_schoolboy_left.jpg"]
    assert boy.expected_years < 16.0 and boy.p_under_18 > 0.5
    for name in OVERESTIMATED_MINORS:
        p = predictions[name]
        # Over-estimated into the twenties, but still below the oldest challenge age (28).
        assert 20.0 <= p.expected_years < 28.0, (name, p.expected_years)


def test_prediction_summary_is_consistent() -> None:
    for name, p in _predict_all().items():
        assert p.low_years <= p.expected_years - min(MIN_HALF_RANGE_YEARS, p.expected_years) + 1e-9, name
        assert p.high_years >= p.expected_years + MIN_HALF_RANGE_YEARS - 1e-9, name
        assert 0.0 <= p.p_under_13 <= p.p_under_18 <= 1.0
        assert p.expected_years == pytest.approx(float(p.probabilities @ CLASS_AGES_YEARS))
        assert not p.probabilities.flags.writeable


def test_prediction_summary_of_a_known_distribution() -> None:
    probs = np.zeros(81)
    probs[10] = 0.5  # 10 years
    probs[20] = 0.5  # 20 years
    p = prediction_from_probabilities(probs)
    assert p.expected_years == pytest.approx(15.0)
    assert (p.p_under_18, p.p_under_13) == (0.5, 0.5)
    assert (p.low_years, p.high_years) == (10.0, 20.0)
    assert p.mode_years == 10.0


def test_bad_probabilities_are_refused() -> None:
    with pytest.raises(PredictionError, match=r"expected shape \(81,\), found \(80,\)"):
        prediction_from_probabilities(np.full(80, 1 / 80))
    with pytest.raises(PredictionError, match="summing to 1, found sum 2.000000"):
        prediction_from_probabilities(np.full(81, 2 / 81))


def test_bad_chips_and_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AgeModelError, match=r"chips: expected an \(N, 64, 64, 3\) uint8 array, found \(1, 32, 32, 3\) uint8"):
        age_model().predict(np.zeros((1, 32, 32, 3), np.uint8))
    with pytest.raises(AgeModelError, match=r"found \(64, 64, 3\) uint8"):
        age_model().predict(np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(AgeModelError, match="graph_optimization: expected one of disable_all, basic, extended, all, found 'max'"):
        AgeModelOptions(model_path("age"), graph_optimization="max")
    with pytest.raises(AgeModelError, match="threads: expected an int >= 1, found 0"):
        AgeModelOptions(model_path("age"), threads=0)
    missing = tmp_path / "none.onnx"
    with pytest.raises(AgeModelError, match="none.onnx: the age model file is missing"):
        AgeModel(AgeModelOptions(missing))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(AgeModelError, match="junk.onnx: onnxruntime cannot load the model"):
        AgeModel(AgeModelOptions(junk))


def test_closed_model_refuses_work() -> None:
    model = AgeModel(AgeModelOptions(model_path("age")))
    model.close()
    with pytest.raises(AgeModelError, match=r"used after close\(\)"):
        model.predict(np.zeros((1, 64, 64, 3), np.uint8))
