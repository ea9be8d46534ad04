"""The cluster engine: tasks on Ray (the only module that imports ray; ``pip install safelens[scale]``).

``address=None`` starts a local Ray instance with ``workers`` CPUs; otherwise it joins an
existing cluster by Ray's own address forms (``auto``, ``HOST:6379``, ``ray://HOST:10001``).
The faces are put in Ray's object store once and every task carries its effect's bytes, so
a node needs only the installed package. Ray's own retries are off (``max_retries=0``): a
lost worker or node comes back as ``died`` and the driver retries it like any engine's.
Tasks in flight are limited to twice the cluster's CPUs, so a catalogue of millions streams
through without its bytes all sitting in the object store.
"""

from __future__ import annotations

from typing import Any

from camera_app.audit.catalogue import AuditError, Packed
from camera_app.audit.engine import Done
from camera_app.audit.task import WorkerSetup, run_task


class RayEngine:
    name = "ray"

    def __init__(self, address: str | None, workers: int, setup: WorkerSetup) -> None:
        self.address = address
        self.workers = workers
        self._setup = setup
        self._refs: dict[Any, Packed] = {}
        self._capacity = workers
        self._remote: Any = None
        self._ray: Any = None
        self._cluster: dict[str, Any] = {}

    @property
    def capacity(self) -> int:
        return self._capacity

    def describe(self) -> dict[str, Any]:
        return {"engine": "ray", "address": self.address or "local", **self._cluster}

    def __enter__(self) -> RayEngine:
        try:
            import ray
        except ImportError as exc:
            raise AuditError("--ray needs Ray: pip install 'safelens[scale]' (make test installs it)") from exc
        self._ray = ray
        try:
            if self.address is None:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
            else:
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            hint = "" if self.address is None else (
                "; a cluster with token authentication also needs RAY_AUTH_MODE=token and its token here")
            raise AuditError(f"--ray {self.address or ''}: cannot start or join Ray ({exc}){hint}".replace("  ", " ")) from exc
        cpus = int(ray.cluster_resources().get("CPU", self.workers))
        self._cluster = {"cluster_cpus": cpus, "nodes": len([n for n in ray.nodes() if n.get("Alive")])}
        self._capacity = max(1, 2 * cpus)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(run_task)
        self._setup_ref = ray.put(self._setup)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ray is None:
            return
        for ref in list(self._refs):
            try:
                self._ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - the task may have finished meanwhile
                pass
        self._refs.clear()
        self._ray.shutdown()  # stops a local instance; leaves a joined cluster running

    def submit(self, packed: Packed) -> int | None:
        self._refs[self._remote.remote(self._setup_ref, packed)] = packed
        return None

    def wait(self, timeout: float) -> list[Done]:
        if not self._refs:
            return []
        ray = self._ray
        ready, _ = ray.wait(list(self._refs), num_returns=1, timeout=timeout)
        if ready:
            ready, _ = ray.wait(list(self._refs), num_returns=len(self._refs), timeout=0)
        done = []
        for ref in ready:
            packed = self._refs.pop(ref)
            try:
                row, thumb = ray.get(ref)
            except ray.exceptions.RayError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                done.append(Done(packed, None, None, died=f"Ray: {type(exc).__name__}: {first}"[:500]))
                continue
            done.append(Done(packed, row, thumb))
        return done
