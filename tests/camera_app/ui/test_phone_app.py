"""The real app as a phone (``safelens app --device``), headless, driven by phone_scenario.py
with synthetic touch events: a tall 19.5:9 phone and a small 16:9 one, in English and French,
a teen (locks shown) and an adult (glam with its label). Screenshots are copied to
artifacts/phone/ for a person to look at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from camera_app.app.devices import find_device

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RUNS = [("flagship_phone", "en", "full"), ("entry_phone", "en", "full"), ("flagship_phone", "fr", "shots"),
        ("entry_phone", "fr", "shots")]


FULL_RUNS = [r for r in RUNS if r[2] == "full"]
_done: dict[tuple[str, str, str], dict[str, Any]] = {}


def _scenario(params: tuple[str, str, str], out: Path, artifacts_dir: Path) -> dict[str, Any]:
    """Run phone_scenario.py once per (device, language, mode) for the whole module."""
    if params in _done:
        return _done[params]
    device, language, mode = params
    done = subprocess.run([sys.executable, str(HERE / "phone_scenario.py"), str(out), device, language, mode],
                          env=dict(os.environ, SDL_VIDEODRIVER="offscreen"), cwd=REPO, capture_output=True, text=True,
                          timeout=900, check=False)
    report_path = out / "report.json"
    assert report_path.is_file(), f"no report (exit {done.returncode}):\n{done.stderr[-4000:]}"
    report: dict[str, Any] = json.loads(report_path.read_text())
    assert report["errors"] == [], "\n".join(report["errors"]) + "\n" + done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    keep = artifacts_dir / "phone"
    keep.mkdir(exist_ok=True)
    for path in report["screenshots"].values():
        shutil.copy(path, keep / Path(path).name)
    report.update(device=device, language=language, mode=mode)
    _done[params] = report
    return report


@pytest.fixture(scope="module", params=RUNS, ids=[f"{d}-{lang}" for d, lang, _ in RUNS])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> dict[str, Any]:
    """Every run: both phones, English and French (the French ones take screenshots only)."""
    return _scenario(request.param, tmp_path_factory.mktemp("phone"), artifacts_dir)


@pytest.fixture(scope="module", params=FULL_RUNS, ids=[f"{d}-{lang}" for d, lang, _ in FULL_RUNS])
def full_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             artifacts_dir: Path) -> dict[str, Any]:
    """The runs that go through every gesture."""
    return _scenario(request.param, tmp_path_factory.mktemp("phone"), artifacts_dir)


def _camera(report: dict[str, Any]) -> tuple[int, int]:
    device = find_device(report["device"])
    assert device is not None and device.front_camera is not None
    return device.front_camera.size


def test_the_window_has_the_screens_shape_and_density(run: dict[str, Any]) -> None:
    device = find_device(run["device"])
    assert device is not None and device.screen is not None
    w, h = run["window"]
    assert w / h == pytest.approx(device.screen.width_px / device.screen.height_px, rel=0.01)
    assert run["dp"] == pytest.approx(device.screen.density * w / device.screen.width_px, rel=0.01)
    for shot in run["screenshots"].values():
        assert Image.open(shot).size in ((w, h), (h, w))


def test_the_preview_fills_the_screen_with_portrait_frames(run: dict[str, Any]) -> None:
    lay = run["teen_layout"]
    w, h = run["window"]
    assert lay["phone"] and lay["preview"] == [0, 0, w, h]
    px, py, pw, ph = lay["picture"]
    assert px <= 0.5 and py <= 0.5 and px + pw >= w - 0.5 and py + ph >= h - 0.5, "aspect fill: no bars"
    assert tuple(lay["frame_size"]) == _camera(run), "the front camera's size and aspect"
    assert lay["frame_size"][1] > lay["frame_size"][0]
    assert "x".join(map(str, _camera(run))) in lay["source_text"]


def test_the_shutter_is_bottom_centre_in_the_safe_area_and_nothing_is_too_small(run: dict[str, Any]) -> None:
    lay = run["teen_layout"]
    assert lay["shutter_in_safe"] and not lay["record_visible"]
    sx, sy, sw, _ = lay["shutter"]
    assert sx + sw / 2 == pytest.approx(run["window"][0] / 2, abs=1)
    assert sy >= lay["insets"][1]
    assert lay["carousel"][1] >= sy + sw, "the carousel is above the shutter"
    for key in ("teen_layout", "teen_lock", "adult") + (("info",) if run["mode"] == "full" else ()):
        assert run[key]["small_texts"] == [], f"{key}: text under 12 dp: {run[key]['small_texts']}"
    for key in ("teen_layout", "adult"):
        assert run[key]["off_screen"] == [], f"{key}: controls off the screen: {run[key]['off_screen']}"


def test_the_teen_sees_glam_locked_with_the_reason(run: dict[str, Any]) -> None:
    lock = run["teen_lock"]
    assert lock["sheet"] and lock["locked"] and lock["reason"]
    assert ("under 18" in lock["reason"]) == (run["language"] == "en")


def test_the_adults_label_is_in_the_safe_area_and_off_the_face(run: dict[str, Any]) -> None:
    adult = run["adult"]
    assert adult["decision"] == "estimate_at_or_above_challenge"
    assert adult["label_window_rect"] is not None and adult["faces"], adult
    assert adult["label_in_safe"] and adult["label_in_content"], adult
    assert not adult["label_on_face"], adult
    device = find_device(run["device"])
    assert device is not None and device.name in adult["hud_text"] and f"{device.budget_ms:.1f}" in adult["hud_text"]


def test_swiping_the_preview_changes_effect(full_run: dict[str, Any]) -> None:
    run = full_run
    swipes = {s["key"]: s["active"] for s in run["swipes"]}
    assert swipes["left"] is not None, "a swipe to the left picks the next effect"
    assert swipes["left2"] not in (None, swipes["left"])
    assert swipes["right"] == swipes["left"], "a swipe to the right goes back"
    assert swipes["short"] == swipes["right"], "a short drag is not a swipe"


def test_a_tap_on_the_shutter_saves_an_unmirrored_photo(full_run: dict[str, Any]) -> None:
    run = full_run
    snap = run["snapshot"]
    assert snap["kind"] == "snapshot_saved" and Path(snap["path"]).is_file()
    assert tuple(snap["size"]) == _camera(run)
    assert snap["diff_to_unmirrored_preview"] < 0.5 * snap["diff_to_preview"], "the preview is mirrored, the photo not"


def test_holding_the_shutter_records_with_a_ring_until_released(full_run: dict[str, Any]) -> None:
    run = full_run
    assert run["hold"]["recording"] and run["hold"]["ring"] and run["hold"]["progress"] > 0
    release = run["release"]
    assert release["kind"] == "recording_saved" and not release["recording"]
    assert Path(release["path"]).is_file() and Path(release["path"]).stat().st_size > 0


def test_info_opens_a_bottom_sheet(full_run: dict[str, Any]) -> None:
    run = full_run
    assert run["info"]["sheet"] and run["info"]["lines"]


def test_the_settings_and_profiles_fit_the_phone(full_run: dict[str, Any]) -> None:
    run = full_run
    assert run["screens"] == {"settings": [], "profiles": []}


def test_expressions_are_scored_only_for_an_effect_with_a_trigger(full_run: dict[str, Any]) -> None:
    run = full_run
    assert run["blendshapes"] == {"glam": False, "heart_burst": True}


def test_the_layout_follows_the_window_aspect(full_run: dict[str, Any]) -> None:
    run = full_run
    assert not run["landscape_layout"]["phone"] and run["landscape_layout"]["record_visible"]
    assert run["landscape_layout"]["label_area"] is None
    assert run["portrait_again"]["phone"] and run["portrait_again"]["label_area"] == run["teen_layout"]["label_area"]
