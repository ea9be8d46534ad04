"""Device screens (assets/devices): screen, density, safe area and front camera; the window a
device opens; strict errors naming the file and field; the mirrored selfie preview."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from camera_app.app.devices import DeviceProfileError, load_devices, read_device
from camera_app.app.mirror import mirror_rect, mirrored_preview

PHONE = """\
schema = 1
id = "phone"
name = "Test phone"
resolution = "720p"
target_fps = 30
cores = 1

[screen]
width_px = 1080
height_px = 2340
density = 2.625
orientation = "portrait"
safe_area = { top_px = 110, bottom_px = 63 }

[front_camera]
width_px = 1080
height_px = 1920
"""


def test_the_bundled_phones_have_a_tall_and_a_small_screen() -> None:
    devices = {d.device_id: d for d in load_devices()}
    tall, small = devices["flagship_phone"].screen, devices["entry_phone"].screen
    assert tall is not None and small is not None
    assert tall.aspect == pytest.approx(19.5 / 9) and small.aspect == pytest.approx(16 / 9)
    assert tall.orientation == small.orientation == "portrait"
    assert tall.safe_area.top_px > 0 and tall.safe_area.bottom_px > 0
    assert devices["desktop"].screen is None and devices["desktop"].front_camera is None


def test_a_device_window_keeps_the_screen_shape_and_fits_the_desktop(tmp_path: Path) -> None:
    path = tmp_path / "phone.toml"
    path.write_text(PHONE, encoding="utf-8")
    screen = read_device(path).screen
    assert screen is not None
    (w, h), scale = screen.window_size(1600, 900)
    assert h <= 900 and w % 4 == 0
    assert w / h == pytest.approx(1080 / 2340, rel=0.01)
    assert scale == pytest.approx(w / 1080)
    (w, h), scale = screen.window_size(4000, 4000)  # never scaled up
    assert (w, h, scale) == (1080, 2340, 1.0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("density = 2.625", "density = 9"), "field 'screen.density': expected a number in [0.5, 6]"),
        (lambda t: t.replace('orientation = "portrait"', 'orientation = "landscape"'),
         "field 'screen.orientation': landscape does not match 1080x2340 px"),
        (lambda t: t.replace("top_px = 110", "top_px = 1.5"), "field 'screen.safe_area.top_px': expected a whole number"),
        (lambda t: t.replace("top_px = 110, bottom_px = 63", "top_px = 1000, bottom_px = 400"),
         "insets leave less than half the screen"),
        (lambda t: t.replace("height_px = 1920", 'height_px = "1920"'), "field 'front_camera.height_px'"),
        (lambda t: t.replace("[screen]\n", "screen = 3\n[screen_x]\n"), "field 'screen': expected a table"),
    ],
)
def test_a_bad_screen_names_the_file_and_field(tmp_path: Path, edit: object, message: str) -> None:
    path = tmp_path / "phone.toml"
    path.write_text(edit(PHONE), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(DeviceProfileError) as info:
        read_device(path)
    assert str(path) in str(info.value) and message in str(info.value), str(info.value)


def test_the_selfie_preview_is_mirrored_but_its_label_reads_left_to_right() -> None:
    """The picture flips; the label plate is drawn again at the mirrored spot, unflipped."""
    rng = np.random.default_rng(1)
    before = rng.integers(0, 255, (64, 100, 3), dtype=np.uint8)
    plate = rng.integers(0, 255, (10, 30, 3), dtype=np.uint8)  # not symmetric: a flipped copy would differ

    def draw(pixels: np.ndarray, x: int, y: int) -> None:
        pixels[y:y + 10, x:x + 30] = plate

    shown, rect = mirrored_preview(before, (5, 40, 30, 10), draw)
    assert rect == (65, 40, 30, 10) == mirror_rect((5, 40, 30, 10), 100)
    assert np.array_equal(shown[40:50, 65:95], plate)
    outside = np.ones(shown.shape[:2], bool)
    outside[40:50, 65:95] = False
    assert np.array_equal(shown[outside], before[:, ::-1][outside])
    unlabelled, none = mirrored_preview(before, None, draw)
    assert none is None and np.array_equal(unlabelled, before[:, ::-1])
