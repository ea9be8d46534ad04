"""Synthetic bench results for the report tests (no timing, no pipeline)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.kernel_runner import KernelTiming
from benchmarks.scenario import Scenario, ScenarioResult
from benchmarks.stats import summarize


def scenario_result(effect: str, resolution: str, cores: int, frame_ms: list[float], age: bool = True,
                    landmarks_ms: float = 12.0, effects_ms: float = 6.0) -> ScenarioResult:
    sc = Scenario(() if effect == "none" else (effect,), resolution, tuple(range(cores)), len(frame_ms), 5, age=age)
    n = len(frame_ms)
    stages: dict[str, list[float]] = {"capture": [3.0] * n, "landmarks": [landmarks_ms] * n}
    if age:
        stages["age"] = [0.02] * n
    ops: dict[str, list[float]] = {}
    if effect != "none":
        stages["effects"] = [effects_ms] * n
        stages["disclosure"] = [0.4] * n
        ops = {"smooth_skin": [effects_ms / 3] * n, "warp:contour_push+radial_scale": [effects_ms * 2 / 3] * n}
    sums = [sum(v[i] for v in stages.values()) for i in range(n)]
    return ScenarioResult(
        scenario=sc, frame_ms=list(frame_ms), stages_ms=stages, ops_ms=ops, sum_of_stages_ms=sums,
        frames_with_face=n, blocked_frames=0, notices=Counter(), wall_s=1.0,
        first_estimate_ms=40.0 if age else None, first_steady_ms=900.0 if age else None,
        age_jobs_done=5 if age else 0, age_worker_ms_per_job=4.0 if age else None,
        age_latency_ms=5.0 if age else None, rss_mb_after=500.0, process_cpu_ms=20.0 * n,
        frame_thread_cpu_ms=8.0 * n, label_drawn=effect == "glam",
    )


def kernel_timing(name: str, numba: float, numpy: float, opencv: float | None) -> KernelTiming:
    return KernelTiming(name, "benchmarks.kernels.fake", "720p", "cv2.fake",
                        [numba] * 5, [numpy] * 3, [] if opencv is None else [opencv] * 5)


def startup_section() -> dict[str, Any]:
    steps = {"import": 1500.0, "load_effects": 80.0, "first_capture": 900.0, "tracker_first_frame": 90.0,
             "age_model_load": 100.0, "first_apply_all_effects": 15000.0, "second_apply_all_effects": 60.0}
    probe = {"resolution": "720p", "effects": ["glam"], "faces": 1, "steps_ms": steps, "first_apply_ms": {"glam": 8000.0},
             "second_apply_ms": {"glam": 18.0}, "to_first_frame_ms": 18000.0, "process_wall_ms": 19000.0}
    warm = {**probe, "steps_ms": {**steps, "first_apply_all_effects": 500.0}, "to_first_frame_ms": 3500.0}
    return {"cold": probe, "warm": warm, "jit_compile_ms": 14500.0, "cache_files": 38}


def stack_entry(effect: str, resolution: str, median: float) -> dict[str, Any]:
    ops = {"smooth_skin": summarize([median / 2] * 5), "warp:contour_push+radial_scale": summarize([median / 2] * 5)}
    return {"effect": effect, "resolution": resolution, "frames": 5, "apply_ms": summarize([median] * 5),
            "apply_cpu_ms": summarize([median * 0.9] * 5), "ops_ms": ops}
