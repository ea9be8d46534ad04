"""Issue 15: measuring a new effect has a time limit and runs off the caller's (preview) thread, so
a costly effect cannot keep the classifier busy for minutes."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import camera_app.catalog.classifications as cc
import effects.classify
from camera_app.catalog.result_cache import result_cache
from camera_app.app.results import EffectResults
from camera_app.catalog.effects import BUILTIN_EFFECTS_DIR
from effects.classification import Category, ClassificationResult
from effects.spec import EffectSpec, load_effect

FACES = 12


def _user_effect(tmp_path: Path) -> EffectSpec:
    folder = tmp_path / "mine"
    shutil.copytree(BUILTIN_EFFECTS_DIR / "comic", folder)
    with (folder / "effect.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a user's copy: another content hash, so it is measured\n")
    return load_effect(folder)


class _Detector:
    def __enter__(self) -> _Detector:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def slow_assess(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A classifier whose every reference face takes a little while; records faces and threads."""
    seen: dict[str, Any] = {"faces": 0, "threads": set()}

    def assess(effect: Any, reference: Any, detector: Any, quick: bool = False, progress: Any = None) -> Any:
        seen["threads"].add(threading.current_thread().name)
        for done in range(1, FACES + 1):
            time.sleep(0.01)
            seen["faces"] += 1
            if progress is not None:
                progress(done, FACES)
        result = ClassificationResult(effect.id, "1.0.0", Category.PLAYFUL, 0.9, ())
        return SimpleNamespace(result=dataclasses.replace(result, effect_id=effect.id))

    monkeypatch.setattr(effects.classify, "assess", assess)
    return seen


def test_measuring_stops_at_the_time_limit(tmp_path: Path, slow_assess: dict[str, Any]) -> None:
    spec = _user_effect(tmp_path)
    with pytest.raises(cc.MeasureTimeLimitError,
                       match=r"effect comic: measuring it took longer than 0 s \(1 of 12 reference faces\)"):
        cc.results_for([spec], result_cache(tmp_path / "data"), detector_factory=_Detector, time_limit_s=0.0)
    assert slow_assess["faces"] == 1  # stopped after the first face, not after all twelve
    assert not list((tmp_path / "data").rglob("*.json"))  # nothing cached for an effect that was not measured
    assert cc.results_for([spec], None, detector_factory=_Detector)[0].category is Category.PLAYFUL  # no limit


def test_the_app_measures_on_its_own_thread_and_records_the_time_limit(tmp_path: Path,
                                                                       slow_assess: dict[str, Any]) -> None:
    spec = _user_effect(tmp_path)
    heard: list[tuple[str, object, str | None]] = []
    done = threading.Event()

    def listener(effect_id: str, result: object, error: str | None) -> None:
        heard.append((effect_id, result, error))
        done.set()

    results = EffectResults(result_cache(tmp_path / "data"), listener, time_limit_s=0.0)
    results.request([spec])  # returns at once: the caller (the preview) is not the one measuring
    assert done.wait(30)
    assert slow_assess["threads"] == {"safelens-classify"}
    assert heard[0][0] == "comic" and heard[0][1] is None
    assert "measuring it took longer than 0 s" in str(heard[0][2])
    assert results.get(spec) is None and "too costly" in str(results.error(spec))
    results.close(wait=True)
