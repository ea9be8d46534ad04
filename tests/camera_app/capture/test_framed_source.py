"""A phone's front camera: portrait frames of the device's size and aspect from the demo (drawn
portrait), a landscape image or video (centre crop, scaled), with the HUD's description."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.app.devices import load_devices
from camera_app.capture import SourceError, open_source
from camera_app.capture.framed import FramedSource, centre_crop_box, crop_to


@pytest.mark.parametrize("device_id", ["flagship_phone", "entry_phone"])
def test_the_demo_feed_is_drawn_at_the_front_cameras_size(device_id: str) -> None:
    device = next(d for d in load_devices() if d.device_id == device_id)
    assert device.front_camera is not None
    with open_source("demo", resolution=device.resolution, paced=False, max_frames=2,
                     frame_size=device.front_camera.size) as source:
        frame = source.read()
    assert (frame.width, frame.height) == device.front_camera.size
    assert frame.height > frame.width  # portrait
    assert f"{frame.width}x{frame.height}" in source.description


def test_a_landscape_picture_is_centre_cropped_to_portrait(tmp_path: Path) -> None:
    """Left third red, middle third green, right third blue: a 9:16 centre crop is all green."""
    landscape = np.zeros((720, 1280, 3), np.uint8)
    landscape[:, :427] = (255, 0, 0)
    landscape[:, 427:853] = (0, 255, 0)
    landscape[:, 853:] = (0, 0, 255)
    path = tmp_path / "wide.png"
    cv2.imwrite(str(path), landscape[:, :, ::-1])
    with open_source(str(path), max_frames=1, frame_size=(720, 1280)) as source:
        frame = source.read()
    assert isinstance(source, FramedSource)
    assert (frame.width, frame.height) == (720, 1280)
    assert frame.width / frame.height == pytest.approx(9 / 16)
    assert (frame.pixels[:, :, 1] > 200).all() and (frame.pixels[:, :, [0, 2]] < 60).all()
    assert "centre 405x720 of 1280x720, scaled to 720x1280" in source.description


def test_crop_geometry() -> None:
    assert centre_crop_box(1280, 720, 9, 16) == (437, 0, 405, 720)
    assert centre_crop_box(720, 1280, 16, 9) == (0, 437, 720, 405)
    assert crop_to(np.zeros((1280, 720, 3), np.uint8), (720, 1280)).shape == (1280, 720, 3)


def test_a_tiny_size_is_refused() -> None:
    with pytest.raises(SourceError, match="at least 16x16"):
        open_source("camera:0", frame_size=(8, 8))
