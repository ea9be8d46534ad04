"""A strict reader for Adobe ``.cube`` 3D colour lookup tables.

The format (Adobe Cube LUT Specification 1.0): UTF-8/ASCII text; ``#`` starts a
comment line; keywords come before the table: ``TITLE "text"``, ``LUT_3D_SIZE N``,
``DOMAIN_MIN r g b``, ``DOMAIN_MAX r g b`` (Resolve's ``LUT_3D_INPUT_RANGE min max``
is accepted as a shorthand for both); then N**3 lines of three numbers, red
changing fastest, then green, then blue. We accept sizes 2..64 and refuse 1D
LUTs. Every error names the file and the line.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_SIZE = 2
MAX_SIZE = 64
MAX_CUBE_BYTES = 16 * 1024 * 1024
_FLOAT32_MAX = float(np.finfo(np.float32).max)


class CubeError(ValueError):
    """A .cube file that does not follow the format; the message says file, line, expected and found."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line


@dataclass(frozen=True, slots=True)
class CubeLut:
    """A 3D LUT. ``table[r, g, b]`` is the output RGB (float32, nominally 0..1) at grid point (r, g, b)."""

    title: str
    size: int
    domain_min: tuple[float, float, float]
    domain_max: tuple[float, float, float]
    table: np.ndarray


def read_cube(path: str | os.PathLike[str]) -> CubeLut:
    """Read and validate a .cube file (the caller checks the path is safe, see effects.asset_files)."""
    file = str(path)
    p = Path(path)
    try:
        size_bytes = p.stat().st_size
    except FileNotFoundError:
        raise CubeError(file, None, "expected an existing .cube file, found nothing") from None
    if size_bytes > MAX_CUBE_BYTES:
        raise CubeError(file, None, f"expected at most {MAX_CUBE_BYTES} bytes, found {size_bytes}")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CubeError(file, raw[: exc.start].count(b"\n") + 1, "expected UTF-8 text, found undecodable bytes") from None
    return parse_cube(text, file)


def parse_cube(text: str, file: str = "<cube>") -> CubeLut:
    """Parse the text of a .cube file; ``file`` is only used in error messages."""
    title = ""
    size: int | None = None
    domain_min = (0.0, 0.0, 0.0)
    domain_max = (1.0, 1.0, 1.0)
    seen: dict[str, int] = {}
    # The table is allocated once LUT_3D_SIZE is known (it must come first) and filled in
    # place; lines past its end are checked and counted but not kept, so memory stays at
    # the table's size whatever the file holds. Lines are read lazily for the same reason.
    rows: np.ndarray | None = None
    count = 0
    first_data_line = 0

    for number, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word = stripped.split(None, 1)[0]
        if _looks_numeric(word):
            if size is None:
                raise CubeError(file, number, "expected LUT_3D_SIZE before the table, found a data line")
            if rows is None:
                first_data_line = number
                rows = np.empty((size**3, 3), dtype=np.float32)
            values = _triple(stripped, file, number, "data line")
            if count < len(rows):
                rows[count] = values
            count += 1
            continue
        if count:
            raise CubeError(file, number, f"expected only data lines after the table starts, found keyword {word!r}")
        if word in seen:
            raise CubeError(file, number, f"expected {word} once, found it again (first on line {seen[word]})")
        seen[word] = number
        rest = stripped[len(word) :].strip()
        if word == "TITLE":
            title = _title(rest, file, number)
        elif word == "LUT_3D_SIZE":
            size = _size(rest, file, number)
        elif word == "LUT_1D_SIZE":
            raise CubeError(file, number, "expected a 3D LUT (LUT_3D_SIZE), found LUT_1D_SIZE: 1D LUTs are not supported")
        elif word == "DOMAIN_MIN":
            domain_min = _triple(rest, file, number, "DOMAIN_MIN")
        elif word == "DOMAIN_MAX":
            domain_max = _triple(rest, file, number, "DOMAIN_MAX")
        elif word == "LUT_3D_INPUT_RANGE":
            lo, hi = _pair(rest, file, number)
            domain_min, domain_max = (lo, lo, lo), (hi, hi, hi)
        else:
            raise CubeError(
                file,
                number,
                f"expected a keyword (TITLE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, LUT_3D_INPUT_RANGE) "
                f"or a data line, found {word!r}",
            )

    if size is None:
        raise CubeError(file, None, "expected a LUT_3D_SIZE line, found none")
    for c in range(3):
        if not domain_min[c] < domain_max[c]:
            at = seen.get("DOMAIN_MAX", seen.get("LUT_3D_INPUT_RANGE"))
            raise CubeError(file, at, f"expected DOMAIN_MIN < DOMAIN_MAX on every channel, found {domain_min} and {domain_max}")
    expected = size**3
    if rows is None or count != expected:
        at = first_data_line if count else None
        raise CubeError(file, at, f"expected {expected} data lines for LUT_3D_SIZE {size}, found {count}")
    data = rows.reshape(size, size, size, 3)  # [b, g, r]
    table = np.ascontiguousarray(data.transpose(2, 1, 0, 3))  # [r, g, b]
    table.flags.writeable = False
    return CubeLut(title=title, size=size, domain_min=domain_min, domain_max=domain_max, table=table)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one by one (``\\n``, ``\\r\\n`` or ``\\r``), without a list of them all."""
    for match in _LINE.finditer(text):
        yield match.group()


def _looks_numeric(word: str) -> bool:
    return word[0].isdigit() or word[0] in "+-."


def _title(rest: str, file: str, number: int) -> str:
    if len(rest) < 2 or not (rest.startswith('"') and rest.endswith('"')):
        raise CubeError(file, number, f'expected TITLE "text" in double quotes, found {rest!r}')
    return rest[1:-1]


def _size(rest: str, file: str, number: int) -> int:
    parts = rest.split()
    if len(parts) != 1 or not (parts[0].isascii() and parts[0].isdigit()):  # not "²" nor other digits
        raise CubeError(file, number, f"expected LUT_3D_SIZE followed by one integer, found {rest!r}")
    size = int(parts[0])
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise CubeError(file, number, f"expected LUT_3D_SIZE in {MIN_SIZE}..{MAX_SIZE}, found {size}")
    return size


def _numbers(rest: str, count: int, file: str, number: int, what: str) -> tuple[float, ...]:
    parts = rest.split()
    if len(parts) != count:
        raise CubeError(file, number, f"expected {count} numbers on the {what}, found {len(parts)}: {rest!r}")
    values = []
    for part in parts:
        try:
            if not part.isascii() or "_" in part:  # float() also takes "１" and "1_0"; the format does not
                raise ValueError(part)
            value = float(part)
        except ValueError:
            raise CubeError(file, number, f"expected a number on the {what}, found {part!r}") from None
        if not math.isfinite(value) or abs(value) > _FLOAT32_MAX:  # the table is float32
            raise CubeError(file, number, f"expected a finite number on the {what}, found {part!r}")
        values.append(value)
    return tuple(values)


def _triple(rest: str, file: str, number: int, what: str) -> tuple[float, float, float]:
    r, g, b = _numbers(rest, 3, file, number, what)
    return (r, g, b)


def _pair(rest: str, file: str, number: int) -> tuple[float, float]:
    lo, hi = _numbers(rest, 2, file, number, "LUT_3D_INPUT_RANGE")
    return (lo, hi)


def identity_cube_text(size: int, title: str = "identity") -> str:
    """The text of an identity .cube of the given size (for tests and creators' templates)."""
    lines = [f'TITLE "{title}"', f"LUT_3D_SIZE {size}"]
    step = 1.0 / (size - 1)
    for b in range(size):
        for g in range(size):
            for r in range(size):
                lines.append(f"{r * step:.6f} {g * step:.6f} {b * step:.6f}")
    return "\n".join(lines) + "\n"
