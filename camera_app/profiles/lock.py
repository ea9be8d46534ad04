"""The under-13 sign-up lock, sealed against hand edits.

When someone enters a date of birth under 13, a row is appended to ``gate_locks``:
for ``lock_days`` days, sign-up with a *different* date of birth is refused in this
data directory. The table is append-only (triggers) and the whole of it is sealed
by an HMAC-SHA256 stored in ``meta('gate_seal')``, keyed by the device secret
(``camera_app.profiles.secret``: the OS keystore, or the key file ``gate.key``). Changing,
adding or deleting any row, deleting the seal, or losing the secret makes the seal check fail, and a failed check counts as
locked: the next sign-up attempt appends a tamper lock (no date of birth matches
it) for ``lock_days`` from that moment and re-seals.

The active locks are also kept beside the secret (``camera_app.profiles.integrity``), so
deleting or replacing the database does not lift them. Someone who reads the secret and
recomputes the seal, or deletes the data directory and the secret, is not stopped.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from camera_app.profiles.schema import get_meta, put_meta

SEAL_KEY = "gate_seal"


@dataclass(frozen=True, slots=True)
class LockRow:
    seq: int
    birthdate: date | None  # None: a tamper lock that no date of birth matches
    created_utc: datetime
    expires_utc: datetime


@dataclass(frozen=True, slots=True)
class LockState:
    """``locked`` is True while any lock is active or the seal does not check out."""

    locked: bool
    tampered: bool
    until_utc: datetime | None  # None when tampered and not yet re-locked
    allowed_birthdates: frozenset[date]  # the dates of birth an active lock still accepts

    def refuses(self, birthdate: date) -> bool:
        return self.locked and (self.tampered or birthdate not in self.allowed_birthdates)


def _rows(conn: sqlite3.Connection) -> list[tuple[int, str | None, str, str]]:
    return conn.execute("SELECT seq, birthdate, created_utc, expires_utc FROM gate_locks ORDER BY seq").fetchall()


def _seal(key: bytes, rows: list[tuple[int, str | None, str, str]]) -> str:
    mac = hmac.new(key, b"safelens-gate-v1", hashlib.sha256)
    for seq, born, created, expires in rows:
        mac.update(f"\n{seq}|{born if born is not None else '-'}|{created}|{expires}".encode())
    mac.update(f"\ncount={len(rows)}".encode())
    return mac.hexdigest()


def reseal(conn: sqlite3.Connection, key: bytes) -> None:
    """Write the seal of the table as it is now (inside the caller's write transaction)."""
    put_meta(conn, SEAL_KEY, _seal(key, _rows(conn)))


def read_state(conn: sqlite3.Connection, key: bytes, now_utc: datetime) -> LockState:
    rows = _rows(conn)
    stored = get_meta(conn, SEAL_KEY)
    intact = stored is not None and hmac.compare_digest(stored, _seal(key, rows))
    if not intact:
        return LockState(locked=True, tampered=True, until_utc=None, allowed_birthdates=frozenset())
    parsed = [lock for lock in (_parse(r) for r in rows) if lock is not None]
    # Only the expiry counts: turning the clock back keeps a lock, it never lifts one.
    active = [r for r in parsed if now_utc < r.expires_utc]
    if not active:
        return LockState(locked=False, tampered=False, until_utc=None, allowed_birthdates=frozenset())
    tamper_active = any(r.birthdate is None for r in active)
    return LockState(
        locked=True,
        tampered=tamper_active,
        until_utc=max(r.expires_utc for r in active),
        allowed_birthdates=frozenset(r.birthdate for r in active if r.birthdate is not None),
    )


def append_lock(
    conn: sqlite3.Connection, key: bytes, birthdate: date | None, now_utc: datetime, lock_days: int
) -> LockRow:
    """Add a lock from ``now_utc`` for ``lock_days`` and re-seal (inside the caller's write transaction)."""
    return restore_lock(conn, key, birthdate, now_utc, now_utc + timedelta(days=lock_days))


def restore_lock(conn: sqlite3.Connection, key: bytes, birthdate: date | None, created_utc: datetime,
                 expires: datetime) -> LockRow:
    """Add a lock with a given expiry and re-seal (a lock kept beside the secret, after a reset)."""
    now_utc = created_utc
    cur = conn.execute(
        "INSERT INTO gate_locks (birthdate, created_utc, expires_utc) VALUES (?, ?, ?)",
        (birthdate.isoformat() if birthdate else None, now_utc.isoformat(), expires.isoformat()),
    )
    reseal(conn, key)
    seq = cur.lastrowid
    assert seq is not None
    return LockRow(seq=seq, birthdate=birthdate, created_utc=now_utc, expires_utc=expires)


def active_locks(conn: sqlite3.Connection, now_utc: datetime) -> list[LockRow]:
    """The locks still running (whatever the seal says: what to keep beside the secret)."""
    return [r for r in (_parse(row) for row in _rows(conn)) if r is not None and now_utc < r.expires_utc]


def _parse(row: tuple[int, str | None, str, str]) -> LockRow | None:
    """A row as a ``LockRow``; None for a row garbled by hand, which only a re-seal after a
    tamper lock can have let through (that tamper lock stands in for it)."""
    seq, born, created, expires = row
    try:
        expires_utc = datetime.fromisoformat(expires)
        if expires_utc.tzinfo is None:
            return None
        return LockRow(
            seq=seq,
            birthdate=date.fromisoformat(born) if born is not None else None,
            created_utc=datetime.fromisoformat(created),
            expires_utc=expires_utc,
        )
    except (TypeError, ValueError):
        return None
