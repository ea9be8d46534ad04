"""What a worker runs, on this machine or another: one effect's bytes in, one result row out.

A worker needs only the installed package: the effect arrives as zip bytes and the reference
faces as zip bytes too (``WorkerSetup``, sent once per worker), unpacked into private
temporary folders. The landmark detector and the reference set are made once per worker
process and kept (``_state``), so each task pays only for its own measurement.

The row has three parts: what the effect *is* (``result`` and the top-level fields: the same
whatever machine measured it, compared across engines by the tests), ``machine`` (its name
and the frame cost measured there) and ``timing``. ``run_task`` never raises for a bad
effect: a load error becomes status ``invalid`` and a classifier error status ``failed``,
each with the error's type and message; faces that cannot be loaded give status
``setup_error``, which stops the audit (every task would fail alike).
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import socket
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.audit.catalogue import Packed, load_bytes

THUMB_HEIGHT = 200
_STATE: dict[str, tuple[Any, Any]] = {}  # setup key -> (detector, reference set), per process


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What every task of one audit shares: the reference faces (zip bytes) and the mode."""

    faces_zip: bytes
    faces_key: str  # digest of the faces, so a worker keeps one reference set per faces folder
    quick: bool

    @property
    def reference_key(self) -> str:
        """Names the reference set results were measured on (with --resume, results must match it)."""
        return f"{'quick' if self.quick else 'full'}:{self.faces_key[:16]}"


class SetupError(RuntimeError):
    """The reference faces could not be loaded on a worker (every task would fail the same way)."""


def _state(setup: WorkerSetup) -> tuple[Any, Any]:
    hit = _STATE.get(setup.faces_key)
    if hit is not None:
        return hit
    from camera_app.catalog.classifications import image_detector
    from effects.classify import ReferenceError, load_reference

    folder = Path(tempfile.mkdtemp(prefix="safelens-audit-faces-"))
    atexit.register(shutil.rmtree, folder, True)
    with zipfile.ZipFile(io.BytesIO(setup.faces_zip)) as zf:
        for name in zf.namelist():
            if "/" in name or name.startswith("."):
                raise SetupError(f"faces archive: unexpected entry {name!r}")
            (folder / name).write_bytes(zf.read(name))
    detector = image_detector().__enter__()  # kept for the life of the worker process
    try:
        reference = load_reference(folder, detector)
    except ReferenceError as exc:
        raise SetupError(f"reference faces: {exc}") from exc
    _STATE[setup.faces_key] = (detector, reference)
    return detector, reference


def _load(packed: Packed) -> Any:
    from effects.spec import EffectSpecError

    spec = load_bytes(packed.data, packed.path)
    if spec.content_hash != packed.content_hash:
        raise EffectSpecError(packed.path, f"content hash {spec.content_hash[:12]} on the worker, "
                                           f"expected {packed.content_hash[:12]} (changed in transit)")
    return spec


def thumbnail(spec: Any, reference: Any) -> bytes | None:
    """Before and after side by side on one adult colour face of the quick set, as PNG bytes."""
    from PIL import Image

    from camera_app.tracking.segmenter import image_segmenter
    from effects.classify.adapters import SpecEffect

    adults = [f for f in reference.quick().faces if f.sheet_ok and not f.greyscale]
    if not adults:
        return None
    face = adults[0]
    after = SpecEffect(spec, segmenter=image_segmenter()).apply(face.rgb.copy(), (face.track,))
    b = face.track.box
    h, w = face.rgb.shape[:2]
    x0, x1 = max(0, int(b.x0 - 0.3 * b.width)), min(w, int(b.x1 + 0.3 * b.width))
    y0, y1 = max(0, int(b.y0 - 0.45 * b.height)), min(h, int(b.y1 + 0.1 * b.height))
    pair = [Image.fromarray(img[y0:y1, x0:x1]) for img in (face.rgb, after)]
    width = max(1, round(pair[0].width * THUMB_HEIGHT / max(pair[0].height, 1)))
    sheet = Image.new("RGB", (2 * width + 4, THUMB_HEIGHT), (255, 255, 255))
    for i, img in enumerate(pair):
        sheet.paste(img.resize((width, THUMB_HEIGHT), Image.Resampling.LANCZOS), (i * (width + 4), 0))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _row(packed: Packed, status: str, fingerprint: str, setup: WorkerSetup) -> dict[str, Any]:
    return {
        "path": packed.path, "status": status, "content_hash": packed.content_hash, "id": packed.effect_id,
        "declared": packed.declared, "category": None, "confidence": None, "declared_overruled": None,
        "classifier_fingerprint": fingerprint, "reference_key": setup.reference_key,
        "result": None, "error": None, "machine": {"name": socket.gethostname(), "frame_cost": None},
        "timing": {"seconds": None, "attempts": 1, "pid": os.getpid()},
    }


def run_task(setup: WorkerSetup, packed: Packed) -> tuple[dict[str, Any], bytes | None]:
    """Audit one effect: (the row, the before/after thumbnail PNG for an altering effect)."""
    from camera_app.catalog.classifications import classifier_fingerprint
    from camera_app.creator.check import CheckOptions, check_effect
    from effects.classification import Category
    from effects.classify import ClassifyError
    from effects.spec import EffectSpecError
    from effects.spec_zip import discard

    start, cpu_start = time.perf_counter(), time.process_time()
    row = _row(packed, "ok", classifier_fingerprint(), setup)
    try:
        detector, reference = _state(setup)
    except SetupError as exc:
        row.update(status="setup_error", error={"type": type(exc).__name__, "message": str(exc)})
        return row, None
    thumb = None
    try:
        spec = _load(packed)
    except EffectSpecError as exc:
        row.update(status="invalid", error={"type": type(exc).__name__, "message": str(exc)})
        row["timing"]["seconds"] = round(time.perf_counter() - start, 3)
        return row, None
    try:
        check = check_effect(spec, reference, detector, CheckOptions(faces_dir=reference.folder, quick=setup.quick))
        report = check.to_dict()
        row["machine"]["frame_cost"] = report.pop("frame_cost")
        for key in ("path", "id", "version", "content_hash", "declared", "category", "declared_disagrees",
                    "sheet", "expect", "expect_met", "cached"):
            report.pop(key, None)
        row.update(category=check.result.category.value, confidence=check.result.confidence,
                   declared_overruled=check.result.declared_disagrees,
                   result={"version": spec.version, **report})
        if check.result.category is Category.APPEARANCE_ALTERING:
            thumb = thumbnail(spec, reference)
    except ClassifyError as exc:
        row.update(status="failed", error={"type": type(exc).__name__, "message": str(exc)})
    except Exception as exc:  # noqa: BLE001 - one effect's bug is recorded, the audit goes on
        row.update(status="failed", error={"type": type(exc).__name__, "message": str(exc)})
    finally:
        discard(spec.root)
    row["timing"]["seconds"] = round(time.perf_counter() - start, 3)
    row["timing"]["cpu_seconds"] = round(time.process_time() - cpu_start, 3)  # every thread of the worker
    return row, thumb
