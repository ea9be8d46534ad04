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
from pathlib import Path

import numpy as np
import pytest
from age_faces import age_model, face_samples
from conftest import FACES_DIR

from age_estimation.evaluate import evaluate
from age_estimation.labels import EvaluationError, read_labels
from age_estimation.operating import recommend
from age_estimation.report import format_report
from age_estimation.scores import ALL, ALL_MINORS, CURVE_AGES_YEARS, ScoringOptions, score

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


def test_run_and_scores_on_the_reference_faces(tmp_path: Path) -> None:
    labels = read_labels(_labels_with_problems(tmp_path), FACES_DIR)
    seen = []
    run = evaluate(labels, LookupDetector(), age_model(), on_image=seen.append)
    assert len(seen) == len(run.results) == 36
    assert (run.unreadable, run.no_face) == (2, 1)
    messages = {r.status: r.message for r in run.results if r.status != "ok"}
    assert messages["unreadable"].endswith("not_an_image.jpg: not an image OpenCV can decode")
    assert any(r.message.endswith("missing.jpg: file not found") for r in run.results)
    assert messages["no_face"].endswith("blank.png: no face found")
    assert run.ms_per_face is not None and run.ms_per_face > 0

    arrays = run.arrays()
    assert arrays.true_years.size == 34  # the readable images; the faceless one has a NaN estimate
    assert np.isnan(arrays.estimate_years).sum() == 1 and arrays.groups == {} and arrays.strata_column is None
    scores = score(arrays, ScoringOptions(resamples=200))
    assert scores.faces == 33 and scores.detection.value == pytest.approx(33 / 34)
    ok = [r for r in run.results if r.status == "ok"]
    errors = np.array([r.estimate_years - r.age_years for r in ok])  # type: ignore[operator]
    assert scores.mae[ALL].value == pytest.approx(np.abs(errors).mean())
    assert scores.bias[ALL].value == pytest.approx(errors.mean())
    assert [scores.mae[b].n for b in ("0-12", "13-15", "16-17", "18-24", "25-39", "40+")] == [4, 1, 0, 0, 0, 28]

    # The under-18 decision, as measured (see test_model for the per-face estimates).
    assert [p.challenge_age_years for p in scores.curve] == list(CURVE_AGES_YEARS)
    passed = {a: scores.at(a).minors_passed[ALL_MINORS] for a in (18.0, 21.0, 23.0, 25.0, 28.0)}
    assert all(f.n == 5 for f in passed.values())
    assert [f.count for f in passed.values()] == [3, 3, 3, 3, 0]
    assert scores.at(18.0).adults_challenged.count == 1  # us_congress_M001160, estimated ~9 years
    assert scores.at(25.0).adults_challenged.n == 28
    # 0 of 5 minors passed at 28, yet 5 minors cannot show that fewer than 43% pass.
    assert passed[28.0].ci95[1] == pytest.approx(0.4345, abs=1e-3)  # type: ignore[index]


def test_text_report_reads_as_a_decision_aid() -> None:
    run = evaluate(read_labels(LABELS, FACES_DIR), LookupDetector(), age_model())
    scores = score(run.arrays(), ScoringOptions(resamples=200))
    text = format_report(run, scores, "Reference faces", recommend(scores, 0.05))
    assert text.startswith("Reference faces (raw model, no calibration)")
    assert "detection rate 100.0%  (95% interval 89.6-100.0%; 33 of 33)" in text
    assert "95% intervals: bootstrap percentiles over 200 resamples of the images (no 'source' column" in text
    assert "  13-15        1   " in text and "  16-17        0   -" in text
    assert "all minors (n=5)" in text and "(n=28)" in text
    row_25 = next(line for line in text.splitlines() if line.strip().startswith("25 "))
    assert row_25.endswith("<- current") and "60.0%" in row_25
    assert "minors passed as adults   60.0%  (95% interval" in text and "3 of 5)" in text
    assert "No challenge age meets the target of at most 5.0% minors passed:" in text
    assert "Small set (5 minors, 28 adults)" in text
    assert "never proof of age" in text
    assert "WARNING" not in text
    assert max(len(line) for line in text.splitlines()) <= 120


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("file,years\na.jpg,3\n", r"labels.csv: line 1: expected the columns 'path' and 'age', found \['file', 'years'\]"),
        ("path,age\na.jpg,3\nb.jpg,old\n", "labels.csv: line 3: field 'age': expected a number of years, found 'old'"),
        ("path,age\na.jpg,-2\n", "labels.csv: line 2: field 'age': expected 0 to 130 years, found '-2'"),
        ("path,age\n,20\n", "labels.csv: line 2: field 'path': expected a file path, found nothing"),
        ("path,age\n", "labels.csv: expected at least one labelled image, found none"),
        ("path,age,source,source\na.jpg,3,x,y\n", r"labels.csv: line 1: expected each column once, found \['source'\]"),
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
    labels = read_labels(path, tmp_path / "root").images
    assert [lab.path for lab in labels] == [tmp_path / "root" / "sub" / "a.jpg", tmp_path / "b.jpg"]
    assert [lab.age_years for lab in labels] == [3.0, 4.5]
    assert [lab.line for lab in labels] == [2, 3]


def test_extra_columns_are_groups_and_source_is_the_strata(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("path,age,source,gender,note\na.jpg,3,utk,f,a baby\nb.jpg,40,appa,,\n")
    labels = read_labels(path, tmp_path)
    assert labels.group_columns == ("source", "gender") and labels.has_source  # a note is free text
    assert labels.images[0].column("gender") == "f" and labels.images[1].column("gender") == ""
