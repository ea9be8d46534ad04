"""What a frame costs before the tracker: drawing a demo frame versus converting a camera frame.

The pipeline runs play the camera-like replay source by default (``capture/replay.py``), whose
per-frame cost is OpenCV's YUV 4:2:0 to RGB conversion, as a camera frame's. This part times,
per resolution and on the same frames, with nothing else running in the process:

- ``demo_draw_ms``: ``DemoSource.render`` (warp, exposure, vignette, noise): what the live demo
  feed spends per frame, on its prefetch thread, that no camera spends;
- ``yuv_to_rgb_ms``: ``yuv420_to_rgb`` of the stored NV12 frame (the replay's per-frame cost);
- ``rgb_to_yuv_ms``: the conversion the replay does once per stored frame when it opens.

Each figure has its wall time and the CPU time of the timing thread (OpenCV may spread a
conversion over several threads: then the wall time is lower than the CPU time spent).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.stats import summarize
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.replay import DEFAULT_LOOP_FRAMES, rgb_to_yuv420, yuv420_to_rgb

WARMUP = 3
LAYOUT = "nv12"


def measure_capture(resolution: str, frames: int, seed: int = 0,
                    on_frame: Callable[[int], None] | None = None) -> dict[str, Any]:
    """One entry of the report's ``capture`` section (see benchmarks/SCHEMA.md)."""
    draw_wall: list[float] = []
    draw_cpu: list[float] = []
    to_rgb_wall: list[float] = []
    to_rgb_cpu: list[float] = []
    to_yuv_wall: list[float] = []
    frame_bytes = 0
    with DemoSource(DemoOptions(resolution=resolution, seed=seed, paced=False, prefetch=False)) as demo:
        for n in range(WARMUP + frames):
            rgb, wall, cpu = _timed(demo.render, n)
            yuv, yuv_wall, _ = _timed(rgb_to_yuv420, rgb, LAYOUT)
            _, back_wall, back_cpu = _timed(yuv420_to_rgb, yuv, LAYOUT)
            frame_bytes = yuv.nbytes
            if n >= WARMUP:
                draw_wall.append(wall)
                draw_cpu.append(cpu)
                to_yuv_wall.append(yuv_wall)
                to_rgb_wall.append(back_wall)
                to_rgb_cpu.append(back_cpu)
                if on_frame is not None:
                    on_frame(1)
    width, height = demo.size
    return {
        "resolution": resolution,
        "width": width,
        "height": height,
        "frames": frames,
        "layout": LAYOUT,
        "demo_draw_ms": summarize(draw_wall),
        "demo_draw_cpu_ms": summarize(draw_cpu),
        "yuv_to_rgb_ms": summarize(to_rgb_wall),
        "yuv_to_rgb_cpu_ms": summarize(to_rgb_cpu),
        "rgb_to_yuv_ms": summarize(to_yuv_wall),
        "yuv_frame_mb": round(frame_bytes / 2**20, 3),
        "replay_frames": DEFAULT_LOOP_FRAMES,
        "replay_mb": round(frame_bytes * DEFAULT_LOOP_FRAMES / 2**20, 1),
    }


def _timed(fn: Callable[..., np.ndarray], *args: Any) -> tuple[np.ndarray, float, float]:
    started, started_cpu = time.perf_counter(), time.thread_time()
    out = fn(*args)
    return out, (time.perf_counter() - started) * 1000.0, (time.thread_time() - started_cpu) * 1000.0
