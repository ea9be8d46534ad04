"""A catalogue shipped as one ``.zip``: many effects inside, as folders or as inner ``.zip`` files.

A ``.zip`` is one effect when ``effect.toml`` sits at its top or in its only top folder (what
``effects.spec`` loads); otherwise, when it holds effect folders or effect zips at any depth,
it is a catalogue. Each effect inside is taken out as the bytes of an effect zip (a folder is
re-zipped from its entries) and then loaded by the same strict loader as any effect, which
checks names, sizes, compression ratios and the TOML. Reading here is bounded too (entries
declaring more than the effect limit are refused before they are read, and a read stops at
the declared size plus one byte), so a catalogue archive cannot exhaust memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from effects.spec_zip import MAX_ARCHIVE_BYTES, MAX_TOTAL_BYTES
from effects.validate import EffectSpecError

_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError)


def _visible(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not any(p.startswith(".") or p in ("__MACOSX", "__pycache__") for p in parts)


def catalogue_members(path: Path) -> list[str] | None:
    """The effects inside the archive ``path`` ("folder/" or "inner.zip"), sorted; None when the
    archive is one effect (or unreadable: then loading it as one effect names the problem)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if _visible(n)]
    except (*_READ_ERRORS, UnicodeDecodeError):
        return None
    files = {n for n in names if not n.endswith("/")}
    tops = {PurePosixPath(n).parts[0] for n in files}
    if "effect.toml" in files or (len(tops) == 1 and f"{next(iter(tops))}/effect.toml" in files):
        return None
    folders = sorted({n[: -len("effect.toml")] for n in files if n.endswith("/effect.toml")})
    effect_dirs = [d for d in folders if not any(d != o and d.startswith(o) for o in folders)]
    zips = [n for n in files if n.lower().endswith(".zip") and not any(n.startswith(d) for d in effect_dirs)]
    found = sorted(effect_dirs + zips)
    return found or None


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int) -> bytes:
    if info.file_size > limit:
        raise EffectSpecError(label, f'entry "{info.filename}": expected at most {limit} bytes, found {info.file_size}')
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except _READ_ERRORS as exc:
        raise EffectSpecError(label, f'entry "{info.filename}": cannot be unpacked ({exc})') from None
    if len(data) != info.file_size:
        raise EffectSpecError(label, f'entry "{info.filename}": expected {info.file_size} bytes, found {len(data)}')
    return data


def member_bytes(path: Path, member: str, label: str) -> bytes:
    """The effect ``member`` of the catalogue archive ``path`` as the bytes of an effect zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            if not member.endswith("/"):
                return _read(zf, zf.getinfo(member), label, MAX_ARCHIVE_BYTES)
            entries = [i for i in zf.infolist() if i.filename.startswith(member) and not i.is_dir()
                       and _visible(i.filename[len(member):])]
            declared = sum(i.file_size for i in entries)
            if declared > MAX_TOTAL_BYTES:
                raise EffectSpecError(label, f"expected at most {MAX_TOTAL_BYTES} bytes of files, found {declared}")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
                for info in sorted(entries, key=lambda i: i.filename):
                    rel = info.filename[len(member):]
                    copy = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
                    copy.external_attr = info.external_attr  # the loader refuses links and special files
                    copy.compress_type = zipfile.ZIP_DEFLATED
                    out.writestr(copy, _read(zf, info, label, MAX_TOTAL_BYTES))
            return buffer.getvalue()
    except (*_READ_ERRORS, KeyError) as exc:
        raise EffectSpecError(label, f"cannot be read from the catalogue archive ({exc})") from None
