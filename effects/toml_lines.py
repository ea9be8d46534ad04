"""Line numbers for the keys and tables of a TOML text.

``tomllib`` returns plain dicts without positions, so to point a creator at the
line of a bad value we scan the text once: table headers (``[name]``,
``[[ops]]``) and ``key = value`` lines, skipping the inside of multi-line
strings and arrays. It is a locator, not a parser: the text has already been
parsed by ``tomllib``, so it only needs to be right for valid TOML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PathPart = str | int

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ARRAY_TABLE = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=(.*)$")
_PART = re.compile(_KEY_PART)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = []
    for match in _PART.finditer(dotted):
        token = match.group(0)
        if token[0] in "\"'":
            token = token[1:-1]
        parts.append(token)
    return tuple(parts)


def _scan_value(rest: str, depth: int, in_string: str | None) -> tuple[int, str | None]:
    """Bracket depth and open multi-line string after reading ``rest`` (one line of a value)."""
    i = 0
    n = len(rest)
    while i < n:
        if in_string is not None:
            end = rest.find(in_string, i)
            if end < 0:
                return depth, in_string
            i = end + 3
            in_string = None
            continue
        ch = rest[i]
        if rest.startswith('"""', i) or rest.startswith("'''", i):
            in_string = rest[i : i + 3]
            i += 3
        elif ch == '"':
            i += 1
            while i < n and rest[i] != '"':
                i += 2 if rest[i] == "\\" else 1
            i += 1
        elif ch == "'":
            end = rest.find("'", i + 1)
            i = n if end < 0 else end + 1
        elif ch == "#":
            break
        else:
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
            i += 1
    return depth, in_string


def _in_last_element(name: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> tuple[PathPart, ...]:
    """``[ops.sub]`` after ``[[ops]]`` is a table of the last ``ops`` element: ("ops", n, "sub")."""
    for end in range(len(name) - 1, 0, -1):
        if name[:end] in counts:
            return (*name[:end], counts[name[:end]] - 1, *name[end:])
    return name


class TomlLines:
    """Maps key paths such as ``("ops", 2, "strength")`` to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[PathPart, ...], int] = {}
        counts: dict[tuple[str, ...], int] = {}
        table: tuple[PathPart, ...] = ()
        depth = 0
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if depth > 0 or in_string is not None:
                depth, in_string = _scan_value(line, depth, in_string)
                continue
            match = _ARRAY_TABLE.match(line)
            if match:
                name = _split_key(match.group(1))
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = (*name, index)
                self._lines.setdefault(table, number)
                continue
            match = _TABLE.match(line)
            if match:
                table = _in_last_element(_split_key(match.group(1)), counts)
                self._lines.setdefault(table, number)
                continue
            match = _KEY.match(line)
            if match:
                key = _split_key(match.group(1))
                for end in range(1, len(key) + 1):
                    self._lines.setdefault((*table, *key[:end]), number)
                depth, in_string = _scan_value(match.group(2), 0, None)

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of ``path``, or of its longest prefix that has one; None if none does."""
        parts = tuple(path)
        for end in range(len(parts), 0, -1):
            found = self._lines.get(parts[:end])
            if found is not None:
                return found
        return None
