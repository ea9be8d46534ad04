"""The text report and the PNG curve on a synthetic set with sources, genders and a leaked source."""

from __future__ import annotations

import ast
from pathlib import Path

import cv2
import numpy as np
from synthetic_eval import SOURCES, Source, as_run, dataset

from age_estimation.operating import recommend
from age_estimation.report import format_report
from age_estimation.scores import ScoringOptions, score

REPO = Path(__file__).resolve().parents[2]
LEAKED = (*SOURCES, Source("delta", 150, 4.0, leaked=0.25))


def _report() -> tuple[str, object, object]:
    arrays = dataset(np.random.default_rng(11), LEAKED)
    scores = score(arrays, ScoringOptions(resamples=300, challenge_age_years=25.0))
    recommendation = recommend(scores, 0.10)
    return format_report(as_run(arrays), scores, "Synthetic set", recommendation), scores, recommendation


def test_report_states_figures_with_intervals_groups_and_the_warning() -> None:
    text, scores, recommendation = _report()
    lines = text.splitlines()
    assert "within each source, seed 0;" in text
    # The warning comes before the tables, names the source, not a gender.
    warning = next(i for i, line in enumerate(lines) if line.startswith("WARNING"))
    assert lines[warning].startswith("WARNING: source 'delta': ")
    assert warning < lines.index("Accuracy per age band (error = estimate - true age; positive bias = over-estimates)")
    assert sum(line.startswith("WARNING") for line in lines) == 1
    # Per-group tables: every source and gender, the leaked one marked.
    assert "By source: accuracy, and estimates within 0.1 years of the label vs chance" in text
    assert "By gender: under-18 decision at challenge age 25" in text
    delta_row = next(line for line in lines if line.strip().startswith("delta") and "TRAINING DATA?" in line)
    assert "vs" in delta_row
    assert not any("TRAINING DATA?" in line for line in lines if line.strip().startswith(("alpha", "male", "female")))
    # The decision table marks the current setting and the recommendation; the advice states its price.
    age = recommendation.point.challenge_age_years  # type: ignore[attr-defined]
    assert any(line.rstrip().endswith("<- current") and line.strip().startswith("25 ") for line in lines)
    assert any(line.rstrip().endswith("<- recommended") and line.strip().startswith(f"{age:g} ") for line in lines)
    assert f"The lowest challenge age meeting it is {age:g}:" in text
    assert "These figures include source 'delta', which looks like training data" in text
    assert max(len(line) for line in lines[1:]) <= 120


def test_operating_curve_png(tmp_path: Path) -> None:
    from age_estimation.plot import plot_operating_curve

    _, scores, recommendation = _report()
    out = tmp_path / "curve.png"
    plot_operating_curve(scores, out, "Synthetic set", recommendation)  # type: ignore[arg-type]
    image = cv2.imread(str(out))
    assert image is not None and image.shape[1] > 1000 and image.shape[0] > 500
    # Both panels are drawn on: the curve's red and the adults' blue are present.
    rgb = image[:, :, ::-1].reshape(-1, 3).astype(int)
    red = (abs(rgb[:, 0] - 0xC0) < 20) & (abs(rgb[:, 1] - 0x39) < 20) & (abs(rgb[:, 2] - 0x2B) < 20)
    blue = (abs(rgb[:, 0] - 0x24) < 20) & (abs(rgb[:, 1] - 0x71) < 20) & (abs(rgb[:, 2] - 0xA3) < 20)
    assert red.sum() > 500 and blue.sum() > 300


def test_only_the_plot_module_imports_matplotlib_and_nothing_imports_it() -> None:
    for path in sorted((REPO / "age_estimation").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if path.name != "plot.py":
            assert not any(name.startswith("matplotlib") for name in names), path.name
        assert "age_estimation.plot" not in names, path.name
