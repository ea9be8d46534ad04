"""Bundled classifier results for the built-in library (assets/effects/classifications.json)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import camera_app.classification_cache as cc
from camera_app.effects_catalog import BUILTIN_EFFECTS_DIR
from effects.classification import Category
from effects.registry import EffectRegistry


@pytest.fixture(scope="module")
def registry() -> EffectRegistry:
    return EffectRegistry(BUILTIN_EFFECTS_DIR)


def test_the_bundled_file_is_current(registry: EffectRegistry) -> None:
    bundled = cc.load_bundled()
    problems = cc.stale_entries(list(registry), bundled)
    assert not problems, f"run: python -m camera_app.classification_cache ({problems})"
    assert bundled.n_faces == 38


def test_every_builtin_effect_is_measured_as_its_author_intended(registry: EffectRegistry) -> None:
    bundled = cc.load_bundled()
    wrong = {}
    for spec in registry:
        result = bundled.get(spec)
        assert result is not None, spec.id
        if result.category is not spec.declared_category:
            wrong[spec.id] = (spec.declared_category, result.category, [r.change.value for r in result.reasons])
        if result.category is Category.APPEARANCE_ALTERING:
            assert result.altering_reasons, f"{spec.id}: altering without an altering reason"
        assert result.effect_id == spec.id and result.effect_version == spec.version
    assert not wrong, wrong


def test_results_for_uses_the_bundled_file_without_measuring(registry: EffectRegistry) -> None:
    def no_detector() -> object:
        raise AssertionError("a bundled effect must not be measured")

    specs = [registry.get("glam"), registry.get("bunny_ears")]
    got = cc.results_for(specs, no_detector, cache_dir=None)
    assert [(r.effect_id, r.category) for r in got] == [
        ("glam", Category.APPEARANCE_ALTERING), ("bunny_ears", Category.PLAYFUL)]


def test_an_edited_effect_is_measured_not_looked_up(registry: EffectRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = dataclasses.replace(registry.get("skin_tan"), content_hash="0" * 64)
    asked: list[str] = []
    sentinel = cc.load_bundled().get(registry.get("skin_tan"))

    def fake_classify(specs, detector_factory, cache_dir, quick=True, progress=None):  # type: ignore[no-untyped-def]
        asked.extend(s.id for s in specs)
        return tuple(sentinel for _ in specs)

    monkeypatch.setattr(cc, "classify_specs", fake_classify)
    got = cc.results_for([registry.get("glam"), edited], lambda: None, cache_dir=None)
    assert asked == ["skin_tan"] and got[1] is sentinel and got[0].effect_id == "glam"


def test_a_malformed_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "classifications.json"
    path.write_text(json.dumps({"schema": 1, "effects": {"glam": {"content_hash": "x"}}}), encoding="utf-8")
    with pytest.raises(cc.ClassificationCacheError, match=r"classifications\.json: effects\.glam: malformed entry"):
        cc.load_bundled(path)
    path.write_text(json.dumps({"schema": 7}), encoding="utf-8")
    with pytest.raises(cc.ClassificationCacheError, match="schema: expected 1, found 7"):
        cc.load_bundled(path)
    assert cc.load_bundled(tmp_path / "absent.json").entries == {}
