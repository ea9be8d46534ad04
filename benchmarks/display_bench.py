"""The app's own display path: the real Kivy app, offscreen, on the demo feed.

For each resolution, ``safelens app`` runs in a fresh process (Kivy allows one app per process)
with the SDL offscreen driver, a throwaway data folder holding one adult profile, the
reference effect chosen, and ``--display-stats``: the app then times its display path itself
(``camera_app/ui/display_probe.py``) and writes the samples at exit. This part summarises them:
frames shown per second against the feed's 30 fps, frames the worker processed, the texture
upload, the UI thread's work per frame and each redraw of the window.

Where OpenGL is software (Mesa's llvmpipe, as on this machine without a GPU) the window is
rendered on the CPU, after the buffer swap, on llvmpipe's own threads; the app waits for each
redraw after its swap (``camera_app/ui/frame_pacing.py``), so ``draw_ms`` includes the
rendering, and the renderer threads' CPU time per frame shown is reported apart.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.stats import summarize

REPO_ROOT = Path(__file__).resolve().parents[1]
FEED_FPS = 30.0
WARMUP_FRAMES = 30  # frames the app shows before the probe measures (camera_app.ui.display_probe)
START_TIMEOUT_S = 300.0  # start-up (Kivy, MediaPipe, the age model, the JIT) on a loaded machine


class DisplayBenchError(RuntimeError):
    """The app could not be run or wrote no statistics."""


def measure_display(resolution: str, seconds: float, effect: str | None) -> dict[str, Any]:
    """One entry of the report's ``display`` section (see benchmarks/SCHEMA.md)."""
    folder = Path(tempfile.mkdtemp(prefix="safelens-bench-display-"))
    try:
        data_dir = folder / "data"
        _adult_profile(data_dir)
        stats_path = folder / "display.json"
        frames = WARMUP_FRAMES + int(round(seconds * FEED_FPS))
        command = [sys.executable, "-m", "camera_app.cli", "app", "--source", "demo", "--resolution", resolution,
                   "--profile", "Bench", "--data-dir", str(data_dir), "--export-dir", str(folder / "exports"),
                   "--offscreen", "--quit-after-frames", str(frames), "--display-stats", str(stats_path)]
        if effect is not None:
            command += ["--effect", effect]
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        load_before = os.getloadavg()[0]
        try:
            done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                                  timeout=START_TIMEOUT_S + 20.0 * frames / FEED_FPS)
        except subprocess.TimeoutExpired:
            raise DisplayBenchError(f"the app at {resolution} did not finish in time") from None
        if done.returncode != 0 or not stats_path.is_file():
            tail = (done.stderr or "").strip().splitlines()[-3:]
            raise DisplayBenchError(f"the app at {resolution} exited with code {done.returncode} "
                                    f"without statistics: {' / '.join(tail)}")
        raw = json.loads(stats_path.read_text(encoding="utf-8"))
        return summarize_display(raw, (load_before, os.getloadavg()[0]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summarize_display(raw: dict[str, Any], load_1m: tuple[float, float]) -> dict[str, Any]:
    """The report's entry from the app's raw statistics."""
    seconds = float(raw["seconds"])
    shown, processed = int(raw["frames_shown"]), int(raw["frames_processed"])
    shown_fps = shown / seconds if seconds > 0 else 0.0
    return {
        "resolution": raw["resolution"],
        "frame_size": raw["frame_size"],
        "window_size": raw["window_size"],
        "source": raw["source"],
        "effect": raw["effect"],
        "applied": raw["applied"],
        "feed_fps": FEED_FPS,
        "seconds": round(seconds, 3),
        "frames_shown": shown,
        "frames_processed": processed,
        "shown_fps": round(shown_fps, 2),
        "processed_fps": round(processed / seconds, 2) if seconds > 0 else 0.0,
        "keeps_up": shown_fps >= 0.95 * FEED_FPS,
        "draws": int(raw["draws"]),
        "draws_per_frame": round(int(raw["draws"]) / shown, 3) if shown else None,
        "textures_created": int(raw["textures_created"]),
        "cpu_ms_per_frame": _per_frame(raw.get("cpu_ms"), shown),
        "upload_ms": summarize(raw["upload_ms"]),
        "ui_frame_ms": summarize(raw["ui_frame_ms"]),
        "draw_ms": summarize(raw["draw_ms"]),
        "load_1m": list(load_1m),
    }


def _per_frame(cpu_ms: dict[str, float] | None, shown: int) -> dict[str, float] | None:
    if not cpu_ms or not shown:
        return None
    return {kind: round(ms / shown, 2) for kind, ms in cpu_ms.items()}


def _adult_profile(data_dir: Path) -> None:
    from camera_app.profiles.store import ProfileStore

    with ProfileStore(data_dir) as store:
        store.create_profile("Bench", datetime.date(store.today().year - 35, 1, 1))
