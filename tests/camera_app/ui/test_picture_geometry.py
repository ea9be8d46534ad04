"""Where the preview draws a frame (picture_geometry.py, no Kivy): letterboxed with black bars
only beside the picture, or filling the widget with the overflow cut by texture coordinates
that show exactly the frame pixels the widget covers."""

from __future__ import annotations

import pytest

from camera_app.ui.widgets.picture_geometry import FULL_FRAME, drawn_parts, fill_cover, fit_inside, sampling


def _area(rect: tuple[float, float, float, float]) -> float:
    return rect[2] * rect[3]


def test_a_wide_frame_in_a_taller_widget_is_letterboxed_with_bars_above_and_below() -> None:
    widget = (0.0, 100.0, 1280.0, 800.0)
    drawn = drawn_parts(fit_inside(1280, 720, *widget), widget, True)
    assert drawn.picture == (0.0, 140.0, 1280.0, 720.0)
    assert drawn.tex_coords == FULL_FRAME  # the whole frame, rows top first
    assert drawn.bars == ((0.0, 100.0, 1280.0, 40.0), (0.0, 860.0, 1280.0, 40.0))
    assert _area(drawn.picture) + sum(_area(b) for b in drawn.bars) == pytest.approx(_area(widget))


def test_a_narrow_widget_gets_bars_left_and_right() -> None:
    widget = (10.0, 0.0, 1000.0, 400.0)
    drawn = drawn_parts(fit_inside(640, 480, *widget), widget, True)
    x, y, w, h = drawn.picture
    assert (y, h) == (0.0, 400.0) and w == pytest.approx(400.0 * 640 / 480)
    left, right = drawn.bars
    assert left == (10.0, 0.0, pytest.approx(x - 10.0), 400.0)
    assert right[0] == pytest.approx(x + w) and right[0] + right[2] == pytest.approx(1010.0)


def test_fill_draws_only_the_widget_and_shows_the_centre_of_the_frame() -> None:
    # A 1280x720 frame filling a portrait 400x800 widget: scaled to 1422x800, cut left and right.
    widget = (50.0, 20.0, 400.0, 800.0)
    picture = fill_cover(1280, 720, *widget)
    drawn = drawn_parts(picture, widget, True)
    assert drawn.picture == pytest.approx(widget)
    assert all(_area(b) == 0 for b in drawn.bars)  # nothing black: the picture covers the widget
    u0, bottom, u1, _, _, top, _, _ = drawn.tex_coords
    shown_cols = 1280 * (u1 - u0)
    assert shown_cols == pytest.approx(1280 * 400 / picture[2])  # the widget's share of the picture
    assert u0 == pytest.approx(1.0 - u1)  # centred
    assert (top, bottom) == (pytest.approx(0.0), pytest.approx(1.0))  # every row, top row at the top
    # The frame column drawn at the widget's left edge is the one the picture puts there.
    px, _, pw, _ = picture
    assert u0 * 1280 == pytest.approx((widget[0] - px) * 1280 / pw)


def test_without_a_frame_the_widget_is_black() -> None:
    widget = (0.0, 0.0, 300.0, 200.0)
    drawn = drawn_parts(fit_inside(0, 0, *widget), widget, False)
    assert _area(drawn.picture) == 0 and drawn.bars[0] == widget and _area(drawn.bars[1]) == 0


def test_only_a_software_renderer_samples_a_frame_shown_near_its_size_nearest() -> None:
    """llvmpipe: a 720p frame in the desktop window (0.81x) is sampled nearest; a 1080p frame
    shrunk to 0.54x stays linear (nearest would drop rows and columns); a GPU always filters."""
    picture_w = fit_inside(1280, 720, 0.0, 0.0, 1034.0, 700.0)[2]
    assert sampling(1280, picture_w, software=True) == "nearest"
    assert sampling(1920, picture_w, software=True) == "linear"
    assert sampling(1280, 1600.0, software=True) == "nearest"  # enlarged (a phone's full-screen preview)
    assert sampling(1280, picture_w, software=False) == "linear"
    assert sampling(0, 0.0, software=True) == "linear"  # no frame yet
