"""``--soak SECONDS``: the live pipeline for a long time, switching effects every few seconds.

The demo feed is paced at the device's frame rate (as a camera would deliver it), the age
estimator and the policy gate run, and the active effect changes every ``switch_every_s``
(cycling through the chosen effects and "no effect"). Once a second the soak samples the
resident memory, the frame rate over that second, the pipeline's queue depth and the age
worker's backlog. An exception from the pipeline is recorded (type and message) and the
pipeline is started again, up to ``MAX_ERRORS``; frames the tracker failed on (the pipeline
carries on without faces) are counted as ``tracker_failures``.

Memory growth is the slope of a least-squares line through the resident-memory samples after
the first ``WARMUP_FRACTION`` of the run (the JIT, caches and the age window fill up first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any

from benchmarks.memory import current_rss_mb, peak_rss_mb
from benchmarks.scenario import NO_EFFECT, BenchResources
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.runtime.pipeline import Pipeline
from camera_app.stages.age import AgeStage

MAX_ERRORS = 20
WARMUP_FRACTION = 0.1
SUSPECT_GROWTH_MB_PER_MIN = 1.0

Tick = Callable[[float], None]


def growth_mb_per_min(times_s: Sequence[float], rss_mb: Sequence[float]) -> float:
    """Least-squares slope of memory over time, in MiB per minute (0 with fewer than 2 points)."""
    n = len(times_s)
    if n < 2:
        return 0.0
    mean_t = sum(times_s) / n
    mean_m = sum(rss_mb) / n
    var = sum((t - mean_t) ** 2 for t in times_s)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (m - mean_m) for t, m in zip(times_s, rss_mb))
    return cov / var * 60.0


def run_soak(
    res: BenchResources,
    effect_ids: Sequence[str],
    duration_s: float,
    resolution: str,
    fps: float,
    switch_every_s: float = 5.0,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """Run the soak and return the report's ``soak`` section. ``tick(elapsed_s)`` after each sample."""
    cycle = [*effect_ids, NO_EFFECT]
    samples: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    switches: list[float] = []
    blocked_frames = 0
    frames_total = 0
    started = time.monotonic()
    with ExitStack() as stack:
        chain = res.chain(stack, age=True)
        age_stage = chain.age_stage
        pipeline = Pipeline(res.tracker, chain.stages)
        current = -1
        last_sample = started
        frames_since = 0
        run_no = 0
        while time.monotonic() - started < duration_s and len(errors) < MAX_ERRORS:
            res.tracker.reset()
            source = DemoSource(DemoOptions(resolution=resolution, seed=run_no, fps=fps, paced=True))
            run_no += 1
            try:
                with source:
                    frames = pipeline.run(source)
                    try:
                        for done in frames:
                            now = time.monotonic()
                            frames_total += 1
                            frames_since += 1
                            blocked_frames += any("blocked" in n for n in done.notices)
                            wanted = int((now - started) // switch_every_s) % len(cycle)
                            if wanted != current:
                                current = wanted
                                chain.set_effects([] if cycle[current] == NO_EFFECT else [res.specs[cycle[current]]])
                                switches.append(now - started)
                            if now - last_sample >= 1.0:
                                samples.append(_sample(now - started, frames_since / (now - last_sample),
                                                       pipeline, age_stage))
                                frames_since = 0
                                last_sample = now
                                if tick is not None:
                                    tick(now - started)
                            if now - started >= duration_s:
                                break
                    finally:
                        frames.close()
            except Exception as exc:  # noqa: BLE001 - a soak records every failure and carries on
                errors.append({"t_s": round(time.monotonic() - started, 2), "type": type(exc).__name__,
                               "message": str(exc)[:500]})
        age_stats = age_stage.estimator.stats
        tracker_failures = int(getattr(pipeline, "tracker_failures_total", 0))
    return summarize_soak(samples, errors, switches, duration_s, switch_every_s, resolution, fps, cycle,
                          frames_total, blocked_frames, age_stats, tracker_failures)


def _sample(t_s: float, fps: float, pipeline: Pipeline, age_stage: AgeStage) -> dict[str, Any]:
    stats = age_stage.estimator.stats
    backlog = max(0, stats.jobs_submitted - stats.jobs_replaced - stats.jobs_done)
    return {
        "t_s": round(t_s, 2),
        "rss_mb": current_rss_mb(),
        "fps": round(fps, 2),
        "queue_depth": pipeline.queue_depth,
        "age_pending": backlog,
        "age_jobs_replaced": stats.jobs_replaced,
    }


def summarize_soak(
    samples: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    switches: list[float],
    duration_s: float,
    switch_every_s: float,
    resolution: str,
    fps: float,
    cycle: list[str],
    frames_total: int,
    blocked_frames: int,
    age_stats: Any,
    tracker_failures: int = 0,
) -> dict[str, Any]:
    steady = [s for s in samples if s["t_s"] >= WARMUP_FRACTION * duration_s] or samples
    growth = growth_mb_per_min([s["t_s"] for s in steady], [s["rss_mb"] for s in steady])
    rss = [s["rss_mb"] for s in samples]
    fps_values = [s["fps"] for s in samples]
    return {
        "duration_s": duration_s,
        "switch_every_s": switch_every_s,
        "resolution": resolution,
        "target_fps": fps,
        "effects_cycle": cycle,
        "frames": frames_total,
        "switches": len(switches),
        "switch_times_s": [round(s, 2) for s in switches],
        "errors": len(errors),
        "error_list": errors,
        "blocked_frames": blocked_frames,
        "tracker_failures": tracker_failures,
        "rss_start_mb": rss[0] if rss else None,
        "rss_end_mb": rss[-1] if rss else None,
        "rss_max_mb": max(rss) if rss else None,
        "peak_rss_mb": peak_rss_mb(),
        "rss_growth_mb_per_min": round(growth, 3),
        "growth_suspect": growth > SUSPECT_GROWTH_MB_PER_MIN,
        "fps_min": min(fps_values) if fps_values else None,
        "fps_median": sorted(fps_values)[len(fps_values) // 2] if fps_values else None,
        "max_queue_depth": max((s["queue_depth"] for s in samples), default=0),
        "max_age_pending": max((s["age_pending"] for s in samples), default=0),
        "age_jobs": {"submitted": age_stats.jobs_submitted, "replaced": age_stats.jobs_replaced,
                     "done": age_stats.jobs_done, "faces": age_stats.faces_estimated},
        "samples": samples,
    }
