"""The camera screen's layout at several window shapes (camera_layout.py, no Kivy): nothing
overlaps, the phone's shutter sits bottom-centre inside the safe area, the phone preview fills
the window, and the layout follows the window's aspect."""

from __future__ import annotations

import itertools

import pytest

from camera_app.app.devices import load_devices
from camera_app.ui.screens.camera_layout import Insets, camera_layout, inside, overlaps


def _phones() -> list[tuple[str, int, int, float, Insets]]:
    """Each bundled phone at the window size ``--device`` opens it at, and at full size."""
    out = []
    for device in load_devices():
        screen = device.screen
        if screen is None:
            continue
        for box in ((1600, 900), (4000, 4000)):
            (w, h), scale = screen.window_size(*box)
            area = screen.safe_area
            out.append((f"{device.device_id}@{w}x{h}", w, h, screen.density * scale,
                        Insets(area.top_px * scale, area.bottom_px * scale, area.left_px * scale, area.right_px * scale)))
    return out


PHONES = _phones()
DESKTOPS = [("1280x800", 1280, 800, 1.0), ("720x560", 720, 560, 1.0), ("900x900", 900, 900, 1.0),
            ("2560x1440 hidpi", 2560, 1440, 2.0)]


def test_there_are_a_tall_and_a_small_phone() -> None:
    assert {name.split("@")[0] for name, *_ in PHONES} >= {"flagship_phone", "entry_phone"}


@pytest.mark.parametrize(("name", "w", "h", "dp", "insets"), PHONES, ids=[p[0] for p in PHONES])
def test_the_phone_layout(name: str, w: int, h: int, dp: float, insets: Insets) -> None:
    lay = camera_layout(w, h, dp, insets)
    assert lay.phone
    assert lay.preview == (0.0, 0.0, w, h), "the preview fills the screen"
    assert lay.record is None, "the shutter records when held"
    for a, b in itertools.combinations(lay.controls().items(), 2):
        assert not overlaps(a[1], b[1]), f"{a[0]} overlaps {b[0]}: {a[1]} {b[1]}"
    for part, rect in lay.controls().items():
        assert inside(rect, lay.safe), f"{part} leaves the safe area: {rect} {lay.safe}"
    sx, sy, sw, sh = lay.shutter
    assert sx + sw / 2 == pytest.approx(w / 2), "the shutter is centred"
    assert sy < lay.carousel[1] < lay.effect_row[1] < lay.content[1] < lay.top_bar[1], "bottom to top"
    assert sy >= insets.bottom and lay.top_bar[1] + lay.top_bar[3] <= h - insets.top + 0.5
    assert lay.content[3] >= 0.3 * h, "room left for the picture, the label and notices"


@pytest.mark.parametrize(("name", "w", "h", "dp"), DESKTOPS, ids=[d[0] for d in DESKTOPS])
def test_the_desktop_layout(name: str, w: int, h: int, dp: float) -> None:
    lay = camera_layout(w, h, dp)
    assert not lay.phone and lay.record is not None
    for a, b in itertools.combinations(lay.controls().items(), 2):
        assert not overlaps(a[1], b[1]), f"{a[0]} overlaps {b[0]}"
    for part, rect in lay.controls().items():
        assert inside(rect, (0, 0, w, h)), part
    assert not overlaps(lay.preview, lay.shutter) and not overlaps(lay.preview, lay.record)


def test_the_layout_follows_the_windows_aspect() -> None:
    assert camera_layout(415, 900, 1.0).phone
    assert not camera_layout(900, 415, 1.0).phone
    assert not camera_layout(800, 800, 1.0).phone
