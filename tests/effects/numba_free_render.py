"""Run in a child process with Numba made unimportable: render every built-in effect on the
library faces with the NumPy kernels and compare with the goldens (the path for devices
without Numba). Prints one JSON object: the backend in use and every mismatch."""

from __future__ import annotations

import json
import sys

sys.modules["numba"] = None  # type: ignore[assignment]  # `import numba` now raises ImportError

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from library_faces import LIBRARY_FACES, portrait  # noqa: E402

from camera_app.tracking.segmenter import image_segmenter  # noqa: E402
from effects import backend  # noqa: E402
from effects.engine import build_stack  # noqa: E402
from effects.ops.base import OpContext  # noqa: E402
from effects.registry import EffectRegistry  # noqa: E402
from effects.triggers import TriggerMode  # noqa: E402


def main(builtin_dir: str, golden_dir: str, mean_tol: float, p99_tol: float) -> None:
    registry = EffectRegistry(builtin_dir)
    faces = {stem: portrait(stem) for stem in LIBRARY_FACES}
    rendered, mismatches = 0, []
    for effect_id in registry.ids:
        for stem, (rgb, track) in faces.items():
            golden = cv2.imread(f"{golden_dir}/{effect_id}/{stem}.png", cv2.IMREAD_COLOR)
            if golden is None:
                continue
            out = build_stack([registry.get(effect_id)], TriggerMode.ON, image_segmenter()).apply(rgb, [track], OpContext(0, 0, 0))  # as the goldens
            diff = np.abs(out.astype(np.int16) - golden[:, :, ::-1].astype(np.int16))
            mean, p99 = float(diff.mean()), float(np.percentile(diff, 99))
            rendered += 1
            if mean > mean_tol or p99 > p99_tol:
                mismatches.append({"effect": effect_id, "face": stem, "mean": mean, "p99": p99})
    print(json.dumps({"backend": backend.current(), "has_numba": backend.HAS_NUMBA,
                      "numba_loaded": "numba" in sys.modules and sys.modules["numba"] is not None,
                      "rendered": rendered, "mismatches": mismatches}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
