"""The profile store: one SQLite file in the data directory.

Where: ``--data-dir`` if given, else ``$SAFELENS_DATA_DIR``, else
``platformdirs.user_data_dir("safelens")``. The database runs in WAL mode with a
busy timeout, so several processes can write at once (each write takes the
writer lock with ``BEGIN IMMEDIATE`` and waits its turn). ``PRAGMA user_version``
is the schema version; ``schema.MIGRATIONS`` brings older files up to date.

Durability: after every committed write the store copies the database with the
SQLite backup API to ``profiles.db.bak`` (under the writer lock, so the newest
backup always holds every commit so far; written to a temp file and renamed, so a
crash never leaves half a backup). A damaged ``profiles.db`` raises
``ProfileStoreCorruptError`` naming the file and the way out:
``recovery.recover`` (``safelens profile recover``) sets the damaged file aside
and restores the backup.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from camera_app.paths import ENV_DATA_DIR, resolve_data_dir
from camera_app.profiles import audit, integrity, lock
from camera_app.profiles.errors import (
    ProfileExistsError,
    ProfileStoreBusyError,
    ProfileStoreUnavailableError,
    ProfileNotFoundError,
    ProfileStoreCorruptError,
    ProfileStoreVersionError,
    SignUpUnavailableError,
)
from camera_app.profiles.gate import (
    DEFAULT_LOCK_DAYS,
    AgeBand,
    age_band,
    age_on,
    validate_birthdate,
)
from camera_app.profiles.model import Assurance, Profile
from camera_app.profiles.rows import SELECT, clean_name, delete_profile_row, profile_of, set_assurance_row
from camera_app.profiles.schema import AUDIT_NO_UPDATE, MIGRATIONS, SCHEMA_VERSION
from camera_app.profiles.seal import SEALED, Keys, reseal_all, reseal_row, reseal_settings
from camera_app.profiles.secret import DeviceSecret, open_secret
from camera_app.profiles.sqlite_codes import folder_detail, is_busy, is_corruption, is_unwritable

__all__ = [  # the errors live in errors.py (and in the package's namespace)
    "BACKUP_FILE",
    "DB_FILE",
    "ENV_DATA_DIR",
    "Clock",
    "ProfileStore",
    "StoreOptions",
    "quick_check",
    "resolve_data_dir",
    "system_clock",
]

DB_FILE = "profiles.db"
BACKUP_FILE = "profiles.db.bak"

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, as an aware datetime in the machine's time zone (its date is "today")."""
    return datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class StoreOptions:
    lock_days: int = DEFAULT_LOCK_DAYS
    busy_timeout_ms: int = 10_000

    def __post_init__(self) -> None:
        if isinstance(self.lock_days, bool) or not isinstance(self.lock_days, int) or self.lock_days < 1:
            raise ValueError(f"StoreOptions.lock_days: expected an int >= 1, found {self.lock_days!r}")
        if isinstance(self.busy_timeout_ms, bool) or not isinstance(self.busy_timeout_ms, int) or self.busy_timeout_ms < 0:
            raise ValueError(f"StoreOptions.busy_timeout_ms: expected an int >= 0, found {self.busy_timeout_ms!r}")


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (the writer lock) ... ``COMMIT``; ``ROLLBACK`` if the block raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def quick_check(conn: sqlite3.Connection) -> str | None:
    """None when the file checks out, else what SQLite found."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows == [("ok",)]:
        return None
    return "; ".join(str(r[0]) for r in rows[:3])


class ProfileStore:
    """Profiles, the age-gate lock and the review tables of one data directory."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        options: StoreOptions | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.data_dir = resolve_data_dir(data_dir)
        self.options = options or StoreOptions()
        self.clock = clock
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ProfileStoreUnavailableError(self.data_dir, exc.strerror or str(exc)) from None
        try:
            self.secret: DeviceSecret = open_secret(self.data_dir)
        except OSError as exc:  # a read-only or full data folder: the key file cannot be made
            raise ProfileStoreUnavailableError(self.data_dir, folder_detail(self.data_dir, exc.strerror or str(exc))) from None
        self.keys = Keys.of(self.secret)
        self._conn = self._open()

    # -- paths and time -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def backup_path(self) -> Path:
        return self.data_dir / BACKUP_FILE

    def now_utc(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("clock: expected an aware datetime, found a naive one")
        return now.astimezone(UTC)

    def today(self) -> date:
        return self.clock().date()

    # -- connection, transactions, backup ---------------------------------------------
    def _open(self) -> sqlite3.Connection:
        path = self.db_path
        fresh = _create_private(path)
        try:
            conn = sqlite3.connect(path, timeout=self.options.busy_timeout_ms / 1000, isolation_level=None)
        except sqlite3.OperationalError as exc:  # "unable to open database file": a read-only folder
            raise ProfileStoreUnavailableError(self.data_dir, folder_detail(self.data_dir, str(exc))) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {self.options.busy_timeout_ms}")
            problem = quick_check(conn)
            if problem is not None:
                raise ProfileStoreCorruptError(path, self.backup_path, problem)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrated = self._migrate(conn)
            self._check(conn, fresh, migrated)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_corruption(exc):
                raise ProfileStoreCorruptError(path, self.backup_path, str(exc)) from exc
            if is_busy(exc):
                raise ProfileStoreBusyError(path, self.options.busy_timeout_ms, str(exc)) from exc
            if is_unwritable(exc):
                raise ProfileStoreUnavailableError(self.data_dir, folder_detail(self.data_dir, str(exc))) from exc
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> bool:
        """Bring the schema up to date; True when a migration ran."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ProfileStoreVersionError(
                f"{self.db_path}: schema version {version} was written by a newer SafeLens "
                f"(this one knows up to {SCHEMA_VERSION}); upgrade SafeLens"
            )
        if version == SCHEMA_VERSION:
            return False
        with _immediate(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
                if number == 0:
                    lock.reseal(conn, self.keys.gate)  # the seal of the empty lock table
                if number == 2:  # seal the rows written before seals, chain the log, restore its trigger
                    for table in SEALED:
                        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                        (table,)).fetchone():  # tables of later versions come sealed
                            reseal_all(conn, self.keys, table)
                    reseal_settings(conn, self.keys)
                    audit.chain_rows(conn, self.keys)
                    conn.execute(AUDIT_NO_UPDATE)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return True

    def _check(self, conn: sqlite3.Connection, fresh: bool, migrated: bool) -> None:
        """The integrity checks of ``integrity.check``: first in a read transaction; only when
        they find something to record, again under the writer lock, recording it. Backs up and
        saves the state beside the secret when they or a migration wrote something."""
        now, days = self.now_utc(), self.options.lock_days
        conn.execute("BEGIN")
        try:
            needed = integrity.check(conn, self.secret, self.keys, now, days, fresh, apply=False)
        finally:
            conn.execute("COMMIT")
        wrote = False
        if needed:
            with _immediate(conn):
                wrote = integrity.check(conn, self.secret, self.keys, now, days, fresh)
        if wrote or migrated or not self.secret.read_state().present:
            self._backup(conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the writer lock; commits, then refreshes the backup."""
        conn = self._conn
        with self._corruption_as_error():
            with _immediate(conn):
                yield conn
            self._backup(conn)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees one consistent snapshot."""
        conn = self._conn
        with self._corruption_as_error():
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def _corruption_as_error(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise ProfileStoreCorruptError(self.db_path, self.backup_path, str(exc)) from exc
            if is_busy(exc):  # a raw "database is locked" named neither the file nor the way out
                raise ProfileStoreBusyError(self.db_path, self.options.busy_timeout_ms, str(exc)) from exc
            raise

    def _backup(self, conn: sqlite3.Connection) -> None:
        tmp = self.data_dir / f"{BACKUP_FILE}.tmp{os.getpid()}"
        tmp.unlink(missing_ok=True)
        _create_private(tmp)
        # Hold the writer lock so no commit lands between the copy and the rename:
        # whichever process renames last also copied last.
        # The copy reads through a second connection: SQLite refuses to back up from a
        # connection that holds the writer lock, and in WAL mode a reader sees every commit.
        conn.execute("BEGIN IMMEDIATE")
        try:
            source = sqlite3.connect(self.db_path, timeout=self.options.busy_timeout_ms / 1000)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            os.replace(tmp, self.backup_path)
            # The state beside the secret follows the newest commit (read under the writer lock).
            self.secret.write_state(integrity.side_state_of(conn, self.keys, self.secret.read_state(), self.now_utc()))
        finally:
            conn.execute("ROLLBACK")
            tmp.unlink(missing_ok=True)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ProfileStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- profiles -------------------------------------------------------------------------
    def create_profile(self, name: str, birthdate: date) -> Profile:
        """Create a profile through the age gate.

        Raises ``SignUpUnavailableError`` (neutral message) for a date of birth under 13,
        while a lock refuses this date of birth, or when the lock's seal is broken.
        """
        name = clean_name(name)
        today = self.today()
        validate_birthdate(birthdate.year, birthdate.month, birthdate.day, today)
        now = self.now_utc()
        refused: str | None = None
        with self.write() as conn:
            state = lock.read_state(conn, self.keys.gate, now)
            if state.tampered and state.until_utc is None:
                lock.append_lock(conn, self.keys.gate, None, now, self.options.lock_days)
                audit.record(conn, self.keys, now, "gate_tamper_detected")
                refused = "tampered"
            elif state.refuses(birthdate):
                refused = "locked"
            elif age_band(age_on(birthdate, today)) is AgeBand.UNDER_13:
                lock.append_lock(conn, self.keys.gate, birthdate, now, self.options.lock_days)
                refused = "under_13"
            else:
                if conn.execute("SELECT 1 FROM profiles WHERE name = ?", (name,)).fetchone():
                    raise ProfileExistsError(f"name: a profile called {name!r} already exists")
                cur = conn.execute(
                    "INSERT INTO profiles (name, birthdate, assurance, created_utc) VALUES (?, ?, ?, ?)",
                    (name, birthdate.isoformat(), Assurance.DECLARED.value, now.isoformat()),
                )
                profile_id = cur.lastrowid
                assert profile_id is not None
                reseal_row(conn, self.keys, "profiles", profile_id)
                audit.record(conn, self.keys, now, "profile_created", profile_id=profile_id)
            if refused is not None:
                audit.record(conn, self.keys, now, "signup_refused", cause=refused)
        if refused is not None:
            raise SignUpUnavailableError(refused)
        return self.get(name)

    def lock_state(self) -> lock.LockState:
        with self.read() as conn:
            return lock.read_state(conn, self.keys.gate, self.now_utc())

    def get(self, name: str) -> Profile:
        with self.read() as conn:
            row = conn.execute(SELECT + " WHERE name = ?", (name.strip(),)).fetchone()
        if row is None:
            raise ProfileNotFoundError(f"profile: no profile called {name!r} in {self.data_dir}")
        return profile_of(row, self.keys)

    def get_by_id(self, profile_id: int) -> Profile:
        with self.read() as conn:
            row = conn.execute(SELECT + " WHERE profile_id = ?", (profile_id,)).fetchone()
        if row is None:
            raise ProfileNotFoundError(f"profile: no profile with id {profile_id} in {self.data_dir}")
        return profile_of(row, self.keys)

    def list_profiles(self) -> list[Profile]:
        with self.read() as conn:
            rows = conn.execute(SELECT + " ORDER BY profile_id").fetchall()
        return [profile_of(r, self.keys) for r in rows]

    def delete_profile(self, name: str) -> Profile:
        profile = self.get(name)
        with self.write() as conn:
            delete_profile_row(conn, self.keys, self.now_utc(), profile.profile_id, reason="user_request")
        return profile

    def set_assurance(self, profile_id: int, assurance: Assurance) -> None:
        with self.write() as conn:
            set_assurance_row(conn, self.keys, self.now_utc(), profile_id, assurance)

    def audit_events(self, entry_id: int | None = None) -> list[audit.AuditEvent]:
        with self.read() as conn:
            return audit.events(conn, entry_id)

    def verify_audit_chain(self) -> audit.ChainBreak | None:
        """The first audit entry that breaks the chain, or None when the whole log checks out."""
        with self.read() as conn:
            return audit.verify_chain(conn, self.keys)


def _create_private(path: Path) -> bool:
    """Create ``path`` empty and 0600 when it does not exist (SQLite gives its -wal and -shm files
    the database's mode); True when it was created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True
