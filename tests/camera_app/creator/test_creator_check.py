"""safelens effects check: the creator's pre-flight (camera_app/creator/check.py and the CLI).

Runs on a small reference folder (four adults and two minors copied from assets/faces,
with a manifest) so each check takes seconds. Effects are written here as folders, the
way a creator would.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from camera_app.cli import main

REPO = Path(__file__).resolve().parents[3]
FACES = REPO / "assets" / "faces"
SMALL_SET = (
    "us_congress_C000714.jpg",
    "us_congress_B001287.jpg",
    "us_congress_H001056.jpg",
    "us_congress_M001160.jpg",
    "fsaowi_LC-USW3-015163_schoolboy_center.jpg",
    "fsaowi_LC-USF34-029514_4h_youth.jpg",
)

BIG_EYES = """\
id = "{id}"
version = "0.3.0"
author = "A creator"
{category}
[name]
en = "Bright eyes"
fr = "Yeux brillants"

[description]
en = "Slightly bigger eyes."
fr = "Des yeux un peu plus grands."

[[ops]]
op = "radial_scale"
regions = ["left_eye", "right_eye"]
scale = {scale}
radius_iod = 0.3
"""

PARTY = """\
id = "party"
version = "1.0.0"
author = "A creator"

[name]
en = "Party"
fr = "Fête"

[description]
en = "A hat."
fr = "Un chapeau."

[[ops]]
op = "sticker"
image = "hat.png"
anchor = "head_top"
width_fw = 0.9
offset_fw = [0.0, -0.3]
"""


@pytest.fixture(scope="module")
def faces_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faces")
    with (FACES / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in SMALL_SET]
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name in SMALL_SET:
        shutil.copy(FACES / name, folder / name)
    return folder


def _effect(folder: Path, effect_id: str = "bright_eyes", scale: float = 1.12, category: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    line = f'category = "{category}"' if category else ""
    (folder / "effect.toml").write_text(BIG_EYES.format(id=effect_id, scale=scale, category=line), encoding="utf-8")
    return folder


def _party(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "effect.toml").write_text(PARTY, encoding="utf-8")
    shutil.copy(REPO / "assets" / "effects" / "party_hat" / "hat.png", folder / "hat.png")
    return folder


def test_check_reports_everything_a_creator_needs_as_json(
    tmp_path: Path, faces_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    effect = _effect(tmp_path / "bright_eyes", category="playful")
    code = main(["effects", "check", str(effect), "--json", "--quick", "--faces", str(faces_dir),
                 "--expect", "appearance_altering"])
    out = capsys.readouterr()
    assert code == 0, out.err
    (report,) = json.loads(out.out)
    assert report["id"] == "bright_eyes" and report["version"] == "0.3.0"
    assert report["category"] == "appearance_altering" and report["declared"] == "playful"
    assert report["declared_disagrees"] is True
    reasons = report["classification"]["reasons"]
    assert [r["change"] for r in reasons] == ["enlarges_eyes"] and reasons[0]["altering"] is True
    assert report["classification"]["notes"][0].endswith("the measurement decides")
    assert report["reference"] == {"set": "quick", "faces": 6, "minors": 2, "undetected": []}
    en, fr = report["disclosure"]["en"], report["disclosure"]["fr"]
    assert en["kind"] == "appearance" and en["label"] == "Appearance effect: enlarges eyes"
    assert fr["label"].startswith("Effet d’apparence") and "agrandit les yeux" in fr["label"]
    assert any("Bright eyes" in line for line in en["sheet"]) and any("Yeux brillants" in line for line in fr["sheet"])
    topics = {g["topic"] for g in report["guidance"]}
    assert topics == {"skin_tone", "minors", "head_angle"}
    assert any("children's faces (2 faces)" in g["text"] for g in report["guidance"])
    (row,) = report["variation"]
    assert row["change"] == "enlarges_eyes" and row["min"] <= row["p10"] <= row["median"] <= row["p90"] <= row["max"]
    cost = report["frame_cost"]
    assert cost["width"] == 1280 and cost["height"] == 720 and 3 <= cost["runs"] <= 15  # fewer past the time cap
    assert 0 < cost["median_ms"] <= cost["p95_ms"] and cost["reference_machine_ms"] > 0
    assert report["expect"] == "appearance_altering" and report["expect_met"] is True
    assert "check bright_eyes" in out.err, "progress goes to stderr"


def test_expect_mismatch_exits_1_and_still_reports(tmp_path: Path, faces_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    effect = _party(tmp_path / "party")
    code = main(["effects", "check", str(effect), "--quick", "--faces", str(faces_dir), "--expect", "appearance_altering",
                 "--sheet", str(tmp_path / "party.png")])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 1
    # A creator's CI sees why on stderr: the effect, the measured category and the main reason.
    assert ("safelens effects check: party: expected appearance_altering, measured playful; "
            "main reason: adds overlay") in captured.err
    assert "category: playful" in out and "adds overlay" in out
    assert "[en] label: Effect: Party" in out and "[fr] label:" in out
    assert "expect: EXPECTED appearance_altering" in out
    assert "frame cost at 1280x720: " in out and " ms on the reference machine (" in out
    sheet = tmp_path / "party.png"
    assert f"contact sheet: {sheet}" in out
    with Image.open(sheet) as img:
        assert img.format == "PNG" and img.width >= 900 and img.height > 300


def test_several_effects_give_one_report_and_one_sheet_each(
    tmp_path: Path, faces_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _effect(tmp_path / "a", effect_id="eyes_a", scale=1.10)
    b = _effect(tmp_path / "b", effect_id="eyes_b", scale=2.4)
    code = main(["effects", "check", str(a), str(b), "--json", "--quick", "--faces", str(faces_dir),
                 "--sheet", str(tmp_path / "sheet.png"), "--expect", "appearance_altering"])
    reports = json.loads(capsys.readouterr().out)
    assert code == 1, "eyes_b is a caricature, so not every effect met --expect"
    assert [(r["id"], r["category"], r["expect_met"]) for r in reports] == [
        ("eyes_a", "appearance_altering", True), ("eyes_b", "playful", False)]
    assert reports[1]["classification"]["reasons"][0]["change"] == "exaggerated_distortion"
    assert (tmp_path / "sheet-eyes_a.png").is_file() and (tmp_path / "sheet-eyes_b.png").is_file()


def test_a_bad_effect_exits_2_naming_file_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    effect = _effect(tmp_path / "bad", scale=9.0)
    code = main(["effects", "check", str(effect), "--quick"])
    err = capsys.readouterr().err
    assert code == 2
    toml = effect / "effect.toml"
    assert err.strip() == f"safelens effects: error: {toml}:16: ops[0].scale: expected a number in [0.3, 3], found 9.0"


def test_bad_paths_exit_2_with_a_message(tmp_path: Path, faces_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects", "check", str(tmp_path / "missing_effect"), "--quick"]) == 2
    assert "missing_effect" in capsys.readouterr().err
    effect = _effect(tmp_path / "ok")
    assert main(["effects", "check", str(effect), "--quick", "--faces", str(tmp_path / "no_faces")]) == 2
    assert f"--faces {tmp_path / 'no_faces'}: expected a folder of face photos" in capsys.readouterr().err
    assert main(["effects", "check", str(effect), "--quick", "--sheet", str(tmp_path / "nowhere" / "s.png")]) == 2
    assert f"--sheet {tmp_path / 'nowhere' / 's.png'}: folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["effects", "check", str(effect), "--quick", "--faces", str(tmp_path / "empty")]) == 2
    assert "expected face photos (.jpg, .jpeg, .png), found none" in capsys.readouterr().err


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["effects", "check", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "Example:" in out and "safelens effects check" in out and "--expect" in out


def test_a_result_measured_on_the_bundled_faces_is_kept_for_render_and_the_app(tmp_path: Path) -> None:
    """Only for the bundled faces, and never over a built-in effect's bundled result."""
    import dataclasses

    from camera_app.catalog.classifications import known_result, load_bundled
    from camera_app.catalog.result_cache import result_cache
    from camera_app.creator.check import DEFAULT_FACES, CheckOptions, _keep
    from camera_app.catalog.effects import load_registry
    from effects.classification import Category, ClassificationResult
    from effects.spec import load_effect

    spec = load_effect(_effect(tmp_path / "bright_eyes"))
    result = ClassificationResult("bright_eyes", "0.3.0", Category.APPEARANCE_ALTERING, 0.8)
    cache = result_cache(tmp_path / "data")
    assert _keep(spec, result, CheckOptions(faces_dir=tmp_path, cache=cache)) is None  # other faces
    assert _keep(spec, result, CheckOptions(cache=None)) is None
    assert known_result(spec, cache) is None
    kept = _keep(spec, result, CheckOptions(faces_dir=DEFAULT_FACES, quick=True, cache=cache))
    assert kept is not None and json.loads(kept.read_text())["reference"] == "quick"
    assert known_result(spec, cache) == result
    glam = load_registry().get("glam")
    assert _keep(glam, dataclasses.replace(result, effect_id="glam"), CheckOptions(cache=cache)) is None
    assert known_result(glam, cache) == load_bundled().get(glam)
