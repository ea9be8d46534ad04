"""The embedded engine: a pool of worker processes on this machine (no cluster needed).

Each worker is a spawned process (a fresh interpreter: no threads or native state copied
from this one) with its own pipe; it runs one task at a time. The driver knows which task
each worker holds, so when a worker dies (killed, out of memory, a crash in native code) the
task it held, and only that task, is reported as died, and a new worker takes its place.
Workers ignore Ctrl-C: the driver decides when they stop (``close``), so a finished row is
never lost to a half-sent result.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from camera_app.audit.catalogue import Packed
from camera_app.audit.engine import Done
from camera_app.audit.task import WorkerSetup, run_task


def _worker_main(conn: Connection, setup: WorkerSetup) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # MediaPipe's native log lines would break the driver's progress bar
    while True:
        try:
            packed = conn.recv()
        except EOFError:
            return
        if packed is None:
            return
        conn.send(run_task(setup, packed))


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: Packed | None = None
    pid: int = field(default=0)


class LocalEngine:
    """``workers`` processes; ``submit`` a task to an idle one, ``wait`` for finished or died tasks."""

    name = "local"

    def __init__(self, workers: int, setup: WorkerSetup) -> None:
        self.workers = workers
        self._setup = setup
        self._ctx = multiprocessing.get_context("spawn")
        self._slots: list[_Slot] = []

    @property
    def capacity(self) -> int:
        return self.workers

    def describe(self) -> dict[str, Any]:
        return {"engine": "local", "workers": self.workers}

    def __enter__(self) -> LocalEngine:
        self._slots = [self._spawn() for _ in range(self.workers)]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, self._setup), daemon=True,
                                    name="safelens-audit-worker")
        process.start()
        child.close()
        return _Slot(process, parent, pid=process.pid or 0)

    def submit(self, packed: Packed) -> int | None:
        """Give ``packed`` to an idle worker; returns that worker's process id."""
        slot = next(s for s in self._slots if s.task is None)
        slot.task = packed
        try:
            slot.conn.send(packed)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker is already gone: wait() reports the task as died
        return slot.pid

    def wait(self, timeout: float) -> list[Done]:
        busy = [s for s in self._slots if s.task is not None]
        if not busy:
            return []
        handles: list[Any] = [s.conn for s in busy] + [s.process.sentinel for s in busy]
        ready = set(wait(handles, timeout))
        done: list[Done] = []
        for i, slot in enumerate(self._slots):
            task = slot.task
            if task is None or (slot.conn not in ready and slot.process.sentinel not in ready):
                continue
            result = None
            if slot.conn in ready:
                try:
                    result = slot.conn.recv()
                except (EOFError, ConnectionResetError, OSError):
                    result = None
            slot.task = None
            if result is not None:
                done.append(Done(task, result[0], result[1]))
                continue
            slot.process.join(5)
            code = slot.process.exitcode
            done.append(Done(task, None, None, died=f"worker process {slot.pid} died (exit code {code})"))
            slot.conn.close()
            self._slots[i] = self._spawn()
        return done

    def close(self, kill: bool = False) -> None:
        for slot in self._slots:
            if kill:
                slot.process.kill()
                continue
            try:
                slot.conn.send(None)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
        for slot in self._slots:
            slot.process.join(10)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(5)
            slot.conn.close()
        self._slots = []
