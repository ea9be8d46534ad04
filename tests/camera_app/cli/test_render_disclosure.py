"""``safelens render --effect``: the label is burned into every frame for an altering effect (and
not for a playful one), the MP4 is signed with the effect in its manifest, and inspect agrees."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import camera_app.catalog.classifications as classification_cache
from camera_app.cli import main
from effects.classification import Category, Change, ClassificationResult, Reason

FRAMES = 10


def _result(effect_id: str, category: Category) -> ClassificationResult:
    altering = category is Category.APPEARANCE_ALTERING
    reasons = (
        (Reason(Change.SLIMS_JAW, -8.4, -9.1, -7.8, "%", 12, True), Reason(Change.SLIMS_FACE, -3.8, -3.9, -2.7, "%", 12, True))
        if altering
        else (Reason(Change.EXAGGERATED_DISTORTION, 72.0, 69.0, 74.0, "%", 12, False),)
    )
    return ClassificationResult(effect_id, "1.0.0", category, 0.9, reasons)


@pytest.fixture
def fake_classifier(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Hand-made results instead of measuring (the classifier has its own tests); records calls."""
    calls: list[str] = []
    verdicts = {"face_slimming": Category.APPEARANCE_ALTERING, "cartoon_eyes": Category.PLAYFUL}

    def results_for(specs: Sequence[Any], *args: Any, **kwargs: Any) -> tuple[ClassificationResult, ...]:
        calls.extend(s.id for s in specs)
        return tuple(_result(s.id, verdicts[s.id]) for s in specs)

    monkeypatch.setattr(classification_cache, "results_for", results_for)
    return calls


def _frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    return frames


def _has_plate_top_left(bgr: np.ndarray) -> bool:
    """The demo face is in the middle, so the label sits top-left: a near-black plate with white text."""
    h, w = bgr.shape[:2]
    region = bgr[int(0.03 * h) : int(0.08 * h), int(0.03 * w) : int(0.3 * w)].astype(int)
    dark = (region.max(axis=2) < 60).mean()
    white = (region.min(axis=2) > 200).mean()
    return dark > 0.5 and white > 0.05


@pytest.fixture
def adult(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A data folder with a verified adult (creators and QA render altering effects with one);
    the render's and inspect's ``--data-dir`` options."""
    from datetime import date

    from camera_app.profiles import Assurance, ProfileStore

    folder = tmp_path_factory.mktemp("adult-data")
    with ProfileStore(folder) as store:
        ada = store.create_profile("Ada", date(store.today().year - 40, 1, 1))
        store.set_assurance(ada.profile_id, Assurance.VERIFIED_ADULT)
    return ["--data-dir", str(folder)]


def _render(tmp_path: Path, effect: str, capsys: pytest.CaptureFixture[str], adult: list[str]) -> tuple[Path, str]:
    out = tmp_path / f"{effect}.mp4"
    code = main(["render", "--source", "demo", "--frames", str(FRAMES), "--resolution", "480p",
                 "--effect", effect, "--out", str(out), "--profile", "Ada", *adult])
    assert code == 0
    return out, capsys.readouterr().out


def test_altering_effect_label_on_every_frame_and_signed(
    tmp_path: Path, fake_classifier: list[str], capsys: pytest.CaptureFixture[str], adult: list[str]
) -> None:
    out, printed = _render(tmp_path, "face_slimming", capsys, adult)
    assert fake_classifier == ["face_slimming"]
    frames = _frames(out)
    assert len(frames) == FRAMES
    assert all(_has_plate_top_left(f) for f in frames)
    assert f"signed (C2PA): {out}" in printed and "disclosure" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face_slimming.mp4", "face_slimming.mp4.provenance.json"]

    assert main(["inspect", str(out), "--json", *adult]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["validation_state"] == "Trusted" and doc["signature_valid"]
    assert [a["action"] for a in doc["actions"]] == ["c2pa.created", "c2pa.filtered"]
    assert doc["actions"][1]["parameters"]["effect_id"] == "face_slimming"
    assert doc["effects"][0]["category"] == "appearance_altering"
    assert doc["label"]["text"] == "Appearance effect: slims jaw, slims face" and doc["label"]["burned_in"] is True

    assert main(["inspect", str(out), *adult]) == 0
    text = capsys.readouterr().out
    assert "altered appearance: yes, by face_slimming" in text
    assert "signature: valid: the manifest and the file are intact" in text


def test_playful_effect_has_no_label_in_the_video(
    tmp_path: Path, fake_classifier: list[str], capsys: pytest.CaptureFixture[str], adult: list[str]
) -> None:
    out, _ = _render(tmp_path, "cartoon_eyes", capsys, adult)
    frames = _frames(out)
    assert len(frames) == FRAMES and not any(_has_plate_top_left(f) for f in frames)
    assert main(["inspect", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["effects"][0]["category"] == "playful" and doc["label"]["burned_in"] is False


def test_render_without_effect_is_signed_with_no_effects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plain.mp4"
    assert main(["render", "--source", "demo", "--frames", "3", "--resolution", "480p", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["inspect", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["effects"] == [] and doc["label"] is None and doc["trusted"] is True
    assert not any(_has_plate_top_left(f) for f in _frames(out))


def test_a_builtin_effect_renders_with_its_bundled_result_without_measuring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh data folder: glam's label and provenance come from assets/effects/classifications.json."""
    from datetime import date

    from camera_app.profiles import Assurance, ProfileStore
    from camera_app.catalog.effects import load_registry
    from disclosure.provenance import effect_record

    def measure(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a built-in effect must not be measured")

    monkeypatch.setattr(classification_cache, "measure", measure)
    data = tmp_path / "fresh-data"
    with ProfileStore(data) as store:
        ada = store.create_profile("Ada", date(store.today().year - 40, 1, 1))
        store.set_assurance(ada.profile_id, Assurance.VERIFIED_ADULT)
    out = tmp_path / "glam.mp4"
    assert main(["render", "--source", "demo", "--frames", "3", "--resolution", "480p", "--effect", "glam",
                 "--data-dir", str(data), "--out", str(out), "--profile", "Ada"]) == 0
    err = capsys.readouterr().err
    assert "measure effects" not in err
    assert not (data / "classifications").exists()
    assert main(["inspect", str(out), "--json", "--data-dir", str(data)]) == 0
    doc = json.loads(capsys.readouterr().out)
    bundled = classification_cache.load_bundled().get(load_registry().get("glam"))
    assert bundled is not None and doc["effects"] == [effect_record(bundled)]
    assert doc["label"]["burned_in"] is True and doc["trusted"] is True
