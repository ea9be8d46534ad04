"""The policy enforced in the effect stage, on the built-in effects and a real face.

Property (hypothesis, over viewers x effect stacks x age signals x options): whenever the
policy blocks an effect (or a stack of effects together), the output pixels equal those of
the stack without it; in raise mode asking for it raises EffectBlockedError instead of
rendering anything.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "effects"))
from library_faces import portrait  # noqa: E402

from camera_app.stages.effects import GatedEffectStage  # noqa: E402
from plain_render import apply_effects  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.policy.rules import (  # noqa: E402
    FaceAge,
    FacesInView,
    Mode,
    NoSignal,
    PolicyOptions,
    PolicySubject,
    ReasonCode,
)
from camera_app.policy.gate import (  # noqa: E402
    EffectBlockedError,
    EffectGate,
    EffectGateOptions,
    OnBlocked,
    categories_from_results,
    no_categories,
    signals_from_age_stage,
)
from camera_app.profiles.model import Assurance  # noqa: E402
from effects.classification import Category, ClassificationResult  # noqa: E402
from effects.spec import EffectSpec  # noqa: E402

ALTERING = Category.APPEARANCE_ALTERING
PLAYFUL = Category.PLAYFUL


@cache
def registry_specs() -> dict[str, EffectSpec]:
    return {spec.id: spec for spec in load_registry()}


@cache
def face_frame() -> Frame:
    rgb, track = portrait("nasa_astronaut_eileen_collins")
    return Frame(pixels=rgb, index=3, timestamp_ms=100, tracks=(track,))


def stricter(categories: dict[str, Category | None], ids: list[str]) -> Category | None:
    """A stack measured as the strictest of its parts (unmeasured if any part is)."""
    parts = [categories[i] for i in ids]
    if any(p is None for p in parts):
        return None
    return ALTERING if ALTERING in parts else PLAYFUL


def gate_for(subject: PolicySubject, categories: dict[str, Category | None], signal: FacesInView | None,
             policy: PolicyOptions, on_blocked: OnBlocked) -> EffectGate:
    return EffectGate(
        subject,
        lambda spec: categories[spec.id],
        signals=lambda frame: signal,
        options=EffectGateOptions(policy=policy, on_blocked=on_blocked),
        stack_categories=lambda specs: stricter(categories, [s.id for s in specs]),
    )


EFFECT_IDS = sorted(registry_specs())
subjects = st.builds(PolicySubject, st.one_of(st.integers(13, 90), st.none()), st.sampled_from(tuple(Assurance)))
face_ages = st.builds(FaceAge, st.floats(3.0, 80.0, allow_nan=False), st.integers(0, 8))
signals = st.one_of(st.none(), st.builds(FacesInView, st.lists(face_ages, max_size=3).map(tuple)))
policies = st.builds(
    PolicyOptions,
    mode=st.sampled_from(tuple(Mode)),
    challenge_age_years=st.sampled_from((21.0, 25.0, 30.0)),
    min_samples=st.integers(1, 5),
    no_signal=st.sampled_from(tuple(NoSignal)),
)
stacks = st.lists(st.sampled_from(EFFECT_IDS), min_size=1, max_size=4, unique=True)
category_maps = st.fixed_dictionaries({i: st.sampled_from((PLAYFUL, ALTERING, None)) for i in EFFECT_IDS})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=subjects, ids=stacks, categories=category_maps, signal=signals, policy=policies)
def test_blocked_effects_leave_no_trace_in_the_pixels(
    subject: PolicySubject, ids: list[str], categories: dict[str, Category | None],
    signal: FacesInView | None, policy: PolicyOptions,
) -> None:
    specs = [registry_specs()[i] for i in ids]
    frame = face_frame()
    gate = gate_for(subject, categories, signal, policy, OnBlocked.DROP)
    decision = gate.judge_frame(specs, frame)
    blocked = [name for name, _ in decision.blocked]
    allowed = list(decision.allowed)

    with GatedEffectStage(specs, gate, seed=7) as stage:
        out = stage.process(frame).pixels
        notices = stage.take_notices()
    assert stage.applied == tuple(allowed)
    reference = apply_effects(allowed, frame, seed=7)
    assert np.array_equal(out, reference)
    assert [n.split('"')[1] for n in notices] == blocked
    if len(blocked) == 1 and "+" not in blocked[0]:
        without = apply_effects([s for s in specs if s.id != blocked[0]], frame, seed=7)
        assert np.array_equal(out, without)
    if not allowed:
        assert np.array_equal(out, frame.pixels)

    # The same request in raise mode renders nothing and names the first blocked effect.
    strict = gate_for(subject, categories, signal, policy, OnBlocked.RAISE)
    if blocked:
        with pytest.raises(EffectBlockedError) as info:
            GatedEffectStage(specs, strict, seed=7).process(frame)
        assert info.value.effect_id == blocked[0]
    else:
        assert np.array_equal(GatedEffectStage(specs, strict, seed=7).process(frame).pixels, reference)


def test_teen_profile_never_gets_glam() -> None:
    frame = face_frame()
    teen = PolicySubject(16, Assurance.DECLARED)
    gate = EffectGate(teen, lambda spec: ALTERING)
    with pytest.raises(EffectBlockedError) as info:
        GatedEffectStage([registry_specs()["glam"]], gate)
    assert str(info.value) == (
        'effect "glam" blocked: Effects that change how a face looks aren\'t available on profiles under 18.'
    )
    assert info.value.decision.code is ReasonCode.DECLARED_UNDER_18
    dropping = EffectGate(teen, lambda spec: ALTERING, options=EffectGateOptions(on_blocked=OnBlocked.DROP))
    stage = GatedEffectStage([registry_specs()["glam"]], dropping)
    assert np.array_equal(stage.process(frame).pixels, frame.pixels)
    assert stage.take_notices() == [str(info.value)]
    assert stage.take_notices() == []  # taken once


def test_teen_keeps_playful_effects_next_to_a_blocked_one() -> None:
    frame = face_frame()
    specs = [registry_specs()["glam"], registry_specs()["bunny_ears"]]
    categories = {"glam": ALTERING, "bunny_ears": PLAYFUL}
    gate = EffectGate(PolicySubject(15, Assurance.DECLARED), lambda s: categories[s.id],
                      options=EffectGateOptions(on_blocked=OnBlocked.DROP))
    out = GatedEffectStage(specs, gate).process(frame).pixels
    ears = apply_effects([specs[1]], frame)
    assert np.array_equal(out, ears)
    assert not np.array_equal(out, frame.pixels)


def test_unmeasured_effect_counts_as_altering() -> None:
    gate = EffectGate(PolicySubject(15, Assurance.DECLARED), no_categories)
    with pytest.raises(EffectBlockedError, match="hasn't been measured yet"):
        GatedEffectStage([registry_specs()["bunny_ears"]], gate)


def test_adult_gets_glam_only_while_the_estimate_is_at_or_above_the_challenge_age() -> None:
    frame = face_frame()
    glam = registry_specs()["glam"]
    signal: list[FacesInView | None] = [None]
    gate = EffectGate(PolicySubject(34, Assurance.DECLARED), lambda s: ALTERING, signals=lambda f: signal[0],
                      options=EffectGateOptions(on_blocked=OnBlocked.DROP))
    stage = GatedEffectStage([glam], gate)  # not blocked up front: it depends on the camera
    glammed = apply_effects([glam], frame)
    assert not np.array_equal(glammed, frame.pixels)
    assert np.array_equal(stage.process(frame).pixels, frame.pixels)  # no signal yet: fail closed
    signal[0] = FacesInView((FaceAge(38.0, 2),))
    assert np.array_equal(stage.process(frame).pixels, frame.pixels)  # too few samples
    signal[0] = FacesInView((FaceAge(38.0, 3),))
    assert np.array_equal(stage.process(frame).pixels, glammed)
    signal[0] = FacesInView((FaceAge(38.0, 5), FaceAge(19.0, 5)))  # a younger face joins
    assert np.array_equal(stage.process(frame).pixels, frame.pixels)
    notices = stage.take_notices()
    assert len(notices) == 3 and "an estimate is under 25" in notices[-1]
    gate.subject = PolicySubject(34, Assurance.VERIFIED_ADULT)
    assert np.array_equal(stage.process(frame).pixels, glammed)


def test_set_specs_is_checked_too() -> None:
    gate = EffectGate(PolicySubject(14, Assurance.DECLARED),
                      categories_from_results([_result("glam", ALTERING), _result("comic", PLAYFUL)]))
    stage = GatedEffectStage([registry_specs()["comic"]], gate)
    with pytest.raises(EffectBlockedError):
        stage.set_specs([registry_specs()["comic"], registry_specs()["glam"]])
    assert [s.id for s in stage.specs] == ["comic"]


def test_the_full_stack_is_not_handed_out() -> None:
    gate = EffectGate(PolicySubject(30, Assurance.DECLARED), lambda s: PLAYFUL)
    stage = GatedEffectStage([registry_specs()["comic"]], gate)
    assert not hasattr(stage, "stack")  # an EffectStack with every effect would bypass the policy


def test_categories_from_results_match_id_and_version() -> None:
    spec = registry_specs()["glam"]
    lookup = categories_from_results([_result("glam", ALTERING, spec.version)])
    assert lookup(spec) is ALTERING
    assert categories_from_results([_result("glam", PLAYFUL, "0.0.0")])(spec) is None


def test_signals_from_age_stage_adapts_each_face() -> None:
    from age_estimation.aggregate import AgeSignal

    frame = face_frame()
    track = frame.tracks[0]
    signal = AgeSignal(track_id=track.track_id, estimate_years=31.5, low_years=25.0, high_years=38.0, spread_years=2.0,
                       samples=4, p_under_18=0.05, p_under_13=0.01, last_timestamp_ms=90, steady=True, calibrated=False)

    class FakeAgeStage:
        def __init__(self, signals: dict[int, AgeSignal]) -> None:
            self.signals = signals

        def signals_for(self, frame: Frame) -> dict[int, AgeSignal]:
            return self.signals

    faces = signals_from_age_stage(FakeAgeStage({track.track_id: signal}))(frame)
    assert faces == FacesInView((FaceAge(31.5, 4, 2.0, 0.01, track.track_id),))
    unknown = signals_from_age_stage(FakeAgeStage({}))(frame)
    assert unknown == FacesInView((FaceAge(0.0, 0, track_id=track.track_id),))


def _result(effect_id: str, category: Category, version: str | None = None) -> ClassificationResult:
    version = version or registry_specs()[effect_id].version
    return ClassificationResult(effect_id=effect_id, effect_version=version, category=category, confidence=0.9)
