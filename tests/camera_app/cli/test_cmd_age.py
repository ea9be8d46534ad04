"""``safelens age estimate`` and ``safelens age eval`` end to end (real tracker, real model)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import FACES_DIR, REPO

from age_estimation.calibration import AgeCalibration
from camera_app.cli import main

HOPPER = FACES_DIR / "usnavy_grace_hopper.jpg"
CHILD = FACES_DIR / "documerica_543863_child.jpg"
YOUTH = FACES_DIR / "fsaowi_LC-USF34-029514_4h_youth.jpg"  # a minor the model puts at ~26
LABELS = REPO / "tests" / "age_estimation" / "reference_labels.csv"


def test_estimate_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["age", "estimate", str(HOPPER), str(CHILD), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["image"] for r in records] == [str(HOPPER), str(CHILD)]
    hopper, child = (r["faces"] for r in records)
    assert len(hopper) == 1 and len(child) == 1
    assert hopper[0]["age_years"] > 60 and not hopper[0]["possibly_under_18"]
    assert child[0]["age_years"] < 13 and child[0]["possibly_under_18"] and child[0]["p_under_13"] > 0.9
    assert child[0]["challenge_age_years"] == 25.0 and child[0]["calibrated"] is False
    assert child[0]["low_years"] <= child[0]["age_years"] <= child[0]["high_years"]


def test_estimate_text_and_challenge_age(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["age", "estimate", str(YOUTH)]) == 0
    out = capsys.readouterr().out
    assert f"{YOUTH}: 1 face" in out
    assert "adult at challenge age 25" in out  # the known over-estimate: passes at 25 ...
    assert main(["age", "estimate", str(YOUTH), "--challenge-age", "28"]) == 0
    assert "POSSIBLY UNDER 18 (estimate below challenge age 28)" in capsys.readouterr().out  # ... not at 28
    assert "never proof of age" in out


def test_estimate_unreadable_and_faceless_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_text("not a picture")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((80, 80, 3), 90, np.uint8))
    assert main(["age", "estimate", str(junk), str(blank), str(HOPPER)]) == 1
    captured = capsys.readouterr()
    assert f"safelens age estimate: error: {junk}: not an image OpenCV can decode" in captured.err
    assert f"{blank}: no face found" in captured.out
    assert f"{HOPPER}: 1 face" in captured.out


def test_eval_report_and_fitted_calibration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "calibration.json"
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(LABELS), "--fit-calibration", str(out_json)]) == 0
    captured = capsys.readouterr()
    assert "evaluating [" in captured.err  # the progress bar
    text = captured.out
    assert "(raw model, no calibration)" in text and "detection rate 100.0%" in text
    assert "Under-18 decision" in text and "At challenge age 25: 3 of 5 minors would be treated as adults" in text
    assert f"Calibration map fitted on 33 faces, saved to {out_json}" in text
    assert "in-sample, so optimistic" in text and "with the fitted calibration (calibrated)" in text
    calibration = AgeCalibration.load(out_json)
    assert calibration.samples == 33

    # The saved map can be applied to a later evaluation.
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(LABELS), "--calibration", str(out_json), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report"]["calibrated"] is True and data["report"]["faces"] == 33
    assert [t["challenge_age_years"] for t in data["report"]["thresholds"]] == [18, 21, 23, 25, 28]


def test_eval_counts_unreadable_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,age\nusnavy_grace_hopper.jpg,77\nmissing.jpg,20\n")
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(labels), "--json"]) == 0
    captured = capsys.readouterr()
    assert f"safelens age eval: warning: {FACES_DIR / 'missing.jpg'}: file not found (counted as unreadable)" in captured.err
    report = json.loads(captured.out)["report"]
    assert (report["images"], report["unreadable"], report["faces"]) == (2, 1, 1)
    assert report["results"][1]["status"] == "unreadable"


def test_eval_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,age\na.jpg,ten\n")
    assert main(["age", "eval", str(tmp_path), "--labels", str(labels)]) == 2
    assert f"safelens age: error: {labels}: line 2: field 'age': expected a number of years, found 'ten'" in capsys.readouterr().err
    assert main(["age", "eval", str(tmp_path / "nowhere"), "--labels", str(labels)]) == 2
    assert "nowhere: not a folder" in capsys.readouterr().err
    bad = tmp_path / "cal.json"
    bad.write_text("{}")
    assert main(["age", "estimate", str(HOPPER), "--calibration", str(bad)]) == 2
    assert "cal.json: field 'schema'" in capsys.readouterr().err


@pytest.mark.parametrize("sub", ["estimate", "eval"])
def test_help_has_an_example(sub: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["age", sub, "--help"])
    assert exit_info.value.code == 0
    assert f"Example:\n  safelens age {sub}" in capsys.readouterr().out


def test_challenge_age_must_be_sensible(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["age", "estimate", str(HOPPER), "--challenge-age", "12"])
    assert "expected an age in years between 18 and 40, found '12'" in capsys.readouterr().err
