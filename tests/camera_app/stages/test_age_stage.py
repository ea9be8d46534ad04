"""The age stage in the pipeline: frames pass unchanged, signals appear per track."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from age_estimation.calibration import AgeCalibration
from age_estimation.prediction import CLASS_AGES_YEARS, AgePrediction, prediction_from_probabilities
from camera_app.stages.age import AgeStage, AgeStageError, AgeStageOptions
from camera_app.runtime.pipeline import Pipeline
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.tracking.tracker import FaceTracker

LIVENESS_TIMEOUT_S = 30.0


class FixedAge:
    """A fake model that sees everyone as ``age_years``."""

    def __init__(self, age_years: float) -> None:
        p = np.exp(-0.5 * ((CLASS_AGES_YEARS - age_years) / 2.0) ** 2)
        self.prediction = prediction_from_probabilities(p / p.sum())

    def predict(self, chips: np.ndarray) -> list[AgePrediction]:
        return [self.prediction] * len(chips)


def _run_demo(stage: AgeStage, frames: int) -> list:
    source = DemoSource(DemoOptions(resolution="480p", paced=False, max_frames=frames))
    with FaceTracker() as tracker:
        out = list(Pipeline(tracker, [stage]).run(source))
    assert stage.estimator.wait_idle(LIVENESS_TIMEOUT_S)
    return out


def test_live_estimate_on_the_demo_feed_with_the_real_model() -> None:
    with AgeStage() as stage:
        processed = _run_demo(stage, frames=30)  # one second of video
        for item in processed:
            assert item.output.pixels is item.input.pixels  # the stage never touches pixels
        track_ids = {t.track_id for item in processed for t in item.input.tracks}
        assert len(track_ids) == 1
        signal = stage.latest(track_ids.pop())
        assert signal is not None and signal.samples >= 1
        # The demo's default face (an adult, estimated 22-37 frame by frame) comes out adult.
        assert signal.estimate_years > 18.0 and signal.p_under_18 < 0.5


def test_signals_and_challenge_age_with_a_fake_model() -> None:
    with AgeStage(AgeStageOptions(challenge_age_years=25), model=FixedAge(22.0)) as stage:
        processed = _run_demo(stage, frames=10)
        last = processed[-1].input
        signals = stage.signals_for(last)
        (track_id,) = signals
        assert signals[track_id].estimate_years == pytest.approx(22.0, abs=0.1)
        assert stage.possibly_under_18(track_id) is True
        assert stage.possibly_under_18(track_id + 100) is None
    with AgeStage(AgeStageOptions(challenge_age_years=21), model=FixedAge(22.0)) as stage:
        processed = _run_demo(stage, frames=10)
        (track_id,) = stage.signals_for(processed[-1].input)
        assert stage.possibly_under_18(track_id) is False


def test_calibration_file_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    AgeCalibration((0.0, 86.0), (-6.0, 80.0), samples=50).save(path)
    with AgeStage(AgeStageOptions(calibration_path=path), model=FixedAge(30.0)) as stage:
        processed = _run_demo(stage, frames=5)
        (signal,) = stage.signals_for(processed[-1].input).values()
        assert signal.calibrated and signal.estimate_years == pytest.approx(24.0, abs=0.1)


def test_bad_options() -> None:
    with pytest.raises(AgeStageError, match="challenge_age_years: expected a number in \\[18, 40\\], found 12"):
        AgeStageOptions(challenge_age_years=12)
