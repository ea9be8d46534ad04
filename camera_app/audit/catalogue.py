"""Finding the effects of a catalogue and packing each as bytes a worker anywhere can load.

A catalogue is one or more PATHs: an effect folder (it holds ``effect.toml``), an effect
``.zip``, a folder of them nested to any depth, or a ``.zip`` holding many effects
(``catalogue_zip``). Hidden entries and ``__pycache__`` are
skipped, symbolic links are not followed (a link cannot make the walk loop or leave the
catalogue), and other files are not effects and are left alone.

Each effect is loaded strictly here (``effects.spec.load_effect``) before it is sent, so a
bad one is recorded with its typed error and the content hash of a good one is known before
any work (``--resume`` compares it). It travels as a zip made in memory of the files its
content hash covers, so the worker's spec hashes the same as the folder's.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from camera_app.audit.catalogue_zip import catalogue_members, member_bytes
from effects.spec import EffectSpec, EffectSpecError, load_effect
from effects.spec_zip import discard


class AuditError(RuntimeError):
    """An audit cannot run (bad PATH, --out, faces, engine); the message names what and why."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where one effect is: a folder or a zip, or ``member`` of the catalogue archive ``path``."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """The effect's path in rows and messages (ARCHIVE!MEMBER inside a catalogue archive)."""
        return str(self.path) if self.member is None else f"{self.path}!{self.member.rstrip('/')}"


@dataclass(frozen=True, slots=True)
class Packed:
    """One loaded effect, ready to send: its catalogue path, spec facts and zip bytes."""

    path: str
    content_hash: str
    effect_id: str
    declared: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Invalid:
    """An effect that did not load: its path and the typed error."""

    path: str
    error_type: str
    message: str


def _zip_sources(path: Path) -> list[Source]:
    members = catalogue_members(path)
    return [Source(path)] if members is None else [Source(path, m) for m in members]


def find_effects(paths: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Every effect under ``paths``, in a stable order (each PATH's effects sorted by path)."""
    found: list[Source] = []
    for given in paths:
        path = Path(given)
        if path.is_symlink() and not path.exists():
            raise AuditError(f"{path}: a broken symbolic link; expected a folder of effects or a .zip")
        if path.is_file() and path.suffix.lower() == ".zip":
            found.extend(_zip_sources(path))
        elif path.is_dir():
            found.extend(_walk(path))
        elif not path.exists():
            raise AuditError(f"{path}: no such file or folder; expected a folder of effects or a .zip")
        else:
            raise AuditError(f"{path}: expected a folder of effects or a .zip, found another file")
    return found


def _walk(folder: Path) -> Iterator[Source]:
    if (folder / "effect.toml").exists():
        yield Source(folder)
        return
    try:
        children = sorted(folder.iterdir())
    except OSError as exc:
        raise AuditError(f"{folder}: cannot list the folder ({exc.strerror})") from None
    for child in children:
        if child.name.startswith(".") or child.name == "__pycache__" or child.is_symlink():
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.suffix.lower() == ".zip" and child.is_file():
            yield from _zip_sources(child)


def _hashed_files(root: Path) -> list[tuple[str, Path]]:
    """The files ``effects.spec.content_hash`` covers: regular, not hidden, no symbolic links."""
    entries: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in files:
            full = Path(folder, name)
            if name.startswith(".") or full.is_symlink() or not full.is_file():
                continue
            entries.append((full.relative_to(root).as_posix(), full))
    return sorted(entries)


def zip_folder(root: Path) -> bytes:
    """The effect folder as zip bytes (fixed timestamps, so the same folder always gives the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel, full in _hashed_files(root):
            info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, full.read_bytes())
    return buffer.getvalue()


def load_bytes(data: bytes, label: str) -> EffectSpec:
    """Load an effect from zip bytes, as strictly as a file (errors name ``label``, not a temporary file)."""
    with tempfile.NamedTemporaryFile(prefix="safelens-audit-", suffix=".zip", delete=False) as fh:
        fh.write(data)
        archive = Path(fh.name)
    try:
        return load_effect(archive)
    except EffectSpecError as exc:
        raise EffectSpecError(exc.file.replace(str(archive), label), exc.detail, exc.line, exc.field) from None
    finally:
        archive.unlink(missing_ok=True)


def pack(source: Source) -> Packed | Invalid:
    """Load ``source`` strictly and pack it; a bad effect becomes an ``Invalid`` naming its error."""
    label, path = source.label, source.path
    try:
        if source.member is not None:
            data = member_bytes(path, source.member, label)
            spec: EffectSpec = load_bytes(data, label)
        else:
            spec = load_effect(path)
    except EffectSpecError as exc:
        return Invalid(label, type(exc).__name__, str(exc))
    try:
        if source.member is None:  # a zip is sent as it is; a folder is zipped in memory
            data = path.read_bytes() if spec.root != spec.source else zip_folder(spec.root)
    except OSError as exc:
        return Invalid(label, type(exc).__name__, f"{path}: cannot be read ({exc.strerror})")
    finally:
        discard(spec.root)
    declared = None if spec.declared_category is None else spec.declared_category.value
    return Packed(label, spec.content_hash, spec.id, declared, data)


def folder_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of the files directly in ``folder`` (the reference faces)."""
    digest = hashlib.sha256()
    for child in sorted(folder.iterdir()):
        if child.is_file() and not child.name.startswith("."):
            digest.update(child.name.encode() + b"\0")
            digest.update(child.read_bytes())
    return digest.hexdigest()


def zip_faces(folder: Path) -> bytes:
    """The reference faces folder (photos and manifest) as zip bytes, for workers without it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for child in sorted(folder.iterdir()):
            if child.is_file() and not child.name.startswith("."):
                zf.writestr(zipfile.ZipInfo(child.name, date_time=(2020, 1, 1, 0, 0, 0)), child.read_bytes())
    return buffer.getvalue()
