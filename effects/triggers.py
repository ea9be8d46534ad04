"""Expression triggers: an op that runs only while a face's expression is past a threshold.

In effect.toml an op may carry::

    [[ops]]
    op = "sticker"
    ...
    trigger = { blendshape = "jawOpen", above = 0.5 }   # or below = ...; hold_ms, release_ms optional

``blendshape`` is one of MediaPipe's 52 expression scores (``BLENDSHAPES``), each in [0, 1].
The op runs on a face once the condition has held for ``hold_ms`` and stops once it has been
false for ``release_ms`` (so a score hovering at the threshold does not make it flicker).

How a stack treats triggers is its ``TriggerMode``: ``live`` follows the faces (the app, a
render), ``on`` and ``off`` force every triggered op on or off (the classifier measures both;
thumbnails show the effect triggered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from effects.face import FaceTrack

BLENDSHAPES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft",
    "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft",
    "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft",
    "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft", "mouthFrownRight",
    "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight",
    "mouthPucker", "mouthRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
    "mouthSmileLeft", "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "noseSneerLeft", "noseSneerRight",
)
MAX_SMOOTHING_MS = 5000
_KEYS = ("blendshape", "above", "below", "hold_ms", "release_ms")


class TriggerError(ValueError):
    """A trigger table is malformed; ``key`` names the field (None: the table itself)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class TriggerMode(StrEnum):
    LIVE = "live"  # follow each face's expression
    ON = "on"  # every triggered op runs (as if triggered)
    OFF = "off"  # no triggered op runs


@dataclass(frozen=True, slots=True)
class Trigger:
    blendshape: str
    above: float | None = None
    below: float | None = None
    hold_ms: int = 60
    release_ms: int = 250

    def met(self, scores: Mapping[str, float]) -> bool:
        """Whether the face's score is past the threshold now (a face without scores: never)."""
        score = scores.get(self.blendshape)
        if score is None:
            return False
        return score > self.above if self.above is not None else score < float(self.below or 0.0)

    def to_dict(self) -> dict[str, Any]:
        side = {"above": self.above} if self.above is not None else {"below": self.below}
        return {"blendshape": self.blendshape, **side, "hold_ms": self.hold_ms, "release_ms": self.release_ms}


def _number(table: Mapping[str, Any], key: str, low: float, high: float, whole: bool) -> Any:
    value = table[key]
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, (int,) if whole else (int, float)) or not low <= value <= high:
        raise TriggerError(f"expected {kind} in [{low:g}, {high:g}], found {value!r}", key)
    return value


def parse_trigger(table: Any) -> Trigger:
    """A trigger from its TOML table; TriggerError names the bad field."""
    if not isinstance(table, dict):
        raise TriggerError(f'expected a table like {{ blendshape = "jawOpen", above = 0.5 }}, found {table!r}')
    for key in table:
        if key not in _KEYS:
            raise TriggerError(f"unknown field of trigger; expected one of {', '.join(_KEYS)}", key)
    name = table.get("blendshape")
    if name not in BLENDSHAPES:
        raise TriggerError(f"expected one of MediaPipe's blendshapes (e.g. jawOpen, browInnerUp, mouthSmileLeft, "
                           f"eyeBlinkLeft), found {name!r}", "blendshape")
    sides = [k for k in ("above", "below") if k in table]
    if len(sides) != 1:
        raise TriggerError("expected exactly one of above or below (a threshold in [0, 1])", "above")
    threshold = float(_number(table, sides[0], 0.0, 1.0, whole=False))
    hold = int(_number(table, "hold_ms", 0, MAX_SMOOTHING_MS, whole=True)) if "hold_ms" in table else 60
    release = int(_number(table, "release_ms", 0, MAX_SMOOTHING_MS, whole=True)) if "release_ms" in table else 250
    return Trigger(name, threshold if sides[0] == "above" else None, threshold if sides[0] == "below" else None,
                   hold, release)


class TriggerLatch:
    """One triggered op's on/off state per face (by track id), smoothed by hold and release."""

    def __init__(self, trigger: Trigger) -> None:
        self.trigger = trigger
        self._on: dict[int, bool] = {}
        self._pending_since: dict[int, int] = {}

    def active(self, track: FaceTrack, timestamp_ms: int) -> bool:
        """Whether the op runs on this face at ``timestamp_ms`` (call once per face and frame)."""
        key = track.track_id
        on = self._on.get(key, False)
        if self.trigger.met(track.blendshapes) == on:
            self._pending_since.pop(key, None)
            return on
        since = self._pending_since.setdefault(key, timestamp_ms)
        wait_ms = self.trigger.release_ms if on else self.trigger.hold_ms
        if timestamp_ms - since >= wait_ms:
            self._on[key] = not on
            self._pending_since.pop(key, None)
            return not on
        return on
