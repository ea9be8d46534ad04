"""camera_app.app.exports: the app's recordings play at real speed when frames come slowly."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from camera_app.app.exports import ActiveLabel, Exporter
from disclosure.provenance import Origin


def test_a_recording_of_slowly_processed_frames_lasts_as_long_as_the_capture(tmp_path: Path) -> None:
    exporter = Exporter(tmp_path / "exports", tmp_path / "provenance", Origin.camera())
    try:
        path = exporter.start_recording(30.0, ActiveLabel())
        for n in range(16):  # 8 fps worth of frames over 2 s of camera time
            rgb = np.full((120, 160, 3), 20 + 12 * n, np.uint8)
            exporter.record(rgb, timestamp_ms=1000 + 125 * n)
        signed = exporter.stop_recording()
    finally:
        exporter.close()
    assert signed is not None and signed.path == path
    capture = cv2.VideoCapture(str(path))
    frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    # 15 gaps of 125 ms = 1.875 s at 30 fps (57 slots) + the last frame; written once each it would be 16.
    assert fps == 30.0 and frames == 57
