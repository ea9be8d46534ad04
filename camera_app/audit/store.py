"""``audit.sqlite``: one row per effect (and per error), one per run with its settings.

Every row is committed as soon as it is known, so an interrupted audit keeps every finished
effect and ``--resume`` carries on from there. An effect is keyed by its catalogue path; a
later run replaces its row. ``done_hashes`` answers ``--resume``: the content hashes already
audited successfully with this classifier fingerprint on this reference set.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY,
    started_utc TEXT NOT NULL,
    finished_utc TEXT,
    status TEXT NOT NULL,            -- running | finished | interrupted
    settings TEXT NOT NULL,          -- JSON: paths, quick, engine, workers, resume, ...
    classifier_fingerprint TEXT NOT NULL,
    reference_key TEXT NOT NULL,
    counts TEXT                      -- JSON: audited, skipped, invalid, failed, retried
);
CREATE TABLE IF NOT EXISTS effects (
    path TEXT PRIMARY KEY,
    status TEXT NOT NULL,            -- ok | invalid | failed
    content_hash TEXT,
    classifier_fingerprint TEXT,
    reference_key TEXT,
    effect_id TEXT,
    declared TEXT,
    category TEXT,
    overruled INTEGER,
    frame_cost_ms REAL,
    seconds REAL,
    attempts INTEGER,
    error_type TEXT,
    error TEXT,
    run INTEGER NOT NULL,
    row TEXT NOT NULL,               -- the JSON line of audit.jsonl
    thumbnail BLOB                   -- before/after PNG, appearance-altering effects only
);
CREATE INDEX IF NOT EXISTS effects_by_hash ON effects (content_hash, classifier_fingerprint, reference_key);
"""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AuditStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM effects").fetchone()[0])

    def start_run(self, settings: dict[str, Any], fingerprint: str, reference_key: str) -> int:
        cur = self._db.execute(
            "INSERT INTO runs (started_utc, status, settings, classifier_fingerprint, reference_key) "
            "VALUES (?, 'running', ?, ?, ?)", (utc_now(), json.dumps(settings, sort_keys=True), fingerprint,
                                                reference_key))
        self._db.commit()
        return int(cur.lastrowid or 0)

    def finish_run(self, run: int, status: str, counts: dict[str, int]) -> None:
        self._db.execute("UPDATE runs SET finished_utc = ?, status = ?, counts = ? WHERE run = ?",
                         (utc_now(), status, json.dumps(counts, sort_keys=True), run))
        self._db.commit()

    def done_hashes(self, fingerprint: str, reference_key: str) -> dict[str, str]:
        """content hash -> a path whose successful row can stand for it."""
        rows = self._db.execute(
            "SELECT content_hash, path FROM effects WHERE status = 'ok' AND classifier_fingerprint = ? "
            "AND reference_key = ?", (fingerprint, reference_key))
        return {h: p for h, p in rows}

    def has_row(self, path: str, content_hash: str) -> bool:
        found = self._db.execute("SELECT 1 FROM effects WHERE path = ? AND content_hash = ? AND status = 'ok'",
                                 (path, content_hash)).fetchone()
        return found is not None

    def copy_row(self, source_path: str, path: str, run: int) -> None:
        """The same content found at another path: its row again under that path."""
        row = self.get(source_path)
        (thumb,) = self._db.execute("SELECT thumbnail FROM effects WHERE path = ?", (source_path,)).fetchone()
        row["path"] = path
        self.put(row, thumb, run)

    def put(self, row: dict[str, Any], thumbnail: bytes | None, run: int) -> None:
        error = row.get("error") or {}
        cost = (row.get("machine") or {}).get("frame_cost") or {}
        timing = row.get("timing") or {}
        self._db.execute(
            "INSERT OR REPLACE INTO effects (path, status, content_hash, classifier_fingerprint, reference_key, "
            "effect_id, declared, category, overruled, frame_cost_ms, seconds, attempts, error_type, error, run, row, "
            "thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["path"], row["status"], row.get("content_hash"), row.get("classifier_fingerprint"),
             row.get("reference_key"), row.get("id"), row.get("declared"), row.get("category"),
             None if row.get("declared_overruled") is None else int(bool(row["declared_overruled"])),
             cost.get("median_ms"), timing.get("seconds"), timing.get("attempts"), error.get("type"),
             error.get("message"), run, json.dumps(row, sort_keys=True, ensure_ascii=False), thumbnail))
        self._db.commit()

    def get(self, path: str) -> dict[str, Any]:
        (text,) = self._db.execute("SELECT row FROM effects WHERE path = ?", (path,)).fetchone()
        return dict(json.loads(text))

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every effect's row, by path."""
        for (text,) in self._db.execute("SELECT row FROM effects ORDER BY path"):
            yield json.loads(text)

    def thumbnails(self, limit: int) -> list[tuple[str, bytes]]:
        return list(self._db.execute(
            "SELECT path, thumbnail FROM effects WHERE thumbnail IS NOT NULL ORDER BY path LIMIT ?", (limit,)))

    def runs(self) -> list[dict[str, Any]]:
        cur = self._db.execute("SELECT run, started_utc, finished_utc, status, settings, classifier_fingerprint, "
                               "reference_key, counts FROM runs ORDER BY run")
        keys = [d[0] for d in cur.description]
        out = []
        for values in cur:
            run = dict(zip(keys, values, strict=True))
            run["settings"] = json.loads(run["settings"])
            run["counts"] = json.loads(run["counts"]) if run["counts"] else None
            out.append(run)
        return out
