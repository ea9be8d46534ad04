"""Rendering frames ahead on a thread of their own, as a camera delivers them.

A real camera hands over finished frames: capture costs the pipeline nothing. A generated
feed has to draw each frame; drawing it inside ``read`` would put that work on the
pipeline's tracker thread. :class:`Prefetcher` draws frames ``0, 1, 2, ...`` (up to
``stop``) on its own thread into a small bounded queue; ``take(n)`` hands them out in order.
``render`` must be a pure function of the frame number that is safe to call from another
thread (OpenCV releases the GIL while it draws, so the drawing really runs beside the rest).
An exception raised by ``render`` is raised again by the ``take`` of that frame.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import numpy as np

RenderFn = Callable[[int], np.ndarray]


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetcher:
    """``Prefetcher(render, stop=None, depth=2).start()``; ``take(n)``; ``close()``."""

    def __init__(self, render: RenderFn, stop: int | None = None, depth: int = 2, name: str = "prefetch") -> None:
        if depth < 1:
            raise ValueError(f"Prefetcher.depth: expected an int >= 1, found {depth!r}")
        self._render = render
        self._stop_at = stop
        self._queue: queue.Queue[tuple[int, np.ndarray] | _Failed] = queue.Queue(maxsize=depth)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"safelens-{name}", daemon=True)

    def start(self) -> Prefetcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        n = 0
        while not self._stopping.is_set() and (self._stop_at is None or n < self._stop_at):
            item: tuple[int, np.ndarray] | _Failed
            try:
                item = (n, self._render(n))
            except BaseException as exc:  # handed to the reader, which raises it
                item = _Failed(exc)
            while not self._stopping.is_set():
                try:
                    self._queue.put(item, timeout=0.05)
                    break
                except queue.Full:
                    continue
            if isinstance(item, _Failed):
                return
            n += 1

    def take(self, frame_no: int) -> np.ndarray:
        """The pixels of ``frame_no``, which must be the next frame in order (waits for it)."""
        item = self._queue.get()
        if isinstance(item, _Failed):
            raise item.error
        n, pixels = item
        if n != frame_no:
            raise RuntimeError(f"Prefetcher.take: expected frame {n} next, asked for {frame_no}")
        return pixels

    def close(self) -> None:
        """Stop drawing and wait for the thread (frames drawn but not taken are dropped)."""
        self._stopping.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        if self._thread.is_alive():
            self._thread.join()
