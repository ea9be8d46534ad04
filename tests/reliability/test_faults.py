"""Injected faults in the live path: the camera goes and comes back, a video is truncated, the
landmarker raises, a model file is missing or altered.

Each test injects one fault into the real pipeline (real MediaPipe tracker, real effect
stage) or the real ``safelens`` command, and checks that the fault shows up as a clear,
typed error or notice, that nothing crashes or hangs, and that the stream goes on where it
can. Disk and database faults are in test_faults_storage.py.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "effects"))
from library_faces import portrait  # noqa: E402

from camera_app.cli import main  # noqa: E402
from plain_render import apply_effects  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.models import MODELS_DIR, ModelError, model_path  # noqa: E402
from camera_app.runtime.pipeline import Pipeline, PipelineError, PipelineOptions  # noqa: E402
from camera_app.capture import SourceError  # noqa: E402
from camera_app.capture.camera import CameraOptions, CameraSource  # noqa: E402
from camera_app.capture.image import ImageSource  # noqa: E402
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions  # noqa: E402

FACE_RGB, _ = portrait("nasa_astronaut_eileen_collins")
FACE_BGR = np.ascontiguousarray(FACE_RGB[:, :, ::-1])


class _PlainEffects:
    """A stage that applies effects with the engine (these tests are about faults, not the policy)."""

    name = "effects"

    def __init__(self, specs: Any) -> None:
        self.specs = list(specs)

    def process(self, frame: Any) -> Any:
        out = apply_effects(self.specs, frame)
        return frame if out is frame.pixels else frame.with_pixels(out)

    def take_notices(self) -> list[str]:
        return []


class UnpluggableCapture:
    """A fake cv2.VideoCapture showing the portrait at ~100 fps that is unplugged after ``good``
    frames: from then on every read fails, as OpenCV does for a camera pulled out of its port."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.delivered = 0
        self.released = threading.Event()

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(0.01)
        if self.delivered >= self.good:
            return False, None
        self.delivered += 1
        return True, FACE_BGR.copy()

    def release(self) -> None:
        self.released.set()


@pytest.fixture(scope="module")
def tracker() -> Any:
    with FaceTracker(FaceTrackerOptions(max_faces=1)) as t:
        yield t


@pytest.fixture(scope="module")
def bunny_ears() -> Any:
    return {s.id: s for s in load_registry()}["bunny_ears"]


def test_camera_unplugged_mid_stream_then_plugged_back(tracker: FaceTracker, bunny_ears: Any) -> None:
    """The pipeline delivers the frames it had, then the source's SourceError (no hang, no crash);
    after reconnect() the same tracker (VIDEO mode) and stages go on with later timestamps."""
    captures = [UnpluggableCapture(good=12), UnpluggableCapture(good=10_000)]
    source = CameraSource(CameraOptions(index=0, read_timeout_s=10.0, max_failed_reads=3),
                          capture_factory=lambda index: captures.pop(0))
    tracker.reset()
    pipeline = Pipeline(tracker, [_PlainEffects([bunny_ears])])
    with source:
        before = []
        with pytest.raises(SourceError, match=r"camera:0: stopped delivering frames after 3 failed reads"):
            for done in pipeline.run(source):
                before.append(done)
        assert 1 <= len(before) <= 12  # the one-slot mailbox may drop some, never invent any
        assert all(d.input.tracks for d in before)
        source.reconnect()
        after = []
        for done in pipeline.run(source):
            after.append(done)
            if len(after) == 8:
                break
    assert len(after) == 8 and all(d.input.tracks for d in after)
    stamps = [d.input.timestamp_ms for d in before + after]
    assert stamps == sorted(set(stamps)), "timestamps must keep increasing across the reconnect"
    assert not any(n for d in before + after for n in d.notices)
    # The effect kept drawing (ears change pixels above the face) before and after.
    assert not np.array_equal(after[-1].output.pixels, after[-1].input.pixels)


def test_camera_that_never_comes_back_keeps_failing_clearly() -> None:
    source = CameraSource(CameraOptions(index=5, read_timeout_s=10.0, max_failed_reads=2),
                          capture_factory=lambda index: UnpluggableCapture(good=0))
    pipeline = Pipeline(None, [])
    with source:
        for _ in range(3):  # every retry gives the same typed error, promptly
            with pytest.raises(SourceError, match=r"camera:5: stopped delivering frames"):
                next(iter(pipeline.run(source)))
            source.reconnect()


def _avi(path: Path, n: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (225, 275))
    assert writer.isOpened()
    rng = np.random.default_rng(3)
    for _ in range(n):
        noisy = np.clip(FACE_BGR.astype(np.int16) + rng.integers(-6, 7, FACE_BGR.shape), 0, 255).astype(np.uint8)
        writer.write(noisy)
    writer.release()


def test_truncated_video_stops_render_with_a_clear_error_and_no_half_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = tmp_path / "clip.avi"
    _avi(clip, 40)
    data = clip.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = main(["render", "--source", str(cut), "--out", str(out_dir / "cut.mp4")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"safelens render: error: video {cut}: decoding stopped after" in err
    assert "of the 40 frames the file states (truncated or corrupt)" in err
    assert "Traceback" not in err
    assert list(out_dir.iterdir()) == [], "no file, and no temporary file, may be left behind"


# -- the landmarker raises ----------------------------------------------------------------------


def _failing_detect(monkeypatch: pytest.MonkeyPatch, fail_at_ms: set[int] | None) -> None:
    """The tracker's one call into MediaPipe (``tracker._run``: a landmarker, an image, a
    timestamp), raising on the given timestamps (all: None) as MediaPipe raises on a bad frame."""
    from camera_app.tracking import tracker as tracker_module

    original = tracker_module._run

    def run(landmarker: Any, image: Any, timestamp_ms: int | None) -> Any:
        if fail_at_ms is None or timestamp_ms in fail_at_ms:
            raise RuntimeError(f"injected landmarker failure at {timestamp_ms} ms")
        return original(landmarker, image, timestamp_ms)

    monkeypatch.setattr(tracker_module, "_run", run)


def _face_png(tmp_path: Path) -> Path:
    path = tmp_path / "face.png"
    assert cv2.imwrite(str(path), FACE_BGR)
    return path


def test_landmarker_raising_on_some_frames_is_reported_and_the_stream_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bunny_ears: Any
) -> None:
    # ImageSource timestamps: frame i at round(i * 1000 / 30) ms.
    _failing_detect(monkeypatch, fail_at_ms={100, 133, 233})
    source = ImageSource(_face_png(tmp_path), max_frames=10)
    with FaceTracker(FaceTrackerOptions(max_faces=1, schedule="every")) as fresh:
        pipeline = Pipeline(fresh, [_PlainEffects([bunny_ears])])
        with source:
            frames = list(pipeline.run(source))
    assert len(frames) == 10, "every frame comes out, failed ones too"
    failed = [d.input.index for d in frames if not d.input.tracks]
    assert failed == [3, 4, 7]
    for d in frames:
        if d.input.index in failed:
            assert len(d.notices) == 1
            assert d.notices[0].startswith(f"face tracking failed on frame {d.input.index} (RuntimeError: injected")
            assert d.notices[0].endswith("the frame is shown without faces")
            assert np.array_equal(d.output.pixels, d.input.pixels)  # ears need a face: nothing drawn
        else:
            assert d.notices == () and len(d.input.tracks) == 1
    assert pipeline.tracker_failures_total == 3


def test_a_landmarker_that_always_raises_ends_the_run_after_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_detect(monkeypatch, fail_at_ms=None)
    source = ImageSource(_face_png(tmp_path), max_frames=50)
    with FaceTracker(FaceTrackerOptions(max_faces=1)) as fresh:
        pipeline = Pipeline(fresh, [], PipelineOptions(max_tracker_failures=5))
        seen = []
        with source, pytest.raises(PipelineError, match=r"face tracking failed on 5 frames in a row \(limit 5\); "
                                                        r"last error: RuntimeError: injected landmarker failure"):
            for done in pipeline.run(source):
                seen.append(done)
    assert len(seen) == 4 and all(len(d.notices) == 1 for d in seen)


# -- model files ----------------------------------------------------------------------------------


def _altered_copy(name: str, tmp_path: Path) -> Path:
    original = model_path(name)
    copy = tmp_path / original.name
    shutil.copyfile(original, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    return copy


def _expected_hash(filename: str) -> str:
    for line in (MODELS_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip().endswith(filename):
            return line.split()[0]
    raise AssertionError(filename)


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_render_refuses_a_missing_or_altered_landmarker_model(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "face_landmarker.task" if damage == "missing" else _altered_copy("face_landmarker", tmp_path)
    monkeypatch.setenv("SAFELENS_MODEL_FACE_LANDMARKER", str(path))
    expected = _expected_hash("face_landmarker.task")
    with pytest.raises(ModelError) as info:
        FaceTracker()
    message = str(info.value)
    assert str(path) in message and expected in message
    out = tmp_path / "o.mp4"
    code = main(["render", "--source", "demo", "--frames", "3", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"safelens render: error: {message}" in err
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name != path.name] == []


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_age_estimate_refuses_a_missing_or_altered_age_model(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "age-v1.onnx" if damage == "missing" else _altered_copy("age", tmp_path)
    monkeypatch.setenv("SAFELENS_MODEL_AGE", str(path))
    code = main(["age", "estimate", str(_face_png(tmp_path))])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert str(path) in err and _expected_hash("age-v1.onnx") in err
    detail = "is missing" if damage == "missing" else "the file is damaged or not the vendored model"
    assert detail in err


def test_models_are_checked_again_on_each_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that is fine at first and altered later (on disk, between two loads) is refused the
    second time: the hash is not cached."""
    copy = tmp_path / "face_landmarker.task"
    shutil.copyfile(model_path("face_landmarker"), copy)
    monkeypatch.setenv("SAFELENS_MODEL_FACE_LANDMARKER", str(copy))
    assert model_path("face_landmarker") == copy
    with open(copy, "r+b") as fh:
        fh.seek(os.path.getsize(copy) - 1)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(ModelError, match="the file is damaged or not the vendored model"):
        model_path("face_landmarker")
