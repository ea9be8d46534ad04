"""The age estimator as a pipeline stage.

``AgeStage.process`` hands each frame's pixels and face landmarks to the
``age_estimation`` worker (a non-blocking submit) and returns the frame unchanged; the
latest aggregated signal of each track is read with ``latest(track_id)`` or
``signals_for(frame)`` by whatever decides the policy. The stage owns the model and the
worker: use it as a context manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from age_estimation.aggregate import AgeSignal
from age_estimation.calibration import AgeCalibration
from age_estimation.model import AgeModel, AgeModelOptions
from age_estimation.prediction import AgePredictor
from age_estimation.worker import AgeEstimator, AgeEstimatorOptions
from camera_app.frame import Frame
from camera_app.models import model_path

DEFAULT_CHALLENGE_AGE_YEARS = 25.0


class AgeStageError(ValueError):
    """Bad AgeStage options."""


@dataclass(frozen=True, slots=True)
class AgeStageOptions:
    """``challenge_age_years``: an estimate below it means "possibly under 18" (default 25).
    ``calibration_path``: a JSON map from ``safelens age eval --fit-calibration`` (None: raw model).
    ``model_path``: the ONNX file (None: the vendored, hash-checked age model)."""

    challenge_age_years: float = DEFAULT_CHALLENGE_AGE_YEARS
    estimator: AgeEstimatorOptions = field(default_factory=AgeEstimatorOptions)
    calibration_path: Path | None = None
    model_path: Path | None = None
    graph_optimization: str = "all"

    def __post_init__(self) -> None:
        age = self.challenge_age_years
        if isinstance(age, bool) or not isinstance(age, (int, float)) or not 18.0 <= age <= 40.0:
            raise AgeStageError(f"AgeStageOptions.challenge_age_years: expected a number in [18, 40], found {age!r}")
        if self.estimator.calibration is not None and self.calibration_path is not None:
            raise AgeStageError(
                "AgeStageOptions: give the calibration either as estimator.calibration or as calibration_path, not both"
            )


class AgeStage:
    """Pipeline stage ``"age"``: feeds the age worker, never waits for it."""

    name = "age"

    def __init__(self, options: AgeStageOptions | None = None, model: AgePredictor | None = None) -> None:
        """``model``: a predictor to use instead of loading the ONNX model (the caller closes it)."""
        self.options = options or AgeStageOptions()
        estimator_options = self.options.estimator
        if self.options.calibration_path is not None:
            calibration = AgeCalibration.load(self.options.calibration_path)
            estimator_options = AgeEstimatorOptions(
                cadence_ms=estimator_options.cadence_ms,
                max_faces=estimator_options.max_faces,
                aggregator=estimator_options.aggregator,
                calibration=calibration,
            )
        self._owned_model: AgeModel | None = None
        if model is None:
            path = self.options.model_path or model_path("age")
            self._owned_model = AgeModel(AgeModelOptions(path, graph_optimization=self.options.graph_optimization))
            model = self._owned_model
        self.estimator = AgeEstimator(model, estimator_options).start()

    def process(self, frame: Frame) -> Frame:
        tracks = [(t.track_id, t.landmarks_px) for t in frame.tracks]
        self.estimator.submit(frame.pixels, tracks, frame.timestamp_ms)
        return frame

    def take_notices(self) -> list[str]:
        return []  # nothing to tell the user

    def latest(self, track_id: int) -> AgeSignal | None:
        return self.estimator.latest(track_id)

    def signals_for(self, frame: Frame) -> dict[int, AgeSignal]:
        """The latest signal of each face in ``frame`` that has one."""
        out: dict[int, AgeSignal] = {}
        for track in frame.tracks:
            signal = self.estimator.latest(track.track_id)
            if signal is not None:
                out[track.track_id] = signal
        return out

    def possibly_under_18(self, track_id: int) -> bool | None:
        """At the configured challenge age; None while the track has no estimate yet."""
        signal = self.estimator.latest(track_id)
        return None if signal is None else signal.possibly_under(self.options.challenge_age_years)

    def close(self) -> None:
        self.estimator.close()
        if self._owned_model is not None:
            self._owned_model.close()
            self._owned_model = None

    def __enter__(self) -> AgeStage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
