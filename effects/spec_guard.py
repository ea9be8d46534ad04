"""Checks on an effect.toml text that run before and beside the TOML parser.

- ``nesting_problem``: ``tomllib`` parses arrays and inline tables recursively, so a 1 KB
  text of 500 nested brackets exhausts Python's stack. The text is scanned first (skipping
  strings, with their escapes, and comments as TOML does) and refused past ``MAX_NESTING``
  levels; a ``RecursionError`` the parser raises anyway becomes the same typed error (see
  ``effects.spec.parse_effect``).
- ``text_problem``: creator-supplied text (name, author, description) is shown in
  terminals, labels and reports, so control characters (ESC, NUL, ...), bidirectional
  overrides and isolates, and over-long strings are refused at load.
"""

from __future__ import annotations

import unicodedata

MAX_NESTING = 16
MAX_TEXT_CHARS = 200
MAX_DESCRIPTION_CHARS = 1000

# Bidirectional embedding, override and isolate controls: they reorder what a reader sees.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners: part of emoji and of some scripts


def nesting_depth(text: str) -> int:
    """The deepest bracket/brace nesting outside strings and comments (an upper bound)."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            if ch in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
    return deepest


def _skip_string(text: str, i: int) -> int:
    """The index after the string starting at ``i``. A basic or literal string ends at its
    closing quote or the end of the line; a multi-line one at its closing triple quote plus
    up to two more quotes (TOML allows them as content)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = i + 3
        while end < len(text) and not text.startswith(quote * 3, end):
            end += 2 if quote == '"' and text[end] == "\\" else 1
        if end >= len(text):
            return len(text)
        end += 3
        extra = 0
        while extra < 2 and end < len(text) and text[end] == quote:
            end += 1
            extra += 1
        return end
    j = i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if quote == '"' and text[j] == "\\" else 1
    return min(j + 1, len(text)) if j < len(text) and text[j] == quote else j


def nesting_problem(text: str) -> str | None:
    """None when the text nests at most ``MAX_NESTING`` levels, else what to tell the creator."""
    depth = nesting_depth(text)
    if depth <= MAX_NESTING:
        return None
    return f"expected arrays and inline tables nested at most {MAX_NESTING} levels deep, found {depth}"


def text_problem(value: str, limit: int) -> str | None:
    """None when ``value`` is safe to print, else what is wrong with it (for 'expected ..., found ...')."""
    if len(value) > limit:
        return f"expected at most {limit} characters, found {len(value)}"
    for position, ch in enumerate(value):
        if ch in _BIDI_CONTROLS:
            return f"expected no bidirectional control characters, found U+{ord(ch):04X} at character {position + 1}"
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in _JOINERS:
            return f"expected no control or invisible characters, found U+{ord(ch):04X} at character {position + 1}"
    return None
