"""Atomic file output: write a temporary file beside the target, fsync, then ``os.replace``.

A failure at any point (an exception in the ``with`` block, a full disk while writing or
syncing) removes the temporary file and leaves the target as it was: either the old complete
file or nothing. Temporary names start with a dot and contain ``.partial``.

A temporary name carries its writer's process id (``.NAME.PID-HEX.partial.SUFFIX``). A
process killed outright (SIGKILL, a power cut) cannot remove its temporary file, so the first
temporary file a process makes in a folder sweeps that folder: a ``.partial`` file whose
process is gone and that was not touched for ``STALE_AFTER_S`` is removed (names of earlier
versions, without a process id, after ``LEGACY_STALE_AFTER_S``).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class ExportError(RuntimeError):
    """An export could not be written; nothing was left behind. The message names the file."""


STALE_AFTER_S = 60.0
LEGACY_STALE_AFTER_S = 3600.0
_OURS = re.compile(r"^\..+\.(?P<pid>[0-9]+)-[0-9a-f]{8}\.partial(\.[A-Za-z0-9]+)?$")
_LEGACY = re.compile(r"^\..+(\.[0-9a-f]{8}\.partial(\.[A-Za-z0-9]+)?|\.partial-[0-9]+\.(mp4|png))$")
_swept: set[Path] = set()


def open_new(path: Path) -> BinaryIO:
    """Open a new temporary file for writing and reading (tests replace this to simulate a full disk)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    return os.fdopen(fd, "w+b")


def temporary_path(target: Path, suffix: str = "") -> Path:
    """A fresh temporary name in the target's folder (``suffix`` keeps a tool's expected extension);
    the first one per folder and process removes the folder's stale temporary files."""
    folder = target.parent
    if folder.resolve() not in _swept:
        _swept.add(folder.resolve())
        remove_stale_partials(folder)
    return folder / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.partial{suffix}"


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False  # alive under another user (or not a pid we can ask about): keep it
    return False


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the temporary files that crashed writers left in ``folder``; returns what went."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        ours = _OURS.match(entry.name)
        if ours is None and _LEGACY.match(entry.name) is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age_s = now - entry.stat(follow_symlinks=False).st_mtime
            stale = (age_s > STALE_AFTER_S and _process_gone(int(ours["pid"]))) if ours else age_s > LEGACY_STALE_AFTER_S
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone already, or a read-only folder: nothing to do
    return removed


def discard_temporary(tmp: Path) -> None:
    """Remove a temporary file after a failure; an error here (the file was never made, the
    folder is read-only) must not hide the failure being reported."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


def folder_problem(folder: Path) -> str | None:
    """None when files can be created in ``folder``, else why not (for a message)."""
    if not folder.is_dir():
        return f"the folder {folder} does not exist" if not folder.exists() else f"{folder} is not a folder"
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        read_only = False
    if read_only:
        return f"the folder {folder} is on a read-only filesystem"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable (permission denied)"
    return None


def check_folder(target: Path) -> None:
    problem = folder_problem(target.parent)
    if problem is not None:
        raise ExportError(f"{target}: {problem}; choose another folder")


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems do not sync folders; the rename itself is still atomic
    finally:
        os.close(fd)


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``target`` only if the ``with`` block ends normally."""
    check_folder(target)
    tmp = temporary_path(target)
    fh = open_new(tmp)
    try:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, target)
    except BaseException:
        _close_quietly(fh)
        discard_temporary(tmp)
        raise
    fsync_folder(target.parent)


def _close_quietly(fh: BinaryIO) -> None:
    """Close after a failure; a second error while flushing (the disk is still full) is
    dropped so the first one is the one reported."""
    try:
        fh.close()
    except OSError:
        pass


def prepare_file(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new fsynced temporary file beside ``target`` and return its path
    (nothing is left on failure). Move it into place later with ``commit_file``: a writer of
    two files prepares both before committing either, so a full disk cannot split them."""
    check_folder(target)
    tmp = temporary_path(target)
    fh = open_new(tmp)
    try:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
    except BaseException:
        _close_quietly(fh)
        discard_temporary(tmp)
        raise
    return tmp


def commit_file(tmp: Path, target: Path) -> None:
    """fsync an already written temporary file and move it over ``target``."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    fsync_folder(target.parent)
