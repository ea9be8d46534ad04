"""The database schema as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied. Each migration is
a tuple of single statements (run one by one inside the caller's transaction;
``executescript`` would commit half-way). Append new migrations; never edit one
that has shipped.

What is stored: a profile's name, declared date of birth and assurance state; the
age-gate locks; the review queue (one estimate summary per entry, no image) and an
append-only, hash-chained audit log; moderators (a name and an scrypt hash). No frames, no crops, no history of age estimates.
"""

from __future__ import annotations

import sqlite3

_V1_PROFILES_AND_GATE: tuple[str, ...] = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE profiles (
        profile_id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        birthdate TEXT NOT NULL,
        assurance TEXT NOT NULL CHECK (assurance IN ('declared', 'challenged', 'verified_adult')),
        created_utc TEXT NOT NULL
    )""",
    # Under-13 sign-up locks. Append-only; the whole table is sealed by an HMAC kept in
    # meta('gate_seal') with a key in a separate file (see lock.py).
    """CREATE TABLE gate_locks (
        seq INTEGER PRIMARY KEY,
        birthdate TEXT,
        created_utc TEXT NOT NULL,
        expires_utc TEXT NOT NULL
    )""",
    """CREATE TRIGGER gate_locks_no_update BEFORE UPDATE ON gate_locks
       BEGIN SELECT RAISE(ABORT, 'gate_locks is append-only'); END""",
    """CREATE TRIGGER gate_locks_no_delete BEFORE DELETE ON gate_locks
       BEGIN SELECT RAISE(ABORT, 'gate_locks is append-only'); END""",
)

_V2_REVIEW_AND_AUDIT: tuple[str, ...] = (
    """CREATE TABLE review_entries (
        entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile_id INTEGER REFERENCES profiles (profile_id) ON DELETE SET NULL,
        kind TEXT NOT NULL CHECK (kind IN ('suspected_under_13', 'adult_check')),
        status TEXT NOT NULL CHECK (status IN ('open', 'kept', 'removed', 'verified_adult')),
        estimate_years REAL,
        spread_years REAL,
        p_under_13 REAL,
        n_samples INTEGER,
        created_utc TEXT NOT NULL,
        updated_utc TEXT NOT NULL
    )""",
    """CREATE TABLE review_decisions (
        decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id INTEGER NOT NULL REFERENCES review_entries (entry_id),
        outcome TEXT NOT NULL CHECK (outcome IN ('kept', 'removed', 'verified_adult')),
        decided_utc TEXT NOT NULL
    )""",
    # UNIQUE(decision_id): one appeal per decision, enforced by the database itself.
    """CREATE TABLE review_appeals (
        appeal_id INTEGER PRIMARY KEY AUTOINCREMENT,
        decision_id INTEGER NOT NULL UNIQUE REFERENCES review_decisions (decision_id),
        reason TEXT NOT NULL,
        appealed_utc TEXT NOT NULL
    )""",
    """CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at_utc TEXT NOT NULL,
        action TEXT NOT NULL,
        entry_id INTEGER,
        profile_id INTEGER,
        detail TEXT NOT NULL
    )""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)

# Seals and the audit chain (see seal.py and audit.py). The store seals the rows that exist and
# chains the log right after this migration, then re-creates the audit log's update trigger
# (``AUDIT_NO_UPDATE``), dropped here so the chain columns can be filled in.
_V3_SEALS_CHAIN_MODERATORS: tuple[str, ...] = (
    "ALTER TABLE profiles ADD COLUMN seal TEXT",
    "ALTER TABLE review_entries ADD COLUMN seal TEXT",
    "ALTER TABLE review_decisions ADD COLUMN moderator TEXT",
    "ALTER TABLE review_decisions ADD COLUMN seal TEXT",
    "ALTER TABLE review_appeals ADD COLUMN seal TEXT",
    "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT",
    "ALTER TABLE audit_log ADD COLUMN mac TEXT",
    "DROP TRIGGER audit_log_no_update",
    # A moderator's passphrase is stored only as an scrypt hash (see camera_app.policy.moderators).
    """CREATE TABLE moderators (
        moderator_id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        profile_id INTEGER,
        passphrase TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        seal TEXT
    )""",
)

AUDIT_NO_UPDATE = """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"""

# Reports of effects (``camera_app.policy.reports``): what was reported, why, by which profile, and
# the moderators' decision. Nothing else about the person is kept. Sealed like the review records.
_V4_EFFECT_REPORTS: tuple[str, ...] = (
    """CREATE TABLE effect_reports (
        report_id INTEGER PRIMARY KEY AUTOINCREMENT,
        effect_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('self_harm', 'hate', 'harassment', 'body_image', 'other')),
        note TEXT NOT NULL,
        profile_id INTEGER,
        status TEXT NOT NULL CHECK (status IN ('open', 'kept', 'removed')),
        created_utc TEXT NOT NULL,
        decided_utc TEXT,
        moderator TEXT,
        appeal TEXT,
        seal TEXT
    )""",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _V1_PROFILES_AND_GATE, _V2_REVIEW_AND_AUDIT, _V3_SEALS_CHAIN_MODERATORS, _V4_EFFECT_REPORTS,
)
SCHEMA_VERSION = len(MIGRATIONS)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the ``meta`` table (None when the key is not there)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set a value of the ``meta`` table (inside the caller's write transaction)."""
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))
