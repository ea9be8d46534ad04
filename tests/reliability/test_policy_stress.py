"""The under-18 policy under stress: no path renders an appearance-altering effect for a
profile that may not use it.

1. Every property-based (hypothesis) test in tests/camera_app/test_policy*.py runs again here
   with many more examples in deep mode (SAFELENS_DEEP_TESTS=1): the same test bodies and
   strategies, only the example count changes.
2. A stateful test drives one live session through random sequences of what can happen
   while the camera runs: the stack of effects changes (raise and drop modes), the profile
   changes (a teen, an adult, a review puts it under challenge or verifies it), faces come
   and go with any age estimate, frames flow through the pipeline. After every frame the
   output must equal a render of exactly the effects an independent oracle allows, and for
   a profile declared under 18 (or under review) that set never holds an effect whose
   measured category is appearance-altering or unmeasured.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fuzz_support import Guard, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "camera_app" / "policy"))
sys.path.insert(0, str(TESTS / "effects"))
from library_faces import portrait  # noqa: E402

from plain_render import apply_effects  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.runtime.pipeline import Pipeline  # noqa: E402
from camera_app.policy.rules import FaceAge, FacesInView, Mode, NoSignal, PolicyOptions, PolicySubject, decide  # noqa: E402
from camera_app.policy.gate import EffectBlockedError, EffectGate, EffectGateOptions, OnBlocked  # noqa: E402
from camera_app.stages.effects import GatedEffectStage  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from effects.classification import Category  # noqa: E402
from effects.spec import EffectSpec  # noqa: E402

ALTERING, PLAYFUL = Category.APPEARANCE_ALTERING, Category.PLAYFUL


def _property_tests() -> list[tuple[str, Callable[..., Any]]]:
    """(name, hypothesis test) for each property-based test of the policy engineer's modules."""
    found = []
    for path in sorted((TESTS / "camera_app" / "policy").glob("test_policy*.py")):
        module = importlib.import_module(path.stem)
        for name in sorted(dir(module)):
            fn = getattr(module, name)
            if name.startswith("test_") and callable(fn) and hasattr(fn, "hypothesis"):
                found.append((f"{path.stem}.{name}", fn))
    return found


PROPERTY_TESTS = _property_tests()
PROPERTY_EXAMPLES = examples(ci=20, deep=3000)


@pytest.mark.parametrize("test", [t for _, t in PROPERTY_TESTS], ids=[n for n, _ in PROPERTY_TESTS])
def test_policy_properties_with_many_more_examples(test: Callable[..., Any]) -> None:
    handle = test.hypothesis  # type: ignore[attr-defined]
    strategies = getattr(handle, "_given_kwargs", None)
    assert strategies, "hypothesis no longer exposes the test's strategies: update this re-run"
    name = f"policy: {test.__module__}.{test.__name__}"
    guard = Guard(name, (), peak_limit_mib=1024, examples_setting=PROPERTY_EXAMPLES)

    def body(**kwargs: Any) -> None:
        with guard.case():
            handle.inner_test(**kwargs)

    stressed = settings(max_examples=PROPERTY_EXAMPLES, deadline=None, database=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(**strategies)(body))
    stressed()


def test_the_policy_property_tests_were_found() -> None:
    assert any("blocked_effects_leave_no_trace" in n for n, _ in PROPERTY_TESTS), [n for n, _ in PROPERTY_TESTS]


# -- a live session as a state machine ----------------------------------------------------------


@cache
def _specs() -> dict[str, EffectSpec]:
    return {s.id: s for s in load_registry()}


@cache
def _frame() -> Frame:
    rgb, track = portrait("usnavy_grace_hopper")
    return Frame(pixels=rgb, index=0, timestamp_ms=0, tracks=(track,))


def _frame_at(index: int) -> Frame:
    return Frame(pixels=_frame().pixels, index=index, timestamp_ms=33 * index, tracks=_frame().tracks)


@cache
def _reference(ids: tuple[str, ...], index: int) -> np.ndarray:
    """The frame rendered with exactly ``ids`` (particles move with the frame index)."""
    return apply_effects([_specs()[i] for i in ids], _frame_at(index), seed=5)


EFFECT_IDS = ("glam", "skin_smoothing", "eye_enlarge", "lip_plump", "bunny_ears", "comic", "sparkles",
              "vintage_film", "funhouse")
# (Hypothesis favours the first branch and small values: the common case comes first.)
MEASURED = st.fixed_dictionaries({i: st.sampled_from((ALTERING, PLAYFUL, None)) for i in EFFECT_IDS})
SUBJECTS = st.builds(PolicySubject, st.one_of(st.integers(18, 90), st.integers(0, 17), st.none()),
                     st.sampled_from((Assurance.DECLARED, Assurance.VERIFIED_ADULT, Assurance.CHALLENGED)))
FACES = st.one_of(
    st.builds(FacesInView, st.lists(st.builds(FaceAge, st.one_of(st.floats(25.0, 90.0), st.floats(1.0, 90.0)),
                                              st.integers(3, 10)), min_size=1, max_size=3).map(tuple)),
    st.none(),
    st.builds(FacesInView, st.lists(st.builds(FaceAge, st.floats(1.0, 90.0), st.integers(0, 10)), max_size=3).map(tuple)),
)
POLICIES = st.builds(PolicyOptions, mode=st.sampled_from(tuple(Mode)), challenge_age_years=st.sampled_from((21.0, 25.0)),
                     min_samples=st.integers(1, 4), no_signal=st.sampled_from(tuple(NoSignal)))


class LiveSession(RuleBasedStateMachine):
    """One session: a gate whose subject, signal and stack change between frames."""

    @initialize(measured=MEASURED, subject=SUBJECTS, policy=POLICIES, drop=st.sampled_from((True, False)),
                signal=FACES, ids=st.lists(st.sampled_from(EFFECT_IDS), min_size=1, max_size=3, unique=True),
                stacks_add_up=st.booleans())
    def start(self, measured: dict[str, Category | None], subject: PolicySubject, policy: PolicyOptions,
              drop: bool, signal: FacesInView | None, ids: list[str], stacks_add_up: bool) -> None:
        self.measured = measured
        # Whether stacks of playful effects measure altering (sub-threshold changes adding up).
        self.stacks_add_up = stacks_add_up
        self.signal: FacesInView | None = signal
        self.policy = policy
        self.mode = OnBlocked.DROP if drop else OnBlocked.RAISE
        self.gate = EffectGate(subject, lambda spec: self.measured[spec.id], signals=lambda frame: self.signal,
                               options=EffectGateOptions(policy=policy, on_blocked=self.mode),
                               stack_categories=lambda specs: self._stack_category([s.id for s in specs]))
        self.stage = GatedEffectStage([], self.gate, seed=5)
        self.pipeline = Pipeline(None, [self.stage])
        self.index = 0
        self.guard = Guard("policy: live session state machine", (), peak_limit_mib=1024,
                           examples_setting=SESSION_EXAMPLES)
        self.choose_effects(ids)

    @rule()
    def no_effect(self) -> None:
        self.stage.set_specs([])

    @rule(ids=st.lists(st.sampled_from(EFFECT_IDS), min_size=1, max_size=3, unique=True))
    def choose_effects(self, ids: list[str]) -> None:
        before = self.stage.specs
        specs = [_specs()[i] for i in ids]
        try:
            self.stage.set_specs(specs)
        except EffectBlockedError as exc:
            # Raise mode refuses a stack the profile may never use and keeps the previous one.
            assert self.mode is OnBlocked.RAISE and exc.effect_id in ids
            assert self.stage.specs == before
            never = self._judge(ids, self._best_signal())[1]
            assert exc.effect_id == never[0]

    @rule(subject=SUBJECTS)
    def profile_changes(self, subject: PolicySubject) -> None:
        self.gate.subject = subject  # a review, a different profile, a birthday

    @rule(signal=FACES)
    def faces_change(self, signal: FacesInView | None) -> None:
        self.signal = signal

    @rule()
    def frame(self) -> None:
        self.index = (self.index + 1) % 4  # a few frame positions, so reference renders are reused
        frame = _frame_at(self.index)
        ids = [s.id for s in self.stage.specs]
        allowed, blocked = self._judge(ids, self.signal)
        with self.guard.case():
            try:
                done = self.pipeline.process(frame)
            except EffectBlockedError as exc:
                assert self.mode is OnBlocked.RAISE and blocked and exc.effect_id == blocked[0]
                self._count("frames refused whole (raise mode)")
                return
            assert not (self.mode is OnBlocked.RAISE and blocked), "raise mode rendered a blocked effect"
            assert np.array_equal(done.output.pixels, _reference(allowed, self.index)), (ids, allowed)
            assert [n.split('"')[1] for n in done.notices] == blocked
        subject = self.gate.subject
        age = subject.declared_age_years
        minor_or_review = age is None or age < 18 or subject.assurance is Assurance.CHALLENGED
        if minor_or_review:
            assert all(self.measured[i] is PLAYFUL for i in allowed), (subject, allowed)
            assert len(allowed) < 2 or self._stack_category(list(allowed)) is PLAYFUL, (subject, allowed)
        self._count("frames rendering an effect" if allowed else "frames rendering no effect")
        if blocked:
            self._count("frames with an effect dropped" + (" (under 18 or under review)" if minor_or_review else ""))
        if any(self.measured[i] is not PLAYFUL for i in allowed):
            self._count("frames rendering an altering or unmeasured effect (adult allowed)")

    def _count(self, what: str) -> None:
        self.guard.record.outcomes[what] += 1

    @invariant()
    def stack_is_never_handed_out(self) -> None:
        if hasattr(self, "stage"):
            assert not hasattr(self.stage, "stack")

    def _stack_category(self, ids: list[str]) -> Category | None:
        parts = [self.measured[i] for i in ids]
        if any(p is None for p in parts):
            return None
        return ALTERING if self.stacks_add_up or any(p is not PLAYFUL for p in parts) else PLAYFUL

    def _judge(self, ids: list[str], signal: FacesInView | None) -> tuple[tuple[str, ...], list[str]]:
        """The oracle: each effect alone, then the survivors together (written from the rule, not the gate)."""
        allowed = tuple(i for i in ids if self._decide(i, signal).allowed)
        blocked = [i for i in ids if i not in allowed]
        if len(allowed) >= 2 and decide(self._stack_category(list(allowed)), self.gate.subject, signal, self.policy).blocked:
            blocked.append("+".join(allowed))
            allowed = ()
        return allowed, blocked

    def _decide(self, effect_id: str, signal: FacesInView | None) -> Any:
        return decide(self.measured[effect_id], self.gate.subject, signal, self.policy)

    def _best_signal(self) -> FacesInView:
        return FacesInView((FaceAge(self.policy.challenge_age_years + 50.0, self.policy.min_samples),))


SESSION_EXAMPLES = examples(ci=20, deep=1500)
LiveSession.TestCase.settings = settings(max_examples=SESSION_EXAMPLES, stateful_step_count=15 if SESSION_EXAMPLES < 100
                                         else 25, deadline=None, database=None,
                                         suppress_health_check=[HealthCheck.too_slow])
test_live_session_never_renders_a_blocked_effect = LiveSession.TestCase
