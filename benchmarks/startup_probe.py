"""Start-up probe, run in a fresh process by :mod:`benchmarks.startup`: from interpreter start
to the first frame with every built-in effect (or those named) applied, step by step.

Usage: ``python -m benchmarks.startup_probe RESOLUTION [ID,ID...]``.

Prints one JSON object on the last line of stdout. With an empty ``NUMBA_CACHE_DIR`` the
first application of each effect includes compiling its kernels (cold start); with the cache
filled by an earlier run it only loads them (warm start).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000.0, 2)


def main(resolution: str, effect_ids: list[str] | None) -> dict[str, object]:
    steps: dict[str, float] = {}
    t = time.perf_counter()
    import numba  # noqa: F401

    import effects.ops  # noqa: F401
    from camera_app.catalog.effects import load_registry
    from camera_app.capture.demo import DemoOptions, DemoSource
    from camera_app.tracking.segmenter import LIVE_OPTIONS, PersonSegmenter
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions
    from effects.engine import build_stack
    from effects.ops.base import OpContext

    steps["import"] = _ms(t)
    t = time.perf_counter()
    registry = load_registry()
    specs = [registry.get(e) for e in effect_ids] if effect_ids else list(registry)
    segmenter = PersonSegmenter(LIVE_OPTIONS)
    stacks = [(spec.id, build_stack([spec], segmenter=segmenter)) for spec in specs]
    steps["load_effects"] = _ms(t)
    t = time.perf_counter()
    with DemoSource(DemoOptions(resolution=resolution, paced=False, max_frames=1)) as source:
        frame = source.read()
    steps["first_capture"] = _ms(t)
    t = time.perf_counter()
    with FaceTracker(FaceTrackerOptions(max_faces=1)) as tracker:
        frame = tracker.track(frame)
    steps["tracker_first_frame"] = _ms(t)
    t = time.perf_counter()
    from age_estimation.model import AgeModel, AgeModelOptions
    from camera_app.models import model_path

    AgeModel(AgeModelOptions(model_path("age"))).close()
    steps["age_model_load"] = _ms(t)
    ctx = OpContext(frame_index=0, timestamp_ms=0)
    first: dict[str, float] = {}
    second: dict[str, float] = {}
    for effect_id, stack in stacks:
        t = time.perf_counter()
        stack.apply(frame.pixels, frame.tracks, ctx)
        first[effect_id] = _ms(t)
    for effect_id, stack in stacks:
        t = time.perf_counter()
        stack.apply(frame.pixels, frame.tracks, ctx)
        second[effect_id] = _ms(t)
    steps["first_apply_all_effects"] = round(sum(first.values()), 2)
    steps["second_apply_all_effects"] = round(sum(second.values()), 2)
    return {
        "resolution": resolution,
        "effects": [spec.id for spec in specs],
        "faces": len(frame.tracks),
        "steps_ms": steps,
        "first_apply_ms": first,
        "second_apply_ms": second,
        "to_first_frame_ms": _ms(_T0),
    }


if __name__ == "__main__":
    ids = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else None
    result = main(sys.argv[1] if len(sys.argv) > 1 else "720p", ids)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
