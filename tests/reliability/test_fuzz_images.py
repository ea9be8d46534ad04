"""Fuzzing sticker images: the bytes an effect ships as a PNG or JPEG.

Claims: ``read_rgba_image`` (and the sprite loader built on it) either returns an
(H, W, 4) uint8 picture within ``MAX_SIDE_PX`` or raises ``AssetImageError``; never another
exception (OpenCV's own ``cv2.error`` included), a hang, or a large allocation. A header that
claims more than the limits (a decompression bomb) is refused before anything is decoded,
however the rest of the file looks.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from fuzz_support import Guard, examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from effects.asset_files import MAX_FILE_BYTES, MAX_SIDE_PX, AssetImageError, read_rgba_image
from effects.ops.sprite_assets import load_sprite

DECODE_EXAMPLES = examples(400)
BOMB_EXAMPLES = examples(100)
SPRITE_EXAMPLES = examples(100)
# A decoded 2048 px 16-bit RGBA picture and its 8-bit RGBA copies: the most a case may hold.
READ_PEAK_MIB = 3 * MAX_SIDE_PX * MAX_SIDE_PX * 8 / 2**20
# ... plus the premultiplied float32 sprite and its mip levels.
SPRITE_PEAK_MIB = READ_PEAK_MIB + 2 * MAX_SIDE_PX * MAX_SIDE_PX * 16 / 2**20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int, bit_depth: int = 8, colour: int = 0, rows: int | None = None) -> bytes:
    """A small PNG whose IHDR says width x height and whose IDAT inflates to ``rows`` zero rows."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    row = b"\x00" + bytes(width * channels * bit_depth // 8)
    n_rows = height if rows is None else rows
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(min(n_rows, 4096))) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@st.composite
def encoded_images(draw: st.DrawFn) -> bytes:
    """A real PNG or JPEG of a small random picture (1-4 channels, 8 or 16 bits)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    h, w = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    fmt = draw(st.sampled_from((".png", ".jpg")))
    channels = draw(st.sampled_from((1, 3, 4) if fmt == ".png" else (1, 3)))
    dtype = draw(st.sampled_from((np.uint8, np.uint16))) if fmt == ".png" else np.uint8
    shape = (h, w) if channels == 1 else (h, w, channels)
    pixels = rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)
    ok, buf = cv2.imencode(fmt, pixels)
    assert ok
    return buf.tobytes()


def _set_png_size(data: bytearray, width: int, height: int, fix_crc: bool) -> None:
    if len(data) >= 33:
        data[16:24] = struct.pack(">II", width, height)
        if fix_crc:
            data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)


def _set_jpeg_size(data: bytearray, width: int, height: int) -> None:
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at > 0 and at + 9 <= len(data):
            data[at + 5 : at + 9] = struct.pack(">HH", height, width)
            return


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    """A real image, then damage: flipped bytes, a cut, spliced garbage, a rewritten size."""
    data = bytearray(draw(encoded_images()))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 5))
        if kind == 0 and data:
            for _ in range(draw(st.integers(1, 8))):
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif kind == 1:
            del data[draw(st.integers(0, len(data))):]
        elif kind == 2:
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind in (3, 4):
            size = st.one_of(st.integers(0, 4096), st.integers(0, 2**32 - 1), st.sampled_from((0, 1, 2048, 2049)))
            width, height = draw(size), draw(size)
            if data.startswith(b"\x89PNG"):
                _set_png_size(data, width, height, fix_crc=kind == 3)
            else:
                _set_jpeg_size(data, min(width, 65535), min(height, 65535))
        else:
            data.extend(draw(st.binary(max_size=200)))
    return bytes(data)


any_image_bytes = st.one_of(
    mutated_images(),
    mutated_images(),
    encoded_images(),
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    st.binary(max_size=300).map(lambda b: b"\xff\xd8" + b),
)


def _check_picture(rgba: np.ndarray) -> None:
    assert rgba.dtype == np.uint8 and rgba.ndim == 3 and rgba.shape[2] == 4
    assert 1 <= rgba.shape[0] <= MAX_SIDE_PX and 1 <= rgba.shape[1] <= MAX_SIDE_PX
    assert rgba.flags.c_contiguous


@fuzz_settings(ci=DECODE_EXAMPLES)
@given(data=any_image_bytes)
def test_any_image_bytes_decode_or_raise_asset_image_error(tmp_path_factory: pytest.TempPathFactory,
                                                          data: bytes) -> None:
    path = tmp_path_factory.mktemp("img") / "sticker.png"
    path.write_bytes(data)
    guard = Guard("image: decode sticker bytes", (AssetImageError,), peak_limit_mib=READ_PEAK_MIB,
                  examples_setting=DECODE_EXAMPLES)
    with guard.case():
        _check_picture(read_rgba_image(path, field="ops[0].image"))


@fuzz_settings(ci=BOMB_EXAMPLES)
@given(width=st.integers(1, 2**31 - 1), height=st.integers(1, 2**31 - 1), bit_depth=st.sampled_from((8, 16)),
       colour=st.sampled_from((0, 2, 4, 6)), rows=st.integers(1, 64), jpeg=st.booleans())
def test_headers_beyond_the_limits_are_refused_before_decoding(
    tmp_path_factory: pytest.TempPathFactory, width: int, height: int, bit_depth: int, colour: int, rows: int,
    jpeg: bool,
) -> None:
    if jpeg:
        width, height = min(width, 65535), min(height, 65535)
        ok, buf = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))
        data = bytearray(buf.tobytes())
        _set_jpeg_size(data, width, height)
        raw = bytes(data)
    else:
        # The compressed rows are real; only the first few are there, the IHDR claims the rest.
        raw = png_bomb(min(width, 4096), 1, bit_depth, colour, rows)
        raw = raw[:16] + struct.pack(">II", width, height) + raw[24:29] + struct.pack(
            ">I", zlib.crc32(raw[12:16] + struct.pack(">II", width, height) + raw[24:29]) & 0xFFFFFFFF) + raw[33:]
    path = tmp_path_factory.mktemp("bomb") / ("b.jpg" if jpeg else "b.png")
    path.write_bytes(raw)
    guard = Guard("image: oversized headers", (AssetImageError,), peak_limit_mib=READ_PEAK_MIB,
                  examples_setting=BOMB_EXAMPLES)
    too_big = width > MAX_SIDE_PX or height > MAX_SIDE_PX
    with guard.case():
        try:
            _check_picture(read_rgba_image(path))
        except AssetImageError as exc:
            if too_big:
                assert f"at most {MAX_SIDE_PX}x{MAX_SIDE_PX} px, found {width}x{height} px" in str(exc)
            raise
        assert not too_big, f"a {width}x{height} header was decoded"


@fuzz_settings(ci=SPRITE_EXAMPLES)
@given(data=st.one_of(encoded_images(), mutated_images()))
def test_sprites_load_or_raise_asset_image_error(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("sprite")
    (root / "art.png").write_bytes(data)
    guard = Guard("image: load sprite", (AssetImageError,), peak_limit_mib=SPRITE_PEAK_MIB,
                  examples_setting=SPRITE_EXAMPLES)
    with guard.case():
        sprite = load_sprite(root, "art.png", "ops[0].image")
        top = sprite.levels[0]
        assert top.dtype == np.float32 and top.shape[2] == 4 and np.isfinite(top).all()
        assert float(top[..., 3].min()) >= 0.0 and float(top[..., 3].max()) <= 1.0


# -- the largest images the limits allow, and just past them ------------------------------------


@pytest.mark.parametrize(("bit_depth", "colour"), [(8, 6), (16, 6), (16, 0), (8, 2)])
def test_a_tiny_file_of_the_largest_allowed_size_decodes_within_the_bound(tmp_path: Path, bit_depth: int,
                                                                          colour: int) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_bomb(MAX_SIDE_PX, MAX_SIDE_PX, bit_depth, colour))
    assert path.stat().st_size < 64 * 1024  # a few KiB that decode to up to 32 MiB
    guard = Guard("image: largest allowed", (AssetImageError,), peak_limit_mib=READ_PEAK_MIB)
    with guard.case():
        rgba = read_rgba_image(path)
    assert rgba.shape == (MAX_SIDE_PX, MAX_SIDE_PX, 4)


@pytest.mark.parametrize(("width", "height"), [(MAX_SIDE_PX + 1, 16), (16, MAX_SIDE_PX + 1), (2**31 - 1, 2**31 - 1)])
def test_one_pixel_past_the_limit_is_refused_without_decoding(tmp_path: Path, width: int, height: int) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb(width if width < 5000 else 16, height if height < 5000 else 16))
    data = bytearray(path.read_bytes())
    _set_png_size(data, width, height, fix_crc=True)
    path.write_bytes(bytes(data))
    guard = Guard("image: largest allowed", (AssetImageError,), peak_limit_mib=1)
    with pytest.raises(AssetImageError, match=rf"at most {MAX_SIDE_PX}x{MAX_SIDE_PX} px, found {width}x{height} px"):
        with guard.case(reraise=True):
            read_rgba_image(path)


def test_a_file_over_the_byte_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with open(path, "wb") as fh:
        fh.write(png_bomb(16, 16))
        fh.truncate(3 * 1024**3)  # sparse
    guard = Guard("image: largest allowed", (AssetImageError,), peak_limit_mib=1)
    with pytest.raises(AssetImageError, match=rf"at most {MAX_FILE_BYTES} bytes, found {3 * 1024**3} bytes"):
        with guard.case(reraise=True):
            read_rgba_image(path)


def test_a_fifo_given_as_an_image_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.png")
    guard = Guard("image: largest allowed", (AssetImageError,), peak_limit_mib=1, timeout_s=10)
    with pytest.raises(AssetImageError, match="expected a regular file, found something else"):
        with guard.case(reraise=True):
            read_rgba_image(tmp_path / "pipe.png")
