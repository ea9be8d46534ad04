"""The effects as a pipeline stage: applies an ``EffectStack`` to each frame and its faces.

The stage has no policy of its own; the policy gate wraps or extends it (override
``process`` or check ``specs`` before calling ``super().process``).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from camera_app.frame import Frame
from effects.engine import EffectStack, build_stack
from effects.ops.base import OpContext
from effects.spec import EffectSpec


class EffectStage:
    """Pipeline stage ``"effects"``: the ordered ops of ``specs`` on every frame.

    ``seed`` goes to the ops (film grain, particles) with the frame index, so a render
    is the same every time.
    """

    name = "effects"
    # Benchmarks set this to a dict: each frame's per-op wall times (ms) are added to it
    # (see ``EffectStack.apply(timings_ms=...)``). None: nothing is recorded.
    op_timings_ms: dict[str, float] | None = None

    def __init__(self, specs: Sequence[EffectSpec], seed: int = 0) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"EffectStage.seed: expected an int >= 0, found {seed!r}")
        self.seed = seed
        self._stack: EffectStack = build_stack(specs)

    @property
    def specs(self) -> tuple[EffectSpec, ...]:
        return self._stack.specs

    @property
    def stack(self) -> EffectStack:
        return self._stack

    def set_specs(self, specs: Sequence[EffectSpec]) -> None:
        """Switch to other effects from the next frame on."""
        self._stack = build_stack(specs)

    def process(self, frame: Frame) -> Frame:
        stack = self._stack
        if len(stack) == 0:
            return frame
        ctx = OpContext(frame_index=frame.index, timestamp_ms=frame.timestamp_ms, seed=self.seed)
        out = stack.apply(frame.pixels, frame.tracks, ctx, timings_ms=self.op_timings_ms)
        out.flags.writeable = False  # hand it over to the frame without another copy
        return frame.with_pixels(out)

    def __enter__(self) -> EffectStage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None
