"""Hysteresis on the live age signal (camera_app.policy.hysteresis, used by signals_from_age_stage):
an adult whose estimate hovers around the challenge age does not make altering effects flicker."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "effects"))
from library_faces import portrait  # noqa: E402

from age_estimation.aggregate import AgeSignal  # noqa: E402
from camera_app.policy.hysteresis import ChallengeHysteresis, HysteresisError, HysteresisOptions  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.policy.rules import (  # noqa: E402
    FaceAge,
    FacesInView,
    NoSignal,
    PolicyError,
    PolicyOptions,
    PolicySubject,
    ReasonCode,
    decide,
)
from camera_app.policy.gate import EffectGate, EffectGateOptions, signals_from_age_stage  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from effects.classification import Category  # noqa: E402

ADULT = PolicySubject(declared_age_years=30, assurance=Assurance.DECLARED)
ALTERING = Category.APPEARANCE_ALTERING
# An adult's aggregated estimate hovering around 25 (one new estimate per frame, 5 samples each).
HOVERING = (26.1, 25.4, 24.8, 25.3, 24.6, 25.9, 25.2, 24.9, 26.0, 25.1, 24.7, 25.6, 26.3, 25.0, 24.9, 25.8)


def allowed(face: FaceAge, policy: PolicyOptions | None = None) -> bool:
    return decide(ALTERING, ADULT, FacesInView((face,)), policy).allowed


def run(estimates: tuple[float, ...], latch: ChallengeHysteresis | None, samples: int = 5,
        track_id: int = 1, start_ms: int = 0) -> list[bool]:
    """The policy's decision for each estimate (a new estimate every 300 ms)."""
    out = []
    for i, estimate in enumerate(estimates):
        now = start_ms + 300 * i
        face = FaceAge(estimate, samples, track_id=track_id)
        if latch is not None:
            face = latch.apply(face, update_key=now, now_ms=now)
        out.append(allowed(face, latch.policy if latch is not None else None))
    return out


def switches(decisions: list[bool]) -> int:
    return sum(a != b for a, b in zip(decisions, decisions[1:]))


def test_a_hovering_estimate_flickers_without_hysteresis_and_not_with_it() -> None:
    raw = run(HOVERING, None)
    assert switches(raw) >= 8  # what the stateless policy alone does
    held = run(HOVERING, ChallengeHysteresis())
    assert held == [True, True] + [False] * (len(HOVERING) - 2)  # challenged at 24.8, then held
    assert switches(held) == 1


def test_released_after_steady_estimates_above_the_margin() -> None:
    latch = ChallengeHysteresis()  # challenge 25, margin 2, three estimates
    assert latch.release_years == 27.0
    decisions = run((24.0, 26.5, 26.9, 27.5, 27.5, 26.8, 27.2, 28.0, 27.1, 27.4), latch)
    #                blocked: below; 26.5, 26.9 under 27; 2 above; a dip resets; 3 above -> released
    assert decisions == [False, False, False, False, False, False, False, False, True, True]
    assert not latch.challenged(1)
    assert run((24.9,), latch, start_ms=3000) == [False]  # challenged again at once


def test_the_margin_and_the_count_are_configurable() -> None:
    latch = ChallengeHysteresis(PolicyOptions(challenge_age_years=21.0), HysteresisOptions(margin_years=0.5,
                                                                                             release_updates=1))
    assert run((20.5, 21.3, 21.6), latch) == [False, False, True]


def test_the_same_estimate_asked_again_counts_once() -> None:
    """The gate, the review watch and the HUD may all ask on one frame."""
    latch = ChallengeHysteresis()
    latch.apply(FaceAge(24.0, 5, track_id=1), update_key=0, now_ms=0)
    for now in range(300, 600, 30):  # ten frames, one new estimate (key 300)
        face = latch.apply(FaceAge(28.0, 5, track_id=1), update_key=300, now_ms=now)
    assert face.held_below_challenge and latch.challenged(1)


def test_unsteady_estimates_neither_challenge_nor_release() -> None:
    latch = ChallengeHysteresis()
    face = latch.apply(FaceAge(20.0, 2, track_id=1), update_key=0, now_ms=0)
    assert not face.held_below_challenge and not latch.challenged(1)  # too few samples: no_signal decides
    latch.apply(FaceAge(24.0, 3, track_id=1), update_key=300, now_ms=300)
    for i in range(2, 8):  # high estimates from 2 samples only (a face just re-found)
        face = latch.apply(FaceAge(30.0, 2, track_id=1), update_key=300 * i, now_ms=300 * i)
    assert face.held_below_challenge
    # The policy holds it below even with no_signal=allow and too few samples.
    assert decide(ALTERING, ADULT, FacesInView((face,)), PolicyOptions(no_signal=NoSignal.ALLOW)).code \
        is ReasonCode.ESTIMATE_BELOW_CHALLENGE


def test_a_new_track_starts_fresh_and_old_tracks_are_forgotten() -> None:
    latch = ChallengeHysteresis()
    assert run((24.0, 26.0), latch, track_id=1) == [False, False]
    assert run((26.0, 25.5), latch, track_id=2, start_ms=600) == [True, True]  # another face: its own state
    assert latch.challenged(1)
    latch.apply(FaceAge(26.0, 5, track_id=2), update_key=5000, now_ms=5000)  # track 1 unseen for 4.4 s
    assert not latch.challenged(1)
    untracked = latch.apply(FaceAge(20.0, 5), update_key=5300, now_ms=5300)
    assert not untracked.held_below_challenge  # no track id: nothing to remember


def test_options_are_checked() -> None:
    with pytest.raises(HysteresisError, match=r"HysteresisOptions\.margin_years: expected a number in \[0, 10\], found -1"):
        HysteresisOptions(margin_years=-1)
    with pytest.raises(HysteresisError, match=r"HysteresisOptions\.release_updates: expected an int >= 1, found 0"):
        HysteresisOptions(release_updates=0)
    with pytest.raises(PolicyError, match=r"FaceAge\.held_below_challenge: expected True or False, found 1"):
        FaceAge(30.0, 5, held_below_challenge=1)  # type: ignore[arg-type]


def test_the_gate_with_the_age_stage_adapter_does_not_flicker() -> None:
    """End to end through signals_from_age_stage and EffectGate, asked twice per frame."""
    rgb, track = portrait("nasa_astronaut_eileen_collins")
    track = dataclasses.replace(track, track_id=7)

    class FakeAgeStage:
        signal: AgeSignal | None = None

        def signals_for(self, frame: Frame) -> dict[int, AgeSignal]:
            return {} if self.signal is None else {self.signal.track_id: self.signal}

    stage = FakeAgeStage()
    gate = EffectGate(ADULT, lambda spec: ALTERING, signals_from_age_stage(stage, PolicyOptions()),
                      EffectGateOptions(policy=PolicyOptions()))
    spec = _glam()
    decisions = []
    for i, estimate in enumerate((*HOVERING, 27.4, 27.8, 27.2, 26.0)):
        stage.signal = AgeSignal(track_id=7, estimate_years=estimate, low_years=estimate - 5, high_years=estimate + 5,
                                 spread_years=1.0, samples=5, p_under_18=0.1, p_under_13=0.01,
                                 last_timestamp_ms=300 * i, steady=True, calibrated=False)
        frame = Frame(pixels=rgb, index=i, timestamp_ms=300 * i + 10, tracks=(track,))
        first = gate.decide(spec, gate.signal_for(frame))
        again = gate.decide(spec, gate.signal_for(frame))
        assert first == again
        decisions.append(first.allowed)
    assert decisions == [True, True] + [False] * (len(HOVERING) - 2) + [False, False, True, True]


def _glam():  # type: ignore[no-untyped-def]
    from camera_app.catalog.effects import load_registry

    return load_registry().get("glam")
