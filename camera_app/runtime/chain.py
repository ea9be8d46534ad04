"""The one builder of the frame chain: every caller (the app's worker, ``safelens render``,
``safelens bench``, the soak, the privacy session) gets its stages from :func:`build_chain`.

The chain, in the order a frame travels after the tracker::

    age (live estimate) -> review watch (under-13) -> gated effects -> [mesh] -> tap -> label

- **age**: the age stage (``camera_app.stages.age``) when ``ChainOptions.age`` is on; its
  signal, with hysteresis, is the policy's live fact. Without it the policy sees no face and
  fails closed in assured mode.
- **review watch**: opens an under-13 review entry for ``ChainOptions.profile_id`` (needs a
  profile store and the live signal) and marks the viewer challenged at once.
- **gated effects**: the only effect stage there is (``GatedEffectStage``): each frame applies
  what the policy allows for ``ChainOptions.subject`` (no profile: a viewer of unknown age),
  judging a stack as a stack, and only effects whose results are known (so they can be labelled).
- **mesh**: the landmark overlay when asked.
- **tap**: keeps the frame before the label (app snapshots burn their own label).
- **label**: the disclosure label of the effects *applied to this frame* (``FollowingLabelStage``).

The live signal is computed once per frame, so the gate, the review watch and the app's
badges judge a frame by the same signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from disclosure.legal import LabelFormat
from camera_app.frame import Frame
from camera_app.policy.gate import EffectGate, EffectGateOptions, OnBlocked, SignalSource, StackDecision, signals_from_age_stage
from camera_app.policy.rules import Decision, FacesInView, PolicyOptions, PolicySubject
from camera_app.runtime.pipeline import Stage
from camera_app.stages.disclosure import DisclosureStageOptions, FollowingLabelStage, ResultSource, label_results
from camera_app.stages.effects import GatedEffectStage
from camera_app.stages.frame_budget import FrameBudget
from disclosure.labels import Label
from effects.classification import Category, ClassificationResult
from effects.spec import EffectSpec


class ChainError(ValueError):
    """The chain was asked for something it cannot build (e.g. a review watch without a store)."""


@dataclass(frozen=True, slots=True)
class ChainOptions:
    """What the chain is for. ``subject``: the viewer (``PolicySubject.unknown()`` without a
    profile); ``policy``: the effective policy (installation settings, tightened by the
    command); ``age``: run the live age estimate; ``profile_id``: the profile the review watch
    opens entries for (None: no watch); ``label``: draw the disclosure label;
    ``landmarks``: draw the face mesh; ``on_blocked``: drop blocked effects with a notice
    (the app, render) or raise (API users who want an error); ``frame_budget_ms``: turn off an
    effect that keeps taking longer than this per frame (the live preview; None: no limit)."""

    subject: PolicySubject = field(default_factory=PolicySubject.unknown)
    policy: PolicyOptions = field(default_factory=PolicyOptions)
    age: bool = True
    profile_id: int | None = None
    language: str = "en"
    label: bool = True
    label_format: LabelFormat = LabelFormat.DEFAULT  # a law's mark where it asks for one (exports)
    landmarks: bool = False
    seed: int = 0
    on_blocked: OnBlocked = OnBlocked.DROP
    frame_budget_ms: float | None = None


@dataclass(slots=True)
class ChainResources:
    """Live objects the chain uses and does not own. ``results``: classifier results by effect
    and by stack (``camera_app.catalog.classifications.ResultBook``, or the app's live results);
    ``age_model``: a shared age predictor (None: the age stage loads the vendored model);
    ``store``: the profile store, for the review watch."""

    results: ResultSource
    age_model: Any | None = None
    store: Any | None = None


class _OncePerFrame:
    """The live age signal, computed once per frame."""

    def __init__(self, inner: SignalSource) -> None:
        self._inner = inner
        self._key: tuple[int, int] | None = None
        self._value: FacesInView | None = None

    def __call__(self, frame: Frame) -> FacesInView | None:
        key = (frame.index, frame.timestamp_ms)
        if key != self._key:
            self._key, self._value = key, self._inner(frame)
        return self._value


class _Tap:
    """Keeps the frame after the effects and before the label."""

    name = "tap"

    def __init__(self) -> None:
        self.frame: Frame | None = None

    def process(self, frame: Frame) -> Frame:
        self.frame = frame
        return frame

    def take_notices(self) -> list[str]:
        return []


class _ReviewSlot:
    """The under-13 review watch of the current profile; rebuilt when the profile changes."""

    name = "review_watch"

    def __init__(self, store: Any | None, signals: SignalSource | None, gate: EffectGate) -> None:
        self._store = store
        self._signals = signals
        self._gate = gate
        self._stage: Any | None = None
        self._notices: list[str] = []

    def watch(self, profile_id: int | None) -> None:
        self._stage = None
        if profile_id is None or self._signals is None:
            return
        if self._store is None:
            raise ChainError("the review watch needs the profile store (ChainResources.store)")
        from camera_app.policy.review import ReviewQueue
        from camera_app.stages.review_watch import ReviewWatchStage

        self._stage = ReviewWatchStage(ReviewQueue(self._store), profile_id, self._signals, self._gate)

    @property
    def active(self) -> bool:
        return self._stage is not None

    def process(self, frame: Frame) -> Frame:
        if self._stage is None:
            return frame
        out: Frame = self._stage.process(frame)
        self._notices.extend(self._stage.take_notices())
        return out

    def take_notices(self) -> list[str]:
        taken, self._notices = self._notices, []
        return taken


class Chain:
    """The built chain: ``stages`` for a ``Pipeline``, and the handles callers need."""

    def __init__(self, options: ChainOptions, resources: ChainResources, stack: ExitStack) -> None:
        self.options = options
        self.results = resources.results
        self.age_stage: Any | None = None
        signals: SignalSource | None = None
        if options.age:
            from camera_app.stages.age import AgeStage, AgeStageOptions

            self.age_stage = stack.enter_context(
                AgeStage(AgeStageOptions(challenge_age_years=options.policy.challenge_age_years), model=resources.age_model)
            )
            signals = _OncePerFrame(signals_from_age_stage(self.age_stage, options.policy))
        self.signals = signals
        results = resources.results
        self.gate = EffectGate(
            options.subject,
            lambda spec: _category(results.result((spec,))),
            signals,
            EffectGateOptions(policy=options.policy, on_blocked=options.on_blocked),
            stack_categories=lambda specs: _category(results.result(specs)),
        )
        budget = FrameBudget(options.frame_budget_ms) if options.frame_budget_ms is not None else None
        self.effects = GatedEffectStage([], self.gate, seed=options.seed,
                                        labelled=lambda specs: label_results(specs, results) is not None,
                                        budget=budget)
        self.review = _ReviewSlot(resources.store, signals, self.gate)
        self.review.watch(options.profile_id)
        self.tap = _Tap()
        self.label: FollowingLabelStage | None = None
        stages: list[Stage] = []
        if self.age_stage is not None:
            stages.append(self.age_stage)
        stages += [self.review, self.effects]
        if options.landmarks:
            from camera_app.stages.mesh import MeshOverlay

            stages.append(stack.enter_context(MeshOverlay()))
        stages.append(self.tap)
        if options.label:
            self.label = stack.enter_context(
                FollowingLabelStage(self.effects, results, DisclosureStageOptions(language=options.language,
                                                                                  label_format=options.label_format))
            )
            stages.append(self.label)
        self.stages: tuple[Stage, ...] = tuple(stages)

    # -- what callers change between frames ----------------------------------------------------

    def set_effects(self, specs: Sequence[EffectSpec]) -> None:
        """The effects asked for, in order (the gate decides, frame by frame, what is applied)."""
        self.effects.set_specs(specs)

    def set_subject(self, subject: PolicySubject, profile_id: int | None) -> None:
        """Another viewer (profile switch): the gate and the review watch follow."""
        self.gate.subject = subject
        self.review.watch(profile_id)

    def results_changed(self) -> None:
        """A classifier result arrived: labels are rebuilt on the next frame."""
        if self.label is not None:
            self.label.refresh()

    # -- what callers read -------------------------------------------------------------------

    @property
    def applied(self) -> tuple[EffectSpec, ...]:
        """The effects applied to the last frame."""
        return self.effects.applied

    @property
    def applied_results(self) -> tuple[ClassificationResult, ...]:
        """The classifier results behind the last frame's label (what a manifest records)."""
        return self.label.applied_results if self.label is not None else label_results(self.applied, self.results) or ()

    @property
    def applied_label(self) -> Label | None:
        return self.label.label if self.label is not None else None

    @property
    def needs_head_pose(self) -> bool:
        """Whether a stage reads yaw and pitch (the mesh overlay prints them): the tracker then
        computes MediaPipe's facial transformation matrix (``FaceTrackerOptions.head_pose``)."""
        return self.options.landmarks

    def signal(self, frame: Frame) -> FacesInView | None:
        return self.signals(frame) if self.signals is not None else None

    def decide(self, spec: EffectSpec, frame: Frame | None) -> Decision:
        """The policy's answer for one effect on this frame (the app's badges)."""
        return self.gate.decide(spec, self.gate.signal_for(frame))

    def judge(self, specs: Sequence[EffectSpec], frame: Frame | None) -> StackDecision:
        return self.gate.judge_frame(specs, frame)


def _category(result: ClassificationResult | None) -> Category | None:
    return None if result is None else result.category


def build_chain(options: ChainOptions, resources: ChainResources, stack: ExitStack,
                effects: Sequence[EffectSpec] = ()) -> Chain:
    """Build the chain; stateful stages are entered into ``stack`` (closed with it)."""
    if not isinstance(options, ChainOptions):
        raise ChainError(f"build_chain: expected ChainOptions, found {type(options).__name__}")
    chain = Chain(options, resources, stack)
    chain.set_effects(effects)
    return chain
