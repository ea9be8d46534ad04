"""camera_app.catalog.classifications: the one way to an effect's classifier result (bundled, else
the user cache by content hash, else measured once and cached)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import camera_app.catalog.classifications as cc
from camera_app.catalog.result_cache import result_cache
import effects.classify
from camera_app.catalog.effects import BUILTIN_EFFECTS_DIR
from effects.classification import Category, Change, ClassificationResult, Reason
from effects.registry import EffectRegistry
from effects.spec import EffectSpec, load_effect

RESULT = ClassificationResult(
    "eye_enlarge", "1.0.0", Category.APPEARANCE_ALTERING, 0.9,
    (Reason(Change.ENLARGES_EYES, 20.0, 18.0, 22.0, "%", 12, True),), declared=Category.APPEARANCE_ALTERING,
)


@pytest.fixture(scope="module")
def registry() -> EffectRegistry:
    return EffectRegistry(BUILTIN_EFFECTS_DIR)


def user_copy(tmp_path: Path, name: str = "my_eyes", scale: str = "1.2") -> EffectSpec:
    """A user's effect folder copied from the built-in eye_enlarge with its scale changed."""
    folder = tmp_path / name
    shutil.copytree(BUILTIN_EFFECTS_DIR / "eye_enlarge", folder)
    toml = folder / "effect.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("scale = 1.12", f"scale = {scale}"), encoding="utf-8")
    return load_effect(folder)


class _Detector:
    made = 0

    def __init__(self) -> None:
        _Detector.made += 1

    def __enter__(self) -> _Detector:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def fake_assess(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Stands in for the classifier (it has its own tests); records the effects it measured."""
    measured: list[Any] = []

    def assess(effect: Any, reference: Any, detector: Any, quick: bool = False, progress: Any = None) -> Any:
        measured.append(effect)
        if progress is not None:
            progress(12, 12)
        return SimpleNamespace(result=dataclasses.replace(RESULT, effect_id=effect.id))

    monkeypatch.setattr(effects.classify, "assess", assess)
    _Detector.made = 0
    return measured


# --- the bundled file --------------------------------------------------------------------------


def test_the_bundled_file_is_current(registry: EffectRegistry) -> None:
    bundled = cc.load_bundled()
    problems = cc.stale_entries(list(registry), bundled)
    assert not problems, f"run: python -m camera_app.cli.bundled_results ({problems})"
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


def test_a_malformed_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "classifications.json"
    path.write_text(json.dumps({"schema": 1, "effects": {"glam": {"content_hash": "x"}}}), encoding="utf-8")
    with pytest.raises(cc.ClassificationCacheError, match=r"classifications\.json: effects\.glam: malformed entry"):
        cc.load_bundled(path)
    entry = {"content_hash": "x", "result": {**RESULT.to_dict(), "confidence": "high"}}
    path.write_text(json.dumps({"schema": 1, "effects": {"glam": entry}}), encoding="utf-8")
    with pytest.raises(cc.ClassificationCacheError,
                       match=r"effects\.glam: malformed entry \(result\.confidence: expected a finite number"):
        cc.load_bundled(path)
    path.write_text(json.dumps({"schema": 7}), encoding="utf-8")
    with pytest.raises(cc.ClassificationCacheError, match="schema: expected 1, found 7"):
        cc.load_bundled(path)
    assert cc.load_bundled(tmp_path / "absent.json").entries == {}


# --- one lookup: bundled, user cache, measured -------------------------------------------------


def test_a_bundled_effect_is_never_measured(registry: EffectRegistry, tmp_path: Path, fake_assess: list[Any]) -> None:
    def no_detector() -> object:
        raise AssertionError("a bundled effect must not be measured")

    specs = [registry.get("glam"), registry.get("bunny_ears")]
    cache = result_cache(tmp_path)
    got = cc.results_for(specs, cache, detector_factory=no_detector)
    assert [(r.effect_id, r.category) for r in got] == [
        ("glam", Category.APPEARANCE_ALTERING), ("bunny_ears", Category.PLAYFUL)]
    assert got[0] is cc.load_bundled().get(specs[0])
    assert fake_assess == [] and not cache.folder.exists()  # nothing cached for bundled effects


def test_a_user_copy_is_measured_once_then_cached(
    registry: EffectRegistry, tmp_path: Path, fake_assess: list[Any]
) -> None:
    spec = user_copy(tmp_path / "effects")
    assert spec.id == "eye_enlarge" and spec.content_hash != registry.get("eye_enlarge").content_hash
    cache = result_cache(tmp_path / "data")
    first = cc.results_for([spec], cache, detector_factory=_Detector)
    again = cc.results_for([spec], cache, detector_factory=_Detector)
    assert first == again and first[0].effect_id == "eye_enlarge" and first[0].reasons == RESULT.reasons
    assert len(fake_assess) == 1 and _Detector.made == 1  # the second call measured nothing
    assert cc.known_result(spec, cache) == first[0]
    (entry,) = cache.folder.iterdir()
    stored = json.loads(entry.read_text(encoding="utf-8"))
    assert (stored["effect_id"], stored["content_hash"], stored["reference"]) == ("eye_enlarge", spec.content_hash, "quick")
    # Measured as a stack of parts by the classifier's own adapter, on the quick set.
    from effects.classify.adapters import SpecEffect

    assert isinstance(fake_assess[0], SpecEffect) and fake_assess[0].specs == (spec,)


def test_an_edited_effect_is_measured_again(tmp_path: Path, fake_assess: list[Any]) -> None:
    cache = result_cache(tmp_path / "data")
    cc.results_for([user_copy(tmp_path / "a", scale="1.2")], cache, detector_factory=_Detector)
    cc.results_for([user_copy(tmp_path / "b", scale="1.3")], cache, detector_factory=_Detector)
    assert len(fake_assess) == 2 and len(list(cache.folder.iterdir())) == 2


def test_only_unknown_effects_are_measured_in_order(
    registry: EffectRegistry, tmp_path: Path, fake_assess: list[Any]
) -> None:
    edited = dataclasses.replace(registry.get("skin_tan"), content_hash="0" * 64)
    got = cc.results_for([registry.get("glam"), edited], None, detector_factory=_Detector)
    assert [e.id for e in fake_assess] == ["skin_tan"]
    assert [r.effect_id for r in got] == ["glam", "skin_tan"] and got[1].reasons == RESULT.reasons


def test_no_cache_folder_measures_every_time(tmp_path: Path, fake_assess: list[Any]) -> None:
    spec = user_copy(tmp_path)
    cc.results_for([spec], None, detector_factory=_Detector)
    cc.results_for([spec], None, detector_factory=_Detector)
    assert len(fake_assess) == 2 and cc.known_result(spec, None) is None


def test_progress_counts_faces_over_all_measured_effects(tmp_path: Path, fake_assess: list[Any]) -> None:
    specs = [user_copy(tmp_path / "a", scale="1.2"), user_copy(tmp_path / "b", scale="1.3")]
    seen: list[tuple[int, int]] = []
    cc.results_for(specs, None, detector_factory=_Detector, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(12, 24), (24, 24)]


def test_unreadable_or_unsealed_entries_are_measured_again(tmp_path: Path, fake_assess: list[Any]) -> None:
    """Issue 14, attack 1 at the library level: only an entry sealed by this installation is used."""
    spec = user_copy(tmp_path / "effects")
    cache = result_cache(tmp_path / "data")
    cc.results_for([spec], cache, detector_factory=_Detector)
    (entry,) = cache.folder.iterdir()
    sealed = json.loads(entry.read_text(encoding="utf-8"))
    assert cc.known_result(spec, cache) == RESULT
    forged = {**sealed, "result": {**sealed["result"], "category": "playful"}}
    for text in ("{", json.dumps(forged), json.dumps({**sealed, "seal": "0" * 64}),
                 json.dumps({k: v for k, v in sealed.items() if k != "seal"}),
                 json.dumps({**sealed, "schema": 2})):
        entry.write_text(text, encoding="utf-8")
        assert cc.known_result(spec, cache) is None, text[:40]
    other = cc.ResultCache(cache.folder, b"another installation's key.....")
    entry.write_text(json.dumps(sealed), encoding="utf-8")
    assert cc.known_result(spec, other) is None  # copied from elsewhere: not ours
    assert cc.known_result(spec, cache) == RESULT
    entry.write_text(json.dumps(forged), encoding="utf-8")
    assert cc.results_for([spec], cache, detector_factory=_Detector)[0].category is Category.APPEARANCE_ALTERING
    assert len(fake_assess) == 2  # measured again, and the forged entry replaced
    assert json.loads(entry.read_text(encoding="utf-8"))["result"]["category"] == "appearance_altering"


def test_an_edited_bundled_file_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "classifications.json"
    copy.write_bytes(cc.BUILTIN_RESULTS.read_bytes())
    monkeypatch.setattr(cc, "BUILTIN_RESULTS", copy)
    assert cc.load_bundled(copy).intact and cc.load_bundled(copy).entries
    data = json.loads(copy.read_text(encoding="utf-8"))
    data["effects"]["glam"]["result"]["category"] = "playful"
    copy.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    edited = cc.load_bundled(copy)
    assert not edited.intact and edited.entries == {}
    assert cc.stale_entries([], edited)[0].startswith("its SHA-256 differs from camera_app/catalog/bundled_digest.py")


def test_a_classifier_failure_names_the_effect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def assess(*args: Any, **kwargs: Any) -> Any:
        raise effects.classify.ClassifyError("no reference face was detected")

    monkeypatch.setattr(effects.classify, "assess", assess)
    with pytest.raises(cc.ClassificationCacheError, match="effect eye_enlarge: cannot be classified: no reference"):
        cc.results_for([user_copy(tmp_path)], None, detector_factory=_Detector)


@pytest.mark.slow
def test_real_classifier_measures_a_user_copy(tmp_path: Path) -> None:
    """The real classifier and tracker on the quick reference set: a 20% eye scale is altering."""
    spec = user_copy(tmp_path / "effects", scale="1.2")
    (result,) = cc.results_for([spec], result_cache(tmp_path / "data"))
    assert result.effect_id == "eye_enlarge" and result.category is Category.APPEARANCE_ALTERING
    assert Change.ENLARGES_EYES in {r.change for r in result.altering_reasons}
    assert result.declared is Category.APPEARANCE_ALTERING
