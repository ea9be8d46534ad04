"""The processing worker without a window: source failures, policy answers per frame, exports."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from camera_app.catalog.effects import load_registry
from camera_app.profiles.model import Assurance, Profile
from camera_app.app.results import EffectResults
from camera_app.app.session import AgeState
from camera_app.app.worker import ProcessingWorker
from camera_app.app.worker_messages import EventKind, WorkerEvent, WorkerOptions, WorkerOutput
from effects.classification import Category, Change, ClassificationResult, Reason


class Collector:
    def __init__(self) -> None:
        self.outputs: list[WorkerOutput] = []
        self.events: list[WorkerEvent] = []
        self.lock = threading.Lock()

    def post(self, fn: Callable[[], None]) -> None:
        with self.lock:  # the "UI thread": one callback at a time
            fn()

    def wait(self, condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out; events: {self.events}")


def _worker(tmp_path: Path, source: str, profile: Profile | None, results: EffectResults, age: bool = True) -> tuple[ProcessingWorker, Collector]:
    got = Collector()
    options = WorkerOptions(source=source, resolution="480p", age_check=age, retry_s=0.2,
                            export_dir=tmp_path / "exports", identity_dir=tmp_path / "identity")
    worker = ProcessingWorker(options, list(load_registry()), results, got.post, got.outputs.append, got.events.append,
                              profile=profile)
    return worker, got


def _teen() -> Profile:
    today = date.today()
    return Profile(1, "Sam", date(today.year - 15, 1, 1), Assurance.DECLARED, datetime(2026, 1, 1, tzinfo=UTC))


def _measured() -> EffectResults:
    results = EffectResults(cache=None)
    registry = load_registry()
    results.put(registry.get("bunny_ears"), ClassificationResult(
        "bunny_ears", registry.get("bunny_ears").version, Category.PLAYFUL, 0.9,
        (Reason(Change.ADDS_OVERLAY, 0.1, 0.05, 0.2, "share", 7, False),)))
    results.put(registry.get("glam"), ClassificationResult(
        "glam", registry.get("glam").version, Category.APPEARANCE_ALTERING, 0.9,
        (Reason(Change.SMOOTHS_SKIN, 40.0, 30.0, 50.0, "%", 7, True),)))
    return results


def test_a_camera_that_cannot_be_opened_is_retried_with_a_lost_banner(tmp_path: Path) -> None:
    worker, got = _worker(tmp_path, "camera:63", None, EffectResults(None), age=False)
    worker.start()
    try:
        got.wait(lambda: sum(e.kind is EventKind.SOURCE_LOST for e in got.events) >= 2)
        assert worker.running  # still trying: it never gives up on a camera
    finally:
        worker.stop()
    assert not worker.running
    assert got.outputs == []


def test_a_broken_file_is_reported_once_and_not_retried(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"this is not a video")
    worker, got = _worker(tmp_path, str(broken), None, EffectResults(None), age=False)
    worker.start()
    try:
        got.wait(lambda: any(e.kind is EventKind.SOURCE_FAILED for e in got.events))
        time.sleep(0.6)
        failed = [e for e in got.events if e.kind is EventKind.SOURCE_FAILED]
        assert len(failed) == 1 and "broken.mp4" in failed[0].text
    finally:
        worker.stop()
    assert not worker.running


def test_a_teen_gets_the_playful_effect_glam_stays_blocked_and_a_snapshot_says_so(tmp_path: Path) -> None:
    from disclosure.verify import read_provenance

    worker, got = _worker(tmp_path, "demo", _teen(), _measured())
    worker.start()
    try:
        worker.set_effect("glam")
        got.wait(lambda: len(got.outputs) >= 15)
        last = got.outputs[-1]
        assert last.applied == () and last.label_rect is None
        assert last.update.decisions["glam"].blocked and last.update.decisions["glam"].code.value == "declared_under_18"
        assert not last.update.decisions["bunny_ears"].blocked
        assert any('effect "glam" blocked' in n for o in got.outputs for n in o.update.notices)
        worker.set_effect("bunny_ears")
        got.wait(lambda: got.outputs[-1].applied == ("bunny_ears",))
        assert got.outputs[-1].label_rect is None  # playful: no appearance label on the frame
        assert got.outputs[-1].update.age.state in (AgeState.MEASURING, AgeState.ADULT, AgeState.POSSIBLY_MINOR)
        worker.snapshot(tmp_path / "exports" / "shot.png")
        got.wait(lambda: any(e.kind is EventKind.SNAPSHOT_SAVED for e in got.events))
    finally:
        worker.stop()
    report = read_provenance(tmp_path / "exports" / "shot.png")
    assert report.signature_valid
    assert [e["id"] for e in report.effects] == ["bunny_ears"]
    assert report.label is None or report.label["burned_in"] is False


def test_unknown_effect_is_refused_at_once(tmp_path: Path) -> None:
    worker, _ = _worker(tmp_path, "demo", None, EffectResults(None), age=False)
    with pytest.raises(KeyError, match="effect 'nope': expected one of"):
        worker.set_effect("nope")
