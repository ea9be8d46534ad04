"""Shared data for the age tests: the public-domain faces with their landmarks, and the real model.

Plain cached functions (not fixtures), imported by the test modules as ``from age_faces import ...``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from conftest import MINOR_FACES, face_files, load_rgb

from age_estimation.model import AgeModel, AgeModelOptions
from age_estimation.prediction import CLASS_AGES_YEARS, AgePrediction, prediction_from_probabilities
from camera_app.models import model_path
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

CONGRESS_PREFIX = "us_congress_"
# Not in MINOR_FACES, but her age is unknown and she may be a teenager ("older girl" next to
# a child): left out of labelled sets and of assertions about adults.
UNKNOWN_AGE = frozenset({"documerica_543863_older_girl.jpg"})


@dataclass(frozen=True)
class FaceSample:
    name: str
    rgb: np.ndarray  # read-only (H, W, 3) uint8
    landmarks: np.ndarray  # (478, 3) float32 pixels of the largest face

    @property
    def is_minor(self) -> bool:
        return self.name in MINOR_FACES

    @property
    def is_adult(self) -> bool:
        return self.name not in MINOR_FACES and self.name not in UNKNOWN_AGE


@functools.cache
def face_samples() -> dict[str, FaceSample]:
    """Every reference face with the landmarks of its largest face (MediaPipe, IMAGE mode)."""
    samples: dict[str, FaceSample] = {}
    with FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)) as tracker:
        for path in face_files():
            rgb = load_rgb(path)
            rgb.flags.writeable = False
            tracks = tracker.detect(rgb)
            assert tracks, f"{path.name}: the tracker found no face"
            samples[path.name] = FaceSample(path.name, rgb, np.array(tracks[0].landmarks_px))
    return samples


@functools.cache
def age_model() -> AgeModel:
    """The vendored model, loaded once for the test session."""
    return AgeModel(AgeModelOptions(model_path("age")))


def peaked(age_years: float, sigma_years: float = 2.0) -> AgePrediction:
    """A prediction whose distribution is a narrow bump around ``age_years`` (for fakes)."""
    p = np.exp(-0.5 * ((CLASS_AGES_YEARS - age_years) / sigma_years) ** 2)
    return prediction_from_probabilities(p / p.sum())
