"""The camera-like replay source: demo frames stored as YUV 4:2:0 and converted back per frame."""

from __future__ import annotations

import numpy as np
import pytest

from camera_app.capture import EndOfStream, SourceError
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.replay import ReplayOptions, ReplaySource, rgb_to_yuv420, yuv420_to_rgb

LOOP = 5


def _replay(layout: str = "nv12", max_frames: int | None = 3 * (2 * LOOP - 2) + 1, seed: int = 2) -> ReplaySource:
    demo = DemoOptions(resolution="480p", seed=seed, paced=False, max_frames=max_frames)
    return ReplaySource(ReplayOptions(demo, loop_frames=LOOP, layout=layout))


@pytest.mark.parametrize("layout", ["nv12", "i420"])
def test_frames_are_the_demo_frames_within_yuv_rounding_played_forwards_then_backwards(layout: str) -> None:
    with _replay(layout) as replay, DemoSource(DemoOptions(resolution="480p", seed=2, paced=False,
                                                           prefetch=False)) as demo:
        drawn = [demo.render(k) for k in range(LOOP)]
        shown, stamps = [], []
        while True:
            try:
                frame = replay.read()
            except EndOfStream:
                break
            assert frame.pixels.dtype == np.uint8 and frame.pixels.shape == (480, 854, 3)
            assert not frame.pixels.flags.writeable
            shown.append(frame.pixels)
            stamps.append(frame.timestamp_ms)
    order = [0, 1, 2, 3, 4, 3, 2, 1] * 3 + [0]
    assert [replay.demo_frame_no(n) for n in range(len(order))] == order
    assert len(shown) == len(order)
    for pixels, k in zip(shown, order, strict=True):
        error = np.abs(pixels.astype(np.int16) - drawn[k]).astype(np.float64)
        assert error.mean() <= 3.0  # 4:2:0 halves the colour resolution; grey levels stay close
        others = [np.abs(pixels.astype(np.int16) - drawn[j]).mean() for j in range(LOOP) if j != k]
        assert error.mean() < min(others)  # and it is that frame, not a neighbour
    assert np.array_equal(shown[1], shown[7]) and not np.array_equal(shown[0], shown[1])  # the cycle repeats
    assert all(b > a for a, b in zip(stamps, stamps[1:]))  # timestamps keep increasing across the cycles
    assert stamps[:3] == [0, 33, 67]


def test_nv12_interleaves_the_chroma_of_i420() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (8, 6, 3), dtype=np.uint8)
    i420, nv12 = rgb_to_yuv420(rgb, "i420"), rgb_to_yuv420(rgb, "nv12")
    assert nv12.shape == i420.shape == (12, 6)
    assert np.array_equal(nv12[:8], i420[:8])  # the same luma plane
    u, v = i420[8:].reshape(-1)[:12], i420[8:].reshape(-1)[12:]
    assert np.array_equal(nv12[8:].reshape(-1)[0::2], u) and np.array_equal(nv12[8:].reshape(-1)[1::2], v)
    assert np.array_equal(yuv420_to_rgb(nv12, "nv12"), yuv420_to_rgb(i420, "i420"))


def test_memory_is_what_the_stored_frames_take_and_is_freed_on_close() -> None:
    replay = _replay()
    assert replay.stored_bytes == 0
    with replay:
        assert replay.stored_bytes == LOOP * 854 * 480 * 3 // 2
    assert replay.stored_bytes == 0


def test_bad_options_and_odd_sizes_are_refused_naming_the_field() -> None:
    with pytest.raises(SourceError, match=r"ReplayOptions.loop_frames: expected an int in \[2, 1000\], found 1"):
        ReplayOptions(loop_frames=1)
    with pytest.raises(SourceError, match="ReplayOptions.layout: expected one of nv12, i420, found 'yuyv'"):
        ReplayOptions(layout="yuyv")
    with pytest.raises(SourceError, match="YUV 4:2:0 needs an even frame size, found 5x4"):
        rgb_to_yuv420(np.zeros((4, 5, 3), np.uint8), "nv12")
    with pytest.raises(SourceError, match="read\\(\\) before open\\(\\)"):
        _replay().read()
