"""The profile store's errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from camera_app.profiles.gate import UNAVAILABLE_MESSAGE


class ProfileStoreError(Exception):
    """Base of the store's errors."""


class ProfileStoreCorruptError(ProfileStoreError):
    def __init__(self, db_path: Path, backup_path: Path, detail: str) -> None:
        self.db_path = db_path
        self.backup_path = backup_path
        self.detail = detail
        if backup_path.exists():
            saved = datetime.fromtimestamp(backup_path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
            way_out = (
                f"The last good copy is {backup_path} (saved {saved}). Run "
                f"`safelens profile recover --data-dir {db_path.parent}` to set the damaged file aside and restore it."
            )
        else:
            way_out = (
                f"There is no backup ({backup_path} is missing). Run "
                f"`safelens profile recover --data-dir {db_path.parent}` to set the damaged file aside and start empty."
            )
        super().__init__(f"{db_path}: the profile database is damaged ({detail}). {way_out}")


class ProfileStoreVersionError(ProfileStoreError):
    pass


class ProfileStoreUnavailableError(ProfileStoreError):
    """The data folder cannot hold the database: it cannot be created, is read-only or is not a folder."""

    def __init__(self, data_dir: Path, detail: str) -> None:
        self.data_dir = data_dir
        super().__init__(
            f"{data_dir}: the data folder cannot be used ({detail}). Choose a writable folder with "
            "--data-dir or $SAFELENS_DATA_DIR."
        )


class ProfileStoreBusyError(ProfileStoreError):
    """Another connection held the database's lock for longer than the busy timeout."""

    def __init__(self, db_path: Path, waited_ms: int, detail: str) -> None:
        self.db_path = db_path
        self.waited_ms = waited_ms
        super().__init__(
            f"{db_path}: the profile database is busy: another program held its lock for more than "
            f"{waited_ms} ms ({detail}). Close other SafeLens windows or commands using {db_path.parent} "
            "and try again."
        )


class ProfileNotFoundError(ProfileStoreError, LookupError):
    pass


class ProfileExistsError(ProfileStoreError):
    pass


class ProfileNameError(ProfileStoreError, ValueError):
    pass


class SignUpUnavailableError(ProfileStoreError):
    """Sign-up refused. ``str()`` is the neutral message to show; ``cause`` is for logs and
    tests only (``"under_13"``, ``"locked"`` or ``"tampered"``) and must never be shown."""

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__(UNAVAILABLE_MESSAGE)
