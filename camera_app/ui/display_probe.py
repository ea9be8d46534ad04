"""What the app's display path costs, measured inside the running app (``safelens app
--display-stats JSON``, used by ``safelens bench``'s ``display`` part).

Only when asked for: the probe times, on the UI thread,

- ``upload_ms``: copying each frame into the preview's texture (``Texture.blit_buffer``);
- ``ui_frame_ms``: everything the UI thread does with a frame the worker hands over (the
  upload, placing the label, the session update and the widgets that observe it);
- ``draw_ms``: each redraw of the window on the UI thread, from Kivy's ``on_draw`` to the end of
  the buffer swap (with software OpenGL the app then waits for the redraw to be rendered,
  ``ui/frame_pacing.py``, and this includes it; the renderer's threads' CPU time is counted
  apart, see below);

and counts frames shown, frames the worker processed, and redraws; on Linux it also reads the
CPU time of the process's threads over the measured span (``/proc/self/task``): the UI thread,
the renderer's (threads named ``llvmpipe-N``) and all the others. At exit it writes the raw
samples (no pixels) as JSON, atomically; the bench summarises them. The first
``warmup_frames`` frames shown are not measured (start-up, JIT, the first texture).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.core.window import Window

from camera_app.ui.widgets.preview import Preview

WARMUP_FRAMES = 30


class DisplayProbe:
    """``start(preview)`` once the window exists; ``frame(...)`` around each frame handed over; ``write(...)`` at exit."""

    def __init__(self, target: Path, warmup_frames: int = WARMUP_FRAMES) -> None:
        self.target = target
        self.warmup_frames = warmup_frames
        self.frames_seen = 0
        self.shown_s: list[float] = []  # perf_counter of each measured frame shown
        self.upload_ms: list[float] = []
        self.ui_frame_ms: list[float] = []
        self.draw_ms: list[float] = []
        self.draws = 0
        self._draw_started: float | None = None
        self._measuring_since: float | None = None
        self._processed_at_start = 0
        self._processed = 0
        self._preview: Preview | None = None
        self._cpu_at_start: dict[str, float] | None = None

    def start(self, preview: Preview) -> None:
        self._preview = preview
        Window.bind(on_draw=self._on_draw)
        flip = Window.flip  # the swap runs after on_flip's handlers: time it by wrapping the method

        def timed_flip() -> None:
            flip()
            self._drawn()

        Window.flip = timed_flip

    def frame(self, show: Callable[[], float], processed: int) -> None:
        """Run ``show`` (hands a frame to the widgets; returns its texture upload time in ms)."""
        started = time.perf_counter()
        upload_ms = show()
        ended = time.perf_counter()
        self.frames_seen += 1
        if self.frames_seen == self.warmup_frames:
            self._measuring_since = ended
            self._processed_at_start = processed
            self._cpu_at_start = thread_cpu_s()
        elif self.frames_seen > self.warmup_frames:
            self.shown_s.append(ended)
            self.upload_ms.append(upload_ms)
            self.ui_frame_ms.append((ended - started) * 1000.0)
        self._processed = processed

    def _on_draw(self, *_: Any) -> None:
        self._draw_started = time.perf_counter()

    def _drawn(self) -> None:
        if self._draw_started is None or self._measuring_since is None:
            return
        self.draw_ms.append((time.perf_counter() - self._draw_started) * 1000.0)
        self._draw_started = None
        self.draws += 1

    def report(self, facts: dict[str, Any]) -> dict[str, Any]:
        """The samples and counts, the frame and window sizes, and ``facts`` (source, effect)."""
        span_s = self.shown_s[-1] - self._measuring_since if self.shown_s and self._measuring_since else 0.0
        processed = self._processed - self._processed_at_start
        preview = self._preview
        cpu = None
        if self._cpu_at_start is not None:
            now = thread_cpu_s()
            cpu = {k: round((now.get(k, 0.0) - self._cpu_at_start.get(k, 0.0)) * 1000.0, 1) for k in now}
        return {
            **facts,
            "frame_size": list(preview.frame_size) if preview is not None else [0, 0],
            "window_size": list(Window.size),
            "textures_created": preview.textures_created if preview is not None else 0,
            "warmup_frames": self.warmup_frames,
            "seconds": round(span_s, 3),
            "frames_shown": len(self.shown_s),
            "frames_processed": max(0, processed),
            "draws": self.draws,
            "cpu_ms": cpu,
            "upload_ms": [round(v, 4) for v in self.upload_ms],
            "ui_frame_ms": [round(v, 4) for v in self.ui_frame_ms],
            "draw_ms": [round(v, 4) for v in self.draw_ms],
        }

    def write(self, facts: dict[str, Any]) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        partial = self.target.with_name(self.target.name + ".partial")
        partial.write_text(json.dumps(self.report(facts)), encoding="utf-8")
        os.replace(partial, self.target)
        return self.target


def thread_cpu_s() -> dict[str, float]:
    """CPU seconds of this process so far (``process``, threads that ended included) and of its
    live threads: ``ui`` (the main thread), ``renderer`` (Mesa's llvmpipe threads) and ``other``
    (the rest: the worker, the tracker, the age model...); only ``process`` where ``/proc`` is missing."""
    process = time.process_time()
    out = {"ui": 0.0, "renderer": 0.0}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return {"process": process}
    for task in tasks:
        try:
            name = (task / "comm").read_text(encoding="utf-8").strip()
            fields = (task / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if task.name == str(os.getpid()):
            out["ui"] += seconds
        elif name.startswith("llvmpipe"):
            out["renderer"] += seconds
    return {**out, "other": process - out["ui"] - out["renderer"], "process": process}
