"""The under-13 sign-up lock, sealed against hand edits.

When someone enters a date of birth under 13, a row is appended to ``gate_locks``:
for ``lock_days`` days, sign-up with a *different* date of birth is refused in this
data directory. The table is append-only (triggers) and the whole of it is sealed
by an HMAC-SHA256 stored in ``meta('gate_seal')``, keyed by 32 random bytes in a
separate file (``gate.key``). Changing, adding or deleting any row, deleting the
seal, or deleting the key makes the seal check fail, and a failed check counts as
locked: the next sign-up attempt appends a tamper lock (no date of birth matches
it) for ``lock_days`` from that moment and re-seals.

This stops casual edits with a database browser. Someone who reads the key file
and recomputes the seal, or deletes the whole data directory, is not stopped; a
local store cannot do that.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

KEY_FILE = "gate.key"
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


def _read_key(data_dir: Path) -> bytes | None:
    path = data_dir / KEY_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == 32 else None


def ensure_key(data_dir: Path) -> bytes:
    """The key, created (0600, atomically: link of a finished temp file) when there is none."""
    existing = _read_key(data_dir)
    if existing is not None:
        return existing
    tmp = data_dir / f"{KEY_FILE}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_bytes(32).hex())
        fh.flush()
        os.fsync(fh.fileno())
    try:
        if (data_dir / KEY_FILE).exists():
            # Present but unreadable: a broken key counts as a lost one; replace it.
            os.replace(tmp, data_dir / KEY_FILE)
        else:
            os.link(tmp, data_dir / KEY_FILE)
    except FileExistsError:
        pass  # another process won the race; use its key
    finally:
        tmp.unlink(missing_ok=True)
    key = _read_key(data_dir)
    if key is None:
        raise OSError(f"{data_dir / KEY_FILE}: could not create the gate key")
    return key


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
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SEAL_KEY, _seal(key, _rows(conn))),
    )


def has_seal(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = ?", (SEAL_KEY,)).fetchone() is not None


def read_state(conn: sqlite3.Connection, data_dir: Path, now_utc: datetime) -> LockState:
    rows = _rows(conn)
    stored = conn.execute("SELECT value FROM meta WHERE key = ?", (SEAL_KEY,)).fetchone()
    key = _read_key(data_dir)
    intact = stored is not None and key is not None and hmac.compare_digest(stored[0], _seal(key, rows))
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
    conn: sqlite3.Connection, data_dir: Path, birthdate: date | None, now_utc: datetime, lock_days: int
) -> LockRow:
    """Add a lock from ``now_utc`` for ``lock_days`` and re-seal (inside the caller's write transaction)."""
    key = ensure_key(data_dir)
    expires = now_utc + timedelta(days=lock_days)
    cur = conn.execute(
        "INSERT INTO gate_locks (birthdate, created_utc, expires_utc) VALUES (?, ?, ?)",
        (birthdate.isoformat() if birthdate else None, now_utc.isoformat(), expires.isoformat()),
    )
    reseal(conn, key)
    seq = cur.lastrowid
    assert seq is not None
    return LockRow(seq=seq, birthdate=birthdate, created_utc=now_utc, expires_utc=expires)


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
