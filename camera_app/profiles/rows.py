"""The profile rows: reading one (with its seal checked), changing its assurance, deleting it.

Each function that writes runs inside the caller's write transaction, seals the row again
(``seal.reseal_row``) and appends the change to the audit log.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from camera_app.profiles import audit
from camera_app.profiles.errors import ProfileNameError, ProfileNotFoundError
from camera_app.profiles.model import Assurance, Profile
from camera_app.profiles.seal import Keys, reseal_row, row_ok

MAX_NAME_CHARS = 40


def clean_name(name: str) -> str:
    if not isinstance(name, str):
        raise ProfileNameError(f"name: expected text, found {type(name).__name__}")
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= MAX_NAME_CHARS:
        raise ProfileNameError(f"name: expected 1 to {MAX_NAME_CHARS} characters, found {len(cleaned)}")
    if not cleaned.isprintable():
        raise ProfileNameError(f"name: expected printable characters only, found {cleaned!r}")
    return cleaned


SELECT = "SELECT profile_id, name, birthdate, assurance, created_utc, seal FROM profiles"


def profile_of(row: tuple[int, str, str, str, str, str | None], keys: Keys) -> Profile:
    """A profile as stored; a row whose seal fails (or whose fields no longer parse) reads as
    ``seal_ok=False``, which the policy treats as under 18 and under review."""
    profile_id, name, born, assurance, created, seal = row
    ok = row_ok(keys.records, "profiles", row[:5], seal)
    try:
        return Profile(profile_id=profile_id, name=name, birthdate=date.fromisoformat(born),
                       assurance=Assurance(assurance), created_utc=datetime.fromisoformat(created), seal_ok=ok)
    except (TypeError, ValueError):
        return Profile(profile_id=profile_id, name=str(name), birthdate=date.min, assurance=Assurance.CHALLENGED,
                       created_utc=datetime.min.replace(tzinfo=UTC), seal_ok=False)


def delete_profile_row(conn: sqlite3.Connection, keys: Keys, now_utc: datetime, profile_id: int, reason: str) -> None:
    """Delete one profile (inside the caller's write transaction) and log it; its review entries
    lose their profile (``ON DELETE SET NULL``) and are sealed again."""
    entries = [r[0] for r in conn.execute("SELECT entry_id FROM review_entries WHERE profile_id = ?", (profile_id,))]
    cur = conn.execute("DELETE FROM profiles WHERE profile_id = ?", (profile_id,))
    if cur.rowcount != 1:
        raise ProfileNotFoundError(f"profile: no profile with id {profile_id}")
    for entry_id in entries:
        reseal_row(conn, keys, "review_entries", entry_id)
    audit.record(conn, keys, now_utc, "profile_deleted", profile_id=profile_id, reason=reason)


def set_assurance_row(conn: sqlite3.Connection, keys: Keys, now_utc: datetime, profile_id: int,
                      assurance: Assurance) -> None:
    cur = conn.execute(
        "UPDATE profiles SET assurance = ? WHERE profile_id = ?", (Assurance(assurance).value, profile_id)
    )
    if cur.rowcount != 1:
        raise ProfileNotFoundError(f"profile: no profile with id {profile_id}")
    reseal_row(conn, keys, "profiles", profile_id)
    audit.record(conn, keys, now_utc, "assurance_changed", profile_id=profile_id, assurance=Assurance(assurance).value)
