"""The reference faces an effect is measured on.

A reference folder holds face photos and, optionally, a ``manifest.csv`` with at least
a ``file`` column. A face is a minor when its ``notes`` or its file name contain one of
``MINOR_WORDS`` ("child", "youth", "schoolboy", ...): the bundled manifest notes some
minors only by file name (``documerica_543863_child.jpg``). Its ``source_path`` column
tells which crops come from the same photo; a crop beside a minor is kept off contact
sheets too. Without a manifest every ``.jpg``/``.jpeg``/``.png`` is used and no face is
known to be a minor (the children's comparison is then skipped, and says so).

Each photo is read once, scaled down so its longer side is at most ``MAX_SIDE_PX``,
and its landmarks detected once; ``load_reference`` keeps the result in memory for
the process, per folder and detector. The largest face of a photo is its reference
face; a photo where the detector finds no face is listed in ``undetected``.

``QUICK_FACES`` is the fixed quick subset (12 faces): adults and the three youngest
minors, dark to light skin, colour and black-and-white photos, young and old. In a
folder that lacks some of them, the quick subset is filled up in file-name order.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from effects.classify.colour import srgb_to_lab
from effects.classify.protocols import LandmarkDetector
from effects.face import FaceTrack
from effects.masks import region_mask

MAX_SIDE_PX = 1024
QUICK_SIZE = 12
QUICK_FACES: tuple[str, ...] = (
    "us_congress_B001287.jpg",  # adult man, medium-brown skin, colour
    "us_congress_C000714.jpg",  # older man, dark skin, colour
    "us_congress_M001160.jpg",  # woman, dark skin, colour
    "us_congress_C001080.jpg",  # woman, light skin, colour
    "us_congress_S001184.jpg",  # man, dark skin, colour
    "us_congress_H001056.jpg",  # woman, light skin, colour
    "nasa_astronaut_eileen_collins.jpg",  # woman, light skin, colour, busy background
    "usnavy_grace_hopper.jpg",  # older woman, glasses, colour
    "fsaowi_LC-USF33-012762_elderly_man.jpg",  # elderly man, black and white
    "documerica_543863_child.jpg",  # minor (child), colour
    "fsaowi_LC-USW3-015163_schoolboy_center.jpg",  # minor (child), black and white
    "fsaowi_LC-USF34-029514_4h_youth.jpg",  # minor (youth), black and white
)
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
MINOR_WORDS = ("child", "youth", "minor", "schoolboy", "schoolgirl", "kid", "teen", "baby", "toddler")
_GREY_TOLERANCE = 2.0  # mean |R-G| + |G-B| below this: a black-and-white photo


class ReferenceError(ValueError):
    """The reference folder or one of its files cannot be used; the message names it."""


@dataclass(frozen=True, slots=True, eq=False)
class ReferenceFace:
    """One reference photo with its detected face."""

    name: str
    rgb: np.ndarray
    track: FaceTrack
    minor: bool
    near_minor: bool
    greyscale: bool
    skin_lightness: float
    lab: np.ndarray  # CIELAB of ``rgb`` (float64), computed once

    @property
    def sheet_ok(self) -> bool:
        """May appear in a picture of an appearance-altering effect: not a minor nor cropped beside one."""
        return not (self.minor or self.near_minor)


@dataclass(frozen=True, slots=True, eq=False)
class ReferenceSet:
    """The faces of one folder (or a subset of them)."""

    folder: Path
    faces: tuple[ReferenceFace, ...]
    undetected: tuple[str, ...] = ()
    minors_known: bool = False
    label: str = "full"
    _quick: tuple[str, ...] = field(default=QUICK_FACES)

    def __len__(self) -> int:
        return len(self.faces)

    def quick(self) -> ReferenceSet:
        """The fixed quick subset (see the module notes)."""
        by_name = {f.name: f for f in self.faces}
        chosen = [by_name[n] for n in self._quick if n in by_name]
        for face in self.faces:
            if len(chosen) >= QUICK_SIZE:
                break
            if face not in chosen:
                chosen.append(face)
        return replace(self, faces=tuple(chosen), label="quick")

    def subset(self, names: Sequence[str]) -> ReferenceSet:
        by_name = {f.name: f for f in self.faces}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ReferenceError(f"{self.folder}: no reference face named {', '.join(missing)}")
        return replace(self, faces=tuple(by_name[n] for n in names), label="subset")


_CACHE: dict[tuple[Path, int], tuple[LandmarkDetector, ReferenceSet]] = {}


def load_reference(folder: Path | str, detector: LandmarkDetector) -> ReferenceSet:
    """The reference faces of ``folder`` with landmarks found by ``detector`` (cached per process)."""
    root = Path(folder).expanduser().resolve()
    key = (root, id(detector))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is detector:
        return hit[1]
    reference = _load(root, detector)
    _CACHE[key] = (detector, reference)
    return reference


def read_rgb(path: Path) -> np.ndarray:
    """An image file as a contiguous RGB uint8 array, longer side at most MAX_SIDE_PX."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ReferenceError(f"{path}: cannot be read as an image (expected a JPEG or PNG photo)")
    h, w = bgr.shape[:2]
    if max(h, w) > MAX_SIDE_PX:
        scale = MAX_SIDE_PX / max(h, w)
        bgr = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(bgr[:, :, ::-1])


def skin_lightness(rgb: np.ndarray, track: FaceTrack) -> float:
    """Median L* of the skin region (the face oval without eyes, brows, lips, nostrils)."""
    mask = region_mask(rgb.shape, track, ["skin"], feather_px=0.0, dilate_px=-2.0)
    y0, y1, x0, x1 = mask.roi
    inside = mask.alpha > 0.5
    if not inside.any():
        return float("nan")
    lab = srgb_to_lab(rgb[y0:y1, x0:x1][inside])
    return float(np.median(lab[:, 0]))


def _load(root: Path, detector: LandmarkDetector) -> ReferenceSet:
    if not root.is_dir():
        raise ReferenceError(f"{root}: expected a folder of face photos, found no such folder")
    rows = _manifest(root)
    minors_known = rows is not None
    if rows is None:
        rows = [
            {"file": p.name}
            for p in sorted(root.iterdir())
            if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES
        ]
    if not rows:
        raise ReferenceError(f"{root}: expected face photos (.jpg, .jpeg, .png), found none")
    minors = {r["file"] for r in rows if _names_a_minor(r.get("notes") or "") or _names_a_minor(r["file"])}
    minor_sources = {r.get("source_path") for r in rows if r["file"] in minors and r.get("source_path")}
    faces: list[ReferenceFace] = []
    undetected: list[str] = []
    for row in sorted(rows, key=lambda r: r["file"]):
        name = row["file"]
        rgb = read_rgb(root / name)
        found = detector.detect(rgb)
        if not found:
            undetected.append(name)
            continue
        faces.append(
            reference_face(
                name,
                rgb,
                found[0],
                minor=name in minors,
                near_minor=name not in minors and bool(row.get("source_path")) and row.get("source_path") in minor_sources,
            )
        )
    if not faces:
        raise ReferenceError(f"{root}: the detector found no face in any of the {len(rows)} photos")
    return ReferenceSet(root, tuple(faces), tuple(undetected), minors_known)


def _names_a_minor(text: str) -> bool:
    words = re.split(r"[^a-z]+", text.lower())
    return any(w in MINOR_WORDS for w in words)


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def reference_face(
    name: str, rgb: np.ndarray, track: FaceTrack, *, minor: bool = False, near_minor: bool = False
) -> ReferenceFace:
    """A ReferenceFace for a picture and its detected face (e.g. a rotated copy of a reference face)."""
    rgb = np.ascontiguousarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ReferenceError(f"{name}: expected an (H, W, 3) uint8 RGB image, found {rgb.shape} {rgb.dtype}")
    rgb = rgb.copy()
    rgb.flags.writeable = False
    diff = np.abs(np.diff(rgb.astype(np.int16), axis=2)).mean() * 2.0
    return ReferenceFace(
        name=name,
        rgb=rgb,
        track=track,
        minor=minor,
        near_minor=near_minor,
        greyscale=bool(diff < _GREY_TOLERANCE),
        skin_lightness=skin_lightness(rgb, track),
        lab=_read_only(srgb_to_lab(rgb)),
    )


def _manifest(root: Path) -> list[dict[str, str]] | None:
    path = root / "manifest.csv"
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "file" not in reader.fieldnames:
            raise ReferenceError(f"{path}: expected a header with a 'file' column, found {reader.fieldnames}")
        rows = [dict(r) for r in reader]
    for i, row in enumerate(rows, start=2):
        name = (row.get("file") or "").strip()
        if not name or not (root / name).is_file():
            raise ReferenceError(f"{path}: line {i}: file: expected an image in {root}, found {name!r}")
        row["file"] = name
    return rows
