"""What the classifier needs from the outside, as small Protocols.

``effects/`` never imports MediaPipe: a landmark detector is passed in (the app's
``camera_app.tracking.tracker.FaceTracker`` in IMAGE mode fits). An effect under test is
anything with an id, a version, an optional declared category and ``apply``; an
effect made of several parts (a stack, or one effect's ops) also offers ``parts()``
so that "a stack is altering if any part is" can be checked part by part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from effects.classification import Category
from effects.face import FaceTrack


@runtime_checkable
class LandmarkDetector(Protocol):
    """Finds faces in one still RGB uint8 image, largest first."""

    def detect(self, rgb: np.ndarray) -> list[FaceTrack]: ...


@runtime_checkable
class EffectUnderTest(Protocol):
    """An effect the classifier can run: ``apply`` returns a new (H, W, 3) uint8 frame."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def declared(self) -> Category | None: ...

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray: ...


@runtime_checkable
class StackUnderTest(EffectUnderTest, Protocol):
    """An effect made of parts that can each be applied alone (ops of an effect, effects of a stack)."""

    def parts(self) -> Sequence[EffectUnderTest]: ...
