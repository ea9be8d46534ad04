"""CPU pinning pins every thread of the process and restores their masks."""

from __future__ import annotations

import os
import threading

import pytest

from benchmarks.affinity import pinned, thread_ids


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_every_thread_is_pinned_and_restored() -> None:
    before = os.sched_getaffinity(0)
    first = min(before)
    release = threading.Event()
    seen: dict[str, set[int]] = {}

    def worker() -> None:
        release.wait(5)

    existing = threading.Thread(target=worker)
    existing.start()
    try:
        with pinned([first]):
            assert all(os.sched_getaffinity(tid) == {first} for tid in thread_ids())

            def new_thread() -> None:
                seen["new"] = os.sched_getaffinity(0)

            started = threading.Thread(target=new_thread)
            started.start()
            started.join()
        assert seen["new"] == {first}  # threads started meanwhile inherit the pin
        assert all(os.sched_getaffinity(tid) == before for tid in thread_ids())
    finally:
        release.set()
        existing.join()


def test_an_empty_cpu_set_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one CPU"):
        with pinned([]):
            pass
