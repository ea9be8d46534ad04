"""Fuzzing the Adobe .cube reader, and grading pictures with every LUT it accepts.

Claims: any text (or any bytes in a file) either reads as a ``CubeLut`` whose table is
finite float32 of the declared size, or raises ``CubeError``; never another exception, a
hang, or an allocation that grows with the file beyond a small multiple of its size. Every
accepted LUT, with any domain, grades a picture into valid uint8 pixels with both kernels.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from fuzz_support import DEEP, Guard, examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from spec_strategies import damaged

from effects import backend
from effects.lut_io import MAX_CUBE_BYTES, CubeError, CubeLut, identity_cube_text, parse_cube, read_cube
from effects.ops.lut import LutTable

TEXT_EXAMPLES = examples(500)
FILE_EXAMPLES = examples(150)
APPLY_EXAMPLES = examples(150)

_NUMBER_WORDS = st.one_of(
    st.floats(-2.0, 3.0, allow_nan=False).map(lambda v: f"{v:.6f}"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 5).map(str),
    st.sampled_from(("0", "1", "1.", ".5", "+.5", "-0", "1e-3", "1E2", "1e999", "1e39", "nan", "inf", "-inf",
                     "infinity", "1_0", "0x10", "\u0663", "\u00b2", "\uff11", "1,5", "--1", "")),
)


@st.composite
def cube_texts(draw: st.DrawFn) -> str:
    """A .cube text: keywords in some order, a table of about the right length, assorted damage."""
    size = draw(st.integers(2, 5)) if draw(st.integers(0, 5)) < 5 else draw(st.integers(0, 70))
    lines: list[str] = []
    header = []
    if draw(st.booleans()):
        plain = st.text(st.characters(blacklist_characters='"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'), max_size=12)
        title = f'"{draw(plain)}"' if draw(st.integers(0, 5)) < 5 else draw(st.text(max_size=12))
        header.append("TITLE " + title)
    size_word = str(size) if draw(st.integers(0, 9)) < 9 else draw(_NUMBER_WORDS)
    header.append(f"LUT_3D_SIZE {size_word}")
    domain = draw(st.integers(0, 7))
    if domain == 7:
        header.append("DOMAIN_MIN " + " ".join(draw(st.lists(_NUMBER_WORDS, min_size=3, max_size=3))))
        header.append("DOMAIN_MAX " + " ".join(draw(st.lists(_NUMBER_WORDS, min_size=3, max_size=3))))
    elif domain == 6:
        header.append("LUT_3D_INPUT_RANGE " + " ".join(draw(st.lists(_NUMBER_WORDS, min_size=2, max_size=2))))
    elif domain in (2, 3):
        lo, hi = sorted(draw(st.lists(st.floats(-1e30, 1e30), min_size=2, max_size=2)))
        header.append(f"DOMAIN_MIN {lo!r} {lo!r} {lo!r}")
        header.append(f"DOMAIN_MAX {hi!r} {hi!r} {hi!r}")
    elif domain == 5:
        header.append(draw(st.sampled_from(("LUT_1D_SIZE 4", "LUT_3D_SIZE 2", "TITLE", "DOMAIN_MIN 0 0 0"))))
    lines.extend(draw(st.permutations(header)))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "# " + draw(st.text(max_size=10)))
    n_rows = max(0, min(size, 6) ** 3 + draw(st.sampled_from((0, 0, 0, 0, 0, 0, -1, 1, -5))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = [f"{r:.5f} {g:.5f} {b:.5f}" for r, g, b in rng.uniform(-0.2, 1.2, (n_rows, 3))]
    for _ in range(draw(st.integers(0, 3)) if rows else 0):  # a few bad rows
        if draw(st.integers(0, 3)) == 3:
            rows[draw(st.integers(0, len(rows) - 1))] = " ".join(draw(st.lists(_NUMBER_WORDS, min_size=2, max_size=4)))
    lines.extend(rows)
    sep = draw(st.sampled_from(("\n", "\n", "\r\n", "\r", "\n\n", " \t\n")))
    text = sep.join(lines) + draw(st.sampled_from(("", sep, sep * 3)))
    if draw(st.integers(0, 5)) == 5:
        text = draw(damaged(text))
    return text


any_cube_text = st.one_of(cube_texts(), cube_texts(), cube_texts(), st.text(max_size=300))


def _check_lut(lut: CubeLut) -> None:
    assert lut.table.shape == (lut.size, lut.size, lut.size, 3) and lut.table.dtype == np.float32
    assert np.isfinite(lut.table).all()
    assert all(lo < hi for lo, hi in zip(lut.domain_min, lut.domain_max, strict=True))
    assert all(math.isfinite(v) for v in (*lut.domain_min, *lut.domain_max))


@fuzz_settings(ci=TEXT_EXAMPLES)
@given(text=any_cube_text)
def test_any_cube_text_reads_or_raises_cube_error(text: str) -> None:
    guard = Guard("cube: parse text", (CubeError,), peak_limit_mib=64, examples_setting=TEXT_EXAMPLES)
    with guard.case():
        _check_lut(parse_cube(text, "fuzz.cube"))


@fuzz_settings(ci=FILE_EXAMPLES)
@given(raw=st.one_of(st.binary(max_size=400), any_cube_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       cut=st.integers(0, 400))
def test_any_cube_file_reads_or_raises_cube_error(tmp_path_factory: pytest.TempPathFactory, raw: bytes,
                                                  cut: int) -> None:
    path = tmp_path_factory.mktemp("cube") / "fuzz.cube"
    path.write_bytes(raw[: max(cut, len(raw) // 2)])
    guard = Guard("cube: read file", (CubeError,), peak_limit_mib=64, examples_setting=FILE_EXAMPLES)
    with guard.case():
        _check_lut(read_cube(path))


@pytest.fixture(scope="module")
def warm_lut_kernels() -> None:
    """Compile (or load) both LUT kernels before the watchdog runs (a first JIT compile is not a hang)."""
    lut = parse_cube(identity_cube_text(2))
    table = LutTable(lut.table)
    rgb = np.zeros((2, 2, 3), np.uint8)
    for alpha in (None, np.ones((2, 2), np.float32)):
        table.apply_into(rgb, alpha, 1.0, np.empty_like(rgb))


@fuzz_settings(ci=APPLY_EXAMPLES)
@given(text=cube_texts(), seed=st.integers(0, 2**32 - 1), strength=st.floats(0.0, 1.0),
       kernels=st.sampled_from(("numba", "numpy")))
def test_every_accepted_lut_grades_pixels_into_range(warm_lut_kernels: None, text: str, seed: int, strength: float, kernels: str) -> None:
    try:
        lut = parse_cube(text, "fuzz.cube")
    except CubeError:
        return
    rgb = np.random.default_rng(seed).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    rgb[0, :3] = ((0, 0, 0), (255, 255, 255), (0, 128, 255))
    alpha = np.random.default_rng(seed + 1).random((7, 9), dtype=np.float32)
    guard = Guard("cube: grade with accepted LUTs", (), peak_limit_mib=64, examples_setting=APPLY_EXAMPLES)
    previous = backend.current()
    backend.use(kernels)  # type: ignore[arg-type]
    try:
        with guard.case():
            table = LutTable(lut.table, lut.domain_min, lut.domain_max)
            out = np.empty_like(rgb)
            table.apply_into(rgb, None, strength, out)
            masked = np.empty_like(rgb)
            table.apply_into(rgb, alpha, strength, masked)
    finally:
        backend.use(previous)
    if strength == 0.0:
        assert np.array_equal(out, rgb)


# -- one by one ----------------------------------------------------------------------------------


def test_a_file_of_endless_rows_is_refused_within_twice_its_size(tmp_path: Path) -> None:
    """Data lines far past LUT_3D_SIZE 2 are counted, not kept: the traced peak stays near twice the
    file (its bytes and its text). The full 16 MB file (which peaked at 316 MiB before) in deep mode;
    1 MB otherwise, since tracing every parsed number is slow."""
    row = "0.5 0.5 0.5\n"
    n_bytes = MAX_CUBE_BYTES if DEEP else 1024**2
    n_rows = (n_bytes - 20) // len(row)
    path = tmp_path / "rows.cube"
    path.write_text("LUT_3D_SIZE 2\n" + row * n_rows, encoding="ascii")
    guard = Guard("cube: hostile files", (CubeError,), peak_limit_mib=2.5 * n_bytes / 2**20, timeout_s=300)
    with pytest.raises(CubeError, match=rf"rows.cube:2: expected 8 data lines for LUT_3D_SIZE 2, found {n_rows}$"):
        with guard.case(reraise=True):
            read_cube(path)


def test_an_oversized_cube_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.cube"
    with open(path, "wb") as fh:
        fh.truncate(4 * 1024**3)  # sparse
    guard = Guard("cube: hostile files", (CubeError,), peak_limit_mib=1)
    with pytest.raises(CubeError, match=rf"expected at most {MAX_CUBE_BYTES} bytes, found {4 * 1024**3}"):
        with guard.case(reraise=True):
            read_cube(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("LUT_3D_SIZE \u00b2", "expected LUT_3D_SIZE followed by one integer, found '\u00b2'"),
        ("LUT_3D_SIZE \u0663", "expected LUT_3D_SIZE followed by one integer, found '\u0663'"),
        ("LUT_3D_SIZE 2\n1e39 0 0", "expected a finite number on the data line, found '1e39'"),
        ("LUT_3D_SIZE 2\n1_0 0 0", "expected a number on the data line, found '1_0'"),
        ("LUT_3D_SIZE 2\n\uff11 0 0", "expected a number on the data line, found '\uff11'"),
    ],
)
def test_numbers_outside_the_format_are_refused(line: str, message: str) -> None:
    with pytest.raises(CubeError, match=message):
        parse_cube(line + "\n" + "0 0 0\n" * 8)
