"""The audit driver: find the effects, send each to the engine, keep every row, write the outputs.

Effects are loaded and packed one by one as the engine has room (a catalogue of millions is
never held in memory). Per effect: a load error is recorded at once (status ``invalid``);
with ``resume`` an effect whose content hash was already audited with the same classifier
fingerprint on the same reference set is skipped (its row is copied when the same content
sits at a new path); otherwise it is sent. A task whose worker died is sent again once; a
second death records it as ``failed``. Each row is committed to SQLite as it arrives.

Ctrl-C (KeyboardInterrupt) stops the engine, marks the run ``interrupted``, still writes
``audit.jsonl`` and ``report.html`` from the finished rows, and raises ``AuditInterrupted``.
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from camera_app.audit.catalogue import (
    AuditError,
    Invalid,
    Packed,
    Source,
    find_effects,
    folder_digest,
    pack,
    zip_faces,
)
from camera_app.audit.engine import Done, Engine
from camera_app.audit.store import AuditStore
from camera_app.audit.task import WorkerSetup
from camera_app.progress import Progress

SQLITE_NAME, JSONL_NAME, REPORT_NAME = "audit.sqlite", "audit.jsonl", "report.html"
MAX_ATTEMPTS = 2

DispatchHook = Callable[[str, int | None], None]  # (effect path, worker process id when known)


class AuditInterrupted(KeyboardInterrupt):
    """Ctrl-C: the finished rows are kept and the outputs written; ``summary`` says how far it got."""

    def __init__(self, summary: AuditSummary) -> None:
        super().__init__("interrupted")
        self.summary = summary


@dataclass(frozen=True, slots=True)
class AuditOptions:
    paths: tuple[Path, ...]
    out_dir: Path
    faces_dir: Path
    quick: bool = True
    workers: int = 1
    ray: bool = False
    ray_address: str | None = None  # None with ray: a local instance
    resume: bool = False
    report: bool = True


@dataclass(slots=True)
class AuditSummary:
    out_dir: Path
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # audited, skipped, invalid, failed, retried
    status: str = "running"
    engine: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def sqlite(self) -> Path:
        return self.out_dir / SQLITE_NAME

    @property
    def jsonl(self) -> Path:
        return self.out_dir / JSONL_NAME

    @property
    def report(self) -> Path:
        return self.out_dir / REPORT_NAME


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def make_engine(options: AuditOptions, setup: WorkerSetup) -> Engine:
    if options.ray:
        from camera_app.audit.engine_ray import RayEngine

        return RayEngine(options.ray_address, options.workers, setup)
    from camera_app.audit.engine_local import LocalEngine

    return LocalEngine(options.workers, setup)


def _prepare(options: AuditOptions) -> tuple[list[Source], WorkerSetup]:
    if not options.faces_dir.is_dir():
        raise AuditError(f"--faces {options.faces_dir}: expected a folder of face photos, found no such folder")
    effects = find_effects(options.paths)
    if options.out_dir.exists() and not options.out_dir.is_dir():
        raise AuditError(f"--out {options.out_dir}: expected a folder, found a file")
    if not options.out_dir.parent.is_dir():
        raise AuditError(f"--out {options.out_dir}: folder {options.out_dir.parent} does not exist")
    options.out_dir.mkdir(exist_ok=True)
    setup = WorkerSetup(zip_faces(options.faces_dir), folder_digest(options.faces_dir), options.quick)
    return effects, setup


def run_audit(options: AuditOptions, stream: TextIO | None = None,
              on_dispatch: DispatchHook | None = None) -> AuditSummary:
    """Audit the catalogue of ``options.paths`` into ``options.out_dir`` (see the module notes)."""
    from camera_app.catalog.classifications import classifier_fingerprint

    effects, setup = _prepare(options)
    fingerprint = classifier_fingerprint()
    summary = AuditSummary(options.out_dir, total=len(effects))
    store = AuditStore(options.out_dir / SQLITE_NAME)
    start = time.monotonic()
    try:
        if store.count() and not options.resume:
            raise AuditError(f"--out {options.out_dir}: already holds an audit of {store.count()} effects; "
                             "pass --resume to continue it, or choose another folder")
        engine = make_engine(options, setup)
        settings = {"paths": [str(p) for p in options.paths], "quick": options.quick, "faces": str(options.faces_dir),
                    "resume": options.resume, "driver": socket.gethostname(), **engine.describe()}
        run = store.start_run(settings, fingerprint, setup.reference_key)
        bar = Progress(len(effects), "audit", stream=stream, unit="effects")
        try:
            with engine:
                summary.engine = engine.describe()
                _drive(effects, engine, store, run, fingerprint, setup, summary, bar, options.resume, on_dispatch)
            summary.status = "finished"
        except KeyboardInterrupt:
            summary.status = "interrupted"
        finally:
            bar.close()
            summary.seconds = time.monotonic() - start
            store.finish_run(run, summary.status if summary.status != "running" else "failed", dict(summary.counts))
        write_outputs(store, options, summary)
    finally:
        store.close()
    if summary.status == "interrupted":
        raise AuditInterrupted(summary)
    return summary


def _drive(effects: Sequence[Source], engine: Engine, store: AuditStore, run: int, fingerprint: str,
           setup: WorkerSetup, summary: AuditSummary, bar: Progress, resume: bool,
           on_dispatch: DispatchHook | None) -> None:
    done_hashes = store.done_hashes(fingerprint, setup.reference_key) if resume else {}
    todo = iter(effects)
    retry: deque[Packed] = deque()
    attempts: Counter[str] = Counter()
    in_flight = 0

    def record(row: dict[str, Any], thumb: bytes | None, key: str) -> None:
        store.put(row, thumb, run)
        summary.counts[key] += 1
        bar.advance()

    while True:
        while in_flight < engine.capacity:
            packed = retry.popleft() if retry else _next_packed(todo, store, run, done_hashes, summary, bar)
            if packed is None:
                break
            attempts[packed.path] += 1
            pid = engine.submit(packed)
            in_flight += 1
            if on_dispatch is not None:
                on_dispatch(packed.path, pid)
        if in_flight == 0:
            return
        for done in engine.wait(0.5):
            in_flight -= 1
            _settle(done, attempts[done.task.path], fingerprint, setup, retry, record, summary)


def _settle(done: Done, attempt: int, fingerprint: str, setup: WorkerSetup, retry: deque[Packed],
            record: Callable[[dict[str, Any], bytes | None, str], None], summary: AuditSummary) -> None:
    if done.row is None:
        if attempt < MAX_ATTEMPTS:
            summary.counts["retried"] += 1
            retry.append(done.task)
            return
        row = _failed_row(done.task, fingerprint, setup, f"{done.died}; it failed {attempt} times")
        row["timing"]["attempts"] = attempt
        record(row, None, "failed")
        return
    row = done.row
    if row["status"] == "setup_error":
        raise AuditError(f"--faces: {row['error']['message']}")
    if row["classifier_fingerprint"] != fingerprint:
        raise AuditError(f"the worker on {row['machine']['name']} runs another classifier (fingerprint "
                         f"{row['classifier_fingerprint'][:12]}, here {fingerprint[:12]}); install the same "
                         "safelens version on every node")
    row["timing"]["attempts"] = attempt
    record(row, done.thumbnail, {"ok": "audited"}.get(row["status"], row["status"]))


def _failed_row(packed: Packed, fingerprint: str, setup: WorkerSetup, message: str) -> dict[str, Any]:
    return {"path": packed.path, "status": "failed", "content_hash": packed.content_hash, "id": packed.effect_id,
            "declared": packed.declared, "category": None, "confidence": None, "declared_overruled": None,
            "classifier_fingerprint": fingerprint, "reference_key": setup.reference_key, "result": None,
            "error": {"type": "WorkerDied", "message": message}, "machine": {"name": None, "frame_cost": None},
            "timing": {"seconds": None, "attempts": MAX_ATTEMPTS, "pid": None}}


def _next_packed(todo: Any, store: AuditStore, run: int, done_hashes: dict[str, str], summary: AuditSummary,
                 bar: Progress) -> Packed | None:
    """The next effect to send: invalid ones are recorded and resumed ones skipped on the way."""
    for source in todo:
        item = pack(source)
        if isinstance(item, Invalid):
            row = {"path": item.path, "status": "invalid", "content_hash": None, "id": None, "declared": None,
                   "category": None, "confidence": None, "declared_overruled": None, "classifier_fingerprint": None,
                   "reference_key": None, "result": None, "error": {"type": item.error_type, "message": item.message},
                   "machine": {"name": socket.gethostname(), "frame_cost": None},
                   "timing": {"seconds": None, "attempts": 1, "pid": None}}
            store.put(row, None, run)
            summary.counts["invalid"] += 1
            bar.advance()
            continue
        source = done_hashes.get(item.content_hash)
        if source is not None:
            if not store.has_row(item.path, item.content_hash):
                store.copy_row(source, item.path, run)
            summary.counts["skipped"] += 1
            bar.skipped += 1
            bar.advance()
            continue
        return item
    return None


def write_outputs(store: AuditStore, options: AuditOptions, summary: AuditSummary) -> None:
    """``audit.jsonl`` (every row, by path) and ``report.html``, each written atomically."""
    import json

    from disclosure.atomic import atomic_output

    with atomic_output(summary.jsonl) as fh:
        for row in store.rows():
            fh.write((json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    if options.report:
        from camera_app.audit.report import write_report

        write_report(store, summary.report)
