"""The vendored ONNX age model, run through onnxruntime on the CPU.

Graph optimisation level, chosen by measurement (onnxruntime 1.32, one intra-op and one
inter-op thread, sequential execution, AMD EPYC core of the 2-core dev machine, 150
interleaved rounds per level after 10 warm-up runs, median ms per face):

    level             batch 1   batch 4 (per face)
    ORT_DISABLE_ALL    1.46      1.23
    ORT_ENABLE_BASIC   1.39      1.17
    ORT_ENABLE_EXTENDED 1.38     1.16
    ORT_ENABLE_ALL     1.04      0.74

ORT_ENABLE_ALL is the fastest here (the model notes measured it slower elsewhere, so the
level stays an option); outputs differ from the unoptimised graph by < 4e-6. Batching
several faces in one run is cheaper per face.

This is the only module that imports onnxruntime.

Telemetry: onnxruntime 1.32's Linux/macOS wheels collect telemetry (1DS) from the moment
they are imported: a persistent device id in ``~/.cache/Microsoft/DeveloperTools/.onnxruntime``
and a queued "ProcessInfo" event (OS, CPU, container, network type, Python path) meant for
upload. SafeLens promises that nothing leaves the device, so ``ORT_DISABLE_TELEMETRY=1`` is
set before the import (onnxruntime reads it once, at initialisation; with it nothing is
created or sent). A value the user set is left as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before onnxruntime initialises

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnxruntime.capi import onnxruntime_pybind11_state as ort_state  # noqa: E402

from age_estimation.align import CHIP_SIZE_PX  # noqa: E402
from age_estimation.prediction import N_CLASSES, AgePrediction, prediction_from_probabilities  # noqa: E402

# Per-channel means (R, G, B) the model was trained with; input = (byte - mean) / 256.
CHANNEL_MEANS = np.array([122.781998, 117.000999, 104.297997], dtype=np.float32)
INPUT_SCALE = 1.0 / 256.0

GRAPH_OPTIMIZATION_LEVELS: dict[str, ort.GraphOptimizationLevel] = {
    "disable_all": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


class AgeModelError(RuntimeError):
    """The age model cannot be loaded or was given input of the wrong kind."""


@dataclass(frozen=True, slots=True)
class AgeModelOptions:
    """``model_path`` is the verified .onnx file (camera_app.models.model_path("age") gives it)."""

    model_path: Path
    threads: int = 1
    graph_optimization: str = "all"
    max_batch: int = 8

    def __post_init__(self) -> None:
        if not isinstance(self.model_path, Path):
            raise AgeModelError(f"AgeModelOptions.model_path: expected a pathlib.Path, found {type(self.model_path).__name__}")
        if not isinstance(self.threads, int) or isinstance(self.threads, bool) or self.threads < 1:
            raise AgeModelError(f"AgeModelOptions.threads: expected an int >= 1, found {self.threads!r}")
        if self.graph_optimization not in GRAPH_OPTIMIZATION_LEVELS:
            raise AgeModelError(
                f"AgeModelOptions.graph_optimization: expected one of {', '.join(GRAPH_OPTIMIZATION_LEVELS)}, "
                f"found {self.graph_optimization!r}"
            )
        if not isinstance(self.max_batch, int) or isinstance(self.max_batch, bool) or self.max_batch < 1:
            raise AgeModelError(f"AgeModelOptions.max_batch: expected an int >= 1, found {self.max_batch!r}")


def chips_to_tensor(chips: np.ndarray) -> np.ndarray:
    """(N, 64, 64, 3) uint8 RGB chips -> the model's (N, 3, 64, 64) float32 input."""
    if not isinstance(chips, np.ndarray):
        raise AgeModelError(f"chips: expected an (N, {CHIP_SIZE_PX}, {CHIP_SIZE_PX}, 3) uint8 array, found {type(chips).__name__}")
    if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE_PX, CHIP_SIZE_PX, 3) or chips.dtype != np.uint8:
        raise AgeModelError(
            f"chips: expected an (N, {CHIP_SIZE_PX}, {CHIP_SIZE_PX}, 3) uint8 array, found {chips.shape} {chips.dtype}"
        )
    tensor = (chips.astype(np.float32) - CHANNEL_MEANS) * np.float32(INPUT_SCALE)
    return np.ascontiguousarray(tensor.transpose(0, 3, 1, 2))


class AgeModel:
    """The age model as a context manager: ``with AgeModel(options) as model: model.predict(chips)``."""

    def __init__(self, options: AgeModelOptions) -> None:
        self.options = options
        if not options.model_path.is_file():
            raise AgeModelError(f"{options.model_path}: the age model file is missing")
        session_options = ort.SessionOptions()
        session_options.intra_op_num_threads = options.threads
        session_options.inter_op_num_threads = 1
        session_options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session_options.graph_optimization_level = GRAPH_OPTIMIZATION_LEVELS[options.graph_optimization]
        session_options.log_severity_level = 3
        try:
            self._session: ort.InferenceSession | None = ort.InferenceSession(
                str(options.model_path), session_options, providers=["CPUExecutionProvider"]
            )
        except (ort_state.Fail, ort_state.InvalidProtobuf, ort_state.NoSuchFile, ort_state.InvalidGraph) as exc:
            raise AgeModelError(f"{options.model_path}: onnxruntime cannot load the model ({exc})") from exc
        inputs = self._session.get_inputs()
        outputs = self._session.get_outputs()
        if len(inputs) != 1 or list(inputs[0].shape[1:]) != [3, CHIP_SIZE_PX, CHIP_SIZE_PX]:
            found = [(i.name, i.shape) for i in inputs]
            raise AgeModelError(f"{options.model_path}: expected one input of shape (N, 3, 64, 64), found {found}")
        if len(outputs) != 1 or outputs[0].shape[-1] != N_CLASSES:
            found = [(o.name, o.shape) for o in outputs]
            raise AgeModelError(f"{options.model_path}: expected one output of shape (N, {N_CLASSES}), found {found}")
        self._input_name = inputs[0].name
        # Warm up: onnxruntime's first run allocates and is several times slower; pay it
        # here, at load time, rather than on the first face.
        self._session.run(None, {self._input_name: np.zeros((1, 3, CHIP_SIZE_PX, CHIP_SIZE_PX), np.float32)})

    def probabilities(self, chips: np.ndarray) -> np.ndarray:
        """The raw (N, 81) class distributions for (N, 64, 64, 3) uint8 RGB chips, run in batches of max_batch."""
        if self._session is None:
            raise AgeModelError("AgeModel: used after close()")
        tensor = chips_to_tensor(chips)
        if tensor.shape[0] == 0:
            return np.zeros((0, N_CLASSES), dtype=np.float32)
        parts = []
        step = self.options.max_batch
        for start in range(0, tensor.shape[0], step):
            (out,) = self._session.run(None, {self._input_name: tensor[start : start + step]})
            parts.append(np.asarray(out, dtype=np.float32))
        return np.concatenate(parts, axis=0)

    def predict(self, chips: np.ndarray) -> list[AgePrediction]:
        """One ``AgePrediction`` per chip, in order."""
        return [prediction_from_probabilities(row) for row in self.probabilities(chips)]

    def close(self) -> None:
        self._session = None

    def __enter__(self) -> AgeModel:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
