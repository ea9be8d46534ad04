"""The demo feed draws frames ahead on a thread of its own: same frames, in order, errors passed on."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from camera_app.capture.base import EndOfStream, SourceError
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.prefetch import Prefetcher


def _frames(prefetch: bool, n: int) -> list[np.ndarray]:
    with DemoSource(DemoOptions(resolution="480p", seed=5, paced=False, max_frames=n, prefetch=prefetch)) as source:
        frames = [source.read().pixels for _ in range(n)]
        with pytest.raises(EndOfStream):
            source.read()
    return frames


def test_prefetched_frames_are_the_frames_drawn_in_read() -> None:
    ahead, inline = _frames(True, 6), _frames(False, 6)
    assert all(np.array_equal(a, b) for a, b in zip(ahead, inline, strict=True))
    assert not any(np.array_equal(ahead[0], f) for f in ahead[1:])  # the camera moves
    assert all(not f.flags.writeable for f in ahead)


def test_the_drawing_thread_ends_with_the_source() -> None:
    source = DemoSource(DemoOptions(resolution="480p", paced=False))
    with source:
        source.read()
        assert any(t.name == "safelens-demo-render" for t in threading.enumerate())
    assert not any(t.name == "safelens-demo-render" for t in threading.enumerate())


def test_prefetch_must_be_a_bool() -> None:
    with pytest.raises(SourceError, match=r"DemoOptions.prefetch: expected True or False, found 1"):
        DemoOptions(prefetch=1)  # type: ignore[arg-type]


def test_prefetcher_hands_frames_in_order_and_raises_the_renderers_error() -> None:
    def render(n: int) -> np.ndarray:
        if n == 2:
            raise ValueError("scene lost")
        return np.full((2, 2, 3), n, np.uint8)

    prefetcher = Prefetcher(render, depth=1).start()
    try:
        assert int(prefetcher.take(0)[0, 0, 0]) == 0
        assert int(prefetcher.take(1)[0, 0, 0]) == 1
        with pytest.raises(ValueError, match="scene lost"):
            prefetcher.take(2)
    finally:
        prefetcher.close()
    out_of_order = Prefetcher(lambda n: np.zeros((1, 1, 3), np.uint8)).start()
    try:
        with pytest.raises(RuntimeError, match="expected frame 0 next, asked for 5"):
            out_of_order.take(5)
    finally:
        out_of_order.close()
