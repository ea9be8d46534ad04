"""Safe unpacking of an effect shipped as a ``.zip``.

An archive is checked entry by entry before anything is written: absolute names,
``..`` components, backslashes, symbolic links and other special files,
encrypted or duplicate entries, too many entries, a total uncompressed size over
the limit, and entries whose compression ratio marks a zip bomb are all refused
with an ``EffectSpecError`` naming the archive and the entry. The declared sizes
are not trusted: reading stops as soon as an entry yields more bytes than it
declared. Accepted archives are unpacked into a private temporary folder
(mode 0700) that is removed when the process exits.

The effect may sit at the top of the archive or inside one top-level folder (the
shape you get by zipping a folder).
"""

from __future__ import annotations

import atexit
import lzma
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from effects.validate import EffectSpecError

MAX_ENTRIES = 256
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_ARCHIVE_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100.0
RATIO_CHECK_MIN_BYTES = 64 * 1024  # tiny entries may compress very well without being a threat

_TEMP_DIRS: list[Path] = []


def _cleanup() -> None:
    for folder in _TEMP_DIRS:
        shutil.rmtree(folder, ignore_errors=True)
    _TEMP_DIRS.clear()


atexit.register(_cleanup)


@dataclass(frozen=True, slots=True)
class UnpackedEffect:
    """An archive unpacked into ``root``; ``toml_label`` names its effect.toml in messages."""

    root: Path
    toml_label: str


def _entry_parts(archive: str, info: zipfile.ZipInfo) -> tuple[str, ...]:
    name = info.filename
    def bad(detail: str) -> EffectSpecError:
        return EffectSpecError(archive, f'entry "{name}": {detail}')

    if "\\" in name:
        raise bad('expected "/" as the path separator, found "\\"')
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise bad("expected a relative path inside the archive, found an absolute path")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise bad('expected a path inside the archive, found a ".." component')
    if not parts:
        raise bad("expected a file name, found an empty path")
    if "\0" in name:
        raise bad("expected a file name, found a NUL character")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver stored no Unix file type
    if kind == stat.S_IFLNK:
        raise bad("expected a regular file, found a symbolic link")
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise bad("expected a regular file or folder, found a special file")
    if info.flag_bits & 0x1:
        raise bad("expected an unencrypted entry, found an encrypted one")
    return parts


def _check_sizes(archive: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise EffectSpecError(archive, f"expected at most {MAX_ENTRIES} entries, found {len(infos)}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise EffectSpecError(
                    archive,
                    f'entry "{info.filename}": compression ratio {ratio:.0f}:1 exceeds the limit of '
                    f"{MAX_RATIO:.0f}:1 (a zip bomb?)",
                )
    if total > MAX_TOTAL_BYTES:
        raise EffectSpecError(
            archive, f"expected at most {MAX_TOTAL_BYTES} bytes uncompressed in total, found {total} declared"
        )


def _top_folder(files: dict[tuple[str, ...], zipfile.ZipInfo]) -> tuple[str, ...]:
    """The prefix to strip: () when effect.toml is at the top, (folder,) when it is one level down."""
    if ("effect.toml",) in files:
        return ()
    tops = {parts[0] for parts in files}
    if len(tops) == 1:
        (top,) = tops
        if (top, "effect.toml") in files:
            return (top,)
    return ("",)


# What decoding an entry may raise: zipfile's own errors, a damaged deflate stream, a method
# zipfile does not know, and the bzip2 (OSError "Invalid data stream") and LZMA decoders.
# UnicodeDecodeError: zipfile decodes an entry's local-header name when it opens the entry,
# and a UTF-8 flag over bytes that are not UTF-8 fails there.
_DECODE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, lzma.LZMAError, OSError,
                  UnicodeDecodeError)


def _copy_entry(archive: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: int) -> int:
    def undecodable(exc: BaseException) -> EffectSpecError:
        return EffectSpecError(archive, f'entry "{info.filename}": cannot be unpacked ({exc})')

    written = 0
    try:
        src = zf.open(info)
    except _DECODE_ERRORS as exc:
        raise undecodable(exc) from None
    with src, open(dest, "xb") as out:  # errors writing (a full disk) are not the archive's fault
        while True:
            try:
                block = src.read(1 << 16)
            except _DECODE_ERRORS as exc:
                raise undecodable(exc) from None
            if not block:
                break
            written += len(block)
            if written > info.file_size or written > budget:
                raise EffectSpecError(
                    archive,
                    f'entry "{info.filename}": expected {info.file_size} bytes, found more while unpacking',
                )
            out.write(block)
    return written


def unpack_effect_zip(path: Path) -> UnpackedEffect:
    """Check ``path`` and unpack it into a private folder; raises EffectSpecError on any problem."""
    archive = str(path)
    if path.is_symlink():
        raise EffectSpecError(archive, "expected a regular file, found a symbolic link")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EffectSpecError(archive, f"cannot read the archive ({exc.strerror})") from None
    if size > MAX_ARCHIVE_BYTES:
        raise EffectSpecError(archive, f"expected an archive of at most {MAX_ARCHIVE_BYTES} bytes, found {size}")
    try:
        zf = zipfile.ZipFile(path)
    # A damaged central directory can also give a name that is not UTF-8 although flagged so
    # (UnicodeDecodeError, a ValueError), or a "zip file version" zipfile does not support.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise EffectSpecError(archive, f"expected a zip archive, found an unreadable file ({exc})") from None
    with zf:
        infos = zf.infolist()
        _check_sizes(archive, infos)
        files: dict[tuple[str, ...], zipfile.ZipInfo] = {}
        for info in infos:
            parts = _entry_parts(archive, info)
            if info.is_dir():
                continue
            if parts in files:
                raise EffectSpecError(archive, f'entry "{info.filename}": expected unique names, found a duplicate')
            files[parts] = info
        prefix = _top_folder(files)
        if prefix == ("",):
            raise EffectSpecError(
                archive, "expected effect.toml at the top of the archive or in its only folder, found none"
            )
        root = Path(tempfile.mkdtemp(prefix="safelens-effect-"))
        _TEMP_DIRS.append(root)
        try:
            budget = MAX_TOTAL_BYTES
            for parts, info in sorted(files.items()):
                rel = parts[len(prefix) :]
                if not rel:
                    continue
                dest = root.joinpath(*rel)
                dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                budget -= _copy_entry(archive, zf, info, dest, budget)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            _TEMP_DIRS.remove(root)
            raise
    label = "/".join((*prefix, "effect.toml"))
    return UnpackedEffect(root=root, toml_label=f"{archive}!{label}")


def discard(root: Path) -> None:
    """Remove an unpacked folder now (instead of at exit)."""
    if root in _TEMP_DIRS:
        _TEMP_DIRS.remove(root)
        shutil.rmtree(root, ignore_errors=True)


def is_private_dir(root: Path) -> bool:
    """True if ``root`` is one of the folders this module unpacked (for tests)."""
    return root in _TEMP_DIRS and stat.S_IMODE(os.stat(root).st_mode) == 0o700
