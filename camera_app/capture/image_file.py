"""Reading a source image with a pixel budget checked before decoding.

A 312 KB PNG can hold 10000x10000 pixels: decoded, it costs 300 MB per copy and the pipeline
makes several, so the picture size is read from the file's header (Pillow reads headers
without decoding) and refused above ``MAX_SOURCE_PIXELS``. Pictures between
``WORKING_PIXELS`` and that limit are brought down to about 4K: a large JPEG is decoded at
a half, quarter or eighth of its size (libjpeg does this without the full picture in
memory), other formats are decoded and then shrunk.

A JPEG is first decoded by Pillow at an eighth of its size (cheap: libjpeg still reads every
byte), which refuses a truncated or damaged file with a ``SourceError`` instead of the partly
grey picture and the "Premature end of JPEG file" line OpenCV would give.

A picture with transparency (RGBA PNG, WebP, TIFF) is composited over ``BACKGROUND`` grey,
so what was transparent shows as grey, never as the colours stored under it; the source's
description says so.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import cv2
import numpy as np

from camera_app.capture.base import SourceError

MAX_SOURCE_PIXELS = 50_000_000  # a 48 MP phone photo fits; a decompression bomb does not
WORKING_PIXELS = 3840 * 2160  # larger pictures are scaled down to about this many pixels
BACKGROUND = 128  # grey under transparent pixels
_ALPHA_SUFFIXES = frozenset({".png", ".webp", ".tif", ".tiff"})
_JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})
_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


def header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from the file's header, or None when Pillow cannot read the header
    (OpenCV may still decode the file; its decoded size is checked too)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: the budget below decides
            with Image.open(path) as img:
                return int(img.width), int(img.height)
    except Image.DecompressionBombError:  # far over the budget (Pillow's own limit is higher)
        raise SourceError(f"image {path}: the picture is over the limit of {MAX_SOURCE_PIXELS / 1e6:.0f} megapixels; "
                          "scale it down (to 3840x2160, say) and try again") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _check_jpeg_complete(path: Path, width: int, height: int) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                img.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise SourceError(f"image {path}: the JPEG is damaged or truncated ({exc}); export it again") from None


def _refuse_if_too_large(path: Path, width: int, height: int) -> None:
    if width * height > MAX_SOURCE_PIXELS:
        raise SourceError(
            f"image {path}: {width}x{height} px ({width * height / 1e6:.1f} megapixels) is over the limit of "
            f"{MAX_SOURCE_PIXELS / 1e6:.0f} megapixels; scale it down (to 3840x2160, say) and try again"
        )


def _decode(path: Path, suffix: str, pixels: int) -> np.ndarray | None:
    if suffix in _JPEG_SUFFIXES:
        for factor, flag in _REDUCED:  # the largest reduction that still leaves the working size
            if pixels / (factor * factor) >= WORKING_PIXELS:
                return cv2.imread(str(path), flag)
    flag = cv2.IMREAD_UNCHANGED if suffix in _ALPHA_SUFFIXES else cv2.IMREAD_COLOR
    return cv2.imread(str(path), flag)


def _to_rgb(path: Path, img: np.ndarray) -> tuple[np.ndarray, bool]:
    """RGB uint8 and whether transparency was composited."""
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise SourceError(f"image {path}: {img.dtype} samples are not supported; save it with 8 or 16 bits per channel")
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB), False
    channels = img.shape[2]
    if channels == 3:
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB), False
    if channels == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        rgb = img[:, :, 2::-1].astype(np.float32)
        out = rgb * alpha + BACKGROUND * (1.0 - alpha)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8), bool((alpha < 1.0).any())
    if channels == 1:
        return cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2RGB), False
    raise SourceError(f"image {path}: {channels} channels are not supported; expected grey, RGB or RGBA")


def read_image_rgb(path: Path) -> tuple[np.ndarray, bool]:
    """An image file as a read-only RGB uint8 array (and whether transparent pixels were put
    on grey); SourceError naming the file otherwise."""
    if not path.exists():
        raise SourceError(f"image {path}: file not found")
    if not path.is_file():
        raise SourceError(f"image {path}: not a file")
    size = header_size(path)
    if size is not None:
        _refuse_if_too_large(path, *size)
    suffix = path.suffix.lower()
    if suffix in _JPEG_SUFFIXES and size is not None:
        _check_jpeg_complete(path, *size)
    decoded = _decode(path, suffix, size[0] * size[1] if size else 0)
    if decoded is None:
        raise SourceError(f"image {path}: not an image OpenCV can decode (expected PNG, JPEG, BMP, WebP or TIFF)")
    _refuse_if_too_large(path, decoded.shape[1], decoded.shape[0])
    rgb, composited = _to_rgb(path, decoded)
    height, width = rgb.shape[:2]
    if width * height > WORKING_PIXELS:
        scale = math.sqrt(WORKING_PIXELS / (width * height))
        size_out = (max(1, int(width * scale)), max(1, int(height * scale)))
        rgb = cv2.resize(rgb, size_out, interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(rgb)
    rgb.flags.writeable = False
    return rgb, composited
