"""The effects as a pipeline stage, behind the policy gate.

``GatedEffectStage`` applies an ``EffectStack`` to each frame and its faces, but only what the
``EffectGate`` allows on that frame (a stack is judged as a stack: see
``camera_app.policy.gate``). A blocked effect is never applied: the frame is rendered with a
stack built without it, so its pixels equal those of a stack that never held it.

``applied`` holds the effects applied to the last frame (in order); the disclosure label
follows it (``camera_app.stages.disclosure.FollowingLabelStage``), so a dropped effect is
never labelled and an applied one always is.

With a ``FrameBudget`` (the app's preview), an effect that keeps taking more than the frame's
budget is turned off with a notice (``camera_app.stages.frame_budget``); the gate then judges
the effects that are left, as for any other change of effects.

Ops on the person (background, hair colour) get the person mask from the stage's own VIDEO-mode
segmenter (``camera_app.tracking.segmenter``: temporally smoothed, so a still edge does not
crawl), made when the first stack that needs it is built; the mask is computed only on frames
where such an op runs.

The stage is built by the chain builder (``camera_app.runtime.chain.build_chain``) and nowhere
else; there is no public stage without a gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType

from camera_app.frame import Frame
from camera_app.policy.gate import EffectBlockedError, EffectGate, OnBlocked
from camera_app.stages.frame_budget import FrameBudget
from camera_app.tracking.segmenter import LIVE_OPTIONS, PersonSegmenter
from effects.engine import EffectStack, build_stack
from effects.ops.base import OPS, OpContext
from effects.spec import EffectSpec


class GatedEffectStage:
    """Pipeline stage ``"effects"``: the ordered ops of ``specs`` the gate allows, on every frame.

    ``seed`` goes to the ops (film grain, particles) with the frame index, so a render is
    the same every time. ``op_timings_ms``: benchmarks set it to a dict and each frame's
    per-op wall times (ms) are added to it.
    """

    name = "effects"

    def __init__(
        self,
        specs: Sequence[EffectSpec],
        gate: EffectGate,
        seed: int = 0,
        labelled: Callable[[tuple[EffectSpec, ...]], bool] | None = None,
        budget: FrameBudget | None = None,
    ) -> None:
        """``labelled(specs)``: whether these effects can be labelled (their classifier results
        are known); effects that cannot are not applied (with a notice). None: no such check.
        ``budget``: the run-time frame budget (None: effects may take as long as they take)."""
        if not isinstance(gate, EffectGate):
            raise TypeError(f"GatedEffectStage.gate: expected an EffectGate, found {type(gate).__name__}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"GatedEffectStage.seed: expected an int >= 0, found {seed!r}")
        self.gate = gate
        self.seed = seed
        self.op_timings_ms: dict[str, float] | None = None
        self._labelled = labelled
        self.budget = budget
        self.applied: tuple[EffectSpec, ...] = ()
        self._notices: list[str] = []
        self._stacks: dict[tuple[tuple[str, str], ...], EffectStack] = {}
        self._specs: tuple[EffectSpec, ...] = ()
        self._segmenter: PersonSegmenter | None = None
        self.set_specs(specs)

    @property
    def specs(self) -> tuple[EffectSpec, ...]:
        """The effects asked for (what is applied may be fewer: see ``applied``)."""
        return self._specs

    def set_specs(self, specs: Sequence[EffectSpec]) -> None:
        """Switch to other effects from the next frame on (RAISE mode: refused at once when the
        viewer may never use them)."""
        specs = tuple(specs)
        if self.gate.options.on_blocked is OnBlocked.RAISE:
            self.gate.require_allowed(specs)
        self._specs = specs
        self._stacks.clear()

    def allowed_specs(self, frame: Frame | None) -> tuple[EffectSpec, ...]:
        return self.gate.judge_frame(self._specs, frame).allowed

    def _stack_of(self, specs: tuple[EffectSpec, ...]) -> EffectStack:
        key = tuple((s.id, s.content_hash) for s in specs)
        stack = self._stacks.get(key)
        if stack is None:
            stack = self._stacks[key] = build_stack(specs, segmenter=self._segmenter_for(specs))
        return stack

    def _segmenter_for(self, specs: tuple[EffectSpec, ...]) -> PersonSegmenter | None:
        """The stage's video segmenter when an op of ``specs`` works on the person mask."""
        if not any(OPS[op.op].needs_person_mask for spec in specs for op in spec.ops):
            return None
        if self._segmenter is None:
            self._segmenter = PersonSegmenter(LIVE_OPTIONS)
        return self._segmenter

    def process(self, frame: Frame) -> Frame:
        specs = self._specs
        if self.budget is not None:
            specs = tuple(s for s in specs if s.id not in self.budget.dropped)
        if not specs:
            self.applied = ()
            return frame
        decision = self.gate.judge_frame(specs, frame)
        if decision.blocked:
            if self.gate.options.on_blocked is OnBlocked.RAISE:
                name, blocked = decision.blocked[0]
                raise EffectBlockedError(name, blocked)
            self._notices.extend(decision.notices())
        allowed = decision.allowed
        if allowed and self._labelled is not None and not self._labelled(allowed):
            self._notices.append(f'effect "{"+".join(s.id for s in allowed)}" waits: it has not been measured yet, '
                                 "so its label cannot be shown")
            allowed = ()
        self.applied = allowed
        if not allowed:
            return frame
        ctx = OpContext(frame_index=frame.index, timestamp_ms=frame.timestamp_ms, seed=self.seed)
        per_effect: dict[str, float] | None = {} if self.budget is not None else None
        out = self._stack_of(allowed).apply(frame.pixels, frame.tracks, ctx, timings_ms=self.op_timings_ms,
                                            effect_timings_ms=per_effect)
        if self.budget is not None and per_effect is not None:
            dropped = self.budget.record(per_effect)
            if dropped is not None:
                self._notices.append(self.budget.notice(dropped))
        out.flags.writeable = False  # hand it over to the frame without another copy
        return frame.with_pixels(out)

    def take_notices(self) -> list[str]:
        taken, self._notices = self._notices, []
        return taken

    def __enter__(self) -> GatedEffectStage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None
