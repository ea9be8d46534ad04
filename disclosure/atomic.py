"""Atomic file output: write a temporary file beside the target, fsync, then ``os.replace``.

A failure at any point (an exception in the ``with`` block, a full disk while writing or
syncing) removes the temporary file and leaves the target as it was: either the old complete
file or nothing. Temporary names start with a dot and contain ``.partial``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class ExportError(RuntimeError):
    """An export could not be written; nothing was left behind. The message names the file."""


def open_new(path: Path) -> BinaryIO:
    """Open a new temporary file for writing and reading (tests replace this to simulate a full disk)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    return os.fdopen(fd, "w+b")


def temporary_path(target: Path, suffix: str = "") -> Path:
    """A fresh temporary name in the target's folder (``suffix`` keeps a tool's expected extension)."""
    return target.parent / f".{target.name}.{secrets.token_hex(4)}.partial{suffix}"


def check_folder(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"{target}: the folder {folder} does not exist")


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
        tmp.unlink(missing_ok=True)
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
        tmp.unlink(missing_ok=True)
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
