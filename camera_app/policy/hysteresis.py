"""Hysteresis on the live age signal, so appearance-altering effects do not flicker.

The policy (``camera_app.policy.rules``) is pure: it compares each face's aggregated estimate
with the challenge age (default 25) on every frame. An adult whose estimate hovers
around 25 would switch the effect on and off many times a minute. ``ChallengeHysteresis``
sits in the signal adapter and remembers, per face track:

- a track is *challenged* as soon as a steady estimate (at least the policy's
  ``min_samples`` samples) is below the challenge age;
- it stays challenged (``FaceAge.held_below_challenge``) until its estimate has been at or
  above ``challenge age + margin_years`` (default 2 years) on ``release_updates``
  consecutive new steady estimates (default 3, about a second at the estimator's cadence);
  one estimate below that line starts the count again;
- a new track (a new face) starts fresh; a track not seen for ``forget_after_ms`` is
  forgotten (track ids are never reused).

Estimates are counted once per new sample of the aggregator (``update_key``: its last
sample time), so asking several times per frame (gate, review watch, HUD) changes nothing.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from camera_app.policy.rules import FaceAge, PolicyOptions


class HysteresisError(ValueError):
    """Bad hysteresis options."""


@dataclass(frozen=True, slots=True)
class HysteresisOptions:
    margin_years: float = 2.0
    release_updates: int = 3
    forget_after_ms: int = 3000

    def __post_init__(self) -> None:
        margin = self.margin_years
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not math.isfinite(margin) \
                or not 0.0 <= margin <= 10.0:
            raise HysteresisError(f"HysteresisOptions.margin_years: expected a number in [0, 10], found {margin!r}")
        for name in ("release_updates", "forget_after_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise HysteresisError(f"HysteresisOptions.{name}: expected an int >= 1, found {value!r}")


@dataclass(slots=True)
class _Held:
    last_update: int  # the update key of the last estimate counted
    above: int  # consecutive steady estimates at or above the release line
    seen_ms: int  # frame time the track was last seen


class ChallengeHysteresis:
    """Per-track challenge state over a stream of ``FaceAge`` records (one per face and frame)."""

    def __init__(self, policy: PolicyOptions | None = None, options: HysteresisOptions | None = None) -> None:
        self.policy = policy or PolicyOptions()
        self.options = options or HysteresisOptions()
        self._held: dict[int, _Held] = {}

    @property
    def release_years(self) -> float:
        return self.policy.challenge_age_years + self.options.margin_years

    def challenged(self, track_id: int) -> bool:
        return track_id in self._held

    def apply(self, face: FaceAge, update_key: int, now_ms: int) -> FaceAge:
        """``face`` with ``held_below_challenge`` set while its track is challenged.
        ``update_key`` changes with each new estimate of the track; ``now_ms`` is the frame time."""
        self._forget(now_ms)
        if face.track_id is None:
            return face
        steady = face.samples >= self.policy.min_samples
        held = self._held.get(face.track_id)
        if held is None:
            if not (steady and face.estimate_years < self.policy.challenge_age_years):
                return face
            held = self._held[face.track_id] = _Held(update_key, 0, now_ms)
        else:
            held.seen_ms = now_ms
            if update_key != held.last_update:
                held.last_update = update_key
                held.above = held.above + 1 if steady and face.estimate_years >= self.release_years else 0
                if held.above >= self.options.release_updates:
                    del self._held[face.track_id]
                    return face
        return dataclasses.replace(face, held_below_challenge=True)

    def _forget(self, now_ms: int) -> None:
        stale = [t for t, h in self._held.items() if now_ms - h.seen_ms > self.options.forget_after_ms]
        for track_id in stale:
            del self._held[track_id]

