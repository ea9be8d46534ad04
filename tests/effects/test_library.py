"""The built-in effect library (assets/effects): every effect loads, renders on three adult
faces, changes what it should, and matches its golden images.

Goldens: tests/effects/golden/<effect>/<face>.png, rendered on the 225x275 portraits of
``library_faces``. A render matches when the mean absolute difference is <= 1.0 grey level
and the 99th percentile <= 8 levels (room for the Numba/NumPy kernels and platform
rounding, not for a visible change). Regenerate with ``SAFELENS_UPDATE_GOLDEN=1`` only after
looking at the new pictures (``artifacts/effects_library.png`` shows them all).
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from library_faces import LIBRARY_FACES, portrait

from camera_app.tracking.segmenter import image_segmenter
from effects.classification import Category
from effects.engine import build_stack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.registry import EffectRegistry
from effects.spec import EffectSpec
from effects.triggers import TriggerMode

REPO = Path(__file__).resolve().parents[2]
BUILTIN_DIR = REPO / "assets" / "effects"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("SAFELENS_UPDATE_GOLDEN") == "1"
MEAN_TOLERANCE = 1.0
P99_TOLERANCE = 8.0

PLAYFUL = {"bunny_ears", "cat_face", "sunglasses", "party_hat", "sparkles", "comic", "vintage_film", "funhouse",
           "cartoon_eyes", "heart_burst", "brow_sparkles", "portrait_blur", "space_background", "neon_hair"}
ALTERING = {"skin_smoothing", "face_slimming", "eye_enlarge", "nose_slimming", "lip_plump", "teeth_whitening",
            "skin_tan", "makeup", "glam", "auburn_hair"}
WHOLE_FRAME = {"comic", "vintage_film"}  # every other effect leaves the background alone
NOTHING_TO_CHANGE = {("teeth_whitening", "usnavy_grace_hopper")}  # her mouth is closed: no teeth show


@pytest.fixture(scope="module")
def registry() -> EffectRegistry:
    return EffectRegistry(BUILTIN_DIR)


@pytest.fixture(scope="module")
def faces() -> dict[str, tuple[np.ndarray, FaceTrack]]:
    return {stem: portrait(stem) for stem in LIBRARY_FACES}


def _render(spec: EffectSpec, rgb: np.ndarray, track: FaceTrack) -> np.ndarray:
    """The effect as its thumbnail shows it: expression triggers forced on."""
    return build_stack([spec], TriggerMode.ON, image_segmenter()).apply(
        rgb, [track], OpContext(frame_index=0, timestamp_ms=0, seed=0))


def test_the_library_has_every_required_effect(registry: EffectRegistry) -> None:
    assert len(registry) >= 16
    missing = (PLAYFUL | ALTERING) - set(registry.ids)
    assert not missing, f"built-in effects missing: {sorted(missing)}"


@pytest.mark.parametrize("effect_id", sorted(PLAYFUL | ALTERING))
def test_declared_category_and_texts(registry: EffectRegistry, effect_id: str) -> None:
    spec = registry.get(effect_id)
    assert spec.declared_category is (Category.PLAYFUL if effect_id in PLAYFUL else Category.APPEARANCE_ALTERING)
    for lang in ("en", "fr"):
        assert spec.name[lang].strip() and spec.description[lang].strip()
    assert spec.author == "SafeLens" and spec.source == BUILTIN_DIR / effect_id


def _far_from_face(track: FaceTrack, shape: tuple[int, ...]) -> np.ndarray:
    """Pixels more than half a face height away from the face box."""
    box = track.box.expanded(0.5 * track.box.height)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (xx < box.x0) | (xx > box.x1) | (yy < box.y0) | (yy > box.y1)


@pytest.mark.parametrize("face", LIBRARY_FACES)
@pytest.mark.parametrize("effect_id", sorted(PLAYFUL | ALTERING))
def test_effect_renders_and_matches_its_golden(
    registry: EffectRegistry, faces: dict[str, tuple[np.ndarray, FaceTrack]], effect_id: str, face: str
) -> None:
    rgb, track = faces[face]
    before = rgb.copy()
    out = _render(registry.get(effect_id), rgb, track)
    assert np.array_equal(rgb, before), "the input frame was modified"
    assert out.shape == rgb.shape and out.dtype == np.uint8
    changed = np.any(out != rgb, axis=2)
    if (effect_id, face) not in NOTHING_TO_CHANGE:
        assert changed.mean() > 0.001, f"{effect_id} changed almost nothing on {face}"
    if effect_id in ALTERING:
        far = _far_from_face(track, rgb.shape)
        assert not np.any(changed & far), f"{effect_id} changed pixels far from the face"
    if effect_id in WHOLE_FRAME:
        assert changed.mean() > 0.5

    golden = GOLDEN_DIR / effect_id / f"{face}.png"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(golden), out[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
        return
    assert golden.exists(), f"{golden} is missing: run with SAFELENS_UPDATE_GOLDEN=1, then look at it"
    expected = cv2.imread(str(golden), cv2.IMREAD_COLOR)[:, :, ::-1]
    diff = np.abs(out.astype(np.int16) - expected.astype(np.int16))
    mean, p99 = float(diff.mean()), float(np.percentile(diff, 99))
    assert mean <= MEAN_TOLERANCE and p99 <= P99_TOLERANCE, (
        f"{effect_id} on {face}: mean abs diff {mean:.2f} (<= {MEAN_TOLERANCE}), 99th percentile {p99:.1f} "
        f"(<= {P99_TOLERANCE}) against {golden}"
    )


def test_library_contact_sheet(registry: EffectRegistry, faces: dict[str, tuple[np.ndarray, FaceTrack]],
                               artifacts_dir: Path) -> None:
    """One row per face, one column per effect (first column: the face), for a person to look at."""
    ids = [i for i in sorted(PLAYFUL) + sorted(ALTERING) if i in registry]
    rows = []
    for stem in LIBRARY_FACES:
        rgb, track = faces[stem]
        tiles = [rgb] + [_render(registry.get(i), rgb, track) for i in ids]
        rows.append(np.hstack(tiles))
    sheet = np.vstack(rows)
    assert cv2.imwrite(str(artifacts_dir / "effects_library.png"), sheet[:, :, ::-1])
