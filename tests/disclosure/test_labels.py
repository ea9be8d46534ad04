"""disclosure.labels + catalogue: label and info-sheet text in every language, strict catalogues."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from disclosure_factories import FONT, glam, puppy, reason
from PIL import ImageFont

from disclosure.catalogue import CatalogueError, available_languages, load_catalogue
from disclosure.labels import LabelError, LabelKind, build_label, ranked, reason_text
from effects.classification import Category, ClassificationResult

NBSP = "\u00a0"


def test_languages_are_the_files() -> None:
    assert available_languages() == ("en", "fr")


def test_altering_label_english() -> None:
    label = build_label(glam(), load_catalogue("en"), names={"glam": "Glam"})
    assert label.kind is LabelKind.APPEARANCE and label.altering
    # share 0.62 = 2.5 steps, 12% = 2.4 steps, 8% = 1.6 steps: skin, eyes, face.
    assert label.text == "Appearance effect: smooths skin, enlarges eyes, slims face"
    assert label.variants == (
        label.text,
        f"Appearance effect: smooths skin, enlarges eyes +1{NBSP}more",
        f"Appearance effect: smooths skin +2{NBSP}more",
        "Appearance effect",
    )
    assert label.sheet == (
        "“Glam” alters appearance (version 1.2.0)",
        "Measured on the reference faces: median, with the range in brackets.",
        "What it changes:",
        "smooths skin over 62% of the area (55–70%) on 38 faces",
        "enlarges eyes by 12% (10–14%) on 38 faces",
        "slims face by 8.0% (6.0–9.5%) on 38 faces",
        "Other changes (not counted as altering):",
        "adds an overlay over 1.0% of the area (0.0–2.0%) on 38 faces",
    )


def test_altering_label_french() -> None:
    label = build_label(glam(), load_catalogue("fr"), names={"glam": "Glam"})
    assert label.language == "fr"
    assert label.text == f"Effet d’apparence{NBSP}: lisse la peau, agrandit les yeux, affine le visage"
    assert label.variants[1].endswith(f"+1{NBSP}autre") and label.variants[2].endswith(f"+2{NBSP}autres")
    assert label.sheet[0] == f"«{NBSP}Glam{NBSP}» modifie l’apparence (version 1.2.0)"
    assert f"affine le visage de 8,0{NBSP}% (6,0–9,5{NBSP}%) sur 38 visages" in label.sheet
    assert f"agrandit les yeux de 12{NBSP}% (10–14{NBSP}%) sur 38 visages" in label.sheet


def test_playful_effect_gets_a_name_chip() -> None:
    for language, text in (("en", "Effect: Puppy ears"), ("fr", f"Effet{NBSP}: Puppy ears")):
        label = build_label(puppy(), load_catalogue(language), names={"puppy_ears": "Puppy ears"})
        assert label.kind is LabelKind.CHIP and not label.altering
        assert label.variants == (text,)
        assert "Appearance" not in label.text and "apparence" not in label.text


def test_chip_without_a_name_shows_the_id() -> None:
    assert build_label(puppy(), load_catalogue("en")).text == "Effect: puppy_ears"


def test_stack_with_one_altering_effect_is_an_appearance_label() -> None:
    second = ClassificationResult(
        "slim", "1", Category.APPEARANCE_ALTERING, 0.8,
        (reason("slims_face", -15.0, -17.0, -13.0), reason("whitens_teeth", 5.0, 4.0, 6.0, unit="dE")),
    )
    label = build_label([puppy(), glam(), second], load_catalogue("en"))
    # slims face is named once, with the larger of the two (15% = 3 steps) ranking first.
    assert label.text == "Appearance effect: slims face, smooths skin, enlarges eyes +1\u00a0more"
    assert label.effect_ids == ("puppy_ears", "glam", "slim")
    assert "whitens teeth by ΔE 5.0 (4.0–6.0) on 38 faces" in label.sheet


def test_ranking_across_units_and_stable_ties() -> None:
    reasons = [
        reason("tints_lips", 3.0, 2.0, 4.0, unit="dE"),  # 1 step
        reason("plumps_lips", 5.0, 4.0, 6.0),  # 1 step, later: stays after
        reason("shifts_skin_tone", 9.0, 8.0, 10.0, unit="dE"),  # 3 steps
    ]
    assert [r.change.value for r in ranked(reasons)] == ["shifts_skin_tone", "tints_lips", "plumps_lips"]


def test_max_changes_caps_the_label() -> None:
    label = build_label(glam(), load_catalogue("en"), max_changes=1)
    assert label.text == "Appearance effect: smooths skin +2\u00a0more"


def test_altering_without_altering_reasons_says_the_title() -> None:
    result = ClassificationResult("x", "1", Category.APPEARANCE_ALTERING, 0.6)
    label = build_label(result, load_catalogue("en"))
    assert label.variants == ("Appearance effect",)
    assert label.sheet[-1] == "No measurable change to the face."


def test_declared_category_disagreement_is_on_the_sheet() -> None:
    result = ClassificationResult(
        "sneaky", "3", Category.APPEARANCE_ALTERING, 0.9, (reason("slims_nose", -9.0, -11.0, -7.0),),
        declared=Category.PLAYFUL,
    )
    sheet = build_label(result, load_catalogue("en")).sheet
    assert sheet[1] == "The creator declared a playful effect; the measurements show an appearance-altering effect."


def test_reason_text_one_face_and_negative_range() -> None:
    en = load_catalogue("en")
    assert reason_text(reason("widens_face", 3.0, -1.0, 5.0, n_faces=1), en) == "widens face by 3.0% (−1.0–5.0%) on 1 face"


def test_unknown_unit_is_a_typed_error() -> None:
    with pytest.raises(LabelError, match=r"Reason\(slims_face\)\.unit: expected one of \['%', 'dE', 'share'\], found 'px'"):
        build_label(
            ClassificationResult("x", "1", Category.APPEARANCE_ALTERING, 0.5, (reason("slims_face", 1, 0, 2, unit="px"),)),
            load_catalogue("en"),
        )


def test_no_results_is_a_typed_error() -> None:
    with pytest.raises(LabelError, match="expected at least one ClassificationResult"):
        build_label([], load_catalogue("en"))


def test_missing_language_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as err:
        load_catalogue("de")
    assert "de.toml: no message catalogue for language 'de' (available: en, fr)" in str(err.value)


def _copy_catalogues(tmp_path: Path) -> Path:
    folder = tmp_path / "messages"
    shutil.copytree(Path(load_catalogue("en").path).parent, folder)
    return folder


def test_missing_key_names_file_and_key(tmp_path: Path) -> None:
    folder = _copy_catalogues(tmp_path)
    path = folder / "fr.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("slims_face = ", "# slims_face = "), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue("fr", folder)
    assert str(err.value) == f"{path}: missing key 'changes.slims_face'"


def test_wrong_placeholder_names_file_and_key(tmp_path: Path) -> None:
    folder = _copy_catalogues(tmp_path)
    path = folder / "en.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("{changes}", "{change}"), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue("en", folder)
    assert str(err.value) == f"{path}: key 'label.appearance' must use placeholders ['changes'], found ['change']"


def test_adding_a_language_is_adding_a_file(tmp_path: Path) -> None:
    folder = _copy_catalogues(tmp_path)
    text = (folder / "en.toml").read_text(encoding="utf-8")
    (folder / "xx.toml").write_text(
        text.replace('language = "en"', 'language = "xx"').replace("Appearance effect:", "APPEARANCE:"),
        encoding="utf-8",
    )
    assert available_languages(folder) == ("en", "fr", "xx")
    assert build_label(glam(), load_catalogue("xx", folder)).text.startswith("APPEARANCE: smooths skin")


@pytest.mark.parametrize("language", available_languages())
def test_every_catalogue_character_is_in_the_bundled_font(language: str) -> None:
    font = ImageFont.truetype(str(FONT), 48)
    missing_glyph = np.asarray(font.getmask("\uffff"))
    chars = {c for text in load_catalogue(language).messages.values() for c in text if not c.isspace()}
    missing = sorted(c for c in chars if np.array_equal(np.asarray(font.getmask(c)), missing_glyph))
    assert not missing, f"{language}: characters without a glyph in {FONT.name}: {missing}"


def test_skin_smoothing_percent_has_its_own_scale() -> None:
    # 40% of skin detail removed (2.7 steps of 15%) ranks below a dE 9 makeup (3 steps)
    # and above a 7% jaw slimming (1.4 steps).
    reasons = [
        reason("slims_jaw", -7.0, -8.0, -6.0),
        reason("smooths_skin", 40.0, 25.0, 51.0),
        reason("adds_makeup", 9.0, 5.0, 14.0, unit="dE"),
    ]
    assert [r.change.value for r in ranked(reasons)] == ["adds_makeup", "smooths_skin", "slims_jaw"]


def test_skin_smoothing_percent_is_worded_as_detail_removed() -> None:
    r = reason("smooths_skin", 40.7, 24.55, 51.51, n_faces=12)
    assert reason_text(r, load_catalogue("en")) == "smooths skin removing 41% of fine detail (25–52%) on 12 faces"
    assert reason_text(r, load_catalogue("fr")) == (
        "lisse la peau en retirant 41\u00a0% du détail fin (25–52\u00a0%) sur 12 visages"
    )
