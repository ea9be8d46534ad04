"""Result types of the effect classifier.

``disclosure`` and the policy read these; they never look at an effect's code.
A ``Change`` is one measured thing an effect does to a face; a ``Reason`` carries
its magnitude across the reference faces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    PLAYFUL = "playful"
    APPEARANCE_ALTERING = "appearance_altering"


class Change(StrEnum):
    """What an effect measurably does. Values are stable ids used by message catalogues."""

    # Plausible changes to features or skin (appearance-altering).
    ENLARGES_EYES = "enlarges_eyes"
    SHRINKS_EYES = "shrinks_eyes"
    SLIMS_NOSE = "slims_nose"
    WIDENS_NOSE = "widens_nose"
    PLUMPS_LIPS = "plumps_lips"
    THINS_LIPS = "thins_lips"
    SLIMS_FACE = "slims_face"
    WIDENS_FACE = "widens_face"
    SLIMS_JAW = "slims_jaw"
    RESHAPES_CHIN = "reshapes_chin"
    SMOOTHS_SKIN = "smooths_skin"
    SHIFTS_SKIN_TONE = "shifts_skin_tone"
    TINTS_LIPS = "tints_lips"
    WHITENS_TEETH = "whitens_teeth"
    TINTS_IRISES = "tints_irises"
    ADDS_MAKEUP = "adds_makeup"
    # Obviously digital changes (playful).
    ADDS_OVERLAY = "adds_overlay"
    EXAGGERATED_DISTORTION = "exaggerated_distortion"
    STYLISES_WHOLE_FRAME = "stylises_whole_frame"
    HIDES_FACE = "hides_face"


@dataclass(frozen=True, slots=True)
class Reason:
    """One measured change: its median and range over ``n_faces`` reference faces.

    ``unit`` is ``"%"`` (relative size change, signed), ``"dE"`` (CIEDE2000) or
    ``"share"`` (fraction of an area, 0-1). ``altering`` says whether this change
    alone makes the effect appearance-altering.
    """

    change: Change
    median: float
    low: float
    high: float
    unit: str
    n_faces: int
    altering: bool


@dataclass(frozen=True, slots=True)
class ClassificationResult:
    """The classifier's verdict on one effect (or stack)."""

    effect_id: str
    effect_version: str
    category: Category
    confidence: float
    reasons: tuple[Reason, ...] = ()
    declared: Category | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def declared_disagrees(self) -> bool:
        return self.declared is not None and self.declared != self.category

    @property
    def altering_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.altering)
