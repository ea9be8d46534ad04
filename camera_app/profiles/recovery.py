"""Recovering from a damaged profile database.

``recover`` sets the damaged ``profiles.db`` (and its ``-wal``/``-shm`` files) aside
as ``profiles.db.corrupt-<UTC time>``, never deleting them, then restores
``profiles.db.bak``, which the store refreshes after every committed write, so
nothing that was committed is lost. Without a backup it starts an empty database.
Run it with no other SafeLens process using the data directory.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from camera_app.profiles import audit
from camera_app.profiles.errors import ProfileStoreCorruptError, ProfileStoreError
from camera_app.profiles.store import (
    BACKUP_FILE,
    DB_FILE,
    Clock,
    ProfileStore,
    StoreOptions,
    quick_check,
    resolve_data_dir,
    system_clock,
)


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    moved_aside: tuple[Path, ...]
    restored_from: Path | None
    n_profiles: int


def recover(
    data_dir: str | os.PathLike[str] | None = None,
    options: StoreOptions | None = None,
    clock: Clock = system_clock,
) -> RecoveryReport:
    """Set a damaged database aside and restore the last backup (or start empty without one).

    Refuses to touch a database that opens and checks out.
    """
    folder = resolve_data_dir(data_dir)
    try:
        ProfileStore(folder, options, clock).close()
    except ProfileStoreCorruptError:
        pass
    else:
        raise ProfileStoreError(f"{folder / DB_FILE}: the database checks out; there is nothing to recover")
    backup = folder / BACKUP_FILE
    if backup.exists():
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            problem = quick_check(source)
        finally:
            source.close()
        if problem is not None:
            raise ProfileStoreError(f"{backup}: the backup is damaged too ({problem}); nothing was moved")
    stamp = clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved: list[Path] = []
    for suffix in ("", "-wal", "-shm"):
        src = folder / f"{DB_FILE}{suffix}"
        if src.exists():
            dst = folder / f"{DB_FILE}.corrupt-{stamp}{suffix}"
            os.replace(src, dst)
            moved.append(dst)
    restored: Path | None = None
    if backup.exists():
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(folder / DB_FILE)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        restored = backup
    with ProfileStore(folder, options, clock) as store:
        with store.write() as conn:
            audit.record(conn, store.keys, store.now_utc(), "store_recovered", restored=restored is not None)
        n_profiles = len(store.list_profiles())
    return RecoveryReport(moved_aside=tuple(moved), restored_from=restored, n_profiles=n_profiles)
