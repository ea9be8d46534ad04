"""Frame sources: every kind, their errors, end of stream, determinism of the demo feed."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from camera_app.frame import Frame
from camera_app.capture import EndOfStream, SourceError, open_source
from camera_app.capture.camera import CameraOptions, CameraSource
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.image import ImageSource
from camera_app.capture.video import VideoOptions, VideoSource
from conftest import FACES_DIR, load_rgb


def _read_all(source: Any, limit: int = 1000) -> list[Frame]:
    frames = []
    with source:
        for _ in range(limit):
            try:
                frames.append(source.read())
            except EndOfStream:
                break
    return frames


def _write_video(path: Path, n: int, size: tuple[int, int] = (96, 64), fps: float = 25.0) -> list[np.ndarray]:
    """n frames, each a flat colour with a moving bar so consecutive frames differ."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened()
    frames = []
    for i in range(n):
        bgr = np.full((size[1], size[0], 3), (20 * i % 255, 100, 200), np.uint8)
        bgr[:, (i * 7) % size[0]: (i * 7) % size[0] + 6] = 255
        writer.write(bgr)
        frames.append(bgr)
    writer.release()
    return frames


# -- spec parsing -------------------------------------------------------------------------


def test_open_source_picks_the_kind_from_the_spec(tmp_path: Path) -> None:
    assert isinstance(open_source("demo"), DemoSource)
    assert isinstance(open_source("camera:3"), CameraSource)
    assert isinstance(open_source(str(tmp_path / "a.PNG")), ImageSource)
    assert isinstance(open_source(str(tmp_path / "a.mp4")), VideoSource)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("camera:x", "source 'camera:x': expected camera:N with N a camera index >= 0, found 'x'"),
        ("camera:-1", "expected camera:N with N a camera index >= 0, found '-1'"),
        ("notes.txt", "source 'notes.txt': expected camera:N, demo, an image"),
        ("", "source '': expected camera:N, demo, or a video or image path"),
    ],
)
def test_open_source_rejects_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        open_source(spec)


def test_open_source_rejects_an_unknown_resolution() -> None:
    with pytest.raises(SourceError, match="resolution '4k': expected one of 480p, 720p, 1080p"):
        open_source("demo", resolution="4k")


def test_read_before_open_is_an_error() -> None:
    with pytest.raises(SourceError, match=r"read\(\) before open\(\)"):
        DemoSource().read()


# -- image ----------------------------------------------------------------------------------


def test_image_source_repeats_the_picture_with_rising_timestamps() -> None:
    path = FACES_DIR / "us_congress_C001080.jpg"
    frames = _read_all(ImageSource(path, max_frames=3))
    assert len(frames) == 3
    expected = load_rgb(path)
    for i, frame in enumerate(frames):
        assert frame.index == i
        np.testing.assert_array_equal(frame.pixels, expected)
    assert [f.timestamp_ms for f in frames] == [0, 33, 67]


def test_image_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=f"image {tmp_path / 'nope.png'}: file not found"):
        open_source(str(tmp_path / "nope.png")).open()


def test_image_that_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("this is not a picture\n")
    with pytest.raises(SourceError, match=f"image {fake}: not an image OpenCV can decode"):
        with open_source(str(fake)):
            pass


# -- video ----------------------------------------------------------------------------------


def test_video_source_reads_every_frame_then_ends(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    written = _write_video(path, 12)
    frames = _read_all(VideoSource(VideoOptions(path, paced=False)))
    assert len(frames) == 12
    assert [f.timestamp_ms for f in frames] == [round(i * 40) for i in range(12)]  # 25 fps
    for frame, bgr in zip(frames, written, strict=True):
        # mp4v is lossy: the decoded frame is close to what was written, in RGB order.
        assert np.abs(frame.pixels.astype(int) - bgr[:, :, ::-1].astype(int)).mean() < 6


def test_video_source_loops_with_rising_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_video(path, 5)
    frames = _read_all(VideoSource(VideoOptions(path, paced=False, loop=True)), limit=13)
    assert len(frames) == 13
    stamps = [f.timestamp_ms for f in frames]
    assert stamps == sorted(set(stamps))
    np.testing.assert_array_equal(frames[0].pixels, frames[5].pixels)


def test_video_source_paced_takes_the_clip_duration(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_video(path, 6, fps=50.0)  # 6 frames at 50 fps: the last is due at 100 ms
    start = time.monotonic()
    frames = _read_all(VideoSource(VideoOptions(path, paced=True)))
    assert len(frames) == 6
    assert time.monotonic() - start >= 0.09


def test_video_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=f"video {tmp_path / 'gone.mp4'}: file not found"):
        open_source(str(tmp_path / "gone.mp4"), paced=False).open()


def test_corrupt_video(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(SourceError, match=f"video {path}: cannot be opened .corrupt, truncated, or not a video."):
        _read_all(VideoSource(VideoOptions(path, paced=False)))


def test_truncated_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_video(path, 30)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=f"video {cut}: "):
        _read_all(VideoSource(VideoOptions(cut, paced=False)))


def test_video_cut_off_mid_stream(tmp_path: Path) -> None:
    """An AVI keeps its frame count in the header, so a cut file still opens: the missing frames are an error."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (96, 64))
    rng = np.random.default_rng(0)
    for _ in range(30):
        writer.write(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8))
    writer.release()
    assert len(_read_all(VideoSource(VideoOptions(path, paced=False)))) == 30
    data = path.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=f"video {cut}: decoding stopped after 1?[0-9] of the 30 frames the file states"):
        _read_all(VideoSource(VideoOptions(cut, paced=False)))


# -- camera ---------------------------------------------------------------------------------


def test_camera_that_does_not_exist_fails_on_read() -> None:
    source = open_source("camera:97")
    with source:  # opening does not raise: the capture thread reports the problem
        with pytest.raises(SourceError, match="camera:97: cannot be opened: no such camera"):
            source.read()


class FakeCapture:
    """Stands in for cv2.VideoCapture: ``good`` frames (then failures), at most ``rate_hz``."""

    def __init__(self, good: int, rate_hz: float = 500.0, opened: bool = True) -> None:
        self.good = good
        self.delivered = 0
        self.period_s = 1.0 / rate_hz
        self.opened = opened
        self.released = threading.Event()

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(self.period_s)
        if self.delivered >= self.good:
            return False, None
        self.delivered += 1
        bgr = np.zeros((48, 64, 3), np.uint8)
        bgr[0, 0, :2] = divmod(self.delivered, 256)  # the frame number, readable from the pixels
        return True, bgr

    def release(self) -> None:
        self.released.set()


def test_camera_mailbox_keeps_the_newest_frame_and_counts_drops() -> None:
    fake = FakeCapture(good=10_000, rate_hz=1000.0)
    source = CameraSource(CameraOptions(index=0), capture_factory=lambda index: fake)
    with source:
        first = source.read()
        time.sleep(0.1)  # the camera runs on while the consumer is busy
        second = source.read()
        assert source.dropped_frames > 5
        # The frame read is the newest one: the fake writes its number into the pixels (BGR -> RGB).
        delivered_before = fake.delivered
        number = lambda f: int(f.pixels[0, 0, 2]) * 256 + int(f.pixels[0, 0, 1])  # noqa: E731
        assert number(second) >= number(first) + 5
        assert number(second) >= delivered_before - 2
        assert second.timestamp_ms > first.timestamp_ms
    assert fake.released.is_set()


def test_camera_that_disappears_mid_stream_raises_on_read_and_can_reconnect() -> None:
    captures = [FakeCapture(good=3), FakeCapture(good=10_000)]
    source = CameraSource(CameraOptions(index=0, max_failed_reads=3), capture_factory=lambda index: captures.pop(0))
    with source:
        got = 0
        with pytest.raises(SourceError, match="camera:0: stopped delivering frames after 3 failed reads"):
            for _ in range(10):
                source.read()
                got += 1
        assert 1 <= got <= 3
        source.reconnect()
        frame = source.read()
        assert frame.pixels.shape == (48, 64, 3)


def test_camera_that_stalls_raises_after_the_timeout() -> None:
    class Stalled(FakeCapture):
        def read(self) -> tuple[bool, Any]:
            time.sleep(0.6)
            return False, None

    source = CameraSource(CameraOptions(index=2, read_timeout_s=0.2), capture_factory=lambda index: Stalled(0))
    with source:
        with pytest.raises(SourceError, match="camera:2: no frame for 0.2 s"):
            source.read()


def test_camera_frame_of_the_wrong_kind_is_an_error() -> None:
    class Grey(FakeCapture):
        def read(self) -> tuple[bool, Any]:
            return True, np.zeros((4, 4), np.uint8)

    source = CameraSource(CameraOptions(index=0), capture_factory=lambda index: Grey(1))
    with source:
        with pytest.raises(SourceError, match=r"camera:0: delivered a frame of \(4, 4\) uint8, expected"):
            source.read()


def test_camera_unopened_device_from_factory() -> None:
    source = CameraSource(CameraOptions(index=4), capture_factory=lambda index: FakeCapture(0, opened=False))
    with source:
        with pytest.raises(SourceError, match="camera:4: cannot be opened"):
            source.read()


# -- demo -----------------------------------------------------------------------------------


def test_demo_is_deterministic_for_a_seed() -> None:
    a = _read_all(DemoSource(DemoOptions(resolution="480p", seed=5, paced=False, max_frames=4)))
    b = _read_all(DemoSource(DemoOptions(resolution="480p", seed=5, paced=False, max_frames=4)))
    c = _read_all(DemoSource(DemoOptions(resolution="480p", seed=6, paced=False, max_frames=4)))
    assert len(a) == len(b) == len(c) == 4
    for fa, fb, fc in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(fa.pixels, fb.pixels)
        assert fa.timestamp_ms == fb.timestamp_ms
        assert np.abs(fa.pixels.astype(int) - fc.pixels.astype(int)).mean() > 2


def test_demo_camera_moves_and_ends_at_max_frames() -> None:
    frames = _read_all(DemoSource(DemoOptions(resolution="480p", seed=1, paced=False, max_frames=31)))
    assert len(frames) == 31
    assert [f.index for f in frames] == list(range(31))
    assert [f.timestamp_ms for f in frames[:4]] == [0, 33, 67, 100]
    # One second apart, the hand-held camera has moved: the pictures differ well beyond noise.
    assert np.abs(frames[0].pixels.astype(int) - frames[30].pixels.astype(int)).mean() > 8


@pytest.mark.parametrize(("resolution", "shape"), [("480p", (480, 854, 3)), ("720p", (720, 1280, 3)),
                                                    ("1080p", (1080, 1920, 3))])
def test_demo_resolutions(resolution: str, shape: tuple[int, int, int]) -> None:
    frames = _read_all(DemoSource(DemoOptions(resolution=resolution, paced=False, max_frames=1)))
    assert frames[0].pixels.shape == shape
    assert frames[0].pixels.dtype == np.uint8


def test_demo_refuses_a_face_that_is_not_bundled_for_it() -> None:
    with pytest.raises(SourceError, match="DemoOptions.face: expected one of"):
        DemoOptions(face="documerica_543863_child.jpg")
