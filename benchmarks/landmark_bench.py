"""Landmark accuracy against ground truth, jitter and tracker cost, per landmark schedule.

The demo feed looks at one still scene (a portrait in its backdrop) through a moving camera
whose map from scene to frame is known for every frame (``DemoSource.view_matrix``). The
scene's landmarks are detected once, at its full resolution, in IMAGE mode; moved by a frame's
view they are that frame's **true landmarks**. For each schedule the bench plays the same
frames through a fresh ``FaceTracker`` and records per frame:

- the **error**: the mean distance of the 478 landmarks (x, y) from the truth, in % of the true
  inter-ocular distance (outer eye corners); for predicted frames also the **added error**:
  their error minus the error of detection on every frame on the same frame (the frames are
  deterministic, so the runs pair up frame by frame);
- the **jitter**, on a still camera with exposure flicker and sensor noise: the mean landmark
  movement between consecutive frames, in % of the inter-ocular distance (the truth does not
  move, so any movement is jitter);
- the tracker's **wall time** and **CPU time** per frame (process CPU over ``track`` alone:
  MediaPipe's threads and the flow; the demo drawing is outside the timed part), and the
  process CPU of the whole loop per frame (demo drawing included, the same for every schedule:
  the one CPU figure that also holds ``async``'s detections, which run while the next frame is
  drawn).

The runs: detection on every frame without and with the head pose (the facial transformation
matrix: its cost), ``predict`` with the default and a longer interval, and ``async`` (detection
on a worker thread, brought forward by the flow; its wall time per frame leaves out the
detection it overlaps, its CPU time does not). ``landmarker_runs`` counts MediaPipe's
detections (for ``async`` these are not the frames marked detected).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.stats import summarize
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.tracking.schedule import DEFAULT_MAX_INTERVAL
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions
from effects.face import FaceTrack

WARMUP_FRAMES = 10
LONG_INTERVAL = 6
TARGET_MEDIAN_IOD_PCT = 1.0
TARGET_P95_IOD_PCT = 2.5


@dataclass(frozen=True, slots=True)
class LandmarkRun:
    """One schedule to measure."""

    name: str
    options: FaceTrackerOptions


def runs() -> list[LandmarkRun]:
    return [
        LandmarkRun("every", FaceTrackerOptions(max_faces=2, schedule="every")),
        LandmarkRun("every+head-pose", FaceTrackerOptions(max_faces=2, schedule="every", head_pose=True)),
        LandmarkRun(f"predict/{DEFAULT_MAX_INTERVAL}", FaceTrackerOptions(max_faces=2, schedule="predict")),
        LandmarkRun(f"predict/{LONG_INTERVAL}", FaceTrackerOptions(max_faces=2, schedule="predict",
                                                                   max_interval=LONG_INTERVAL)),
        LandmarkRun(f"async/{DEFAULT_MAX_INTERVAL}", FaceTrackerOptions(max_faces=2, schedule="async")),
    ]


@dataclass(slots=True)
class Played:
    error_pct: dict[int, float] = field(default_factory=dict)  # frame index -> error
    predicted: set[int] = field(default_factory=set)
    movement_pct: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0
    loop_cpu_ms: float = 0.0  # process CPU of the whole measured loop: demo drawing, tracking, any worker
    frames: int = 0
    landmarker_runs: int = 0
    faceless: int = 0


def truth_of(source: DemoSource) -> FaceTrack:
    """The scene's face, detected once at full resolution (IMAGE mode)."""
    with FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)) as still:
        faces = still.detect(np.ascontiguousarray(source.scene))
    if not faces:
        raise RuntimeError("landmark bench: no face found on the demo scene")
    return faces[0]


def play(options: FaceTrackerOptions, demo: DemoOptions, frames: int, truth: FaceTrack | None,
         on_frame: Callable[[int], None] | None = None) -> Played:
    """Play ``WARMUP_FRAMES + frames`` demo frames through a fresh tracker with ``options``."""
    out = Played()
    with DemoSource(demo) as source, FaceTracker(options) as tracker:
        previous: np.ndarray | None = None
        loop_cpu0 = 0.0
        for n in range(WARMUP_FRAMES + frames):
            if n == WARMUP_FRAMES:
                loop_cpu0 = time.process_time()
            frame = source.read()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            tracked = tracker.track(frame)
            wall_ms, cpu_ms = (time.perf_counter() - wall0) * 1000.0, (time.process_time() - cpu0) * 1000.0
            if on_frame is not None:
                on_frame(1)
            if n < WARMUP_FRAMES:
                continue
            out.frames += 1
            out.wall_ms.append(wall_ms)
            out.cpu_ms += cpu_ms
            if not tracked.tracks:
                out.faceless += 1
                previous = None
                continue
            xy = tracked.tracks[0].xy.astype(np.float64)
            if tracked.landmarks_predicted:
                out.predicted.add(frame.index)
            true = truth.transformed(source.view_matrix(frame.index)) if truth is not None else None
            if true is not None:
                iod = true.interocular_px
                out.error_pct[frame.index] = float(np.linalg.norm(xy - true.xy, axis=1).mean()) / iod * 100.0
            if previous is not None:
                iod = truth.interocular_px if truth is not None else float(np.linalg.norm(xy[263] - xy[33]))
                out.movement_pct.append(float(np.linalg.norm(xy - previous, axis=1).mean()) / iod * 100.0)
            previous = xy
        out.loop_cpu_ms = (time.process_time() - loop_cpu0) * 1000.0
        out.landmarker_runs = tracker.detected_frames
    return out


def measure_landmarks(resolutions: Sequence[str], frames: int, seed: int,
                      on_frame: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """One entry per resolution and schedule (see SCHEMA.md, *landmarks[]*)."""
    entries: list[dict[str, Any]] = []
    for resolution in resolutions:
        moving = DemoOptions(resolution=resolution, seed=seed, paced=False, prefetch=False,
                             max_frames=WARMUP_FRAMES + frames)
        still = DemoOptions(resolution=resolution, seed=seed, paced=False, prefetch=False, still=True,
                            max_frames=WARMUP_FRAMES + frames)
        with DemoSource(moving) as source:
            truth = truth_of(source)
        baseline: Played | None = None
        for run in runs():
            load = os.getloadavg()[0]
            played = play(run.options, moving, frames, truth, on_frame)
            jitter = play(run.options, still, frames, None, on_frame)
            if run.name == "every":
                baseline = played
            entries.append(landmark_entry(run, resolution, played, jitter, baseline, load))
    return entries


def landmark_entry(run: LandmarkRun, resolution: str, played: Played, jitter: Played, baseline: Played | None,
           load: float) -> dict[str, Any]:
    predicted = sorted(played.predicted & set(played.error_pct))
    errors = list(played.error_pct.values())
    pred_errors = [played.error_pct[i] for i in predicted]
    added = ([played.error_pct[i] - baseline.error_pct[i] for i in predicted if i in baseline.error_pct]
             if baseline is not None else [])
    pred = summarize(pred_errors)
    return {
        "schedule": run.name,
        "resolution": resolution,
        "max_interval": run.options.max_interval if run.options.schedule != "every" else 1,
        "head_pose": run.options.head_pose,
        "frames": played.frames,
        "detected_frames": played.frames - played.faceless - len(played.predicted),
        "predicted_frames": len(played.predicted),
        "faceless_frames": played.faceless,
        "landmarker_runs": played.landmarker_runs,
        "error_iod_pct": summarize(errors),
        "predicted_error_iod_pct": pred,
        "added_error_iod_pct": summarize(added),
        "jitter_iod_pct": summarize(jitter.movement_pct),
        "track_ms": summarize(played.wall_ms),
        "tracker_cpu_ms_per_frame": round(played.cpu_ms / played.frames, 3) if played.frames else None,
        "loop_cpu_ms_per_frame": round(played.loop_cpu_ms / played.frames, 3) if played.frames else None,
        "meets_accuracy_target": (pred["median"] <= TARGET_MEDIAN_IOD_PCT and pred["p95"] <= TARGET_P95_IOD_PCT
                                  if pred.get("n") else None),
        "load_1m": round(load, 2),
    }


def frames_played(resolutions: Sequence[str], frames: int) -> int:
    """What :func:`measure_landmarks` plays (for a progress bar)."""
    return len(resolutions) * len(runs()) * 2 * (WARMUP_FRAMES + frames)
