"""The policy, enforced where effects are applied.

``EffectGate`` asks ``camera_app.policy.decide`` about every effect of a stack for
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

from camera_app.age_hysteresis import ChallengeHysteresis, HysteresisOptions
from camera_app.effect_stage import EffectStage
from camera_app.frame import Frame
from camera_app.policy import Decision, FaceAge, FacesInView, PolicyOptions, PolicySubject, decide
from camera_app.profiles.model import Profile
from effects.classification import Category, ClassificationResult
from effects.engine import EffectStack, build_stack
from effects.ops.base import OpContext
from effects.spec import EffectSpec

CategoryLookup = Callable[[EffectSpec], Category | None]
SignalSource = Callable[[Frame], FacesInView | None]


class EffectBlockedError(PermissionError):
    """An effect the policy blocks for this profile was asked for. ``str()`` is for people."""

    def __init__(self, effect_id: str, decision: Decision) -> None:
        self.effect_id = effect_id
        self.decision = decision
        super().__init__(blocked_notice(effect_id, decision))


def blocked_notice(effect_id: str, decision: Decision) -> str:
    return f'effect "{effect_id}" blocked: {decision.reason}'


class OnBlocked(StrEnum):
    RAISE = "raise"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class EffectGateOptions:
    policy: PolicyOptions = field(default_factory=PolicyOptions)
    on_blocked: OnBlocked = OnBlocked.RAISE

    def __post_init__(self) -> None:
        object.__setattr__(self, "on_blocked", OnBlocked(self.on_blocked))


def subject_of(profile: Profile, today: date) -> PolicySubject:
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
    """Adapt ``camera_app.age_stage.AgeStage``: one ``FaceAge`` per face of the frame; a face the
    estimator has no signal for yet counts as zero samples (too few). A face once steadily
    under ``policy``'s challenge age stays held below it until its estimate is steadily above
    the challenge age plus a margin (``camera_app.age_hysteresis``); give the gate's policy
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
    ) -> None:
        self.subject = subject
        self.options = options or EffectGateOptions()
        self._lookup = categories
        self._signals = signals
        self._categories: dict[tuple[str, str], Category | None] = {}

    def category(self, spec: EffectSpec) -> Category | None:
        key = (spec.id, spec.content_hash)
        if key not in self._categories:
            found = self._lookup(spec)
            if found is not None and not isinstance(found, Category):
                raise TypeError(f"category lookup for {spec.id}: expected a Category or None, found {found!r}")
            self._categories[key] = found
        return self._categories[key]

    def signal_for(self, frame: Frame | None) -> FacesInView | None:
        if frame is None or self._signals is None:
            return None
        return self._signals(frame)

    def decide(self, spec: EffectSpec, signal: FacesInView | None) -> Decision:
        return decide(self.category(spec), self.subject, signal, self.options.policy)

    def decisions(self, specs: Sequence[EffectSpec], frame: Frame | None) -> tuple[Decision, ...]:
        """The decision for each spec with the live signal of ``frame`` (None: no signal)."""
        signal = self.signal_for(frame)
        return tuple(self.decide(spec, signal) for spec in specs)

    def always_blocked(self, specs: Sequence[EffectSpec]) -> list[tuple[EffectSpec, Decision]]:
        """Effects blocked whatever the camera sees (judged with the best live signal there is:
        one steadily estimated face well above the challenge age)."""
        policy = self.options.policy
        best = FacesInView((FaceAge(policy.challenge_age_years + 50.0, policy.min_samples),))
        out = []
        for spec in specs:
            decision = self.decide(spec, best)
            if decision.blocked:
                out.append((spec, decision))
        return out

    def require_allowed(self, specs: Sequence[EffectSpec]) -> None:
        """Raise ``EffectBlockedError`` for the first effect the profile may never use."""
        blocked = self.always_blocked(specs)
        if blocked:
            spec, decision = blocked[0]
            raise EffectBlockedError(spec.id, decision)


class GatedEffectStage(EffectStage):
    """The effect stage with the policy in front of every effect of every frame."""

    def __init__(self, specs: Sequence[EffectSpec], gate: EffectGate, seed: int = 0) -> None:
        if not isinstance(gate, EffectGate):
            raise TypeError(f"GatedEffectStage.gate: expected an EffectGate, found {type(gate).__name__}")
        self.gate = gate
        self._notices: list[str] = []
        self._partial: dict[tuple[str, ...], EffectStack] = {}
        self.applied_ids: tuple[str, ...] | None = None  # the effects applied to the last frame
        # Called with the applied specs whenever they change (e.g. to keep a label in step).
        self.on_applied_change: list[Callable[[tuple[EffectSpec, ...]], None]] = []
        if gate.options.on_blocked is OnBlocked.RAISE:
            gate.require_allowed(specs)
        super().__init__(specs, seed=seed)

    def set_specs(self, specs: Sequence[EffectSpec]) -> None:
        if self.gate.options.on_blocked is OnBlocked.RAISE:
            self.gate.require_allowed(specs)
        super().set_specs(specs)
        self._partial.clear()

    @property
    def stack(self) -> EffectStack:
        raise AttributeError(
            "GatedEffectStage.stack: the full stack is not handed out (it would bypass the policy); "
            "use process() or allowed_specs()"
        )

    def allowed_specs(self, frame: Frame | None) -> tuple[EffectSpec, ...]:
        specs = self.specs
        return tuple(s for s, d in zip(specs, self.gate.decisions(specs, frame), strict=True) if d.allowed)

    def process(self, frame: Frame) -> Frame:
        full = self._stack
        specs = full.specs
        decisions = self.gate.decisions(specs, frame) if specs else ()
        blocked = [(s, d) for s, d in zip(specs, decisions, strict=True) if d.blocked]
        stack = full
        if blocked:
            if self.gate.options.on_blocked is OnBlocked.RAISE:
                spec, decision = blocked[0]
                raise EffectBlockedError(spec.id, decision)
            self._notices.extend(blocked_notice(s.id, d) for s, d in blocked)
            allowed = tuple(s for s, d in zip(specs, decisions, strict=True) if d.allowed)
            key = tuple(s.id for s in allowed)
            if key not in self._partial:
                self._partial[key] = build_stack(allowed)
            stack = self._partial[key]
        self._applied(stack.specs)
        if len(stack) == 0:
            return frame
        ctx = OpContext(frame_index=frame.index, timestamp_ms=frame.timestamp_ms, seed=self.seed)
        out = stack.apply(frame.pixels, frame.tracks, ctx, timings_ms=self.op_timings_ms)
        out.flags.writeable = False
        return frame.with_pixels(out)

    def _applied(self, specs: tuple[EffectSpec, ...]) -> None:
        ids = tuple(s.id for s in specs)
        if ids != self.applied_ids:
            self.applied_ids = ids
            for listener in self.on_applied_change:
                listener(specs)

    def take_notices(self) -> list[str]:
        taken, self._notices = self._notices, []
        return taken
