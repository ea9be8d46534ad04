"""What the driver asks of an engine (``engine_local``'s process pool, ``engine_ray``'s cluster).

An engine runs tasks (``task.run_task`` on a ``Packed`` effect) somewhere and reports each as
``Done``: with the row and thumbnail it returned, or ``died`` when the process running it was
lost. Retrying is the driver's job (``run``), the same for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from camera_app.audit.catalogue import Packed


@dataclass(frozen=True, slots=True)
class Done:
    task: Packed
    row: dict[str, Any] | None
    thumbnail: bytes | None
    died: str | None = None  # why the task's process was lost (row is None then)


class Engine(Protocol):
    name: str

    @property
    def capacity(self) -> int:
        """How many tasks to keep in flight."""
        ...

    def describe(self) -> dict[str, Any]: ...

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...

    def submit(self, packed: Packed) -> int | None:
        """Start a task; returns the worker's process id when the engine knows it."""
        ...

    def wait(self, timeout: float) -> list[Done]:
        """The tasks that finished (or died) within ``timeout`` seconds; [] when none."""
        ...
