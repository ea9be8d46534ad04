"""Start-up cost: a cold JIT compile and a warm start, each in a fresh Python process.

Both runs use the same new, empty ``NUMBA_CACHE_DIR``: the first (cold) compiles every
kernel the built-in effects use and fills that cache; the second (warm) loads them from it,
as the app does on every start after the first. ``jit_compile_ms`` is the difference of the
two first applications of all effects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PROBE_TIMEOUT_S = 900


class StartupError(RuntimeError):
    """The probe process failed or printed no result."""


def _probe(cache_dir: Path, resolution: str, effects: Sequence[str]) -> dict[str, Any]:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), PYTHONUNBUFFERED="1")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup_probe", resolution, ",".join(effects)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1000.0
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise StartupError(f"start-up probe exited {proc.returncode}: {' | '.join(tail)}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_wall_ms"] = round(wall_ms, 2)
    return result


def measure_startup(resolution: str = "720p", effects: Sequence[str] = ()) -> dict[str, Any]:
    """``{"cold": probe, "warm": probe, "jit_compile_ms": ..., "cache_files": n}`` for ``effects``
    (every built-in effect when empty)."""
    with tempfile.TemporaryDirectory(prefix="safelens-numba-cold-") as tmp:
        cache = Path(tmp)
        cold = _probe(cache, resolution, effects)
        files = sum(1 for p in cache.rglob("*") if p.is_file())
        warm = _probe(cache, resolution, effects)
    jit_ms = cold["steps_ms"]["first_apply_all_effects"] - warm["steps_ms"]["first_apply_all_effects"]
    return {"cold": cold, "warm": warm, "jit_compile_ms": round(jit_ms, 2), "cache_files": files}
