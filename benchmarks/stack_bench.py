"""Each effect stack alone: its ops on tracked demo frames, with nothing else running in the process.

Inside the pipeline the effect stage shares the machine with capture, landmarks and the age
worker (and the GIL with their Python code), so its time there is the stage's real cost in
the product. This measurement is the kernels' own cost (issue 3: "the kernels of the glam
stack take <= 5 ms median per frame at 720p"): the same frames of the demo feed are tracked
once, then each stack is applied to them in turn, timing each apply (wall and CPU time of
this thread) and each op (and the person segmenter, under ``person_mask``, for the effects
that need the person mask).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.scenario import BenchResources
from benchmarks.stats import summarize
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.tracking.segmenter import LIVE_OPTIONS, PersonSegmenter
from effects.engine import build_stack
from effects.ops.base import OpContext

WARMUP_APPLIES = 3


def tracked_frames(res: BenchResources, resolution: str, count: int, seed: int = 0) -> list[Any]:
    """``count`` consecutive demo frames with their face tracks."""
    res.tracker.reset()
    with DemoSource(DemoOptions(resolution=resolution, seed=seed, paced=False, max_frames=count)) as source:
        frames = [res.tracker.track(source.read()) for _ in range(count)]
    res.tracker.reset()
    return frames


def measure_stacks(
    res: BenchResources,
    effect_ids: Sequence[str],
    resolution: str,
    frames: Sequence[Any],
    on_effect: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """One entry per effect: apply time (wall and thread CPU) and per-op times over ``frames``."""
    out = []
    for effect_id in effect_ids:
        stack = build_stack([res.specs[effect_id]], segmenter=PersonSegmenter(LIVE_OPTIONS))
        for frame in frames[:WARMUP_APPLIES]:
            stack.apply(frame.pixels, frame.tracks)
        wall: list[float] = []
        cpu: list[float] = []
        ops: dict[str, list[float]] = {}
        for frame in frames:
            timings: dict[str, float] = {}
            ctx = OpContext(frame_index=frame.index, timestamp_ms=frame.timestamp_ms)
            started, started_cpu = time.perf_counter(), time.thread_time()
            stack.apply(frame.pixels, frame.tracks, ctx, timings_ms=timings)
            wall.append((time.perf_counter() - started) * 1000.0)
            cpu.append((time.thread_time() - started_cpu) * 1000.0)
            for name, ms in timings.items():
                ops.setdefault(name, []).append(ms)
        out.append({
            "effect": effect_id,
            "resolution": resolution,
            "frames": len(frames),
            "apply_ms": summarize(wall),
            "apply_cpu_ms": summarize(cpu),
            "ops_ms": {name: summarize(values) for name, values in ops.items()},
        })
        if on_effect is not None:
            on_effect(1)
    return out
