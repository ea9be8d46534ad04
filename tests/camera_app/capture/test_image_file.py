"""camera_app.capture.image_file: the source picture's pixel budget, the large-picture path,
transparency and damaged files (issue 15, cases 8 and 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.capture.base import SourceError
from camera_app.capture.image_file import BACKGROUND, MAX_SOURCE_PIXELS, WORKING_PIXELS, read_image_rgb

REPO = Path(__file__).resolve().parents[3]
FACE = REPO / "assets" / "faces" / "nasa_astronaut_eileen_collins.jpg"


def test_a_truncated_jpeg_is_refused_without_libjpeg_noise(tmp_path: Path) -> None:
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(FACE.read_bytes()[:-2000])
    with pytest.raises(SourceError, match=r"cut.jpg: the JPEG is damaged or truncated \(image file is truncated"):
        read_image_rgb(cut)
    done = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                           "from camera_app.capture.image_file import read_image_rgb as r\n"
                           "try: r(Path(sys.argv[1]))\nexcept Exception: pass", str(cut)],
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stderr == ""  # nothing printed by the native decoders


def test_the_pixel_budget_is_read_from_the_header(tmp_path: Path) -> None:
    side = int(MAX_SOURCE_PIXELS**0.5) + 1
    big = tmp_path / "big.png"
    assert cv2.imwrite(str(big), np.zeros((side, side), np.uint8))
    with pytest.raises(SourceError, match=rf"big.png: {side}x{side} px .* is over the limit of 50 megapixels"):
        read_image_rgb(big)


def test_a_large_allowed_jpeg_is_brought_down_to_the_working_size(tmp_path: Path) -> None:
    face = cv2.imread(str(FACE))
    large = cv2.resize(face, (6000, 4000), interpolation=cv2.INTER_LINEAR)  # 24 Mpx, a phone photo
    path = tmp_path / "large.jpg"
    assert cv2.imwrite(str(path), large, [cv2.IMWRITE_JPEG_QUALITY, 80])
    rgb, composited = read_image_rgb(path)
    assert not composited and not rgb.flags.writeable
    height, width = rgb.shape[:2]
    assert width * height <= WORKING_PIXELS and abs(width / height - 1.5) < 0.01
    expected = cv2.resize(large, (width, height), interpolation=cv2.INTER_AREA)[:, :, ::-1]
    assert np.abs(rgb.astype(int) - expected.astype(int)).mean() < 3  # the same picture, smaller


def test_transparency_is_put_on_grey_and_other_layouts_read(tmp_path: Path) -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255  # blue (BGRA) stored under ...
    rgba[:, :2, 3] = 0  # ... a transparent left half
    rgba[:, 2:, 3] = 255
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), rgba)
    rgb, composited = read_image_rgb(path)
    assert composited
    assert (rgb[:, :2] == BACKGROUND).all() and (rgb[:, 2:] == (0, 0, 255)).all()
    grey16 = tmp_path / "g.png"
    cv2.imwrite(str(grey16), np.full((3, 5), 0x8000, np.uint16))
    rgb, composited = read_image_rgb(grey16)
    assert rgb.shape == (3, 5, 3) and (rgb == 128).all() and not composited
