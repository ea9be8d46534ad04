"""Safe access to the files an effect ships: path checks and size-limited image decoding.

An effect is untrusted data. Its asset paths must name regular files inside the
effect's own folder: relative, ``/``-separated, without ``..``, and with no link
(symbolic link, Windows junction or hard link) anywhere on the way. Images are
checked against the limits (side and file size) from their header, *before*
anything is decoded, so a small file that claims a huge picture (a decompression
bomb) is refused without allocating it.
"""

from __future__ import annotations

import os
import re
import stat
import struct
from pathlib import Path

import cv2
import numpy as np

MAX_SIDE_PX = 2048
MAX_FILE_BYTES = 8 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")  # what read_rgba_image decodes

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8"
# JPEG start-of-frame markers that carry the picture size (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_DRIVE = re.compile(r"^[A-Za-z]:")


class AssetError(ValueError):
    """An effect asset was refused. ``field`` is the spec field that named it, ``path`` the path as written."""

    def __init__(self, field: str, path: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.path = path


class AssetPathError(AssetError):
    """The asset path is unsafe: it leaves the effect folder, is absolute, or goes through a link."""


class AssetImageError(AssetError):
    """The asset image is not a PNG/JPEG within the limits, or it does not decode."""


def resolve_asset(effect_root: str | os.PathLike[str], relative_path: str, field: str = "asset") -> Path:
    """The real path of ``relative_path`` inside ``effect_root``, after refusing anything unsafe.

    Raises AssetPathError naming ``field`` and the path as written.
    """
    rel = relative_path
    if not isinstance(rel, str):
        raise AssetPathError(field, repr(rel), f"expected a relative path string, found {type(rel).__name__}")
    if rel == "" or "\x00" in rel:
        raise AssetPathError(field, rel, f"expected a non-empty relative path, found {rel!r}")
    if "\\" in rel:
        raise AssetPathError(field, rel, f"expected '/' as the path separator, found a backslash in {rel!r}")
    if rel.startswith("/") or _DRIVE.match(rel):
        raise AssetPathError(field, rel, f"expected a path relative to the effect folder, found the absolute path {rel!r}")
    parts = rel.split("/")
    if ".." in parts:
        raise AssetPathError(field, rel, f"expected a path inside the effect folder, found '..' in {rel!r}")
    parts = [p for p in parts if p not in ("", ".")]
    if not parts:
        raise AssetPathError(field, rel, f"expected a path to a file, found {rel!r}")

    root = Path(effect_root)
    if not root.is_dir():
        raise AssetPathError(field, rel, f"expected the effect folder {str(root)!r} to be a directory")
    current = root
    for i, part in enumerate(parts):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            raise AssetPathError(field, rel, f"expected an existing file, found nothing at {rel!r}") from None
        if stat.S_ISLNK(st.st_mode) or _is_reparse_point(st):
            shown = "/".join(parts[: i + 1])
            raise AssetPathError(field, rel, f"expected no links on the path, found a link at {shown!r} in {rel!r}")
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(st.st_mode):
            raise AssetPathError(field, rel, f"expected {'/'.join(parts[: i + 1])!r} to be a folder in {rel!r}")
        if last:
            if not stat.S_ISREG(st.st_mode):
                raise AssetPathError(field, rel, f"expected a regular file, found something else at {rel!r}")
            if st.st_nlink > 1:
                raise AssetPathError(
                    field, rel, f"expected a file with one name, found a hard link ({st.st_nlink} names) at {rel!r}"
                )

    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(current))
    if real_root != real and real_root not in real.parents:
        raise AssetPathError(field, rel, f"expected a path inside the effect folder, found {rel!r} resolving to {str(real)!r}")
    return real


def _is_reparse_point(st: os.stat_result) -> bool:
    """Windows junctions and other reparse points (st_file_attributes exists only on Windows)."""
    return bool(getattr(st, "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_REPARSE_POINT)


def read_rgba_image(path: str | os.PathLike[str], field: str = "image") -> np.ndarray:
    """Decode a PNG or JPEG into an (H, W, 4) uint8 RGBA array, within MAX_SIDE_PX and MAX_FILE_BYTES.

    The file size and the picture size in the header are checked before decoding.
    Greyscale and RGB images get an opaque alpha; 16-bit PNGs are rounded to 8 bits.
    """
    shown = str(path)
    data = _read_bounded(Path(path), field, shown)
    width, height = _header_size(data, field, shown)
    if not (1 <= width <= MAX_SIDE_PX and 1 <= height <= MAX_SIDE_PX):
        raise AssetImageError(
            field, shown, f"expected an image of at most {MAX_SIDE_PX}x{MAX_SIDE_PX} px, found {width}x{height} px in {shown!r}"
        )
    decoded = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise AssetImageError(field, shown, f"expected a decodable PNG or JPEG, found a corrupt image in {shown!r}")
    if decoded.shape[0] != height or decoded.shape[1] != width:
        raise AssetImageError(
            field,
            shown,
            f"expected the decoded size to match the header {width}x{height} px, "
            f"found {decoded.shape[1]}x{decoded.shape[0]} px in {shown!r}",
        )
    return _to_rgba8(decoded, field, shown)


def image_size(path: str | os.PathLike[str], field: str = "image") -> tuple[int, int]:
    """(width, height) of a PNG or JPEG from its header, without decoding it."""
    shown = str(path)
    return _header_size(_read_bounded(Path(path), field, shown), field, shown)


def _read_bounded(path: Path, field: str, shown: str) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise AssetImageError(field, shown, f"expected an existing image file, found nothing at {shown!r}") from None
    except OSError as exc:
        raise AssetImageError(field, shown, f"expected a readable regular file, found {shown!r} ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AssetImageError(field, shown, f"expected a regular file, found something else at {shown!r}")
        if st.st_size > MAX_FILE_BYTES:
            raise AssetImageError(
                field, shown, f"expected an image file of at most {MAX_FILE_BYTES} bytes, found {st.st_size} bytes in {shown!r}"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            # read(n) allocates n bytes up front: ask for the size fstat gave (+1 to see growth),
            # not for the limit (which cost 8 MiB for every sticker, however small).
            data = fh.read(st.st_size + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise AssetImageError(field, shown, f"expected an image file of at most {MAX_FILE_BYTES} bytes, found more in {shown!r}")
    return data


def _header_size(data: bytes, field: str, shown: str) -> tuple[int, int]:
    """(width, height) read from the PNG IHDR chunk or the JPEG start-of-frame segment."""
    if data.startswith(_PNG_SIGNATURE):
        if len(data) < 33 or data[12:16] != b"IHDR":
            raise AssetImageError(field, shown, f"expected a PNG starting with an IHDR chunk, found a truncated header in {shown!r}")
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(_JPEG_SOI):
        return _jpeg_size(data, field, shown)
    raise AssetImageError(field, shown, f"expected a PNG or JPEG image, found the bytes {data[:8]!r} at the start of {shown!r}")


def _jpeg_size(data: bytes, field: str, shown: str) -> tuple[int, int]:
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            break
        if marker in _JPEG_SOF:
            if pos + 9 > n:
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            break
        pos += 2 + length
    raise AssetImageError(field, shown, f"expected a JPEG with a start-of-frame header, found none in {shown!r}")


def _to_rgba8(img: np.ndarray, field: str, shown: str) -> np.ndarray:
    if img.dtype == np.uint16:
        # round(x / 257) straight into uint8 (the same values as (x + 128) // 257 for every
        # x); the uint32 arithmetic it replaces peaked at 160 MiB for a 2048 px RGBA PNG.
        img = cv2.convertScaleAbs(img, alpha=1.0 / 257.0)
    elif img.dtype != np.uint8:
        raise AssetImageError(field, shown, f"expected 8- or 16-bit samples, found {img.dtype} in {shown!r}")
    if img.ndim == 2:
        return np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_GRAY2RGBA))
    channels = img.shape[2]
    if channels == 3:
        return np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGBA))
    if channels == 4:
        return np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA))
    raise AssetImageError(field, shown, f"expected 1, 3 or 4 channels, found {channels} in {shown!r}")
