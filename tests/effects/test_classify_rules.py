"""The decision rule (effects.classify.rules) and the geometry measures, on made-up tables.

Each table is what ``measure_face`` reports for 12 faces; the rule must put the line
where its docstring says, for the reasons it says.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from effects.classification import Category, Change
from effects.classify import geometry, rules
from effects.classify.judging import face_category, with_children
from effects.classify.rules import decide
from effects.regions import LEFT_EYE, RIGHT_EYE

N = 12


def _table(**metrics: float | list[float]) -> dict[str, np.ndarray]:
    """A 12-face table: unchanged faces, with the given metrics set (a number: same on every face)."""
    t = {f"geometry.{m}": np.zeros(N) for m in geometry.GEOMETRY_METRICS}
    for region in ("skin", "lips", "teeth", "irises"):
        t[f"tone.{region}"] = np.zeros(N)
        t[f"tone.{region}.dL"] = np.zeros(N)
    for region in ("cheeks", "eyelids", "lips", "brows", "lash_line"):
        t[f"local.{region}"] = np.zeros(N)
        t[f"local.{region}.dL"] = np.zeros(N)
        t[f"local.{region}.share"] = np.zeros(N)
    t.update({
        "tone.skin.chroma_after": np.full(N, 20.0), "tone.skin.hue_after": np.full(N, 50.0),
        "tone.background": np.zeros(N), "texture.skin": np.zeros(N), "texture.background": np.zeros(N),
        "motion.background": np.zeros(N), "overlay.share": np.zeros(N), "overlay.face": np.zeros(N),
        "overlay.head": np.zeros(N), "overlay.outside": np.zeros(N), "detected": np.ones(N),
    })
    for key, value in metrics.items():
        name = key.replace("__", ".")
        t[name] = np.array(value, dtype=float) if isinstance(value, list) else np.full(N, float(value))
    return t


def _changes(t: dict[str, np.ndarray]) -> dict[Change, bool]:
    return {f.reason.change: f.reason.altering for f in decide(t).findings}


def test_no_change_is_playful_with_no_findings() -> None:
    d = decide(_table())
    assert d.category is Category.PLAYFUL and d.findings == ()


def test_a_plausible_eye_enlargement_is_altering_with_its_magnitude_and_range() -> None:
    values = list(np.linspace(0.08, 0.12, N))
    d = decide(_table(geometry__eyes=values))
    assert d.category is Category.APPEARANCE_ALTERING
    (f,) = d.findings
    assert f.reason.change is Change.ENLARGES_EYES and f.reason.altering and f.reason.unit == "%"
    assert f.reason.median == pytest.approx(10.0)
    assert f.reason.low == pytest.approx(np.percentile(values, 10) * 100)
    assert f.reason.high == pytest.approx(np.percentile(values, 90) * 100)
    assert f.reason.n_faces == N


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.01, {}), (0.015, {Change.ENLARGES_EYES: True}), (0.27, {Change.ENLARGES_EYES: True}),
     (0.30, {Change.EXAGGERATED_DISTORTION: False}), (-0.05, {Change.SHRINKS_EYES: True})],
)
def test_geometry_thresholds(value: float, expected: dict[Change, bool]) -> None:
    assert _changes(_table(geometry__eyes=value)) == expected


def test_an_exaggerated_feature_makes_the_whole_warp_a_caricature() -> None:
    # The nose change alone would be plausible, but it comes with eyes at +50%.
    d = decide(_table(geometry__eyes=0.5, geometry__nose=-0.08))
    assert d.category is Category.PLAYFUL
    (f,) = d.findings
    assert f.reason.change is Change.EXAGGERATED_DISTORTION and f.reason.median == pytest.approx(50.0)
    assert "eyes changed by +50%" in f.note


def test_inconsistent_or_sparse_geometry_is_not_a_finding() -> None:
    # Noise on a restyled picture: as many faces up as down.
    assert _changes(_table(geometry__lips=[0.06, -0.06] * 6)) == {}
    # The flow followed the lips on fewer than three quarters of the faces (a restyled picture).
    assert _changes(_table(geometry__lips=[0.06] * 8 + [math.nan] * 4)) == {}
    assert _changes(_table(geometry__lips=[0.06] * 9 + [math.nan] * 3)) == {Change.PLUMPS_LIPS: True}


def test_re_detected_stand_ins_count_for_exaggeration_but_not_for_plausible_changes() -> None:
    flags = [1.0] * 8 + [0.0] * 4
    big = _table(geometry__eyes=[0.4] * 12, geometry__eyes__redetected=flags)
    assert _changes(big) == {Change.EXAGGERATED_DISTORTION: False}
    small = _table(geometry__eyes=[0.1] * 12, geometry__eyes__redetected=flags)
    assert _changes(small) == {}


def test_two_measures_of_one_change_give_one_reason() -> None:
    found = decide(_table(geometry__face_width=-0.03, geometry__face_oval=-0.05)).findings
    assert [(f.reason.change, f.reason.median) for f in found] == [(Change.SLIMS_FACE, pytest.approx(-5.0))]


def test_skin_smoothing_counts_on_the_face_only() -> None:
    assert _changes(_table(texture__skin=0.4)) == {Change.SMOOTHS_SKIN: True}
    assert _changes(_table(texture__skin=0.12)) == {Change.SMOOTHS_SKIN: True}, "light smoothing counts"
    assert _changes(_table(texture__skin=0.08)) == {}
    # The background softened alike: a whole-picture look (and reported as such).
    assert _changes(_table(texture__skin=0.4, texture__background=0.4)) == {Change.STYLISES_WHOLE_FRAME: False}


def test_face_only_tone_shifts_are_altering_and_whole_frame_ones_are_a_style() -> None:
    assert _changes(_table(tone__skin=6.0)) == {Change.SHIFTS_SKIN_TONE: True}
    assert _changes(_table(tone__skin=2.5)) == {Change.SHIFTS_SKIN_TONE: True}, "a shift seen side by side"
    assert _changes(_table(tone__skin=1.5)) == {}
    assert _changes(_table(tone__lips=9.0)) == {Change.TINTS_LIPS: True}
    assert _changes(_table(tone__irises=5.0)) == {Change.TINTS_IRISES: True}
    assert _changes(_table(tone__skin=15.0, tone__lips=18.0, tone__background=17.0)) == {
        Change.STYLISES_WHOLE_FRAME: False
    }


def test_whitening_must_lighten_the_teeth() -> None:
    assert _changes(_table(tone__teeth=6.0, tone__teeth__dL=5.0)) == {Change.WHITENS_TEETH: True}
    assert _changes(_table(tone__teeth=6.0, tone__teeth__dL=-5.0)) == {Change.WHITENS_TEETH: False}
    # Teeth show on few faces (closed mouths are NaN): the faces that show them decide.
    teeth = [6.0] * 5 + [math.nan] * 7
    assert _changes(_table(tone__teeth=teeth, tone__teeth__dL=[5.0] * 5 + [math.nan] * 7)) == {
        Change.WHITENS_TEETH: True
    }


def test_a_region_hidden_under_an_overlay_is_not_read_as_tinted() -> None:
    irises = [10.0] * 3 + [math.nan] * 9
    hidden = [0.0] * 3 + [1.0] * 9
    assert Change.TINTS_IRISES not in _changes(_table(tone__irises=irises, tone__irises__hidden=hidden))


def test_makeup_is_local_colour_beyond_the_skins_own_change() -> None:
    d = decide(_table(local__lash_line=3.5, local__lash_line__dL=-6.0, local__lash_line__share=0.3))
    ((f),) = d.findings
    assert f.reason.change is Change.ADDS_MAKEUP and f.reason.altering and f.metric == "local.lash_line"
    assert f.note == "colour on the lash line (darker), over 30% of it"
    assert _changes(_table(local__brows=2.9)) == {}, "under the 3 dE line"
    # A tan moves every skin pixel: the eyelids change no more than the rest of the skin.
    tan = _table(local__eyelids=8.0, tone__skin=7.5, tone__skin_pixel=7.6)
    assert _changes(tan) == {Change.SHIFTS_SKIN_TONE: True}


def test_smoothing_is_not_reported_as_makeup_unless_the_colour_is_strong() -> None:
    smear = _table(texture__skin=0.5, local__eyelids=5.0)
    assert _changes(smear) == {Change.SMOOTHS_SKIN: True}
    assert _changes(_table(texture__skin=0.5, local__eyelids=8.0)) == {Change.SMOOTHS_SKIN: True, Change.ADDS_MAKEUP: True}


def test_white_or_drained_paint_is_face_paint() -> None:
    white = decide(_table(tone__skin=30.0, tone__skin__lightness_after=90.0, tone__skin__chroma_after=3.0,
                          tone__skin__chroma_before=25.0, texture__skin=0.6, local__cheeks=30.0))
    assert [(f.reason.change, f.reason.altering) for f in white.findings] == [(Change.SHIFTS_SKIN_TONE, False)]
    assert "face paint" in white.findings[0].note
    grey = _table(tone__skin=12.0, tone__skin__lightness_after=60.0, tone__skin__chroma_after=3.0,
                  tone__skin__chroma_before=25.0)
    assert _changes(grey) == {Change.SHIFTS_SKIN_TONE: False}
    # A lightening keeps the skin's colour: it is a tone shift.
    light = _table(tone__skin=5.0, tone__skin__lightness_after=70.0, tone__skin__chroma_after=22.0,
                   tone__skin__chroma_before=25.0)
    assert _changes(light) == {Change.SHIFTS_SKIN_TONE: True}


def test_children_judged_as_a_group_make_an_effect_altering() -> None:
    everyone = decide(_table(geometry__eyes=[0.01] * 9 + [0.03] * 3))
    assert everyone.category is Category.PLAYFUL
    children = decide({k: v[:3] for k, v in _table(geometry__eyes=0.03).items()})
    merged = with_children(everyone, children, 3, _table(geometry__eyes=[0.01] * 9 + [0.03] * 3))
    assert merged.category is Category.APPEARANCE_ALTERING
    (f,) = [f for f in merged.findings if f.reason.altering]
    assert f.reason.change is Change.ENLARGES_EYES and "3 children's faces as a group of their own" in f.note


def test_childrens_colour_readings_under_paint_or_particles_are_not_added() -> None:
    t = _table(overlay__specks=0.05)
    children = decide(_table(local__cheeks=20.0))
    assert with_children(decide(t), children, 3, t).category is Category.PLAYFUL


def test_an_unnatural_skin_colour_is_face_paint_not_a_tone_shift() -> None:
    found = decide(_table(tone__skin=40.0, tone__lips=6.0, tone__skin__hue_after=140.0,
                          tone__skin__chroma_after=70.0)).findings
    assert [(f.reason.change, f.reason.altering) for f in found] == [(Change.SHIFTS_SKIN_TONE, False)]
    assert "face paint" in found[0].note and "hue 140" in found[0].note


def test_overlays_and_a_hidden_face_are_playful() -> None:
    t = _table(overlay__share=0.2, overlay__head=1.0)
    ((f),) = decide(t).findings
    assert f.reason.change is Change.ADDS_OVERLAY and not f.reason.altering and f.reason.unit == "share"
    assert "100% head" in f.note
    assert _changes(_table(overlay__share=0.01)) == {}
    lost = _table(detected=[0.0] * 8 + [1.0] * 4)
    assert _changes(lost) == {Change.HIDES_FACE: False}


def test_whole_frame_grain_or_warp_is_a_style() -> None:
    assert _changes(_table(tone__background=2.5)) == {Change.STYLISES_WHOLE_FRAME: False}
    assert _changes(_table(motion__background=0.05)) == {Change.STYLISES_WHOLE_FRAME: False}


def test_a_playful_part_does_not_hide_an_altering_one() -> None:
    both = _table(overlay__share=0.2, texture__skin=0.5)
    assert decide(both).category is Category.APPEARANCE_ALTERING


def test_face_category_abstains_when_the_deciding_metric_was_not_measured() -> None:
    row = {k: float(v[0]) for k, v in _table(tone__teeth=6.0, tone__teeth__dL=4.0).items()}
    assert face_category(row, ["tone.teeth"]) is Category.APPEARANCE_ALTERING
    row["tone.teeth"] = math.nan
    assert face_category(row, ["tone.teeth"]) is None


def test_every_threshold_is_explained_in_the_rule_docstring() -> None:
    doc = rules.__doc__ or ""
    names = [n for n in vars(rules) if re.fullmatch(r"[A-Z][A-Z_]+", n) and isinstance(getattr(rules, n), float)]
    assert "GEOMETRY_MIN" in names and "TONE_SHIFT_DE" in names
    missing = [n for n in names if n not in doc and n not in ("SKIN_CHROMA_NEUTRAL",)]
    assert not missing, f"thresholds without a written reason in rules.py: {missing}"


# -- geometry measures ----------------------------------------------------------------------


def _face_like_landmarks() -> np.ndarray:
    from landmark_faces import load_face

    _, track = load_face("nasa_astronaut_eileen_collins")
    return track.xy.astype(np.float64)


def test_polygon_area() -> None:
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    assert geometry.polygon_area(square) == 4.0
    assert geometry.polygon_area(square[::-1]) == 4.0


def test_geometry_ignores_moving_rotating_and_scaling_the_whole_face() -> None:
    xy = _face_like_landmarks()
    angle = math.radians(20)
    r = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    moved = (xy @ r.T) * 1.7 + np.array([40.0, -12.0])
    changes = geometry.changes(xy, moved)
    assert all(abs(v) < 1e-9 for v in changes.values()), changes


def test_scaling_the_eyes_about_their_centres_reads_as_that_size_change() -> None:
    xy = _face_like_landmarks()
    out = xy.copy()
    for eye in (LEFT_EYE, RIGHT_EYE):
        idx = list(eye)
        c = xy[idx].mean(axis=0)
        out[idx] = c + (xy[idx] - c) * 1.10
    changes = geometry.changes(xy, out)
    assert changes["eyes"] == pytest.approx(0.10, abs=1e-9)
    assert all(abs(changes[m]) < 1e-9 for m in ("nose", "jaw", "face_width", "chin"))


def test_untrusted_landmarks_void_only_the_measures_that_use_them() -> None:
    xy = _face_like_landmarks()
    trusted = np.ones(len(xy), bool)
    trusted[64] = False  # a nose wing
    changes = geometry.changes(xy, xy, trusted)
    assert math.isnan(changes["nose"])
    assert changes["eyes"] == 0.0 and changes["jaw"] == 0.0
