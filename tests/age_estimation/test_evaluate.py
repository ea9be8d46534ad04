"""Evaluation over a labelled folder, on the public-domain faces.

reference_labels.csv labels 33 faces. Their ages are APPROXIMATE except Grace Hopper's:
the 27 members of Congress (born 1923-1981, official portraits taken as adults) are all
labelled 50, which stands for "an adult" (so the per-band MAE of adults says little);
the 1940s schoolboys are labelled 10, the 4-H club girl 14 and the Documerica child 6,
from captions and appearance. The under-18 decision (minor or adult) is what the set
can test.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
from age_faces import age_model, face_samples
from conftest import FACES_DIR

from age_estimation.calibration import fit_calibration
from age_estimation.evaluate import (
    CHALLENGE_AGES,
    EvaluationError,
    calibration_pairs,
    evaluate,
    read_labels,
    recalibrated,
    wilson_interval,
)
from age_estimation.report import format_report

LABELS = Path(__file__).resolve().parent / "reference_labels.csv"


def _key(rgb: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(rgb).tobytes()).hexdigest()


class LookupDetector:
    """Landmarks found once by MediaPipe, looked up by image content (keeps the test fast)."""

    def __init__(self) -> None:
        self.table = {_key(s.rgb): [s.landmarks] for s in face_samples().values()}
        self.calls = 0

    def __call__(self, rgb: np.ndarray) -> list[np.ndarray]:
        self.calls += 1
        return self.table.get(_key(rgb), [])


def _labels_with_problems(tmp_path: Path) -> Path:
    """The reference labels plus a missing file, a non-image, and a picture without a face."""
    (tmp_path / "not_an_image.jpg").write_text("hello")
    blank = tmp_path / "blank.png"
    import cv2

    cv2.imwrite(str(blank), np.full((64, 64, 3), 200, np.uint8))
    text = LABELS.read_text().rstrip("\n")
    text += f"\nmissing.jpg,30,\n{tmp_path / 'not_an_image.jpg'},30,\n{blank},40,\n"
    out = tmp_path / "labels.csv"
    out.write_text(text)
    return out


def test_report_on_the_reference_faces(tmp_path: Path) -> None:
    labels = read_labels(_labels_with_problems(tmp_path), FACES_DIR)
    seen = []
    report = evaluate(labels, LookupDetector(), age_model(), on_image=seen.append)
    assert len(seen) == report.images == 36
    assert (report.unreadable, report.no_face, report.faces) == (2, 1, 33)
    assert report.detection_rate == pytest.approx(33 / 34)
    messages = {r.status: r.message for r in report.results if r.status != "ok"}
    assert messages["unreadable"].endswith("not_an_image.jpg: not an image OpenCV can decode")
    assert any(r.message.endswith("missing.jpg: file not found") for r in report.results)
    assert messages["no_face"].endswith("blank.png: no face found")

    # Bands and errors agree with the per-image results.
    ok = [r for r in report.results if r.status == "ok"]
    errors = np.array([r.estimate_years - r.age_years for r in ok])
    assert report.mae_years == pytest.approx(np.abs(errors).mean())
    assert report.bias_years == pytest.approx(errors.mean())
    bands = {b.band: b for b in report.bands}
    assert [bands[b].faces for b in ("0-12", "13-17", "18-24", "25-39", "40+")] == [4, 1, 0, 0, 28]
    young = np.array([r.estimate_years - r.age_years for r in ok if r.age_years < 13])
    assert bands["0-12"].bias_years == pytest.approx(young.mean())
    assert bands["18-24"].mae_years is None
    assert report.ms_per_face is not None and report.ms_per_face > 0

    # The under-18 decision, as measured (see test_model for the per-face estimates).
    by_age = {t.challenge_age_years: t for t in report.thresholds}
    assert tuple(by_age) == CHALLENGE_AGES
    assert all(t.minors == 5 and t.adults == 28 for t in report.thresholds)
    assert [by_age[c].minors_passed for c in CHALLENGE_AGES] == [3, 3, 3, 3, 0]
    assert by_age[18].adults_flagged == 1  # us_congress_M001160, estimated ~9 years
    assert by_age[25].adults_flagged == 1
    passed = [t.minors_passed for t in report.thresholds]
    flagged = [t.adults_flagged for t in report.thresholds]
    assert passed == sorted(passed, reverse=True) and flagged == sorted(flagged)


def test_text_report_reads_as_a_decision_aid(tmp_path: Path) -> None:
    report = evaluate(read_labels(LABELS, FACES_DIR), LookupDetector(), age_model())
    text = format_report(report, "Reference faces")
    assert text.startswith("Reference faces (raw model, no calibration)")
    assert "detection rate 100.0%" in text
    assert "  13-17        1" in text
    assert "At challenge age 25: 3 of 5 minors would be treated as adults" in text
    assert "The lowest challenge age that passed no minor here is 28" in text
    assert "compatible with up to 43% passing" in text
    assert "Small set (5 minors, 28 adults)" in text
    row_25 = next(line for line in text.splitlines() if line.strip().startswith("25 "))
    assert "3/5" in row_25 and "1/28" in row_25


def test_calibration_fitted_on_the_evaluation(tmp_path: Path) -> None:
    report = evaluate(read_labels(LABELS, FACES_DIR), LookupDetector(), age_model())
    raw, true = calibration_pairs(report)
    assert raw.shape == true.shape == (33,)
    calibration = fit_calibration(raw, true)
    again = recalibrated(report, calibration)
    assert again.calibrated and again.faces == report.faces
    # In-sample, the isotonic map cannot do worse on squared error than the raw estimates.
    sq = lambda r: sum((x.estimate_years - x.age_years) ** 2 for x in r.results if x.status == "ok")  # noqa: E731
    assert sq(again) <= sq(report)


def test_wilson_interval() -> None:
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 5)  # type: ignore[misc]
    assert low == 0.0 and high == pytest.approx(0.4345, abs=1e-3)
    low, high = wilson_interval(5, 10)  # type: ignore[misc]
    assert low == pytest.approx(1 - high) and math.isclose(high, 0.7634, abs_tol=1e-3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("file,years\na.jpg,3\n", r"labels.csv: line 1: expected the columns 'path' and 'age', found \['file', 'years'\]"),
        ("path,age\na.jpg,3\nb.jpg,old\n", "labels.csv: line 3: field 'age': expected a number of years, found 'old'"),
        ("path,age\na.jpg,-2\n", "labels.csv: line 2: field 'age': expected 0 to 130 years, found '-2'"),
        ("path,age\n,20\n", "labels.csv: line 2: field 'path': expected a file path, found nothing"),
        ("path,age\n", "labels.csv: expected at least one labelled image, found none"),
    ],
)
def test_bad_labels_are_refused_with_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(content)
    with pytest.raises(EvaluationError, match=message):
        read_labels(path, tmp_path)


def test_labels_resolve_relative_to_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(f"path,age\nsub/a.jpg,3\n{tmp_path / 'b.jpg'},4.5\n")
    labels = read_labels(path, tmp_path / "root")
    assert [lab.path for lab in labels] == [tmp_path / "root" / "sub" / "a.jpg", tmp_path / "b.jpg"]
    assert [lab.age_years for lab in labels] == [3.0, 4.5]
    assert [lab.line for lab in labels] == [2, 3]
