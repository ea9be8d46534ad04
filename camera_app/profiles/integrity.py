"""What the store checks when it opens, and what it keeps beside the device secret.

After every committed write the store saves, beside the secret (``SideState``): the audit
chain's head (its last entry's seq and hash), the under-13 locks still running and the
moderators. When it opens it checks, under the writer lock:

- **reset**: the database must hold the saved head entry. A deleted database (a fresh one is
  made) or one replaced by an older copy does not; that reads as "reset detected": the saved
  locks are put back (the under-13 lock stays), the saved moderators too, every profile
  becomes ``challenged`` (under review until a moderator confirms it) and the event is logged;
- **the chain**: every audit entry's link and MAC; the first break is logged once;
- **the seals**: every sealed row (``seal.SEALED``) and the policy settings; each broken record
  is logged once (by its content, so a record edited again is logged again). Readers fail
  closed on these records.

A side state whose own MAC fails (edited, or the secret was lost) cannot vouch for anything:
a tamper lock (no date of birth passes it) is added and the event is logged.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from camera_app.profiles import audit, lock
from camera_app.profiles.model import Assurance
from camera_app.profiles.seal import SEALED, Keys, broken_rows, canonical, reseal_row, settings_ok
from camera_app.profiles.secret import DeviceSecret, SideState

Record = Callable[..., None]


def side_state_of(conn: sqlite3.Connection, keys: Keys, previous: SideState, now_utc: datetime) -> SideState:
    """The state to save after a commit: the head, the running locks (the database's and the saved
    ones still running) and the moderators whose seals hold."""
    seq, digest = audit.head(conn)
    # Extra lock rows only make sign-up stricter, so the database's running locks are kept even
    # when the table's seal fails; removed ones survive in the saved state.
    locks = {(r.birthdate.isoformat() if r.birthdate else None, r.expires_utc.isoformat())
             for r in lock.active_locks(conn, now_utc)}
    locks |= {(born, expires) for born, expires in previous.locks if now_utc < _parse_utc(expires)}
    broken = set(broken_rows(conn, keys, "moderators"))
    # The saved moderators stay (there is no removing one), updated by the database's sound rows.
    moderators = {m["name"].casefold(): m for m in previous.moderators}
    for moderator_id, name, profile_id, passphrase, created in conn.execute(
            "SELECT moderator_id, name, profile_id, passphrase, created_utc FROM moderators ORDER BY moderator_id"):
        if moderator_id not in broken:
            moderators[name.casefold()] = {"name": name, "profile_id": profile_id, "passphrase": passphrase,
                                           "created_utc": created}
    return SideState(head_seq=seq, head_hash=digest, locks=tuple(sorted(locks, key=lambda x: (x[1], x[0] or ""))),
                     moderators=tuple(moderators.values()), present=True)


def _parse_utc(text: str) -> datetime:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)  # a garbled expiry keeps the lock
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def check(conn: sqlite3.Connection, secret: DeviceSecret, keys: Keys, now_utc: datetime, lock_days: int,
          fresh_db: bool, apply: bool = True) -> bool:
    """Run the checks; True when something was (``apply``: inside the caller's write transaction)
    or, with ``apply=False``, would be written (nothing is written then, so a read transaction
    will do: opening the store takes the writer lock only when there is something to record).
    ``fresh_db``: the database file was created by this open."""
    state = secret.read_state()
    if state.present and not state.intact:
        if not apply:
            return True
        if not lock.read_state(conn, keys.gate, now_utc).tampered:  # (a failing lock seal locks by itself)
            lock.append_lock(conn, keys.gate, None, now_utc, lock_days)
        audit.record(conn, keys, now_utc, "side_state_unverified",
                     problem="the state kept beside the device secret fails its MAC (edited, or the secret changed)")
    elif state.present and not audit.contains(conn, state.head_seq, state.head_hash):
        if not apply:
            return True
        _after_reset(conn, keys, state, now_utc)
    elif not state.present and fresh_db and not secret.created:
        # A new database beside an old secret whose saved state is gone too (a new secret always
        # starts with one): nothing says which locks ran, so a tamper lock (no date of birth
        # passes it) stands in for them.
        if not apply:
            return True
        lock.append_lock(conn, keys.gate, None, now_utc, lock_days)
        audit.record(conn, keys, now_utc, "reset_detected", expected_head=None, locks_restored=0,
                     moderators_restored=0)
    elif state.present and _missing_moderators(conn, state):
        # Moderator rows deleted by hand: put them back (the first-moderator rule must not reopen).
        if not apply:
            return True
        restored = _restore_moderators(conn, keys, state)
        audit.record(conn, keys, now_utc, "moderators_restored", names=restored)
    return _log_breaks(conn, keys, now_utc, apply)


def _log_breaks(conn: sqlite3.Connection, keys: Keys, now_utc: datetime, apply: bool) -> bool:
    """Log (once each) a broken audit chain, broken row seals and broken policy settings."""
    wrote = False
    chain_break = audit.verify_chain(conn, keys)
    if chain_break is not None and not _logged(conn, "audit_chain_broken", first_bad=chain_break.seq):
        if not apply:
            return True
        audit.record(conn, keys, now_utc, "audit_chain_broken", first_bad=chain_break.seq, problem=chain_break.problem)
        wrote = True
    for table in SEALED:
        for row_id in broken_rows(conn, keys, table):
            digest = _row_digest(conn, table, row_id)
            if not _logged(conn, "seal_broken", table=table, row=row_id, content=digest):
                if not apply:
                    return True
                audit.record(conn, keys, now_utc, "seal_broken", table=table, row=row_id, content=digest,
                             profile_id=row_id if table == "profiles" else None)
                wrote = True
    if not settings_ok(conn, keys):
        digest = hashlib.sha256(canonical(conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'policy.%' ORDER BY key").fetchall())).hexdigest()[:16]
        if not _logged(conn, "seal_broken", table="meta", row="policy", content=digest):
            if not apply:
                return True
            audit.record(conn, keys, now_utc, "seal_broken", table="meta", row="policy", content=digest)
            wrote = True
    return wrote


def _after_reset(conn: sqlite3.Connection, keys: Keys, state: SideState, now_utc: datetime) -> None:
    restored = 0
    for born, expires in state.locks:
        expires_utc = _parse_utc(expires)
        if now_utc < expires_utc:
            lock.restore_lock(conn, keys.gate, date.fromisoformat(born) if born else None, now_utc, expires_utc)
            restored += 1
    moderators = _restore_moderators(conn, keys, state)
    for (profile_id,) in conn.execute("SELECT profile_id FROM profiles").fetchall():
        conn.execute("UPDATE profiles SET assurance = ? WHERE profile_id = ?", (Assurance.CHALLENGED.value, profile_id))
        reseal_row(conn, keys, "profiles", profile_id)
    audit.record(conn, keys, now_utc, "reset_detected", expected_head=state.head_seq, locks_restored=restored,
                 moderators_restored=len(moderators))


def _missing_moderators(conn: sqlite3.Connection, state: SideState) -> list[dict[str, Any]]:
    return [m for m in state.moderators
            if conn.execute("SELECT 1 FROM moderators WHERE name = ?", (m["name"],)).fetchone() is None]


def _restore_moderators(conn: sqlite3.Connection, keys: Keys, state: SideState) -> list[str]:
    """Insert (sealed) the saved moderators the database lacks; their names."""
    restored = []
    for m in _missing_moderators(conn, state):
        cur = conn.execute("INSERT INTO moderators (name, profile_id, passphrase, created_utc) VALUES (?, ?, ?, ?)",
                           (m["name"], m["profile_id"], m["passphrase"], m["created_utc"]))
        assert cur.lastrowid is not None
        reseal_row(conn, keys, "moderators", cur.lastrowid)
        restored.append(str(m["name"]))
    return restored


def _row_digest(conn: sqlite3.Connection, table: str, row_id: int) -> str:
    columns = SEALED[table]
    row = conn.execute(f"SELECT {', '.join(columns)}, seal FROM {table} WHERE {columns[0]} = ?", (row_id,)).fetchone()
    return hashlib.sha256(canonical(list(row))).hexdigest()[:16]


def _logged(conn: sqlite3.Connection, action: str, **detail: Any) -> bool:
    """Whether an event with this action and these detail values is already in the log."""
    for event in audit.events(conn):
        if event.action == action and all(event.detail.get(k) == v for k, v in detail.items()):
            return True
    return False
