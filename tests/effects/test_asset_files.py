"""Effect asset access: hostile paths are refused, images are size-checked before decoding."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

import effects.asset_files as af
from effects.asset_files import AssetImageError, AssetPathError, read_rgba_image, resolve_asset


@pytest.fixture()
def effect_dir(tmp_path: Path) -> Path:
    root = tmp_path / "fx"
    (root / "art").mkdir(parents=True)
    rgba = np.zeros((8, 10, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[2:6, 3:7, 3] = 255
    cv2.imwrite(str(root / "art" / "ears.png"), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    (tmp_path / "secret.png").write_bytes(b"outside")
    return root


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_bomb(width: int, height: int) -> bytes:
    """A valid, tiny PNG (greyscale, all zero) that decodes to width x height bytes."""
    raw = b"".join(b"\x00" + bytes(width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture()
def no_decode(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fail the test if the image decoder is reached."""
    calls: list[int] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise AssertionError("cv2.imdecode must not run on a refused image")

    monkeypatch.setattr(af.cv2, "imdecode", refuse)
    return calls


# --- paths ------------------------------------------------------------------------------

def test_a_plain_relative_path_resolves_inside_the_folder(effect_dir: Path) -> None:
    path = resolve_asset(effect_dir, "art/ears.png", field="ops[0].image")
    assert path == (effect_dir / "art" / "ears.png").resolve()
    assert resolve_asset(effect_dir, "./art//ears.png") == path


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("../secret.png", "ops[0].image: expected a path inside the effect folder, found '..' in '../secret.png'"),
        ("art/../../secret.png",
         "ops[0].image: expected a path inside the effect folder, found '..' in 'art/../../secret.png'"),
        ("/etc/passwd",
         "ops[0].image: expected a path relative to the effect folder, found the absolute path '/etc/passwd'"),
        ("C:/Windows/win.ini",
         "ops[0].image: expected a path relative to the effect folder, found the absolute path 'C:/Windows/win.ini'"),
        ("..\\..\\evil.png",
         "ops[0].image: expected '/' as the path separator, found a backslash in '..\\\\..\\\\evil.png'"),
        ("", "ops[0].image: expected a non-empty relative path, found ''"),
        ("art/missing.png", "ops[0].image: expected an existing file, found nothing at 'art/missing.png'"),
        ("art", "ops[0].image: expected a regular file, found something else at 'art'"),
        ("art/ears.png/x", "ops[0].image: expected 'art/ears.png' to be a folder in 'art/ears.png/x'"),
    ],
)
def test_hostile_and_wrong_paths_are_refused(effect_dir: Path, rel: str, message: str) -> None:
    with pytest.raises(AssetPathError) as err:
        resolve_asset(effect_dir, rel, field="ops[0].image")
    assert str(err.value) == message
    assert err.value.field == "ops[0].image"
    assert err.value.path == rel


def test_a_symlinked_file_is_refused_even_inside_the_folder(effect_dir: Path) -> None:
    os.symlink(effect_dir / "art" / "ears.png", effect_dir / "link.png")
    with pytest.raises(AssetPathError) as err:
        resolve_asset(effect_dir, "link.png", field="image")
    assert str(err.value) == "image: expected no links on the path, found a link at 'link.png' in 'link.png'"


def test_a_symlinked_folder_on_the_way_is_refused(effect_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.png").write_bytes(b"x")
    os.symlink(outside, effect_dir / "art" / "sub")
    with pytest.raises(AssetPathError) as err:
        resolve_asset(effect_dir, "art/sub/x.png", field="image")
    assert str(err.value) == "image: expected no links on the path, found a link at 'art/sub' in 'art/sub/x.png'"


def test_a_symlink_pointing_outside_is_refused(effect_dir: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "secret.png", effect_dir / "art" / "s.png")
    with pytest.raises(AssetPathError, match="found a link at 'art/s.png'"):
        resolve_asset(effect_dir, "art/s.png")


def test_a_hard_link_is_refused(effect_dir: Path, tmp_path: Path) -> None:
    os.link(tmp_path / "secret.png", effect_dir / "hard.png")
    with pytest.raises(AssetPathError) as err:
        resolve_asset(effect_dir, "hard.png", field="image")
    assert str(err.value) == "image: expected a file with one name, found a hard link (2 names) at 'hard.png'"


def test_zip_slip_member_names_are_refused(effect_dir: Path) -> None:
    for name in ("../../etc/cron.d/x", "a/b/../../../x.png", "/abs/x.png", "..\\x.png", "C:\\x.png"):
        with pytest.raises(AssetPathError):
            resolve_asset(effect_dir, name)


# --- images -----------------------------------------------------------------------------

def test_a_png_decodes_to_rgba(effect_dir: Path) -> None:
    img = read_rgba_image(effect_dir / "art" / "ears.png")
    assert img.shape == (8, 10, 4) and img.dtype == np.uint8
    assert img[3, 4].tolist() == [200, 0, 0, 255]
    assert img[0, 0, 3] == 0


def test_rgb_grey_and_16_bit_images_become_rgba8(tmp_path: Path) -> None:
    rgb = np.zeros((5, 6, 3), np.uint8)
    rgb[..., 1] = 120
    cv2.imwrite(str(tmp_path / "a.jpg"), rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 100])
    img = read_rgba_image(tmp_path / "a.jpg")
    assert img.shape == (5, 6, 4) and np.all(img[..., 3] == 255) and abs(int(img[2, 2, 1]) - 120) <= 2
    cv2.imwrite(str(tmp_path / "g.png"), np.full((4, 4), 77, np.uint8))
    assert read_rgba_image(tmp_path / "g.png")[1, 1].tolist() == [77, 77, 77, 255]
    cv2.imwrite(str(tmp_path / "w.png"), np.full((4, 4, 4), 65535, np.uint16))
    assert read_rgba_image(tmp_path / "w.png")[0, 0].tolist() == [255, 255, 255, 255]


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path, no_decode: list[int]) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_bomb(4096, 4096))  # ~16 MB of pixels in a few kB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(AssetImageError) as err:
        read_rgba_image(bomb)
    assert str(err.value) == f"image: expected an image of at most 2048x2048 px, found 4096x4096 px in '{bomb}'"
    assert not no_decode


def test_a_header_claiming_a_huge_picture_is_refused(tmp_path: Path, no_decode: list[int]) -> None:
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 3, 8, 6, 0, 0, 0)))
    with pytest.raises(AssetImageError, match="found 100000x3 px"):
        read_rgba_image(fake)
    jpeg = tmp_path / "big.jpg"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 30000, 40000, 3) + bytes(9)
    jpeg.write_bytes(b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + bytes(14) + sof + b"\xff\xd9")
    with pytest.raises(AssetImageError) as err:
        read_rgba_image(jpeg, field="ops[1].image")
    assert str(err.value) == f"ops[1].image: expected an image of at most 2048x2048 px, found 40000x30000 px in '{jpeg}'"
    assert not no_decode


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path, no_decode: list[int]) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as fh:
        fh.write(_png_bomb(4, 4))
        fh.truncate(8 * 1024 * 1024 + 1)
    with pytest.raises(AssetImageError) as err:
        read_rgba_image(big)
    assert str(err.value) == f"image: expected an image file of at most 8388608 bytes, found 8388609 bytes in '{big}'"


def test_not_an_image_and_corrupt_images_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "x.png"
    text.write_bytes(b"GIF89a....")
    with pytest.raises(AssetImageError) as err:
        read_rgba_image(text)
    assert str(err.value) == f"image: expected a PNG or JPEG image, found the bytes b'GIF89a..' at the start of '{text}'"
    corrupt = tmp_path / "c.png"
    corrupt.write_bytes(_png_bomb(8, 8)[:40] + b"garbage" * 4)
    with pytest.raises(AssetImageError, match="found a corrupt image"):
        read_rgba_image(corrupt)


def test_reading_through_a_symlink_is_refused(effect_dir: Path) -> None:
    os.symlink(effect_dir / "art" / "ears.png", effect_dir / "l.png")
    with pytest.raises(AssetImageError, match="expected a readable regular file"):
        read_rgba_image(effect_dir / "l.png")
