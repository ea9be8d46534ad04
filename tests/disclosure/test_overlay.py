"""disclosure.overlay: the label never covers a face (when it can avoid it), is big enough,
small enough, readable (WCAG contrast), anti-aliased, touches only its plate, and holds still."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from disclosure_factories import FONT, glam

from disclosure.catalogue import load_catalogue
from disclosure.labels import Label, build_label
from disclosure.overlay import DisclosureOverlay, DisclosureOverlayOptions, OverlayError
from disclosure.placement import ANCHORS, Placement
from disclosure.plate import PlateError
from effects.face import Box

SIZES = [(854, 480), (1280, 720), (1920, 1080), (720, 1280), (640, 480)]


@pytest.fixture(scope="module")
def label() -> Label:
    return build_label(glam(), load_catalogue("en"))


@pytest.fixture(scope="module")
def label_fr() -> Label:
    return build_label(glam(), load_catalogue("fr"))


def _overlay(**changes: object) -> DisclosureOverlay:
    return DisclosureOverlay(dataclasses.replace(DisclosureOverlayOptions(font_path=FONT), **changes))


def _random_boxes(rng: np.random.Generator, width: int, height: int) -> list[Box]:
    boxes = []
    for _ in range(int(rng.integers(0, 5))):
        side = float(rng.uniform(0.08, 0.6)) * min(width, height)
        x0 = float(rng.uniform(-0.2 * side, width - 0.8 * side))
        y0 = float(rng.uniform(-0.2 * side, height - 0.8 * side))
        boxes.append(Box(x0, y0, x0 + side * float(rng.uniform(0.7, 1.0)), y0 + side))
    return boxes


def _some_clear_spot(p: Placement, width: int, height: int, boxes: list[Box]) -> bool:
    """Brute force over every whole-pixel position inside the frame: is the plate off every box
    at one of them? (A pixel column i is taken by a box when x0 < i + 1 and x1 > i.)"""
    taken = np.zeros((height, width), np.int64)
    cols, rows = np.arange(width), np.arange(height)
    for b in boxes:
        taken[np.ix_((b.y0 < rows + 1) & (b.y1 > rows), (b.x0 < cols + 1) & (b.x1 > cols))] = 1
    table = np.zeros((height + 1, width + 1), np.int64)
    table[1:, 1:] = taken.cumsum(axis=0).cumsum(axis=1)
    h, w = p.height, p.width
    inside = table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]
    return bool((inside == 0).any())


def test_label_never_covers_a_face_box_over_random_layouts(label: Label) -> None:
    rng = np.random.default_rng(7)
    covered_for_lack_of_space = 0
    for trial in range(400):
        width, height = SIZES[trial % len(SIZES)]
        overlay = _overlay()
        boxes = _random_boxes(rng, width, height)
        p = overlay.place(label, width, height, boxes)
        assert 0 <= p.x and p.x + p.width <= width and 0 <= p.y and p.y + p.height <= height
        hits = [b for b in boxes if p.intersects(b)]
        if hits:
            assert p.covers_face, (trial, p, hits)
            assert not _some_clear_spot(p, width, height, boxes), f"trial {trial}: a clear spot existed"
            covered_for_lack_of_space += 1
        else:
            assert not p.covers_face
    assert covered_for_lack_of_space < 40  # the layouts are mostly solvable: the test tests something


def test_label_keeps_a_margin_from_faces_when_there_is_room(label: Label) -> None:
    width, height = 1280, 720
    face = Box(380.0, 150.0, 780.0, 600.0)
    p = _overlay().place(label, width, height, [face])
    grow = 0.08 * 450.0
    assert not p.intersects(face.expanded(grow - 0.5))


def test_top_left_by_default(label: Label) -> None:
    overlay = _overlay()
    p = overlay.place(label, 1280, 720, [Box(500.0, 300.0, 800.0, 650.0)])
    assert (p.anchor, p.x, p.y) == ("top-left", 18, 18)


def test_corner_order_when_faces_block(label: Label) -> None:
    overlay = _overlay()
    top = Box(100.0, 40.0, 1200.0, 300.0)  # a wide face band across the top
    assert overlay.place(label, 1280, 720, [top]).anchor == "bottom-left"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_text_height_and_plate_area(label: Label, label_fr: Label, width: int, height: int) -> None:
    for lab in (label, label_fr):
        overlay = _overlay()
        frame = np.zeros((height, width, 3), np.uint8)
        p = overlay.draw_into(frame, lab, [])
        assert p.width * p.height <= 0.07 * width * height
        plate = frame[p.y : p.y + p.height, p.x : p.x + p.width]
        ink_rows = np.flatnonzero((plate.max(axis=2) > 128).any(axis=1))
        lines = np.split(ink_rows, np.flatnonzero(np.diff(ink_rows) > 1) + 1)
        layout = overlay.plate(lab, width, height).layout
        assert len(lines) == len(layout.lines)
        for text, rows in zip(layout.lines, lines, strict=True):
            # Every label line has a capital or ascender and a descender (A/f/l and p/g/q),
            # so its ink spans the full text height.
            assert any(c in text for c in "AEfl") and any(c in text for c in "pgq"), text
            assert rows[-1] - rows[0] + 1 >= 0.04 * height, (text, rows[-1] - rows[0] + 1, height)


def _relative_luminance(rgb: np.ndarray) -> float:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(a: np.ndarray, b: np.ndarray) -> float:
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_ratio_formula() -> None:
    assert contrast_ratio(np.array([255, 255, 255]), np.array([0, 0, 0])) == pytest.approx(21.0)
    assert contrast_ratio(np.array([118, 118, 118]), np.array([255, 255, 255])) == pytest.approx(4.54, abs=0.01)


def _text_and_plate_colours(frame: np.ndarray, p: Placement) -> tuple[np.ndarray, np.ndarray]:
    plate = frame[p.y : p.y + p.height, p.x : p.x + p.width].reshape(-1, 3)
    colours, counts = np.unique(plate, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]  # the plate fill is the most common colour
    distance = np.abs(plate.astype(int) - background.astype(int)).sum(axis=1)
    text = plate[np.argmax(distance)]  # the glyph cores are furthest from the fill
    return text, background


@pytest.mark.parametrize("picture", [0, 255, 128])
def test_text_contrast_against_its_plate_is_at_least_4_5(label: Label, picture: int) -> None:
    frame = np.full((720, 1280, 3), picture, np.uint8)
    p = _overlay().draw_into(frame, label, [])
    text, background = _text_and_plate_colours(frame, p)
    assert contrast_ratio(text, background) >= 4.5


def test_contrast_check_fails_for_a_pale_plate(label: Label) -> None:
    frame = np.full((720, 1280, 3), 255, np.uint8)
    p = _overlay(plate_rgba=(150, 150, 150, 230)).draw_into(frame, label, [])
    text, background = _text_and_plate_colours(frame, p)
    assert contrast_ratio(text, background) < 4.5


def test_text_is_anti_aliased(label: Label) -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    p = _overlay().draw_into(frame, label, [])
    plate = frame[p.y : p.y + p.height, p.x : p.x + p.width, 0]
    text_value, fill = int(plate.max()), int(np.bincount(plate.ravel()).argmax())
    between = ((plate > fill + 10) & (plate < text_value - 10)).sum()
    assert between > 0.2 * (plate == text_value).sum()  # glyph edges are graded, not hard


def test_pixels_outside_the_plate_are_unchanged(label: Label) -> None:
    rng = np.random.default_rng(3)
    frame = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    overlay = _overlay()
    boxes = [Box(0.0, 0.0, 400.0, 300.0)]
    out = overlay.render(frame, label, boxes)
    p = overlay.last_placement
    assert p is not None
    inside = np.zeros(frame.shape[:2], bool)
    inside[p.y : p.y + p.height, p.x : p.x + p.width] = True
    assert np.array_equal(out[~inside], frame[~inside])
    assert (out[inside] != frame[inside]).any(axis=1).mean() > 0.9


def test_position_holds_under_small_face_motion(label: Label) -> None:
    overlay = _overlay()
    width, height = 1280, 720
    first = overlay.place(label, width, height, [])
    # A face whose grown box ends 3 px right of the plate: the plate may stay at top-left.
    grow = 0.08 * 300.0
    x0 = first.x + first.width + grow + 3.0
    rng = np.random.default_rng(11)
    spots = set()
    for _ in range(300):
        dx, dy = rng.uniform(-2.5, 2.5, size=2)
        face = Box(x0 + dx, 60.0 + dy, x0 + 260.0 + dx, 360.0 + dy)
        p = overlay.place(label, width, height, [face])
        assert not p.intersects(face)
        spots.add((p.x, p.y))
    assert spots == {(first.x, first.y)}


def test_moves_away_at_once_and_comes_back_only_after_settling(label: Label) -> None:
    overlay = _overlay(settle_frames=10)
    width, height = 1280, 720
    blocking = Box(0.0, 0.0, 500.0, 400.0)
    away = overlay.place(label, width, height, [blocking])
    assert away.anchor != "top-left" and not away.intersects(blocking)
    anchors = [overlay.place(label, width, height, []).anchor for _ in range(12)]
    assert anchors[:9] == [away.anchor] * 9
    assert anchors[9:] == ["top-left"] * 3


def test_jittering_face_at_the_corner_does_not_flicker(label: Label) -> None:
    """A face drifting in and out of the top-left spot's extra clearance: one move, no back-and-forth."""
    overlay = _overlay()
    width, height = 1280, 720
    first = overlay.place(label, width, height, [])
    grow = 0.08 * 300.0
    edge = first.x + first.width + grow  # the face's left edge where it just touches the plate
    moves = 0
    last = first.anchor
    for t in range(400):
        x0 = edge - 6.0 + 12.0 * ((t // 7) % 2)  # 6 px over, then 6 px clear, every 7 frames
        face = Box(x0, 40.0, x0 + 260.0, 340.0)
        p = overlay.place(label, width, height, [face])
        assert not p.intersects(face)
        moves += p.anchor != last
        last = p.anchor
    assert moves == 1


def test_plate_is_rendered_once_per_label_and_size(label: Label, monkeypatch: pytest.MonkeyPatch) -> None:
    import disclosure.overlay as overlay_module

    calls = []
    real = overlay_module.render_plate
    monkeypatch.setattr(overlay_module, "render_plate", lambda *a: calls.append(a) or real(*a))
    overlay = _overlay()
    frame = np.zeros((720, 1280, 3), np.uint8)
    for _ in range(5):
        overlay.draw_into(frame, label, [])
    overlay.draw_into(np.zeros((480, 854, 3), np.uint8), label, [])
    assert len(calls) == 2


def test_portrait_frame_gets_a_shorter_text(label: Label) -> None:
    layout = _overlay().plate(label, 720, 1280).layout
    assert layout.text in label.variants[1:]


def test_frame_too_narrow_is_a_typed_error(label: Label) -> None:
    with pytest.raises(PlateError, match=r"label 'Appearance effect' does not fit a 120x1280 frame"):
        _overlay().draw_into(np.zeros((1280, 120, 3), np.uint8), label, [])


def test_draw_into_rejects_read_only_and_bad_arrays(label: Label) -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    frame.flags.writeable = False
    with pytest.raises(OverlayError, match="expected a writable array, found a read-only one"):
        _overlay().draw_into(frame, label, [])
    with pytest.raises(OverlayError, match=r"expected an \(H, W, 3\) uint8 RGB array, found \(720, 1280\) float32"):
        _overlay().draw_into(np.zeros((720, 1280), np.float32), label, [])


def test_options_are_checked() -> None:
    with pytest.raises(OverlayError, match=r"text_height_frac: expected a float in \[0.04, 0.2\], found 0.03"):
        DisclosureOverlayOptions(font_path=FONT, text_height_frac=0.03)
    with pytest.raises(OverlayError, match=r"max_area_frac: expected a float in \[0.01, 0.07\], found 0.1"):
        DisclosureOverlayOptions(font_path=FONT, max_area_frac=0.1)
    with pytest.raises(OverlayError, match="font_path: expected an existing font file"):
        DisclosureOverlayOptions(font_path=Path("/nonexistent/font.ttf"))


def test_anchor_names_are_the_documented_order() -> None:
    assert ANCHORS[:4] == ("top-left", "top-right", "bottom-left", "bottom-right")
