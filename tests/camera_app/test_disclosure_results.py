"""camera_app.disclosure_results: effects classified for their label, cached by content hash."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import effects.classify
from camera_app.disclosure_results import (
    DisclosureResultsError,
    SpecUnderTest,
    classify_specs,
)
from camera_app.effects_catalog import load_registry
from effects.classification import Category, Change, ClassificationResult, Reason

RESULT = ClassificationResult(
    "face_slimming", "1.0.0", Category.APPEARANCE_ALTERING, 0.9,
    (Reason(Change.SLIMS_JAW, -8.4, -9.1, -7.8, "%", 12, True),), declared=Category.APPEARANCE_ALTERING,
    notes=("a note",),
)


class _Detector:
    made = 0

    def __init__(self) -> None:
        _Detector.made += 1

    def __enter__(self) -> _Detector:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def fake_assess(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def assess(effect: Any, reference: Any, detector: Any, quick: bool = False, progress: Any = None) -> Any:
        calls.append(effect.id)
        if progress is not None:
            progress(12, 12)
        return SimpleNamespace(result=dataclasses.replace(RESULT, effect_id=effect.id))

    monkeypatch.setattr(effects.classify, "assess", assess)
    _Detector.made = 0
    return calls


def test_results_are_cached_by_content_hash(tmp_path: Path, fake_assess: list[str]) -> None:
    spec = load_registry().resolve("face_slimming")[0]
    first = classify_specs([spec], _Detector, tmp_path)
    again = classify_specs([spec], _Detector, tmp_path)
    assert first == again and first[0].effect_id == "face_slimming"
    assert fake_assess == ["face_slimming"] and _Detector.made == 1  # the second call measured nothing
    edited = dataclasses.replace(spec, content_hash="0" * 64)
    classify_specs([edited], _Detector, tmp_path)
    assert fake_assess == ["face_slimming", "face_slimming"]


def test_no_cache_folder_measures_every_time(fake_assess: list[str]) -> None:
    spec = load_registry().resolve("face_slimming")[0]
    classify_specs([spec], _Detector, None)
    classify_specs([spec], _Detector, None)
    assert fake_assess == ["face_slimming", "face_slimming"]


def test_progress_counts_faces_over_all_effects(fake_assess: list[str]) -> None:
    specs = load_registry().resolve("face_slimming,cartoon_eyes")
    seen: list[tuple[int, int]] = []
    classify_specs(specs, _Detector, None, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(12, 24), (24, 24)]


def test_corrupt_cache_entry_is_a_typed_error(tmp_path: Path, fake_assess: list[str]) -> None:
    spec = load_registry().resolve("face_slimming")[0]
    classify_specs([spec], _Detector, tmp_path)
    (entry,) = tmp_path.iterdir()
    entry.write_text("{", encoding="utf-8")
    with pytest.raises(DisclosureResultsError, match=rf"{entry.name}: unreadable classification cache entry"):
        classify_specs([spec], _Detector, tmp_path)


@pytest.mark.slow
def test_real_classifier_runs_on_a_spec(tmp_path: Path) -> None:
    """The adapter works with the real classifier and tracker (quick reference set)."""
    from camera_app.tracker import FaceTracker, FaceTrackerOptions

    spec = load_registry().resolve("face_slimming")[0]
    assert SpecUnderTest(spec).declared is Category.APPEARANCE_ALTERING
    (result,) = classify_specs(
        [spec], lambda: FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)), tmp_path
    )
    assert result.effect_id == "face_slimming" and result.category is Category.APPEARANCE_ALTERING
    assert any(r.altering for r in result.reasons)
