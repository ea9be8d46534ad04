"""The bench report as plain data (JSON), schema ``safelens-bench`` version 1 (benchmarks/SCHEMA.md).

This module turns raw measurements into the report's sections; it does no timing itself.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.devices import DeviceProfile
from benchmarks.kernel_runner import KernelTiming
from benchmarks.scenario import ScenarioResult
from benchmarks.stats import over_budget, percentile, summarize

SCHEMA_NAME = "safelens-bench"
SCHEMA_VERSION = 1
RAW_SAMPLES_MAX = 2000  # frame times kept per run for the distribution plot


def run_entry(result: ScenarioResult) -> dict[str, Any]:
    """One run's section: frame time, stages, ops, age figures, pipelining."""
    sc = result.scenario
    frame = summarize(result.frame_ms)
    sums = summarize(result.sum_of_stages_ms)
    measured = len(result.frame_ms)
    fps = 1000.0 / frame["mean"] if measured and frame["mean"] > 0 else 0.0
    saving = None
    # On one core a step's wall time includes the time the other thread ran, so the sum counts
    # some time twice: the saving is only meaningful with a core per thread.
    if measured and sums["median"] > 0 and len(sc.cpus) > 1:
        saving = round(1.0 - frame["median"] / sums["median"], 4)
    age: dict[str, Any] | None = None
    if sc.age:
        age_ms = result.stages_ms.get("age", [])
        age = {
            "frame_path_ms": summarize(age_ms),
            "amortised_ms": round(sum(age_ms) / len(age_ms), 4) if age_ms else None,
            "first_estimate_ms": _round(result.first_estimate_ms),
            "first_steady_ms": _round(result.first_steady_ms),
            "jobs_done": result.age_jobs_done,
            "worker_ms_per_job": _round(result.age_worker_ms_per_job),
            "last_latency_ms": _round(result.age_latency_ms),
        }
    return {
        "id": sc.id,
        "effect": sc.effect_label,
        "effects": list(sc.effects),
        "resolution": sc.resolution,
        "cpus": list(sc.cpus),
        "cores": len(sc.cpus),
        "age": sc.age,
        "overlay": sc.overlay,
        "label_drawn": result.label_drawn,
        "warmup_frames": sc.warmup_frames,
        "frames": measured,
        "fps": round(fps, 2),
        "landmarks_predicted_frames": result.landmarks_predicted,
        "frame_ms": frame,
        "sum_of_stages_ms": sums,
        "pipelined_saving": saving,
        "stages_ms": {name: summarize(values) for name, values in result.stages_ms.items()},
        "ops_ms": {name: summarize(values) for name, values in result.ops_ms.items()},
        "cpu_ms_per_frame": {
            "process": round(result.process_cpu_ms / measured, 3) if measured else None,
            "frame_thread": round(result.frame_thread_cpu_ms / measured, 3) if measured else None,
            "other_threads": round((result.process_cpu_ms - result.frame_thread_cpu_ms) / measured, 3)
            if measured else None,
        },
        "frames_with_face": result.frames_with_face,
        "blocked_frames": result.blocked_frames,
        "notices": dict(result.notices),
        "age_estimation": age,
        "rss_mb_after": result.rss_mb_after,
        "load_1m": [round(v, 2) for v in result.load_1m],
        "wall_s": round(result.wall_s, 3),
        "frame_ms_samples": [round(v, 3) for v in result.frame_ms[:RAW_SAMPLES_MAX]],
    }


def device_entries(
    devices: Sequence[DeviceProfile], runs: Sequence[dict[str, Any]], machine_cpus: int
) -> list[dict[str, Any]]:
    """Pass or fail of every device on every run made with its CPU share (p95 frame time
    within the device's frame budget). ``native``: the run is at the device's own resolution."""
    out = []
    for device in devices:
        for run in runs:
            wanted = machine_cpus if device.cores is None else device.cores
            if not run["age"] or run["cores"] != wanted:
                continue
            frames = run["frame_ms_samples"]
            p95 = run["frame_ms"].get("p95")
            if p95 is None:
                continue
            out.append({
                "device": device.id,
                "effect": run["effect"],
                "resolution": run["resolution"],
                "native": run["resolution"] == device.resolution,
                "run": run["id"],
                "budget_ms": round(device.budget_ms, 3),
                "p95_ms": p95,
                "median_ms": run["frame_ms"]["median"],
                "fps": run["fps"],
                "frames_over_budget": over_budget(frames, device.budget_ms),
                "frames": len(frames),
                "pass": p95 <= device.budget_ms,
            })
    return out


def kernel_entry(timing: KernelTiming) -> dict[str, Any]:
    vs_cv = timing.ratio(timing.opencv_ms)
    vs_np = timing.ratio(timing.numpy_ms)
    return {
        "name": timing.name,
        "module": timing.module,
        "resolution": timing.resolution,
        "opencv_calls": timing.opencv_calls,
        "numba_ms": summarize(timing.numba_ms),
        "numpy_ms": summarize(timing.numpy_ms),
        "opencv_ms": summarize(timing.opencv_ms) if timing.opencv_ms else None,
        "numba_vs_opencv": None if vs_cv is None else round(vs_cv, 4),
        "numba_vs_numpy": None if vs_np is None else round(vs_np, 4),
    }


def machine_info(load_before: Sequence[float], load_after: Sequence[float], cpus: Sequence[int]) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    from effects import backend

    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "opencv-contrib-python", "onnxruntime", "mediapipe"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": list(cpus),
        "cpu_count": len(cpus),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "kernels_backend": backend.current(),
        "versions": versions,
    }


def overlay_summary(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The disclosure label's cost per resolution and CPU share, over runs that drew it."""
    groups: dict[tuple[str, int], list[float]] = {}
    for run in runs:
        stage = run["stages_ms"].get("disclosure")
        if run["label_drawn"] and stage and stage.get("n"):
            groups.setdefault((run["resolution"], run["cores"]), []).append(stage["median"])
    return [
        {"resolution": res, "cores": cores, "runs": len(medians), "median_of_run_medians_ms": round(percentile(medians, 50), 3),
         "max_run_median_ms": round(max(medians), 3)}
        for (res, cores), medians in sorted(groups.items())
    ]


def age_comparison(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """p95 frame time with and without the age estimator, for every run that has a twin without it."""
    by_id = {run["id"]: run for run in runs}
    out = []
    for run in runs:
        twin = by_id.get(run["id"] + "-noage")
        if not run["age"] or twin is None:
            continue
        age = run["age_estimation"] or {}
        out.append({
            "run": run["id"],
            "effect": run["effect"],
            "resolution": run["resolution"],
            "cores": run["cores"],
            "p95_with_age_ms": run["frame_ms"]["p95"],
            "p95_without_age_ms": twin["frame_ms"]["p95"],
            "p95_delta_ms": round(run["frame_ms"]["p95"] - twin["frame_ms"]["p95"], 3),
            "median_with_age_ms": run["frame_ms"]["median"],
            "median_without_age_ms": twin["frame_ms"]["median"],
            "amortised_frame_path_ms": age.get("amortised_ms"),
            "first_estimate_ms": age.get("first_estimate_ms"),
            "first_steady_ms": age.get("first_steady_ms"),
        })
    return out


def new_report(command: Sequence[str], settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": list(command),
        "settings": settings,
        "machine": None,
        "devices": [],
        "runs": [],
        "device_results": [],
        "stacks": [],
        "kernels": [],
        "startup": None,
        "memory": None,
        "age": [],
        "overlay": [],
        "landmarks": [],
        "capture": [],
        "display": [],
        "targets": [],
        "soak": None,
        "baseline": None,
        "errors": [],
    }


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)
