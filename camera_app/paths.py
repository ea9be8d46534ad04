"""Where this app's files live: the user data folder (profiles, caches, the signing identity),
private runtime folders (the Kivy home) and the bundled label font.

``disclosure/`` knows no repository or user paths; the app passes these in.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from camera_app.models import ASSETS_DIR

ENV_DATA_DIR = "SAFELENS_DATA_DIR"

LABEL_FONT = ASSETS_DIR / "fonts" / "Roboto-Regular.ttf"
IDENTITY_FOLDER = "provenance"
CLASSIFICATIONS_FOLDER = "classifications"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The user data folder: ``explicit`` (``--data-dir``), else ``$SAFELENS_DATA_DIR``, else the
    platform's user data folder."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DATA_DIR, "")
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("safelens"))


def identity_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The local C2PA signing identity's folder inside the user data folder
    (``--data-dir``, else ``$SAFELENS_DATA_DIR``, else the platform's user data folder)."""
    return resolve_data_dir(data_dir) / IDENTITY_FOLDER


def classification_cache_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where classifier results for labels are cached, inside the user data folder."""
    return resolve_data_dir(data_dir) / CLASSIFICATIONS_FOLDER


class PrivateFolderError(OSError):
    """A folder the app must keep to itself is not private; the message says whose it is or who
    may write to it, and what to do."""


def ensure_private_dir(path: Path, uid: int | None = None) -> Path:
    """``path`` as a folder only this user can use: created 0700 when missing; refused when it is
    a symlink, not a folder, owned by someone else, or writable by the group or others (another
    local user could have planted files in it). ``uid``: whose it must be (default: ours)."""
    owner = os.getuid() if uid is None and hasattr(os, "getuid") else uid
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise PrivateFolderError(f"{path}: expected a private folder, found a symbolic link or a file; "
                                 "SafeLens will not use it (remove it, or set KIVY_HOME to a folder of your own)")
    if owner is not None and info.st_uid != owner:
        raise PrivateFolderError(
            f"{path}: this folder belongs to another user (uid {info.st_uid}, not {owner}); SafeLens will not load "
            "settings or modules from it. Remove it or ask an administrator to, then start again")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PrivateFolderError(
            f"{path}: this folder is writable by {'others' if info.st_mode & stat.S_IWOTH else 'its group'} "
            f"(mode {stat.S_IMODE(info.st_mode):04o}), so another user could have planted files in it; SafeLens "
            "will not use it. Remove it (SafeLens makes a private one) and start again")
    if stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(0o700)  # ours and not writable by others: just close it
    return path


def runtime_dir(data_dir: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Path:
    """A per-user folder for runtime files: ``$XDG_RUNTIME_DIR/safelens`` when the runtime folder
    exists, else ``runtime`` in the user data folder; private (``ensure_private_dir``)."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_RUNTIME_DIR", "")
    base = Path(xdg) / "safelens" if xdg and Path(xdg).is_dir() else resolve_data_dir(data_dir) / "runtime"
    if not base.parent.exists():
        ensure_private_dir(base.parent)
    return ensure_private_dir(base)
