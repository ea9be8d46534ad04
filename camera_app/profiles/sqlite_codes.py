"""What an ``sqlite3`` error means for the profile store: damage, a lock held elsewhere, or a
folder SQLite cannot write (read-only, no permission)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_UNWRITABLE_CODES = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR}


def _code(exc: sqlite3.DatabaseError) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    return _code(exc) in _CORRUPT_CODES


def is_busy(exc: sqlite3.DatabaseError) -> bool:
    """The lock was still held by another connection when the busy timeout ran out."""
    return _code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def is_unwritable(exc: sqlite3.DatabaseError) -> bool:
    """SQLite could not create or write its files (a read-only folder or filesystem)."""
    return _code(exc) in _UNWRITABLE_CODES


def folder_detail(folder: Path, detail: str) -> str:
    """Why ``folder`` cannot hold the database, in words (else SQLite's own ``detail``)."""
    from disclosure.atomic import folder_problem

    return folder_problem(folder) or detail
