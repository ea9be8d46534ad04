"""Result types of the effect classifier.

``disclosure`` and the policy read these; they never look at an effect's code.
A ``Change`` is one measured thing an effect does to a face; a ``Reason`` carries
its magnitude across the reference faces.

``to_dict`` / ``from_dict`` give the one plain-data (JSON) form of a result, used by the
result caches, the creator check's JSON and export provenance. ``from_dict`` is strict:
a missing, unknown or mistyped field raises ``ClassificationFormatError`` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar


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
    CHANGES_HAIR_COLOUR = "changes_hair_colour"  # altering for a natural colour, playful otherwise
    # Obviously digital changes (playful).
    ADDS_OVERLAY = "adds_overlay"
    EXAGGERATED_DISTORTION = "exaggerated_distortion"
    STYLISES_WHOLE_FRAME = "stylises_whole_frame"
    HIDES_FACE = "hides_face"
    REPLACES_BACKGROUND = "replaces_background"


UNITS = ("%", "dE", "share")
_E = TypeVar("_E", bound=StrEnum)


class ClassificationFormatError(ValueError):
    """A classification result in plain-data form is malformed; the message names the field."""

    def __init__(self, field_path: str, expected: str, found: object, *, found_text: str | None = None) -> None:
        self.field_path = field_path
        super().__init__(f"{field_path}: expected {expected}, found {found_text or repr(found)}")


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change.value,
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "n_faces": self.n_faces,
            "altering": self.altering,
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "reason") -> Reason:
        fields = _fields(data, where, ("change", "median", "low", "high", "unit", "n_faces", "altering"))
        unit = fields["unit"]
        if unit not in UNITS:
            raise ClassificationFormatError(f"{where}.unit", f"one of {', '.join(UNITS)}", unit)
        n_faces = fields["n_faces"]
        if not isinstance(n_faces, int) or isinstance(n_faces, bool) or n_faces < 0:
            raise ClassificationFormatError(f"{where}.n_faces", "a whole number >= 0", n_faces)
        altering = fields["altering"]
        if not isinstance(altering, bool):
            raise ClassificationFormatError(f"{where}.altering", "true or false", altering)
        return cls(
            change=_enum(Change, fields["change"], f"{where}.change"),
            median=_number(fields["median"], f"{where}.median"),
            low=_number(fields["low"], f"{where}.low"),
            high=_number(fields["high"], f"{where}.high"),
            unit=unit,
            n_faces=n_faces,
            altering=altering,
        )


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect_id": self.effect_id,
            "effect_version": self.effect_version,
            "category": self.category.value,
            "confidence": self.confidence,
            "declared": None if self.declared is None else self.declared.value,
            "notes": list(self.notes),
            "reasons": [r.to_dict() for r in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "classification") -> ClassificationResult:
        """The result ``to_dict`` wrote; ``where`` starts the field path in error messages."""
        fields = _fields(data, where, ("effect_id", "effect_version", "category", "confidence", "declared",
                                       "notes", "reasons"))
        for name in ("effect_id", "effect_version"):
            if not isinstance(fields[name], str) or not fields[name]:
                raise ClassificationFormatError(f"{where}.{name}", "a non-empty string", fields[name])
        confidence = _number(fields["confidence"], f"{where}.confidence")
        if not 0.0 <= confidence <= 1.0:
            raise ClassificationFormatError(f"{where}.confidence", "a number in [0, 1]", fields["confidence"])
        declared = fields["declared"]
        notes = fields["notes"]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise ClassificationFormatError(f"{where}.notes", "a list of strings", notes)
        reasons = fields["reasons"]
        if not isinstance(reasons, list):
            raise ClassificationFormatError(f"{where}.reasons", "a list", reasons)
        return cls(
            effect_id=fields["effect_id"],
            effect_version=fields["effect_version"],
            category=_enum(Category, fields["category"], f"{where}.category"),
            confidence=confidence,
            reasons=tuple(Reason.from_dict(r, f"{where}.reasons[{i}]") for i, r in enumerate(reasons)),
            declared=None if declared is None else _enum(Category, declared, f"{where}.declared"),
            notes=tuple(notes),
        )


def _fields(data: object, where: str, names: tuple[str, ...]) -> Mapping[str, Any]:
    """``data`` as a mapping with exactly the keys ``names``."""
    if not isinstance(data, Mapping):
        raise ClassificationFormatError(where, "an object", data, found_text=f"a {type(data).__name__}")
    missing = [n for n in names if n not in data]
    if missing:
        raise ClassificationFormatError(f"{where}.{missing[0]}", "a value", None, found_text="nothing (missing)")
    unknown = sorted(str(k) for k in data if k not in names)
    if unknown:
        raise ClassificationFormatError(f"{where}.{unknown[0]}", "no such field", data[unknown[0]])
    return data


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ClassificationFormatError(where, "a finite number", value)
    return float(value)


def _enum(kind: type[_E], value: object, where: str) -> _E:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ClassificationFormatError(where, f"one of {allowed}", value) from None
