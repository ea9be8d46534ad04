"""Sealed records: an HMAC over each policy record's content, keyed by the device secret.

Each row of the sealed tables carries ``seal``: HMAC-SHA256 over the table's name and the
row's columns (``SEALED``) in a canonical JSON form. Whoever changes a column with a database
tool, copies a row's seal to another row or moves a row to another id makes the seal fail.
What a failed seal means is decided by the reader, always failing closed: a profile whose
row fails counts as under 18 and under review (``Profile.seal_ok``), a moderator whose row
fails cannot act, a review record that fails stops the review commands with a message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from camera_app.profiles.schema import get_meta, put_meta
from camera_app.profiles.secret import DeviceSecret

# The sealed tables and the columns each seal covers (the first is the row's id).
SEALED: dict[str, tuple[str, ...]] = {
    "profiles": ("profile_id", "name", "birthdate", "assurance", "created_utc"),
    "review_entries": ("entry_id", "profile_id", "kind", "status", "estimate_years", "spread_years", "p_under_13",
                       "n_samples", "created_utc", "updated_utc"),
    "review_decisions": ("decision_id", "entry_id", "outcome", "decided_utc", "moderator"),
    "review_appeals": ("appeal_id", "decision_id", "reason", "appealed_utc"),
    "moderators": ("moderator_id", "name", "profile_id", "passphrase", "created_utc"),
    "effect_reports": ("report_id", "effect_id", "content_hash", "reason", "note", "profile_id", "status",
                       "created_utc", "decided_utc", "moderator", "appeal"),
}


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys one store seals with, each derived from the device secret."""

    records: bytes
    audit: bytes
    gate: bytes  # the under-13 lock's table seal (the secret itself: older seals stay valid)
    settings: bytes

    @classmethod
    def of(cls, secret: DeviceSecret) -> Keys:
        return cls(records=secret.derive("records"), audit=secret.derive("audit"), gate=secret.key,
                   settings=secret.derive("policy-settings"))


def canonical(parts: Sequence[Any]) -> bytes:
    """One byte string per content: JSON with fixed separators (floats as Python prints them)."""
    return json.dumps(list(parts), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def mac_hex(key: bytes, content: bytes) -> str:
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def verify_hex(key: bytes, content: bytes, stored: object) -> bool:
    return isinstance(stored, str) and hmac.compare_digest(stored, mac_hex(key, content))


def row_seal(key: bytes, table: str, values: Sequence[Any]) -> str:
    return mac_hex(key, canonical([table, *values]))


def row_ok(key: bytes, table: str, values: Sequence[Any], seal: object) -> bool:
    """Whether ``seal`` is the seal of these column values (in ``SEALED[table]`` order)."""
    return verify_hex(key, canonical([table, *values]), seal)


def _columns(table: str) -> tuple[str, ...]:
    return SEALED[table]


def reseal_row(conn: sqlite3.Connection, keys: Keys, table: str, row_id: int) -> None:
    """Write the seal of one row as it is now (inside the caller's write transaction)."""
    columns = _columns(table)
    row = conn.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {columns[0]} = ?", (row_id,)).fetchone()
    if row is None:
        raise LookupError(f"{table}: no row {row_id} to seal")
    conn.execute(f"UPDATE {table} SET seal = ? WHERE {columns[0]} = ?", (row_seal(keys.records, table, row), row_id))


def reseal_all(conn: sqlite3.Connection, keys: Keys, table: str) -> None:
    """Seal every row of ``table`` as it is (the migration that introduced seals)."""
    id_column = _columns(table)[0]
    for (row_id,) in conn.execute(f"SELECT {id_column} FROM {table}").fetchall():
        reseal_row(conn, keys, table, row_id)


def broken_rows(conn: sqlite3.Connection, keys: Keys, table: str) -> list[int]:
    """The ids of the rows of ``table`` whose seal fails."""
    columns = _columns(table)
    rows = conn.execute(f"SELECT {', '.join(columns)}, seal FROM {table} ORDER BY {columns[0]}").fetchall()
    return [row[0] for row in rows if not row_ok(keys.records, table, row[:-1], row[-1])]


# -- the installation's policy settings (meta rows "policy.*") --------------------------------------

SETTINGS_PREFIX = "policy."
SETTINGS_SEAL = "policy.seal"


def _settings_rows(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT key, value FROM meta WHERE key LIKE 'policy.%' AND key != ? ORDER BY key",
                        (SETTINGS_SEAL,)).fetchall()


def reseal_settings(conn: sqlite3.Connection, keys: Keys) -> None:
    """Seal the policy settings as they are now (inside the caller's write transaction)."""
    seal = mac_hex(keys.settings, canonical(_settings_rows(conn)))
    put_meta(conn, SETTINGS_SEAL, seal)


def settings_ok(conn: sqlite3.Connection, keys: Keys) -> bool:
    """Whether the stored settings are the ones last sealed (no settings and no seal: the defaults)."""
    rows = _settings_rows(conn)
    stored = get_meta(conn, SETTINGS_SEAL)
    if stored is None:
        return not rows
    return verify_hex(keys.settings, canonical(rows), stored)
