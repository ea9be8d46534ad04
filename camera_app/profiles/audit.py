"""The append-only audit log: every review action and profile change, one row each.

Triggers in the schema refuse UPDATE and DELETE on ``audit_log``. Details are
small JSON objects with ids and outcomes, never a date of birth or an image.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at_utc: datetime
    action: str
    entry_id: int | None
    profile_id: int | None
    detail: dict[str, Any]


def record(
    conn: sqlite3.Connection,
    now_utc: datetime,
    action: str,
    *,
    entry_id: int | None = None,
    profile_id: int | None = None,
    **detail: Any,
) -> None:
    """Append one event (inside the caller's write transaction)."""
    conn.execute(
        "INSERT INTO audit_log (at_utc, action, entry_id, profile_id, detail) VALUES (?, ?, ?, ?, ?)",
        (now_utc.isoformat(), action, entry_id, profile_id, json.dumps(detail, sort_keys=True)),
    )


def events(conn: sqlite3.Connection, entry_id: int | None = None) -> list[AuditEvent]:
    sql = "SELECT seq, at_utc, action, entry_id, profile_id, detail FROM audit_log"
    params: tuple[Any, ...] = ()
    if entry_id is not None:
        sql += " WHERE entry_id = ?"
        params = (entry_id,)
    rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
    return [
        AuditEvent(seq, datetime.fromisoformat(at), action, entry, profile, json.loads(detail))
        for seq, at, action, entry, profile, detail in rows
    ]
