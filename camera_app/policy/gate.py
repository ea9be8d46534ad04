"""The policy, enforced where effects are applied.

``EffectGate`` asks ``camera_app.policy.rules.decide`` about every effect of a stack for
one profile, with the live age signal of the frame. ``GatedEffectStage`` is the
effect stage with a gate: a blocked effect is never applied.

- ``OnBlocked.RAISE`` (the API default): building the stage with an effect the
  profile may never use, or processing a frame while an effect is blocked, raises
  ``EffectBlockedError`` with the policy's reason. Nothing is rendered.
- ``OnBlocked.DROP`` (the app, and frame-by-frame blocks in ``safelens render``):
  the frame is rendered with the stack minus the blocked effects (built without
  them, so the pixels equal those of a stack that never held them) and the stage
  hands the reason to the pipeline as a notice.

Categories come from a ``CategoryLookup`` (effect spec -> measured ``Category`` or
``None`` when not measured; ``None`` counts as appearance-altering). Live ages come
from a ``SignalSource`` (frame -> ``FacesInView``); ``signals_from_age_stage`` adapts
the age stage's per-track ``AgeSignal`` records, with hysteresis on the challenge age.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from camera_app.policy.hysteresis import ChallengeHysteresis, HysteresisOptions
from camera_app.frame import Frame
from camera_app.policy.rules import Decision, FaceAge, FacesInView, PolicyOptions, PolicySubject, decide
from camera_app.profiles.model import Assurance, Profile
from effects.classification import Category, ClassificationResult
from effects.spec import EffectSpec

CategoryLookup = Callable[[EffectSpec], Category | None]
StackCategoryLookup = Callable[[tuple[EffectSpec, ...]], Category | None]
SignalSource = Callable[[Frame], FacesInView | None]


class EffectBlockedError(PermissionError):
    """An effect the policy blocks for this profile was asked for. ``str()`` is for people."""

    def __init__(self, effect_id: str, decision: Decision) -> None:
        self.effect_id = effect_id
        self.decision = decision
        super().__init__(blocked_notice(effect_id, decision))


def blocked_notice(effect_id: str, decision: Decision) -> str:
    return f'effect "{effect_id}" blocked: {decision.reason}'


def stack_id(specs: Sequence[EffectSpec]) -> str:
    """How a stack is named to people and in results: ``a+b`` in order."""
    return "+".join(s.id for s in specs)


@dataclass(frozen=True, slots=True)
class StackDecision:
    """The gate's answer for a stack on one frame: what may be applied (in order) and what was
    blocked, each with the name people see (an effect id, or ``a+b`` for effects blocked
    together) and the policy's decision."""

    allowed: tuple[EffectSpec, ...]
    blocked: tuple[tuple[str, Decision], ...] = ()

    def notices(self) -> list[str]:
        return [blocked_notice(name, d) for name, d in self.blocked]


class OnBlocked(StrEnum):
    RAISE = "raise"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class EffectGateOptions:
    policy: PolicyOptions = field(default_factory=PolicyOptions)
    on_blocked: OnBlocked = OnBlocked.RAISE

    def __post_init__(self) -> None:
        object.__setattr__(self, "on_blocked", OnBlocked(self.on_blocked))


def subject_of(profile: Profile | None, today: date) -> PolicySubject:
    """The policy's view of a profile; no profile is a viewer of unknown age. A profile whose stored
    record fails its seal counts as under 18 and under review (fails closed)."""
    if profile is None:
        return PolicySubject.unknown()
    if not profile.seal_ok:
        declared = profile.age_on(today) if today >= profile.birthdate else 0
        return PolicySubject(declared_age_years=min(declared, 17), assurance=Assurance.CHALLENGED)
    return PolicySubject(declared_age_years=profile.age_on(today), assurance=profile.assurance)


def categories_from_results(results: Sequence[ClassificationResult]) -> CategoryLookup:
    """A lookup over classifier results (by effect id and version); anything else is unmeasured."""
    known = {(r.effect_id, r.effect_version): r.category for r in results}

    def lookup(spec: EffectSpec) -> Category | None:
        return known.get((spec.id, spec.version))

    return lookup


def no_categories(spec: EffectSpec) -> Category | None:
    """Nothing measured: every effect counts as appearance-altering."""
    return None


def no_stack_categories(specs: tuple[EffectSpec, ...]) -> Category | None:
    """No stack measured: every stack of two or more effects counts as appearance-altering."""
    return None


def face_age_of(signal: Any) -> FaceAge:
    """An ``age_estimation.aggregate.AgeSignal`` as the policy's ``FaceAge``."""
    return FaceAge(
        estimate_years=float(signal.estimate_years),
        samples=int(signal.samples),
        spread_years=float(signal.spread_years),
        p_under_13=float(signal.p_under_13),
        track_id=int(signal.track_id),
    )


def signals_from_age_stage(
    age_stage: Any, policy: PolicyOptions | None = None, hysteresis: HysteresisOptions | None = None
) -> SignalSource:
    """Adapt ``camera_app.stages.age.AgeStage``: one ``FaceAge`` per face of the frame; a face the
    estimator has no signal for yet counts as zero samples (too few). A face once steadily
    under ``policy``'s challenge age stays held below it until its estimate is steadily above
    the challenge age plus a margin (``camera_app.policy.hysteresis``); give the gate's policy
    options so both use the same challenge age."""
    latch = ChallengeHysteresis(policy, hysteresis)

    def source(frame: Frame) -> FacesInView:
        signals = age_stage.signals_for(frame)
        faces = []
        for track in frame.tracks:
            s = signals.get(track.track_id)
            if s is None:
                faces.append(FaceAge(estimate_years=0.0, samples=0, track_id=track.track_id))
            else:
                faces.append(latch.apply(face_age_of(s), int(s.last_timestamp_ms), frame.timestamp_ms))
        return FacesInView(tuple(faces))

    return source


class EffectGate:
    """The policy for one profile over effect specs. ``subject`` may be replaced (e.g. when a
    review changes the profile's assurance); categories are looked up once per spec."""

    def __init__(
        self,
        subject: PolicySubject,
        categories: CategoryLookup,
        signals: SignalSource | None = None,
        options: EffectGateOptions | None = None,
        stack_categories: StackCategoryLookup = no_stack_categories,
    ) -> None:
        self.subject = subject
        self.options = options or EffectGateOptions()
        self._lookup = categories
        self._stack_lookup = stack_categories
        self._signals = signals
        self._categories: dict[tuple[str, str], Category | None] = {}
        self._stack_categories: dict[tuple[tuple[str, str], ...], Category | None] = {}

    def category(self, spec: EffectSpec) -> Category | None:
        key = (spec.id, spec.content_hash)
        if key not in self._categories:
            found = self._lookup(spec)
            if found is not None and not isinstance(found, Category):
                raise TypeError(f"category lookup for {spec.id}: expected a Category or None, found {found!r}")
            self._categories[key] = found
        return self._categories[key]

    def stack_category(self, specs: Sequence[EffectSpec]) -> Category | None:
        """The composed stack's measured category (None: not measured, counts as altering)."""
        specs = tuple(specs)
        key = tuple((s.id, s.content_hash) for s in specs)
        if key not in self._stack_categories:
            found = self._stack_lookup(specs)
            if found is not None and not isinstance(found, Category):
                raise TypeError(f"stack category lookup for {stack_id(specs)}: expected a Category or None, found {found!r}")
            self._stack_categories[key] = found
        return self._stack_categories[key]

    def signal_for(self, frame: Frame | None) -> FacesInView | None:
        if frame is None or self._signals is None:
            return None
        return self._signals(frame)

    def decide(self, spec: EffectSpec, signal: FacesInView | None) -> Decision:
        return decide(self.category(spec), self.subject, signal, self.options.policy)

    def judge(self, specs: Sequence[EffectSpec], signal: FacesInView | None) -> StackDecision:
        """The stack with one live signal: each effect alone, then the survivors as one stack."""
        specs = tuple(specs)
        per_effect = [(spec, self.decide(spec, signal)) for spec in specs]
        allowed = tuple(spec for spec, d in per_effect if d.allowed)
        blocked = [(spec.id, d) for spec, d in per_effect if d.blocked]
        if len(allowed) >= 2:
            together = decide(self.stack_category(allowed), self.subject, signal, self.options.policy)
            if together.blocked:
                blocked.append((stack_id(allowed), together))
                allowed = ()
        return StackDecision(allowed, tuple(blocked))

    def judge_frame(self, specs: Sequence[EffectSpec], frame: Frame | None) -> StackDecision:
        """The stack with the live signal of ``frame`` (None: no signal)."""
        return self.judge(specs, self.signal_for(frame))

    def always_blocked(self, specs: Sequence[EffectSpec]) -> tuple[tuple[str, Decision], ...]:
        """What is blocked whatever the camera sees (judged with the best live signal there is:
        one steadily estimated face well above the challenge age)."""
        policy = self.options.policy
        best = FacesInView((FaceAge(policy.challenge_age_years + 50.0, policy.min_samples),))
        return self.judge(specs, best).blocked

    def require_allowed(self, specs: Sequence[EffectSpec]) -> None:
        """Raise ``EffectBlockedError`` for the first effect (or stack) the viewer may never use."""
        blocked = self.always_blocked(specs)
        if blocked:
            name, decision = blocked[0]
            raise EffectBlockedError(name, decision)
