"""The classifier on person-mask effects: hair colours a person could have are appearance-altering,
unnatural ones playful; a background change behind an unchanged person is playful, and says so.

End to end on six public-domain faces (the same segmenter the app uses, IMAGE mode), plus the
rule alone on synthetic tables (a sweep over CIELAB hues and chromas).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from classify_faces import FACES, detector  # noqa: F401  (the shared module-scoped fixture)

from camera_app.tracking.segmenter import image_segmenter
from camera_app.tracking.tracker import FaceTracker
from effects.classification import Category, Change
from effects.classify import ReferenceSet, assess, load_reference
from effects.classify.adapters import SpecEffect
from effects.classify.person_rules import HAIR_SHIFT_DE, natural_hair_colour
from effects.classify.rules import decide
from effects.spec import EffectSpec, load_effect

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "assets" / "effects"
TEST_FACES = (
    "us_congress_C000714.jpg",
    "us_congress_C001080.jpg",
    "us_congress_H001056.jpg",
    "us_congress_M001160.jpg",
    "fsaowi_LC-USF33-012762_elderly_man.jpg",
    "fsaowi_LC-USF34-029514_4h_youth.jpg",
)
NATURAL = {"dark brown": "#3b2416", "chestnut": "#6b3a1e", "copper": "#b5562a", "golden blond": "#c9a064",
           "grey": "#8a8a8a"}
UNNATURAL = {"blue": "#2050ff", "green": "#20c040", "neon pink": "#ff2bd0", "purple": "#8030ff"}


@pytest.fixture(scope="module")
def reference(detector: FaceTracker) -> ReferenceSet:
    return load_reference(FACES, detector).subset(TEST_FACES)


def _dyed(colour: str, opacity: float = 0.8) -> EffectSpec:
    spec = load_effect(BUILTIN / "auburn_hair")
    op = spec.ops[0]
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return dataclasses.replace(spec, id=f"hair_{colour[1:]}", declared_category=None,
                               ops=(dataclasses.replace(op, params={**op.params, "color": rgb, "opacity": opacity}),))


def _hair_reason(result: object) -> object:
    found = [r for r in result.reasons if r.change is Change.CHANGES_HAIR_COLOUR]  # type: ignore[attr-defined]
    assert len(found) == 1, result.reasons  # type: ignore[attr-defined]
    return found[0]


@pytest.mark.parametrize("name", sorted(NATURAL))
def test_a_natural_hair_colour_is_altering(reference: ReferenceSet, detector: FaceTracker, name: str) -> None:
    a = assess(SpecEffect(_dyed(NATURAL[name]), segmenter=image_segmenter()), reference, detector)
    assert a.whole.decision.category is Category.APPEARANCE_ALTERING, a.result.notes
    assert _hair_reason(a.result).altering  # type: ignore[attr-defined]
    assert any("a colour hair can have" in n for n in a.result.notes), a.result.notes


@pytest.mark.parametrize("name", sorted(UNNATURAL))
def test_an_unnatural_hair_colour_is_playful(reference: ReferenceSet, detector: FaceTracker, name: str) -> None:
    a = assess(SpecEffect(_dyed(UNNATURAL[name]), segmenter=image_segmenter()), reference, detector)
    assert a.whole.decision.category is Category.PLAYFUL, a.result.notes
    assert not _hair_reason(a.result).altering  # type: ignore[attr-defined]
    assert any("no natural hair has" in n and "hue" in n for n in a.result.notes), a.result.notes


def test_a_natural_colour_stacked_with_a_background_is_still_altering(reference: ReferenceSet,
                                                                       detector: FaceTracker) -> None:
    """A new background moves every colour behind the person; it must not hide the dye."""
    specs = [load_effect(BUILTIN / "space_background"), _dyed(NATURAL["chestnut"])]
    a = assess(SpecEffect(specs, segmenter=image_segmenter()), reference, detector)
    assert a.result.category is Category.APPEARANCE_ALTERING


@pytest.mark.parametrize("effect_id,category", [("auburn_hair", Category.APPEARANCE_ALTERING),
                                                ("neon_hair", Category.PLAYFUL),
                                                ("portrait_blur", Category.PLAYFUL),
                                                ("space_background", Category.PLAYFUL)])
def test_the_builtin_segmentation_effects(reference: ReferenceSet, detector: FaceTracker, effect_id: str,
                                          category: Category) -> None:
    spec = dataclasses.replace(load_effect(BUILTIN / effect_id), declared_category=None)  # measured, not declared
    a = assess(SpecEffect(spec, segmenter=image_segmenter()), reference, detector)
    assert a.result.category is category, a.result.notes
    if "background" in effect_id or effect_id == "portrait_blur":
        behind = [r for r in a.result.reasons if r.change is Change.REPLACES_BACKGROUND]
        assert behind and not behind[0].altering, a.result.reasons
        assert any("the person is unchanged" in n for n in a.result.notes), a.result.notes


def test_the_rule_sweeps_natural_and_unnatural_hues() -> None:
    """Synthetic sweep over CIELAB: browns, reds and blonds (hue 25-90, chroma up to 40) and
    colourless greys are natural; every hue outside 20-95 with colour, and natural hues at neon
    chroma, are not."""
    for hue in range(25, 91, 5):
        for chroma in range(0, 41, 5):
            assert natural_hair_colour(float(chroma), float(hue)), (hue, chroma)
    for hue in list(range(100, 351, 10)) + [0, 5, 10, 15]:
        for chroma in (12, 25, 40, 60):
            assert not natural_hair_colour(float(chroma), float(hue)), (hue, chroma)
    for hue in (30, 60, 85):
        assert not natural_hair_colour(55.0, float(hue))
    for hue in range(0, 360, 30):
        assert natural_hair_colour(4.0, float(hue))  # black, grey, white


def _table(**columns: list[float]) -> dict[str, np.ndarray]:
    return {k.replace("__", "."): np.array(v, np.float64) for k, v in columns.items()}


def test_the_rule_reads_medians_and_needs_a_visible_change() -> None:
    faint = _table(hair__de=[HAIR_SHIFT_DE * 0.5] * 6, hair__lightness_after=[30.0] * 6,
                   hair__chroma_after=[25.0] * 6, hair__hue_after=[55.0] * 6)
    assert decide(faint).findings == ()
    unmeasured = _table(hair__de=[20.0, math.nan, math.nan, math.nan], hair__lightness_after=[30.0] * 4,
                        hair__chroma_after=[25.0] * 4, hair__hue_after=[55.0] * 4)
    assert decide(unmeasured).findings == ()
    natural = _table(hair__de=[15.0, 18.0, 12.0], hair__lightness_after=[30.0] * 3,
                     hair__chroma_after=[25.0, 28.0, 22.0], hair__hue_after=[50.0, 55.0, 60.0])
    finding, = decide(natural).findings
    assert finding.reason.altering and finding.reason.change is Change.CHANGES_HAIR_COLOUR
    assert "chroma 25" in finding.note and "hue 55" in finding.note


def test_a_background_change_counts_only_when_the_person_is_unchanged() -> None:
    behind = _table(outside__pixel_de=[30.0] * 4, outside__detail_loss=[0.1] * 4, person__pixel_de=[0.0] * 4)
    (finding,) = decide(behind).findings
    assert finding.reason.change is Change.REPLACES_BACKGROUND and not finding.reason.altering
    touched = _table(outside__pixel_de=[30.0] * 4, outside__detail_loss=[0.1] * 4, person__pixel_de=[3.0] * 4,
                     tone__background=[20.0] * 4)
    assert [f.reason.change for f in decide(touched).findings] == [Change.STYLISES_WHOLE_FRAME]


def test_the_classifier_measures_with_the_effects_own_segmenter(reference: ReferenceSet,
                                                                detector: FaceTracker) -> None:
    """One mask path: every photo's mask comes from the segmenter the effect runs with, once for
    the op and once for the measurement, and a segmenter that sees no person hides no dye."""

    class Counting:
        def __init__(self, empty: bool = False) -> None:
            self.calls, self.empty = 0, empty

        def person_mask(self, rgb: np.ndarray) -> np.ndarray:
            self.calls += 1
            mask = image_segmenter().person_mask(rgb)
            return np.zeros_like(mask) if self.empty else mask

    seg = Counting()
    a = assess(SpecEffect(_dyed(NATURAL["chestnut"]), segmenter=seg), reference, detector)
    assert seg.calls == 2 * len(reference.faces)
    assert a.whole.decision.category is Category.APPEARANCE_ALTERING
    nobody = Counting(empty=True)  # no person, no hair: the op changes nothing and nothing is claimed
    b = assess(SpecEffect(_dyed(NATURAL["chestnut"]), segmenter=nobody), reference, detector)
    assert all(np.array_equal(out, face.rgb) for out, face in zip(b.outputs, b.faces, strict=True))
    assert b.result.category is Category.PLAYFUL and not b.result.reasons
