"""Label formats with a law's wording: when each law asks for its mark, and how it is drawn
(France: « Images retouchées » on every frame; Norway: the mark top left, about 7% of the
image, contrasting with light and dark pictures)."""

from __future__ import annotations

import numpy as np
import pytest
from disclosure_factories import FONT, glam, puppy, reason

from camera_app.frame import Frame
from camera_app.stages.disclosure import DisclosureStage, DisclosureStageOptions
from disclosure.legal import FR_MENTION, LabelFormat, mark_required, norwegian_mark, provenance_record
from disclosure.overlay import DisclosureOverlayOptions
from effects.classification import Category, ClassificationResult


def _altering(*changes: str) -> ClassificationResult:
    return ClassificationResult("x", "1", Category.APPEARANCE_ALTERING, 0.9,
                                tuple(reason(c, 5.0, 4.0, 6.0, unit="dE") for c in changes))


@pytest.mark.parametrize(
    ("fmt", "results", "expected"),
    [
        (LabelFormat.DEFAULT, (glam(),), False),  # the SafeLens label, never a law's mark
        (LabelFormat.FR_INFLUENCER, (glam(),), True),
        (LabelFormat.FR_INFLUENCER, (puppy(),), False),  # obviously digital: no retouching
        (LabelFormat.FR_INFLUENCER, (_altering("whitens_teeth"),), True),  # the face's appearance changed
        (LabelFormat.NO_AD, (glam(),), True),  # shape, size and skin
        (LabelFormat.NO_AD, (_altering("whitens_teeth"),), False),  # colour of teeth only: exempt
        (LabelFormat.NO_AD, (_altering("tints_irises"),), False),  # colour of eyes only: exempt
        (LabelFormat.NO_AD, (_altering("whitens_teeth", "shifts_skin_tone"),), True),  # skin
        (LabelFormat.NO_AD, (puppy(), _altering("adds_makeup")), True),
    ],
)
def test_when_the_law_asks_for_its_mark(fmt: LabelFormat, results: tuple[ClassificationResult, ...],
                                        expected: bool) -> None:
    assert mark_required(fmt, results) is expected


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (1920, 1080), (640, 640)])
def test_norwegian_mark_is_top_left_and_about_seven_percent(size: tuple[int, int]) -> None:
    width, height = size
    mark = norwegian_mark(width, height, FONT)
    area = mark.width * mark.height / (width * height)
    assert 0.065 <= area <= 0.075, area
    margin = round(0.02 * min(width, height))
    assert (mark.x, mark.y) == (margin, margin)  # the upper left corner
    assert mark.x + mark.width <= width // 2 and mark.y + mark.height <= height // 2


@pytest.mark.parametrize("background", [0, 255])
def test_norwegian_mark_contrasts_with_dark_and_light_pictures(background: int) -> None:
    rgb = np.full((720, 1280, 3), background, np.uint8)
    mark = norwegian_mark(1280, 720, FONT)
    mark.draw_into(rgb)
    inside = rgb[mark.y : mark.y + mark.height, mark.x : mark.x + mark.width].astype(int)
    # both a near-white border/type and a near-black plate are drawn: one contrasts with any background
    assert (inside.mean(axis=2) > 230).mean() > 0.05 and (inside.mean(axis=2) < 40).mean() > 0.5
    outside = rgb.copy()
    outside[mark.y : mark.y + mark.height, mark.x : mark.x + mark.width] = background
    assert np.all(outside == background)  # nothing drawn outside the mark


def _stage(fmt: LabelFormat) -> DisclosureStage:
    return DisclosureStage(DisclosureStageOptions(label_format=fmt, overlay=DisclosureOverlayOptions(font_path=FONT)))


def _frames(n: int) -> list[Frame]:
    rng = np.random.default_rng(3)
    return [Frame(rng.integers(60, 200, (720, 1280, 3), dtype=np.uint8), i, i * 33, ()) for i in range(n)]


def test_french_mention_is_drawn_on_every_frame_with_the_laws_words() -> None:
    stage = _stage(LabelFormat.FR_INFLUENCER)
    stage.set_active([glam()], {"glam": "Glam"})
    assert stage.legal_mark and stage.label is not None and stage.label.text == FR_MENTION
    for frame in _frames(5):
        out = stage.process(frame).pixels
        placement = stage.last_placement
        assert placement is not None
        changed = np.any(out != frame.pixels, axis=2)
        assert changed[placement.y : placement.y + placement.height, placement.x : placement.x + placement.width].mean() > 0.5
        assert changed.sum() == changed[placement.y : placement.y + placement.height,
                                        placement.x : placement.x + placement.width].sum()


def test_norwegian_mark_replaces_the_label_on_every_frame() -> None:
    stage = _stage(LabelFormat.NO_AD)
    stage.set_active([glam()], {"glam": "Glam"})
    mark = norwegian_mark(1280, 720, FONT)
    for frame in _frames(4):
        out = stage.process(frame).pixels
        changed = np.any(out != frame.pixels, axis=2)
        assert changed[mark.y : mark.y + mark.height, mark.x : mark.x + mark.width].mean() > 0.9
        assert changed.sum() == changed[mark.y : mark.y + mark.height, mark.x : mark.x + mark.width].sum()


def test_without_an_altering_effect_nothing_is_drawn() -> None:
    stage = _stage(LabelFormat.NO_AD)
    stage.set_active([puppy()], {"puppy_ears": "Puppy"})
    frame = _frames(1)[0]
    assert not stage.legal_mark and np.array_equal(stage.process(frame).pixels, frame.pixels)


def test_provenance_record_names_the_law_and_the_mark() -> None:
    assert provenance_record(LabelFormat.FR_INFLUENCER, True)["mark"] == "Images retouchées"
    assert provenance_record(LabelFormat.NO_AD, True)["mark"] == "REKLAME Retusjert person"
    assert provenance_record(LabelFormat.NO_AD, False)["mark"] is None
    assert provenance_record(LabelFormat.DEFAULT, False) == {"format": "default", "law": None, "mark": None}
