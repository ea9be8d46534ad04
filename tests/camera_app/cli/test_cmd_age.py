"""``safelens age estimate`` and ``safelens age eval`` end to end (real tracker, real model)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import FACES_DIR, REPO

from age_estimation.calibration import AgeCalibration
from age_estimation.evaluate import read_rgb
from age_estimation.model import AgeModel, AgeModelOptions
from age_estimation.still import estimate_faces
from camera_app.cli import main
from camera_app.cli.cmd_age import shown_age
from camera_app.models import model_path
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

HOPPER = FACES_DIR / "usnavy_grace_hopper.jpg"
CHILD = FACES_DIR / "documerica_543863_child.jpg"
YOUTH = FACES_DIR / "fsaowi_LC-USF34-029514_4h_youth.jpg"  # a minor the model puts at ~26
LABELS = REPO / "tests" / "age_estimation" / "reference_labels.csv"


def test_estimate_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["age", "estimate", str(HOPPER), str(CHILD), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    # Full precision: the model's own estimate, not one rounded to 0.1 years.
    rgb, _ = read_rgb(HOPPER)
    assert rgb is not None
    with FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=4)) as tracker:
        landmarks = [track.landmarks_px for track in tracker.detect(rgb)]
    with AgeModel(AgeModelOptions(model_path("age"))) as model:
        (direct,) = estimate_faces(rgb, landmarks, model)
    assert records[0]["faces"][0]["age_years"] == pytest.approx(direct.prediction.expected_years, abs=1e-9)
    assert records[0]["faces"][0]["age_years"] != round(records[0]["faces"][0]["age_years"], 3)
    assert records[0]["faces"][0]["p_under_18"] == pytest.approx(direct.prediction.p_under_18, abs=1e-12)
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


def _labels_with_sources(tmp_path: Path) -> Path:
    """The reference labels with a source column: the congress portraits, and the rest."""
    rows = LABELS.read_text().splitlines()
    out = ["path,age,source"]
    for row in rows[1:]:
        path, age = row.split(",")[:2]
        out.append(f"{path},{age},{'congress' if path.startswith('us_congress') else 'archive'}")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(out) + "\n")
    return labels


def test_eval_report_curve_and_recommendation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = _labels_with_sources(tmp_path)
    plot = tmp_path / "curve.png"
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(labels), "--target-minors-passed", "0.5",
                 "--plot", str(plot), "--bootstrap", "300", "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert "evaluating [" in captured.err  # the progress bar
    text = captured.out
    assert "(raw model, no calibration)" in text and "detection rate 100.0%" in text
    assert "bootstrap percentiles over 300 resamples of the images within each source, seed 7;" in text
    assert "By source: accuracy" in text and "  congress " in text and "  archive " in text
    assert "Target: at most 50.0% of minors passed as adults" in text
    assert "<- recommended" in text and "<- current" in text
    image = cv2.imread(str(plot))
    assert image is not None and image.shape[1] > 1000


def test_eval_fitted_calibration_is_reported_held_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "calibration.json"
    args = ["age", "eval", str(FACES_DIR), "--labels", str(LABELS), "--fit-calibration", str(out_json), "--bootstrap", "200"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"Calibration map fitted on all 33 faces, saved to {out_json}" in text
    assert "scores each face with a map fitted WITHOUT it (5-fold cross-validation)" in text
    assert "calibration held out (calibrated)" in text and "in-sample" not in text
    calibration = AgeCalibration.load(out_json)
    assert calibration.samples == 33

    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    held_out = data["calibration"]["held_out"]["scores"]
    assert data["calibration"]["folds"] == 5 and held_out["faces"] == 33
    # The held-out estimates are not the in-sample ones: the map fitted on all faces differs on some face.
    raw = [r["raw_estimate_years"] for r in data["report"]["results"]]
    in_sample = [calibration.map_years(x) for x in raw]
    assert "results" not in data["calibration"]["held_out"]
    assert held_out["mae_years"]["all"]["value"] != pytest.approx(
        np.mean([abs(e - r["age_years"]) for e, r in zip(in_sample, data["report"]["results"])]), abs=1e-6)

    # The saved map can be applied to a later evaluation.
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(LABELS), "--calibration", str(out_json), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report"]["calibrated"] is True and data["report"]["scores"]["faces"] == 33
    curve = data["report"]["scores"]["curve"]
    assert [p["challenge_age_years"] for p in curve][:3] == [18.0, 18.5, 19.0]
    at_25 = next(p for p in curve if p["challenge_age_years"] == 25.0)
    passed = at_25["minors_passed"]["all minors"]
    assert passed["n"] == 5 and set(passed) >= {"value", "count", "ci95", "ci95_bootstrap", "ci95_wilson"}


def test_eval_counts_unreadable_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,age\nmissing.jpg,20\n")
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(labels), "--plot", str(tmp_path / "c.png")]) == 1
    assert "no face was estimated, so" in capsys.readouterr().err and not (tmp_path / "c.png").exists()
    labels.write_text("path,age\nusnavy_grace_hopper.jpg,77\nmissing.jpg,20\n")
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(labels), "--json"]) == 0
    captured = capsys.readouterr()
    assert f"safelens age eval: warning: {FACES_DIR / 'missing.jpg'}: file not found (counted as unreadable)" in captured.err
    report = json.loads(captured.out)["report"]
    assert (report["images"], report["unreadable"], report["scores"]["faces"]) == (2, 1, 1)
    assert report["results"][1]["status"] == "unreadable"


def test_eval_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,age\na.jpg,ten\n")
    assert main(["age", "eval", str(tmp_path), "--labels", str(labels)]) == 2
    assert f"safelens age: error: {labels}: line 2: field 'age': expected a number of years, found 'ten'" in capsys.readouterr().err
    assert main(["age", "eval", str(tmp_path / "nowhere"), "--labels", str(labels)]) == 2
    assert "nowhere: not a folder" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("path,age,source\nusnavy_grace_hopper.jpg,77,x\n")
    assert main(["age", "eval", str(FACES_DIR), "--labels", str(good), "--group-by", "gender"]) == 2
    assert "group column 'gender': not in the labels (extra columns: ['source'])" in capsys.readouterr().err
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


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--target-minors-passed", "5", "expected a share between 0 and 1 (e.g. 0.05 for 5%), found '5'"),
        ("--bootstrap", "20", "expected a whole number >= 100, found '20'"),
        ("--group-by", "a,,b", "expected column names separated by commas, found 'a,,b'"),
    ],
)
def test_eval_options_are_checked(option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["age", "eval", str(FACES_DIR), "--labels", str(LABELS), option, value])
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("age", "challenge", "shown"),
    [(24.983, 25.0, "24.98"), (25.0, 25.0, "25"), (25.4, 25.0, "25"), (24.6, 25.0, "24.6"), (30.2, 25.0, "30"),
     (17.96, 18.0, "17.96"), (24.99999999, 25.0, "24.99999999")],
)
def test_the_text_age_stays_on_its_side_of_the_challenge_age(age: float, challenge: float, shown: str) -> None:
    assert shown_age(age, challenge) == shown


def test_challenge_age_must_be_sensible(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["age", "estimate", str(HOPPER), "--challenge-age", "12"])
    assert "expected an age in years between 18 and 40, found '12'" in capsys.readouterr().err
