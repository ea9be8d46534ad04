"""The bundled reference faces and the still-image detector the classifier tests share.

``from classify_faces import FACES, detector`` gives a test module the module-scoped ``detector``
fixture (MediaPipe in IMAGE mode, one face); each module picks its own faces from ``FACES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

FACES = Path(__file__).resolve().parents[2] / "assets" / "faces"


@pytest.fixture(scope="module")
def detector() -> Iterator[FaceTracker]:
    with FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)) as tracker:
        yield tracker
