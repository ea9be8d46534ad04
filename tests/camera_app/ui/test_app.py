"""The real app, headless (SDL offscreen), driven through a new user's flows by app_scenario.py.

The scenario runs once in a subprocess (Kivy allows one App per process) and writes a report
and screenshots; each test checks one promise. Screenshots are copied to artifacts/app/ for
a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PLATE_RGB = np.array([18, 18, 20])  # DisclosureOverlayOptions.plate_rgba: the label's plate


def glam_label() -> Any:
    """glam's English label from its bundled classifier result (what the app must show)."""
    from camera_app.catalog.classifications import load_bundled
    from camera_app.catalog.effects import load_registry
    from disclosure.catalogue import load_catalogue
    from disclosure.labels import build_label

    spec = load_registry().get("glam")
    result = load_bundled().get(spec)
    assert result is not None
    return build_label(result, load_catalogue("en"), names={"glam": spec.name["en"]})


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("app")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    done = subprocess.run([sys.executable, str(HERE / "app_scenario.py"), str(out)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    report_path = out / "report.json"
    assert report_path.is_file(), f"no report (exit {done.returncode}):\n{done.stderr[-4000:]}"
    report = json.loads(report_path.read_text())
    assert report["errors"] == [], "\n".join(report["errors"]) + "\n" + done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    keep = artifacts_dir / "app"
    keep.mkdir(exist_ok=True)
    for path in report["screenshots"].values():
        shutil.copy(path, keep / Path(path).name)
    report["out"] = str(out)
    return report


def _pixels(report: dict[str, Any], shot: str) -> np.ndarray:
    return np.asarray(Image.open(report["screenshots"][shot]).convert("RGB"))


def _window_region(img: np.ndarray, rect: list[float]) -> np.ndarray:
    """A window rectangle (x, y from the bottom, w, h) of a screenshot (rows from the top)."""
    x, y, w, h = (int(round(v)) for v in rect)
    height = img.shape[0]
    return img[height - (y + h) + 4: height - y - 4, x + 4: x + w - 4]


def test_first_run_is_the_neutral_age_gate_with_an_empty_form(run: dict[str, Any]) -> None:
    gate = run["gate"]
    assert (gate["day"], gate["month"], gate["year"]) == ("Day", "Month", "Year")  # nothing pre-filled
    years = [int(y) for y in gate["years"]]
    assert years[0] == max(years) and len(years) == 121 and years == sorted(years, reverse=True)
    text = " ".join(gate["texts"]).lower()
    for hint in ("13", "18", "old enough", "minimum", "adult"):
        assert hint not in text


def test_a_teen_sees_glam_locked_with_the_reason_and_the_preview_without_it(run: dict[str, Any]) -> None:
    teen = run["teen_lock"]
    assert teen["sheet_open"] and teen["locked"] and teen["item_locked"]
    assert teen["decision"] == "declared_under_18"
    assert teen["reason"] == "Effects that change how a face looks aren't available on profiles under 18."
    assert teen["label_rect"] is None  # nothing was applied, so no label either
    assert teen["playful_locked"] is False
    assert run["teen_playful"] == {"locked": False, "sheet": False}


def test_an_adult_gets_glam_and_the_label_is_in_the_rendered_window(run: dict[str, Any]) -> None:
    adult = run["adult"]
    assert adult["decision"] == "estimate_at_or_above_challenge" and adult["age"] == "adult"
    rect = adult["label_window_rect"]
    assert rect is not None and rect[2] > 200 and rect[3] > 20
    near_plate = lambda px: (np.abs(px.astype(int) - PLATE_RGB).max(axis=2) <= 14).mean()  # noqa: E731
    bright = lambda px: (px.min(axis=2) >= 225).mean()  # noqa: E731
    with_label = _window_region(_pixels(run, "06_adult_glam_label"), rect)
    assert near_plate(with_label) > 0.45, "the label's dark plate is not where the label is"
    assert 0.03 < bright(with_label) < 0.5, "no white label text on the plate"
    without = _window_region(_pixels(run, "02_teen_camera"), rect)  # same spot, teen: no label
    assert near_plate(without) < 0.05


def test_the_preview_texture_is_created_once_and_reused(run: dict[str, Any]) -> None:
    assert run["teen_lock"]["textures_created"] == 1
    assert run["adult"]["textures_created"] == 1
    assert run["adult"]["frames_shown"] > run["teen_lock"]["frames_shown"] > 10


def test_a_snapshot_is_written_with_the_label_and_signed_provenance(run: dict[str, Any]) -> None:
    from disclosure.verify import read_provenance

    snap = run["snapshot"]
    assert snap["kind"] == "snapshot_saved", snap
    path = Path(snap["path"])
    report = read_provenance(path)
    assert report.signature_valid and report.integrity_failures == ()
    assert [e["id"] for e in report.effects] == ["glam"]
    assert report.label is not None and report.label["burned_in"] is True
    assert report.label["text"] == glam_label().text and report.label["text"].startswith("Appearance effect: ")
    sidecar = json.loads(Path(f"{path}.provenance.json").read_text())
    assert sidecar["sha256"] and sidecar["c2pa_manifest"] == report.manifest_label
    assert any(a["action"] == "c2pa.filtered" and "glam" in a["description"] for a in sidecar["actions"])
    pixels = np.asarray(Image.open(path).convert("RGB"))
    corner = pixels[: pixels.shape[0] // 8, : pixels.shape[1] // 2]
    assert (np.abs(corner.astype(int) - PLATE_RGB).max(axis=2) <= 14).mean() > 0.2  # the burned-in plate


def test_the_info_sheet_explains_glam_from_the_classifier_reasons(run: dict[str, Any]) -> None:
    lines = run["info"]["lines"]
    assert lines[0].startswith("\u201cGlam\u201d alters appearance")
    # glam's bundled result (measured on all 38 reference faces), not a measurement made at start.
    assert any(line.startswith("smooths skin removing ") and line.endswith(" on 38 faces") for line in lines)
    assert any(line.startswith("enlarges eyes by ") for line in lines)
    assert lines == list(glam_label().sheet)


def test_reporting_an_effect_for_self_harm_shows_the_local_helplines_at_once(run: dict[str, Any]) -> None:
    report = run["report"]
    assert report["filed"] == [["glam", "self_harm", True]]  # the effect, the reason, the profile: nothing else
    assert report["support_numbers"][0] == "3114" and "116 111" in report["support_numbers"]


def test_searching_the_carousel_and_a_sensitive_search_shows_the_support_card(run: dict[str, Any]) -> None:
    assert run["search"]["lapin"]["carousel"] == ["bunny_ears"]  # the French name of the effect
    sensitive = run["search"]["sensitive"]
    assert sensitive["support_numbers"][0] == "3114"  # the card instead of results (country FR, set above)
    assert len(sensitive["carousel"]) > 10  # no filtering of the carousel by a sensitive search


def test_keyboard_switches_effects_toggles_the_hud_records_and_goes_back(run: dict[str, Any]) -> None:
    keys = run["keys"]
    assert keys["right"]["active"] == "heart_burst"  # the effect after glam in the carousel
    assert keys["left"]["active"] == "glam"
    assert keys["esc"]["screen"] == "profiles"
    # The HUD says how the landmarks of the last 2 s came about (the default schedule predicts some).
    counts = re.fullmatch(r"landmarks: (\d+) detected, (\d+) predicted \(2 s\)", run["hud_landmarks"])
    assert counts is not None, run["hud_landmarks"]
    assert int(counts.group(1)) > 0 and int(counts.group(2)) > 0
    assert run["recording"]["event"] == "recording_saved"
    from disclosure.verify import read_provenance

    video = read_provenance(Path(run["recording"]["path"]))
    assert video.signature_valid and [e["id"] for e in video.effects] == ["glam"]
    assert video.label is not None and video.label["burned_in"] is True


def test_an_under_13_sign_up_gets_only_the_neutral_message(run: dict[str, Any]) -> None:
    refused = run["unavailable"]
    assert refused["shown"]
    assert refused["texts"] == ["Sign-up isn't available", "Sign-up isn't available.", "OK"]


def test_settings_switch_the_app_to_french(run: dict[str, Any]) -> None:
    assert run["french"] == {"settings_chip": "Réglages", "language": "fr"}


def test_screenshots_of_the_main_screens_are_kept(run: dict[str, Any], artifacts_dir: Path) -> None:
    for name in ("01_gate", "03_teen_glam_locked", "05_profiles", "06_adult_glam_label", "07_glam_info_sheet",
                 "08_hud", "09_settings", "10_signup_unavailable", "11_camera_fr"):
        kept = artifacts_dir / "app" / f"{name}.png"
        assert kept.is_file()
        assert Image.open(kept).size == (1280, 800)
