"""Snapshots and recordings from the app, through ``disclosure/export.py``.

Every export carries the disclosure label in its pixels when an appearance-altering effect
was applied, and a signed C2PA manifest plus a JSON sidecar naming the effect (or none).
A snapshot is taken from the frame *before* the live label was drawn and the exporter burns
the label itself (the same overlay, so it looks the same); a recording takes the frames
the preview shows, which already carry the label (``label_drawn_upstream``), each at its
capture time (``Mp4Recorder`` repeats or drops frames to keep the video's nominal rate).

Files are named ``safelens-YYYYmmdd-HHMMSS[-n].png|mp4`` in the export folder.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from camera_app.paths import LABEL_FONT
from disclosure.export import Mp4Recorder, Mp4RecorderOptions, write_snapshot
from disclosure.labels import Label
from disclosure.overlay import DisclosureOverlay, DisclosureOverlayOptions
from disclosure.provenance import Origin, ProvenanceOptions, ProvenanceSigner, SignedExport
from effects.classification import ClassificationResult
from effects.face import Box

EXPORTS_FOLDER = "exports"


def export_name(folder: Path, suffix: str, now: float | None = None) -> Path:
    """A new file name in ``folder`` that no file has yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    candidate = folder / f"safelens-{stamp}{suffix}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"safelens-{stamp}-{n}{suffix}"
    return candidate


@dataclass(frozen=True, slots=True)
class ActiveLabel:
    """What was applied to a frame: the classifier results and the label (None: no effect)."""

    results: tuple[ClassificationResult, ...] = ()
    label: Label | None = None


class Exporter:
    """Owns the signing identity and the snapshot overlay; one per worker (one thread)."""

    def __init__(self, folder: Path, identity_dir: Path, origin: Origin, policy: Mapping[str, Any] | None = None) -> None:
        """``policy``: the policy settings the exports are made under (recorded in their manifests)."""
        self.folder = folder
        self.origin = origin
        self.policy = policy
        self._identity_dir = identity_dir
        self._signer: ProvenanceSigner | None = None
        self._overlay = DisclosureOverlay(DisclosureOverlayOptions(font_path=LABEL_FONT))
        self._recorder: Mp4Recorder | None = None
        self.recording_path: Path | None = None
        self.recording_active: ActiveLabel | None = None  # what the recording's manifest says was applied

    def _sign(self) -> ProvenanceSigner:
        if self._signer is None:
            self._signer = ProvenanceSigner(ProvenanceOptions(identity_dir=self._identity_dir, policy=self.policy))
        return self._signer

    def snapshot(self, rgb: np.ndarray, active: ActiveLabel, face_boxes: Sequence[Box], target: Path | None = None) -> SignedExport:
        """``rgb``: the frame after the effects, before the live label."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = target or export_name(self.folder, ".png")
        self._overlay.reset()
        return write_snapshot(
            rgb, target, self._sign(), active.results, active.label, self._overlay, face_boxes, self.origin
        )

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start_recording(self, fps: float, active: ActiveLabel, target: Path | None = None) -> Path:
        if self._recorder is not None:
            raise RuntimeError("Exporter.start_recording: a recording is already running")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = target or export_name(self.folder, ".mp4")
        options = Mp4RecorderOptions(
            target=target, fps=fps, results=active.results, label=active.label, origin=self.origin,
            label_drawn_upstream=True,
        )
        self._recorder = Mp4Recorder(options, self._sign(), overlay=None)
        self.recording_path = target
        self.recording_active = active
        return target

    def record(self, shown_rgb: np.ndarray, timestamp_ms: int) -> None:
        """One frame as the preview shows it (label drawn), placed in the video by its capture
        time so the recording plays at real speed when frames were processed slower than the
        camera delivered them."""
        if self._recorder is not None:
            self._recorder.write(shown_rgb, timestamp_ms=timestamp_ms)

    def stop_recording(self) -> SignedExport | None:
        """Finish and sign (None when nothing was recorded)."""
        recorder, self._recorder = self._recorder, None
        self.recording_path = self.recording_active = None
        if recorder is None:
            return None
        if recorder.frames_written == 0:
            recorder.abort()
            return None
        return recorder.close()

    def abort_recording(self) -> None:
        recorder, self._recorder = self._recorder, None
        self.recording_path = self.recording_active = None
        if recorder is not None:
            recorder.abort()

    def close(self) -> None:
        self.abort_recording()
        self._overlay.close()
        if self._signer is not None:
            self._signer.close()
            self._signer = None
