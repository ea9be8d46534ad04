"""The audit log: every review action and profile change, one row each, hash-chained.

Each entry holds ``prev_hash`` (the hash of the entry before it; 64 zeros for the first),
its own hash over its content and ``prev_hash``, and ``mac``: HMAC-SHA256 of that hash with a
key derived from the device secret. Editing, deleting, inserting or reordering entries
breaks the chain at the first changed entry (``verify_chain``); dropping the append-only
triggers does not help. Deleting entries at the end is caught by the chain head kept beside
the secret (``camera_app.profiles.integrity``). Details are small JSON objects with ids and
outcomes, never a date of birth or an image.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from camera_app.profiles.seal import Keys, canonical, mac_hex, verify_hex

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at_utc: datetime
    action: str
    entry_id: int | None
    profile_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry of the log that does not check out, and why."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit log entry {self.seq}: {self.problem}"


def entry_hash(seq: int, at: str, action: str, entry_id: int | None, profile_id: int | None, detail: str,
               prev_hash: str) -> str:
    return hashlib.sha256(canonical([seq, at, action, entry_id, profile_id, detail, prev_hash])).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last entry's seq and hash ((0, GENESIS) for an empty log)."""
    row = conn.execute(
        "SELECT seq, at_utc, action, entry_id, profile_id, detail, prev_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return 0, GENESIS
    return int(row[0]), entry_hash(*row)


def record(
    conn: sqlite3.Connection,
    keys: Keys,
    now_utc: datetime,
    action: str,
    *,
    entry_id: int | None = None,
    profile_id: int | None = None,
    **detail: Any,
) -> None:
    """Append one event, chained to the last one (inside the caller's write transaction)."""
    last_seq, prev = head(conn)
    seq, at, text = last_seq + 1, now_utc.isoformat(), json.dumps(detail, sort_keys=True)
    digest = entry_hash(seq, at, action, entry_id, profile_id, text, prev)
    conn.execute(
        "INSERT INTO audit_log (seq, at_utc, action, entry_id, profile_id, detail, prev_hash, mac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, action, entry_id, profile_id, text, prev, mac_hex(keys.audit, digest.encode())),
    )


def chain_rows(conn: sqlite3.Connection, keys: Keys) -> None:
    """Chain the entries written before the log was chained (the migration that added it)."""
    prev = GENESIS
    rows = conn.execute("SELECT seq, at_utc, action, entry_id, profile_id, detail FROM audit_log ORDER BY seq").fetchall()
    for seq, at, action, entry, profile, detail in rows:
        digest = entry_hash(seq, at, action, entry, profile, detail, prev)
        conn.execute("UPDATE audit_log SET prev_hash = ?, mac = ? WHERE seq = ?",
                     (prev, mac_hex(keys.audit, digest.encode()), seq))
        prev = digest


def verify_chain(conn: sqlite3.Connection, keys: Keys) -> ChainBreak | None:
    """The first entry that breaks the chain, or None when every entry checks out."""
    prev = GENESIS
    rows = conn.execute(
        "SELECT seq, at_utc, action, entry_id, profile_id, detail, prev_hash, mac FROM audit_log ORDER BY seq"
    ).fetchall()
    for seq, at, action, entry, profile, detail, stored_prev, mac in rows:
        if stored_prev != prev:
            return ChainBreak(seq, "its link to the entry before it is broken (an entry was removed, inserted or edited)")
        digest = entry_hash(seq, at, action, entry, profile, detail, prev)
        if not verify_hex(keys.audit, digest.encode(), mac):
            return ChainBreak(seq, "its content does not match its MAC (edited, or written without the device secret)")
        prev = digest
    return None


def contains(conn: sqlite3.Connection, seq: int, digest: str) -> bool:
    """Whether the log holds entry ``seq`` with this hash (the chain head kept beside the secret)."""
    if seq == 0:
        return True
    row = conn.execute(
        "SELECT seq, at_utc, action, entry_id, profile_id, detail, prev_hash FROM audit_log WHERE seq = ?", (seq,)
    ).fetchone()
    return row is not None and entry_hash(*row) == digest


def events(conn: sqlite3.Connection, entry_id: int | None = None) -> list[AuditEvent]:
    sql = "SELECT seq, at_utc, action, entry_id, profile_id, detail FROM audit_log"
    params: tuple[Any, ...] = ()
    if entry_id is not None:
        sql += " WHERE entry_id = ?"
        params = (entry_id,)
    rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
    return [AuditEvent(seq, _when(at), action, entry, profile, _detail(detail))
            for seq, at, action, entry, profile, detail in rows]


def _when(text: object) -> datetime:
    """An entry's time; a garbled one (only a hand edit makes one, and the chain reports it) reads as the epoch."""
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.fromtimestamp(0).astimezone()


def _detail(text: object) -> dict[str, Any]:
    try:
        found = json.loads(str(text))
    except ValueError:
        return {"unreadable": str(text)}
    return found if isinstance(found, dict) else {"unreadable": str(text)}
