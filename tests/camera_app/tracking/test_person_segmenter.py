"""The person segmenter: mask quality against hand-checked masks, never a NaN, edges that hold
still under sensor noise in VIDEO mode, typed errors, and one module that runs the model."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.tracking.segmenter import PersonSegmenter, SegmenterError, SegmenterOptions

REPO = Path(__file__).resolve().parents[3]
FACES = REPO / "assets" / "faces"
HAND_MASKS = REPO / "tests" / "data" / "person_masks"
# Measured with the vendored model: 0.931, 0.874 (black-and-white, a sail and rigging behind her)
# and 0.948 (0.931, 0.876, 0.948 with the first, colour guided filter). The hand outlines are traced on a 32-pixel grid, so a few pixels of every edge are
# the tracer's, not the model's.
MIN_IOU = 0.85
MIN_MEAN_IOU = 0.9


def _rgb(name: str) -> np.ndarray:
    bgr = cv2.imread(str(FACES / f"{name}.jpg"), cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(bgr[:, :, ::-1])


@pytest.fixture(scope="module")
def segmenter() -> PersonSegmenter:
    return PersonSegmenter()


def test_masks_match_the_hand_checked_masks(segmenter: PersonSegmenter) -> None:
    ious = {}
    for path in sorted(HAND_MASKS.glob("*.png")):
        hand = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127
        mask = segmenter.person_mask(_rgb(path.stem)) > 0.5
        ious[path.stem] = float((mask & hand).sum() / (mask | hand).sum())
    assert len(ious) == 3
    assert min(ious.values()) >= MIN_IOU, ious
    assert float(np.mean(list(ious.values()))) >= MIN_MEAN_IOU, ious


@pytest.mark.parametrize("shape", [(1, 1), (2, 500), (480, 640), (720, 405)])
@pytest.mark.parametrize("content", ["black", "white", "noise"])
def test_never_a_nan(segmenter: PersonSegmenter, shape: tuple[int, int], content: str) -> None:
    rng = np.random.default_rng(3)
    rgb = {"black": np.zeros((*shape, 3), np.uint8), "white": np.full((*shape, 3), 255, np.uint8),
           "noise": rng.integers(0, 256, (*shape, 3), dtype=np.uint8)}[content]
    for mode in ("image", "video"):
        seg = segmenter if mode == "image" else PersonSegmenter(SegmenterOptions(running_mode="video"))
        for _ in range(2):
            mask = seg.person_mask(rgb)
            assert mask.shape == shape and mask.dtype == np.float32
            assert np.all(np.isfinite(mask)) and float(mask.min()) >= 0.0 and float(mask.max()) <= 1.0


def _edge_change(seg: PersonSegmenter, rgb: np.ndarray, band: np.ndarray, frames: int = 14) -> float:
    """Mean frame-to-frame change of the mask on the edge band, on ``rgb`` with sensor noise."""
    rng = np.random.default_rng(11)
    previous, changes = None, []
    for i in range(frames):
        noisy = np.clip(rgb + rng.normal(0.0, 4.0, rgb.shape), 0, 255).astype(np.uint8)
        mask = seg.person_mask(noisy)
        if previous is not None and i >= 4:  # after the moving average has settled
            changes.append(float(np.abs(mask - previous)[band].mean()))
        previous = mask
    return float(np.mean(changes))


def test_edges_hold_still_under_sensor_noise(segmenter: PersonSegmenter) -> None:
    rgb = cv2.resize(_rgb("us_congress_C000714"), (450, 550), interpolation=cv2.INTER_CUBIC)
    clean = segmenter.person_mask(rgb)
    band = cv2.dilate(((clean > 0.1) & (clean < 0.9)).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert band.sum() > 1000
    still = _edge_change(segmenter, rgb, band)
    smoothed = _edge_change(PersonSegmenter(SegmenterOptions(running_mode="video", model_interval=2)), rgb, band)
    # Measured: 0.020 per frame without smoothing, 0.0064 with it (noise sigma 4 grey levels; the
    # fast guided filter at this small size follows the full-resolution grey frame, noise and all;
    # at 720p it works on the half-size frame: 0.019 and 0.0055, against 0.022 and 0.0061 for the
    # first, full colour guided filter).
    assert smoothed <= 0.5 * still, (smoothed, still)
    assert smoothed < 0.008


def test_video_mode_forgets_a_frame_of_another_size() -> None:
    seg = PersonSegmenter(SegmenterOptions(running_mode="video"))
    person = _rgb("us_congress_C000714")
    seg.person_mask(person)
    other = np.zeros((100, 60, 3), np.uint8)
    assert np.array_equal(seg.person_mask(other), PersonSegmenter().person_mask(other))


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32),
                                 np.zeros((4, 4, 4), np.uint8), "frame"])
def test_bad_input_is_a_typed_error(segmenter: PersonSegmenter, bad: object) -> None:
    with pytest.raises(SegmenterError, match="expected an"):
        segmenter.person_mask(bad)  # type: ignore[arg-type]  # the wrong kinds, on purpose


@pytest.mark.parametrize("options", [{"running_mode": "live"}, {"temporal_smoothing": 1.0},
                                     {"working_side_px": 10}, {"detail_side_px": 100}, {"guide_eps": 0.0},
                                     {"model_interval": 0}])
def test_bad_options_are_a_typed_error(options: dict[str, object]) -> None:
    with pytest.raises(SegmenterError):
        SegmenterOptions(**options)  # type: ignore[arg-type]  # the wrong values, on purpose


def test_a_closed_segmenter_refuses_work() -> None:
    with PersonSegmenter() as seg:
        pass
    with pytest.raises(SegmenterError, match="closed"):
        seg.person_mask(np.zeros((8, 8, 3), np.uint8))


def test_only_the_segmenter_runs_a_model_through_opencv() -> None:
    users = [p.relative_to(REPO).as_posix() for pkg in ("camera_app", "effects", "disclosure", "age_estimation",
                                                         "benchmarks")
             for p in (REPO / pkg).rglob("*.py") if re.search(r"cv2\.dnn|readNetFrom", p.read_text(encoding="utf-8"))]
    assert users == ["camera_app/tracking/segmenter.py"]


def test_a_reduced_model_rate_runs_the_model_on_every_second_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    seg = PersonSegmenter(SegmenterOptions(running_mode="video", model_interval=2))
    runs = []
    real = seg.low_res_mask

    def counted(rgb: np.ndarray) -> np.ndarray:
        runs.append(1)
        return real(rgb)

    monkeypatch.setattr(seg, "low_res_mask", counted)
    rgb = _rgb("us_congress_C000714")
    masks = [seg.person_mask(rgb) for _ in range(6)]
    assert len(runs) == 3
    assert all(np.all(np.isfinite(m)) for m in masks)
    seg.person_mask(np.zeros((50, 40, 3), np.uint8))  # a new size runs the model at once
    assert len(runs) == 4
