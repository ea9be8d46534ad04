"""safelens effects list and render --effect."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.cli import main
from camera_app.catalog.effects import BUILTIN_EFFECTS_DIR, load_registry

REPO = Path(__file__).resolve().parents[3]
FACE = REPO / "assets" / "faces" / "us_congress_C001080.jpg"

VIGNETTE = """\
id = "{id}"
version = "2.1.0"
author = "Tests"

[name]
en = "Dark corners"
fr = "Coins sombres"

[description]
en = "A strong vignette."
fr = "Un fort vignettage."

[[ops]]
op = "vignette"
amount = 0.9
radius = 0.1
"""


def _user_effect(folder: Path, effect_id: str = "dark_corners") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "effect.toml").write_text(VIGNETTE.format(id=effect_id), encoding="utf-8")
    return folder


def test_effects_list_json_has_the_builtins_and_user_effects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _user_effect(tmp_path / "user" / "dark_corners")
    assert main(["effects", "list", "--json", "--effects-dir", str(tmp_path / "user")]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == len(load_registry()) + 1
    user = by_id["dark_corners"]
    assert user["builtin"] is False and user["version"] == "2.1.0" and user["declared_category"] is None
    assert user["name"] == {"en": "Dark corners", "fr": "Coins sombres"}
    assert user["ops"][0]["op"] == "vignette" and user["ops"][0]["amount"] == 0.9
    glam = by_id["glam"]
    assert glam["builtin"] is True and glam["declared_category"] == "appearance_altering"
    assert Path(glam["source"]) == BUILTIN_EFFECTS_DIR / "glam"


def test_effects_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "version", "declared", "name", "(en", "/", "fr)", "ops"]
    cartoon = next(line for line in lines if line.startswith("cartoon_eyes "))
    assert "playful" in cartoon and "Cartoon eyes / Yeux de dessin animé" in cartoon and cartoon.endswith("radial_scale")
    assert lines[-1] == f"{len(load_registry())} effects"


def test_effects_list_reports_a_bad_user_effect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _user_effect(tmp_path / "bad")
    (folder / "effect.toml").write_text(VIGNETTE.format(id="dark_corners").replace("0.9", "1.9"), encoding="utf-8")
    assert main(["effects", "list", "--effects-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err == (f"safelens effects: error: {folder / 'effect.toml'}:15: ops[0].amount: "
                   "expected a number in [0, 1], found 1.9\n")


def test_render_with_effects_in_order(tmp_path: Path) -> None:
    user = tmp_path / "user"
    _user_effect(user / "dark_corners")
    out_dir = tmp_path / "frames"
    assert main(["render", "--source", str(FACE), "--frames", "1", "--out", f"{out_dir}/",
                 "--effect", "comic,dark_corners", "--effects-dir", str(user)]) == 0
    original = cv2.imread(str(FACE)).astype(int)
    rendered = cv2.imread(str(out_dir / "frame_00000.png")).astype(int)
    assert rendered[:10, :10].mean() < 0.5 * original[:10, :10].mean()  # the vignette ran
    assert np.abs(rendered - original)[100:180, 70:150].mean() > 5  # the comic look on the face


def test_render_with_an_unknown_effect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--source", str(FACE), "--frames", "1", "--out", f"{tmp_path}/", "--effect", "glma"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('safelens render: error: --effect: unknown effect "glma"; expected one of ')
    assert "glam" in err
