"""Carousel thumbnails: each effect rendered on one bundled ADULT reference portrait.

A thumbnail is a square PNG of the reference face (upscaled 2x so the ops work on a
face-sized face) with the effect applied, cropped around the head so hats and ears show.
They are cached in ``<data dir>/thumbnails`` under a name that carries the effect's content
hash, so an edited effect gets a new picture and an unchanged one is never rendered twice.

Only adult faces may be used here: appearance-altering effects are never rendered on a
picture of a minor (``REFERENCE_FACE`` is checked against the demo's adult list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from camera_app.models import ASSETS_DIR
from camera_app.tracking.segmenter import image_segmenter
from effects.engine import build_stack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.triggers import TriggerMode
from effects.spec import EffectSpec

REFERENCE_FACE = ASSETS_DIR / "faces" / "us_congress_M001188.jpg"  # an adult (public-domain official portrait)
THUMBNAIL_FOLDER = "thumbnails"
THUMBNAIL_PX = 160
UPSCALE = 2.0
# Minors in the bundled faces: never a reference for thumbnails (see assets/faces/LICENSE.md).
_MINOR_MARKERS = ("schoolboy", "4h_youth", "_child")


class ThumbnailError(RuntimeError):
    """The reference face cannot be read or has no face in it."""


class Detector(Protocol):
    def detect(self, rgb: np.ndarray) -> Sequence[FaceTrack]: ...


@dataclass(frozen=True, slots=True)
class Reference:
    rgb: np.ndarray  # upscaled portrait
    tracks: tuple[FaceTrack, ...]
    crop: tuple[int, int, int]  # x0, y0, side (may reach outside: padded by edge replication)


def load_reference(detector: Detector, path: Path = REFERENCE_FACE) -> Reference:
    """The reference portrait (upscaled), its face and the head crop."""
    if any(marker in path.name for marker in _MINOR_MARKERS):
        raise ThumbnailError(f"{path}: thumbnails use an adult reference face only")
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ThumbnailError(f"{path}: cannot read the reference face")
    rgb = cv2.resize(np.ascontiguousarray(bgr[:, :, ::-1]), None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
    tracks = tuple(detector.detect(rgb))
    if len(tracks) != 1:
        raise ThumbnailError(f"{path}: expected one face in the reference portrait, found {len(tracks)}")
    box = tracks[0].box
    face_h = box.y1 - box.y0
    side = int(round(face_h * 1.9))
    cx = (box.x0 + box.x1) / 2.0
    cy = (box.y0 + box.y1) / 2.0 - 0.2 * face_h  # headroom for hats and ears
    return Reference(rgb=rgb, tracks=tracks, crop=(int(round(cx - side / 2)), int(round(cy - side / 2)), side))


def render_thumbnail(spec: EffectSpec | None, reference: Reference, size_px: int = THUMBNAIL_PX) -> np.ndarray:
    """RGB (size_px, size_px, 3): the effect on the reference face (``None``: the face as is)."""
    rgb = reference.rgb
    if spec is not None:
        rgb = build_stack([spec], TriggerMode.ON, image_segmenter()).apply(rgb, reference.tracks, OpContext(frame_index=0, timestamp_ms=0, seed=0))
    x0, y0, side = reference.crop
    h, w = rgb.shape[:2]
    pad = max(0, -x0, -y0, x0 + side - w, y0 + side - h)
    if pad:
        rgb = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = rgb[y0 + pad : y0 + pad + side, x0 + pad : x0 + pad + side]
    return cv2.resize(crop, (size_px, size_px), interpolation=cv2.INTER_AREA)


def thumbnail_path(cache_dir: Path, spec: EffectSpec | None) -> Path:
    if spec is None:
        return cache_dir / f"_none-{THUMBNAIL_PX}.png"
    return cache_dir / f"{spec.id}-{spec.content_hash[:16]}-{THUMBNAIL_PX}.png"


def _write_png(path: Path, rgb: np.ndarray) -> None:
    from disclosure.atomic import atomic_output

    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))
    if not ok:
        raise ThumbnailError(f"{path}: OpenCV could not encode the thumbnail")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as fh:
        fh.write(encoded.tobytes())


def ensure_thumbnails(
    specs: Sequence[EffectSpec | None],
    cache_dir: Path,
    detector_factory: Callable[[], AbstractContextManager[Any]],
    on_ready: Callable[[str | None, Path], None] | None = None,
) -> dict[str | None, Path]:
    """The thumbnail path of each spec (``None`` = "no effect"), rendering only the missing
    ones; ``on_ready(effect_id, path)`` is called as each becomes available."""
    paths: dict[str | None, Path] = {}
    missing: list[EffectSpec | None] = []
    for spec in specs:
        path = thumbnail_path(cache_dir, spec)
        key = None if spec is None else spec.id
        paths[key] = path
        if path.is_file():
            if on_ready is not None:
                on_ready(key, path)
        else:
            missing.append(spec)
    if missing:
        with detector_factory() as detector:
            reference = load_reference(detector)
        for spec in missing:
            key = None if spec is None else spec.id
            _write_png(paths[key], render_thumbnail(spec, reference))
            if on_ready is not None:
                on_ready(key, paths[key])
    return paths
