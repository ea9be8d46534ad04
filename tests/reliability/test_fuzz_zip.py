"""Fuzzing effects shipped as .zip packages.

Claims: ``load_effect`` on any archive either returns a spec whose files live in a private
unpacked folder, or raises ``EffectSpecError``; never another exception (``zipfile``,
``zlib``, ``bz2`` and ``lzma`` errors included), a hang, or a large allocation. Nothing is
ever written outside the private folder (``..``, absolute names, backslashes, links and
special files are refused), and a refused archive leaves no folder behind. Zip bombs (by
ratio, by total size, or by an entry that inflates past the size it declares) are refused.
"""

from __future__ import annotations

import os
import stat
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from fuzz_support import Guard, examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from effects import spec_zip
from effects.spec import EffectSpecError, load_effect
from effects.spec_zip import MAX_ENTRIES, MAX_TOTAL_BYTES

ARCHIVE_EXAMPLES = examples(300)
DAMAGED_EXAMPLES = examples(200)
PEAK_MIB = 96  # archives are at most 32 MiB and unpacked in 64 KiB blocks

EFFECT_TOML = """\
id = "zipped"
version = "1.0.0"
author = "Fuzz"
category = "playful"

[name]
en = "Zipped"
fr = "Zippé"

[description]
en = "From a zip."
fr = "D'un zip."

[[ops]]
op = "sticker"
image = "art/ears.png"
anchor = "forehead"
"""


def _png() -> bytes:
    rgba = np.zeros((12, 16, 4), np.uint8)
    rgba[2:10, 3:13] = (40, 200, 90, 255)
    ok, buf = cv2.imencode(".png", rgba)
    assert ok
    return buf.tobytes()


PNG = _png()
NAMES = (
    "effect.toml", "fx/effect.toml", "art/ears.png", "fx/art/ears.png", "art/", "fx/", "fx/art/",
    "../evil.txt", "fx/../../evil.txt", "/abs.txt", "art\\ears.png", "C:/evil.txt", "./effect.toml",
    "fx//effect.toml", "a/b/c/d/e/f/g.txt", "effect.toml/", ".hidden", "fx/.git/config",
)
KINDS = {
    "file": stat.S_IFREG | 0o644,
    "none": 0,
    "dir": stat.S_IFDIR | 0o755,
    "link": stat.S_IFLNK | 0o777,
    "fifo": stat.S_IFIFO | 0o644,
    "chr": stat.S_IFCHR | 0o644,
    "sock": stat.S_IFSOCK | 0o644,
}
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


@st.composite
def entry_data(draw: st.DrawFn, name: str) -> bytes:
    choice = draw(st.integers(0, 9))
    if choice == 9:
        return bytes(draw(st.sampled_from((70_000, 300_000, 2_000_000))))  # zeros: compress by >100:1
    if choice >= 4:
        return draw(st.binary(max_size=200))
    if name.endswith("effect.toml"):
        return EFFECT_TOML.encode() if choice < 3 else EFFECT_TOML.encode()[: draw(st.integers(0, 300))]
    if name.endswith(".png"):
        return PNG if choice < 3 else PNG[: draw(st.integers(0, len(PNG)))]
    return draw(st.binary(max_size=64))


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    """A zip built entry by entry: names from a hostile pool or random, any compression method,
    Unix file types in the external attributes, now and then the encryption flag."""
    import io

    buf = io.BytesIO()
    n = draw(st.integers(0, 6))
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": duplicates are part of the test
        top = draw(st.sampled_from(("", "fx/")))
        top_safe = (top, top + "art/", top + "docs/")
        if draw(st.integers(0, 3)) < 3:  # usually the shape of a real package first
            zf.writestr(top + "effect.toml", EFFECT_TOML)
            zf.writestr(top + "art/ears.png", PNG)
        for _ in range(n):
            hostile = draw(st.integers(0, 2)) == 2  # one extra entry in three is hostile
            if hostile:
                name = draw(st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=12)))
            else:
                name = draw(st.sampled_from(top_safe)) + draw(st.from_regex(r"[a-z0-9_]{1,8}\.(txt|png|md)",
                                                                            fullmatch=True))
            info = zipfile.ZipInfo(name)
            info.compress_type = draw(st.sampled_from(METHODS))
            info.external_attr = KINDS[draw(st.sampled_from(tuple(KINDS)) if hostile else st.just("file"))] << 16
            if hostile and draw(st.integers(0, 9)) == 9:
                info.flag_bits |= 0x1
            data = draw(entry_data(name))
            if stat.S_ISLNK(info.external_attr >> 16):
                data = draw(st.sampled_from((b"/etc/passwd", b"../../evil", b"art/ears.png")))
            zf.writestr(info, data)
    return buf.getvalue()


def _patch_sizes(data: bytearray, shrink_to: int) -> None:
    """Make every entry declare ``shrink_to`` uncompressed bytes (in both headers): a size lie."""
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(sig)
        while at >= 0:
            if at + offset + 4 <= len(data):
                data[at + offset : at + offset + 4] = struct.pack("<I", shrink_to)
            at = data.find(sig, at + 4)


@st.composite
def damaged_archives(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(archives()))
    kind = draw(st.integers(0, 4))
    if kind == 0 and data:
        for _ in range(draw(st.integers(1, 12))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif kind == 1:
        del data[draw(st.integers(0, len(data))):]
    elif kind == 2:
        _patch_sizes(data, draw(st.integers(0, 64)))
    elif kind == 3:
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=100))
    else:
        data = bytearray(draw(st.binary(max_size=400)))
        if draw(st.booleans()):
            data[:0] = b"PK\x03\x04"
    return bytes(data)


@pytest.fixture()
def private_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """tempfile's folder for this test only, so every folder the unpacker makes can be seen."""
    folder = tmp_path_factory.mktemp("unpack")
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


def _load_and_check(archive: Path, unpack_dir: Path, guard: Guard) -> None:
    outside_before = sorted(p.name for p in archive.parent.iterdir())
    with guard.case():
        spec = None
        try:
            spec = load_effect(archive)
            root = spec.root
            assert root.parent == unpack_dir and spec_zip.is_private_dir(root)
            for path in root.rglob("*"):  # only regular files and folders, all inside
                assert not path.is_symlink() and (path.is_file() or path.is_dir())
                assert root in path.resolve().parents
        finally:
            if spec is not None:
                spec_zip.discard(spec.root)
    assert sorted(p.name for p in archive.parent.iterdir()) == outside_before, "a file appeared beside the archive"
    assert list(unpack_dir.iterdir()) == [], "an unpacked folder was left behind"


@fuzz_settings(ci=ARCHIVE_EXAMPLES)
@given(data=archives())
def test_any_archive_loads_or_raises_effect_spec_error(private_tmp: Path, data: bytes) -> None:
    folder = private_tmp.parent / f"{private_tmp.name}-in"
    folder.mkdir(exist_ok=True)
    archive = folder / "fx.zip"
    archive.write_bytes(data)
    guard = Guard("zip: built archives", (EffectSpecError,), peak_limit_mib=PEAK_MIB,
                  examples_setting=ARCHIVE_EXAMPLES)
    _load_and_check(archive, private_tmp, guard)


@fuzz_settings(ci=DAMAGED_EXAMPLES)
@given(data=damaged_archives())
def test_any_damaged_archive_loads_or_raises_effect_spec_error(private_tmp: Path, data: bytes) -> None:
    folder = private_tmp.parent / f"{private_tmp.name}-in"
    folder.mkdir(exist_ok=True)
    archive = folder / "fx.zip"
    archive.write_bytes(data)
    guard = Guard("zip: damaged archives", (EffectSpecError,), peak_limit_mib=PEAK_MIB,
                  examples_setting=DAMAGED_EXAMPLES)
    _load_and_check(archive, private_tmp, guard)


# -- bombs and tricks, one by one -----------------------------------------------------------------


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def test_a_ratio_bomb_is_refused_before_unpacking(tmp_path: Path, private_tmp: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", [("effect.toml", EFFECT_TOML.encode()), ("pad.bin", bytes(30_000_000))])
    assert archive.stat().st_size < 100_000
    guard = Guard("zip: bombs and tricks", (EffectSpecError,), peak_limit_mib=PEAK_MIB)
    with pytest.raises(EffectSpecError, match=r'entry "pad.bin": compression ratio \d+:1 exceeds the limit of 100:1'):
        with guard.case(reraise=True):
            load_effect(archive)
    assert list(private_tmp.iterdir()) == []


def test_an_entry_that_inflates_past_its_declared_size_is_cut_off(tmp_path: Path, private_tmp: Path) -> None:
    """The headers say 10 bytes; the data inflates to 5 MiB. Reading stops at the declared size
    (zipfile itself stops there and the CRC then fails; spec_zip also counts what it writes)."""
    payload = (b"0123456789abcdef" * 4096) * 80
    archive = _zip(tmp_path / "liar.zip", [("effect.toml", EFFECT_TOML.encode()), ("art/ears.png", PNG),
                                           ("notes.txt", payload)])
    data = bytearray(archive.read_bytes())
    # Patch only the notes.txt headers (the last local and central records).
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.rfind(sig)
        data[at + offset : at + offset + 4] = struct.pack("<I", 10)
    archive.write_bytes(bytes(data))
    guard = Guard("zip: bombs and tricks", (EffectSpecError,), peak_limit_mib=8)
    with pytest.raises(EffectSpecError, match=r'entry "notes.txt": cannot be unpacked \(Bad CRC-32'):
        with guard.case(reraise=True):
            load_effect(archive)
    assert list(private_tmp.iterdir()) == []


def test_too_many_entries_and_too_many_bytes_are_refused(tmp_path: Path, private_tmp: Path) -> None:
    many = _zip(tmp_path / "many.zip", [("effect.toml", EFFECT_TOML.encode())]
                + [(f"f{i}.txt", b"x") for i in range(MAX_ENTRIES)])
    with pytest.raises(EffectSpecError, match=rf"expected at most {MAX_ENTRIES} entries, found {MAX_ENTRIES + 1}"):
        load_effect(many)
    noise = np.random.default_rng(1).integers(0, 256, MAX_TOTAL_BYTES // 3, dtype=np.uint8).tobytes()
    big = _zip(tmp_path / "big.zip", [("effect.toml", EFFECT_TOML.encode())] + [(f"n{i}.bin", noise) for i in range(4)],
               method=zipfile.ZIP_STORED)
    guard = Guard("zip: bombs and tricks", (EffectSpecError,), peak_limit_mib=PEAK_MIB)
    with pytest.raises(EffectSpecError, match=r"expected an archive of at most \d+ bytes"):
        with guard.case(reraise=True):
            load_effect(big)
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("../evil.txt", "file", 'entry "../evil.txt": expected a path inside the archive, found a ".." component'),
        ("/abs.txt", "file", 'entry "/abs.txt": expected a relative path inside the archive, found an absolute path'),
        ("art\\x.png", "file", 'entry "art\\x.png": expected "/" as the path separator'),
        ("link.png", "link", 'entry "link.png": expected a regular file, found a symbolic link'),
        ("pipe", "fifo", 'entry "pipe": expected a regular file or folder, found a special file'),
        ("dev", "chr", 'entry "dev": expected a regular file or folder, found a special file'),
    ],
)
def test_traversal_links_and_special_files_are_refused(tmp_path: Path, private_tmp: Path, name: str, kind: str,
                                                       message: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = KINDS[kind] << 16
    archive = _zip(tmp_path / "trick.zip", [("effect.toml", EFFECT_TOML.encode()), ("art/ears.png", PNG),
                                            (info, b"../../etc/passwd")])
    with pytest.raises(EffectSpecError) as err:
        load_effect(archive)
    assert message in str(err.value)
    assert list(private_tmp.iterdir()) == []
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.parametrize("method", METHODS[2:], ids=["bzip2", "lzma"])
def test_corrupt_bzip2_and_lzma_data_is_a_spec_error(tmp_path: Path, private_tmp: Path, method: int) -> None:
    archive = _zip(tmp_path / "c.zip", [("effect.toml", EFFECT_TOML.encode()), ("art/ears.png", PNG)], method=method)
    data = bytearray(archive.read_bytes())
    start = data.find(b"PK\x03\x04")
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    body = start + 30 + name_len + extra_len
    for i in range(body + 4, body + 24):  # scramble the compressed stream of effect.toml
        data[i] ^= 0x5A
    archive.write_bytes(bytes(data))
    with pytest.raises(EffectSpecError, match=r'entry "effect.toml": cannot be unpacked'):
        load_effect(archive)
    assert list(private_tmp.iterdir()) == []


def test_a_zip_that_is_a_symlink_or_not_a_zip(tmp_path: Path) -> None:
    real = _zip(tmp_path / "real.zip", [("effect.toml", EFFECT_TOML.encode()), ("art/ears.png", PNG)])
    os.symlink(real, tmp_path / "link.zip")
    with pytest.raises(EffectSpecError, match="expected a regular file, found a symbolic link"):
        load_effect(tmp_path / "link.zip")
    (tmp_path / "text.zip").write_text("not a zip", encoding="utf-8")
    with pytest.raises(EffectSpecError, match="expected a zip archive, found an unreadable file"):
        load_effect(tmp_path / "text.zip")
