"""The age worker: the frame path only posts to a one-slot mailbox; the model runs elsewhere.

No test here asserts a duration. "The frame thread is never slowed" is checked
structurally: with the model blocked mid-inference, the frame thread still completes
every submit (a thread that blocked would never finish), and the model was entered once.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from age_faces import face_samples, peaked

from age_estimation.aggregate import AggregatorOptions
from age_estimation.calibration import AgeCalibration
from age_estimation.prediction import AgePrediction
from age_estimation.worker import AgeEstimator, AgeEstimatorError, AgeEstimatorOptions

LIVENESS_TIMEOUT_S = 30.0  # only guards against a hang; never a performance bound


class GreyToAge:
    """A fake model: the age is the chip's mean grey level / 4 (a 120-grey face is 30 years).

    ``gate``, when given, holds every call until it is set; ``calls`` counts entries.
    """

    def __init__(self, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.gate = gate
        self.fail = fail
        self.calls = 0
        self.batch_sizes: list[int] = []
        self.entered = threading.Event()

    def predict(self, chips: np.ndarray) -> list[AgePrediction]:
        self.calls += 1
        self.batch_sizes.append(len(chips))
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(LIVENESS_TIMEOUT_S)
        if self.fail:
            raise RuntimeError("model exploded")
        return [peaked(float(c.mean()) / 4.0) for c in chips]


def _frame(greys: list[int], width: int = 900) -> tuple[np.ndarray, list[np.ndarray]]:
    """A read-only frame with one uniform grey panel per face and landmarks placing a face in each."""
    base = face_samples()["us_congress_S000480.jpg"].landmarks
    panel = width // len(greys)
    rgb = np.zeros((300, width, 3), np.uint8)
    faces = []
    for i, grey in enumerate(greys):
        rgb[:, i * panel : (i + 1) * panel] = grey
        lm = base.copy()
        lm[:, 0] += i * panel + (panel - 225) / 2
        faces.append(lm)
    rgb.flags.writeable = False
    return rgb, faces


def _signal_age(grey: int) -> float:
    return peaked(grey / 4.0).expected_years


def test_a_blocked_model_does_not_block_the_frame_thread() -> None:
    gate = threading.Event()
    model = GreyToAge(gate)
    rgb, faces = _frame([120])
    results: list[bool] = []
    with AgeEstimator(model, AgeEstimatorOptions(cadence_ms=99)) as est:

        def frame_thread() -> None:
            for i in range(60):  # two seconds of 30 fps video
                results.append(est.submit(rgb, [(1, faces[0])], i * 33))

        assert est.submit(rgb, [(1, faces[0])], -1000)  # the model takes this one and blocks
        assert model.entered.wait(LIVENESS_TIMEOUT_S)
        frames = threading.Thread(target=frame_thread)
        frames.start()
        frames.join(LIVENESS_TIMEOUT_S)
        assert not frames.is_alive(), "submit blocked while the model was busy"
        assert len(results) == 60 and model.calls == 1
        # Every third frame (99 ms) a job was posted; each replaced the one before (one-slot mailbox).
        assert sum(results) == 20
        assert est.stats.jobs_replaced == 19
        gate.set()
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        assert model.calls == 2  # the blocked job, then only the newest pending one
        signal = est.latest(1)
        assert signal is not None and signal.last_timestamp_ms == 57 * 33
        assert signal.estimate_years == pytest.approx(_signal_age(120), abs=0.5)


def test_cadence_per_track() -> None:
    model = GreyToAge()
    rgb, faces = _frame([120, 40])
    with AgeEstimator(model, AgeEstimatorOptions(cadence_ms=300)) as est:
        posted = []
        for t in (0, 100, 200, 300, 350, 600):
            tracks = [(1, faces[0])] + ([(2, faces[1])] if t >= 350 else [])
            posted.append(est.submit(rgb, tracks, t))
            assert est.wait_idle(LIVENESS_TIMEOUT_S)
        # Track 1 at 0, 300, 600; track 2 new at 350 (due at once), then not again before 650.
        assert posted == [True, False, False, True, True, True]
        assert model.batch_sizes == [1, 1, 1, 1]
        one, two = est.latest(1), est.latest(2)
        assert one is not None and one.samples == 3
        assert two is not None and two.samples == 1  # a new track starts fresh
        assert one.estimate_years == pytest.approx(_signal_age(120), abs=0.5)
        assert two.estimate_years == pytest.approx(_signal_age(40), abs=0.5)


def test_several_faces_run_as_one_batch_up_to_max_faces() -> None:
    model = GreyToAge()
    greys = [20, 60, 100, 140, 180, 220]
    rgb, faces = _frame(greys, width=6 * 300)
    with AgeEstimator(model, AgeEstimatorOptions(max_faces=4)) as est:
        est.submit(rgb, list(enumerate(faces)), 0)
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        est.submit(rgb, list(enumerate(faces)), 33)  # the two left out are due now
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        assert model.batch_sizes == [4, 2]
        for track_id, grey in enumerate(greys):
            signal = est.latest(track_id)
            assert signal is not None and signal.estimate_years == pytest.approx(_signal_age(grey), abs=0.5)


def test_tracks_not_seen_are_forgotten_on_both_sides() -> None:
    model = GreyToAge()
    rgb, faces = _frame([120])
    options = AgeEstimatorOptions(cadence_ms=300, aggregator=AggregatorOptions(forget_after_ms=1000))
    with AgeEstimator(model, options) as est:
        est.submit(rgb, [(5, faces[0])], 0)
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        assert est.latest(5) is not None
        for t in range(300, 1300, 100):  # the face has left the picture
            est.submit(rgb, [], t)
            assert est.wait_idle(LIVENESS_TIMEOUT_S)
        assert est.latest(5) is None and dict(est.signals()) == {}
        # Coming back with the same id is a new track.
        est.submit(rgb, [(5, faces[0])], 1400)
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        signal = est.latest(5)
        assert signal is not None and signal.samples == 1


def test_calibration_is_applied_only_when_configured() -> None:
    rgb, faces = _frame([120])
    shift = AgeCalibration((0.0, 86.0), (-6.0, 80.0), samples=10)
    for calibration, offset in ((None, 0.0), (shift, -6.0)):
        with AgeEstimator(GreyToAge(), AgeEstimatorOptions(calibration=calibration)) as est:
            est.submit(rgb, [(1, faces[0])], 0)
            assert est.wait_idle(LIVENESS_TIMEOUT_S)
            signal = est.latest(1)
            assert signal is not None and signal.calibrated == (calibration is not None)
            assert signal.estimate_years == pytest.approx(_signal_age(120) + offset, abs=0.5)


def test_a_failing_model_is_reported_on_the_frame_thread() -> None:
    rgb, faces = _frame([120])
    with AgeEstimator(GreyToAge(fail=True)) as est:
        est.submit(rgb, [(1, faces[0])], 0)
        assert not est.wait_idle(LIVENESS_TIMEOUT_S)
        with pytest.raises(AgeEstimatorError, match="the age worker stopped after an error: RuntimeError\\('model exploded'\\)"):
            est.submit(rgb, [(1, faces[0])], 400)


def test_frame_path_input_is_checked() -> None:
    rgb, faces = _frame([120])
    with AgeEstimator(GreyToAge()) as est:
        writable = np.zeros((300, 900, 3), np.uint8)
        with pytest.raises(AgeEstimatorError, match="rgb: expected a read-only array"):
            est.submit(writable, [(1, faces[0])], 0)
        with pytest.raises(AgeEstimatorError, match=r"rgb: expected an \(H, W, 3\) uint8 array, found \(300, 900\) uint8"):
            est.submit(np.zeros((300, 900), np.uint8), [], 0)
        with pytest.raises(AgeEstimatorError, match=r"tracks\[1\]: expected \(478, 3\) landmarks in pixels, found \(5, 2\)"):
            est.submit(rgb, [(1, np.zeros((5, 2)))], 0)
    with pytest.raises(AgeEstimatorError, match="not running"):
        est.submit(rgb, [], 0)


def test_a_degenerate_face_is_counted_not_fatal() -> None:
    rgb, faces = _frame([120, 40])
    collapsed = np.zeros_like(faces[1])
    with AgeEstimator(GreyToAge()) as est:
        est.submit(rgb, [(1, faces[0]), (2, collapsed)], 0)
        assert est.wait_idle(LIVENESS_TIMEOUT_S)
        assert est.latest(1) is not None and est.latest(2) is None
        assert est.stats.alignment_failures == 1 and est.stats.faces_estimated == 1
