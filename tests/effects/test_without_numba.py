"""The NumPy fallback on a device without Numba: the packages import, every built-in effect
(which together use every op) renders within the golden tolerances, and ``safelens render``
works with ``SAFELENS_KERNELS=numpy``. Each check runs in a child process in which
``import numba`` fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from test_library import BUILTIN_DIR, GOLDEN_DIR, MEAN_TOLERANCE, P99_TOLERANCE

from effects.ops.base import OPS
from effects.registry import EffectRegistry

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BLOCK_NUMBA = "import sys; sys.modules['numba'] = None; "


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(HERE)])
    env.update(extra)
    return env


def test_the_library_covers_every_op() -> None:
    registry = EffectRegistry(BUILTIN_DIR)
    used = {op.op for effect_id in registry.ids for op in registry.get(effect_id).ops}
    assert used == set(OPS), f"ops no built-in effect uses (add one, or test them here): {sorted(set(OPS) - used)}"


@pytest.mark.slow
def test_every_effect_renders_its_golden_without_numba() -> None:
    proc = subprocess.run(
        [sys.executable, str(HERE / "numba_free_render.py"), str(BUILTIN_DIR), str(GOLDEN_DIR),
         str(MEAN_TOLERANCE), str(P99_TOLERANCE)],
        env=_env(SAFELENS_KERNELS="numba"), capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # Numba asked for but missing: the NumPy kernels run, Numba was never loaded.
    assert report["backend"] == "numpy" and not report["has_numba"] and not report["numba_loaded"]
    assert report["rendered"] >= 3 * 18
    assert report["mismatches"] == []


def test_choosing_numba_where_it_is_missing_is_a_clear_error() -> None:
    code = BLOCK_NUMBA + "from effects import backend; backend.use('numba')"
    proc = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "Numba is not installed" in proc.stderr


@pytest.mark.slow
def test_render_with_numpy_kernels_without_numba(tmp_path: Path) -> None:
    out = tmp_path / "comic.mp4"
    code = BLOCK_NUMBA + "from camera_app.cli import main; raise SystemExit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", code, "render", "--source", "demo", "--frames", "4", "--resolution", "480p",
         "--effect", "comic", "--out", str(out), "--data-dir", str(tmp_path / "data")],
        env=_env(SAFELENS_KERNELS="numpy"), capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    cap = cv2.VideoCapture(str(out))
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == 4
