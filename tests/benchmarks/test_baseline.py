"""Baseline comparison on synthetic reports: what counts as a regression, and bad baseline files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.baseline import BaselineError, compare, load_report, medians, summary_section
from benchmarks.report import SCHEMA_NAME, SCHEMA_VERSION


def _summary(median: float) -> dict[str, Any]:
    return {"n": 10, "median": median, "p95": median * 1.2}


def _report(frame: float, effects: float, op: float, kernel: float, extra_run: bool = False) -> dict[str, Any]:
    runs = [{"id": "glam@720p/2cpu", "frame_ms": _summary(frame),
             "stages_ms": {"effects": _summary(effects), "age": _summary(0.02)},
             "ops_ms": {"smooth_skin": _summary(op)}}]
    if extra_run:
        runs.append({"id": "comic@720p/2cpu", "frame_ms": _summary(1.0), "stages_ms": {}, "ops_ms": {}})
    return {"schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION, "runs": runs,
            "stacks": [{"effect": "glam", "resolution": "720p", "apply_cpu_ms": _summary(effects * 0.6)}],
            "kernels": [{"name": "vignette frame", "resolution": "720p", "numba_ms": _summary(kernel)}]}


def test_medians_names_every_comparable_figure() -> None:
    assert medians(_report(20.0, 8.0, 2.0, 3.0)) == {
        "run glam@720p/2cpu: frame time": 20.0,
        "run glam@720p/2cpu: stage effects": 8.0,
        "run glam@720p/2cpu: stage age": 0.02,
        "run glam@720p/2cpu: op smooth_skin": 2.0,
        "stack glam @720p: CPU": pytest.approx(4.8),
        "kernel vignette frame @720p: numba": 3.0,
    }


def test_slower_beyond_the_tolerance_regresses_and_within_it_does_not() -> None:
    before = _report(20.0, 8.0, 2.0, 3.0)
    after = _report(23.5, 9.1, 2.0, 3.0)  # frame +17.5 %, effects +13.75 %
    found = {c.what: c for c in compare(before, after, tolerance=0.15)}
    assert found["run glam@720p/2cpu: frame time"].regressed
    assert found["run glam@720p/2cpu: frame time"].change == pytest.approx(0.175)
    assert not found["run glam@720p/2cpu: stage effects"].regressed
    assert [c.what for c in compare(before, after, tolerance=0.10) if c.regressed] == [
        "run glam@720p/2cpu: frame time", "run glam@720p/2cpu: stage effects", "stack glam @720p: CPU"]


def test_faster_is_never_a_regression_and_tiny_absolute_changes_are_noise() -> None:
    before = _report(20.0, 8.0, 2.0, 3.0)
    faster = _report(10.0, 4.0, 1.0, 1.0)
    assert not any(c.regressed for c in compare(before, faster))
    # age: 0.02 -> 0.2 ms is +900 % but only 0.18 ms: below the 0.25 ms floor.
    noisy = _report(20.0, 8.0, 2.0, 3.0)
    noisy["runs"][0]["stages_ms"]["age"] = _summary(0.2)
    assert not any(c.regressed for c in compare(before, noisy))


def test_only_figures_present_in_both_reports_are_compared() -> None:
    comparisons = compare(_report(20.0, 8.0, 2.0, 3.0), _report(20.0, 8.0, 2.0, 3.0, extra_run=True))
    assert len(comparisons) == 6
    assert all("comic" not in c.what for c in comparisons)


def test_summary_section_lists_the_regressions() -> None:
    comparisons = compare(_report(20.0, 8.0, 2.0, 3.0), _report(20.0, 8.0, 2.0, 6.0))
    section = summary_section(comparisons, Path("old.json"), 0.15)
    assert section["compared"] == 6
    assert section["regressions"] == [
        {"what": "kernel vignette frame @720p: numba", "before_ms": 3.0, "after_ms": 6.0, "change": 1.0}]
    assert comparisons[-1].describe() == "kernel vignette frame @720p: numba: 3.000 -> 6.000 ms (+100%)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"schema": "other"}', "schema: expected 'safelens-bench', found 'other'"),
        ('[1, 2]', "schema: expected 'safelens-bench', found 'list'"),
        (json.dumps({"schema": SCHEMA_NAME, "schema_version": 99}), "schema_version: expected 1, found 99"),
        (json.dumps({"schema": SCHEMA_NAME, "schema_version": 1, "runs": {}, "kernels": []}),
         "runs: expected a list, found dict"),
    ],
)
def test_bad_baseline_files_are_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        load_report(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_missing_baseline_and_bad_tolerance(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such baseline file"):
        load_report(tmp_path / "nope.json")
    with pytest.raises(BaselineError, match="tolerance"):
        compare(_report(1, 1, 1, 1), _report(1, 1, 1, 1), tolerance=-0.1)
