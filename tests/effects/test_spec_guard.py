"""effects.spec_guard: the nesting scan before tomllib, and creator text that is safe to print."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import effects.spec
from effects.spec import EffectSpecError, parse_effect
from effects.spec_guard import MAX_NESTING, nesting_depth, nesting_problem, text_problem


@pytest.mark.parametrize(("text", "depth"), [
    ("a = 1", 0),
    ("[[ops]]\nop = 'x'", 2),
    ("a = [[1, 2], [3]]", 2),
    ("a = {b = {c = [1]}}", 3),
    ('a = ["]]]", [1]]  # [[[[', 2),  # brackets in strings and comments do not count
    ("a = '[[[['\nb = [1]", 1),
    ('a = "\\"[[[["\nb = [1]', 1),  # an escaped quote does not end the string
    ("a = '''x''''' \ny = [[1]]", 2),  # a multi-line literal may end with up to five quotes
    # An escaped quote inside a multi-line basic string: the string ends where TOML ends it,
    # so the deep array on the next line is seen (a scanner that ignored escapes missed it).
    ('a = """x\\"""  """\nb = ' + "[" * 30 + "]" * 30, 30),
])
def test_nesting_depth_follows_toml_strings_and_comments(text: str, depth: int) -> None:
    if depth <= 30:
        tomllib.loads(text)  # each case is valid TOML
    assert nesting_depth(text) == depth


def test_nesting_problem_names_the_limit_and_the_depth() -> None:
    assert nesting_problem("a = " + "[" * MAX_NESTING + "]" * MAX_NESTING) is None
    assert nesting_problem("a = " + "[" * 17 + "]" * 17) == (
        "expected arrays and inline tables nested at most 16 levels deep, found 17")


def test_a_recursion_error_from_the_parser_is_still_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(effects.spec, "nesting_problem", lambda text: None)  # as if the scan missed it
    with pytest.raises(EffectSpecError, match=r"x/effect.toml: expected less deeply nested arrays"):
        parse_effect("a = " + "[" * 5000 + "]" * 5000, "x/effect.toml", Path("."))


@pytest.mark.parametrize(("value", "problem"), [
    ("Glam \U0001F484 \u00e9t\u00e9 \u0645\u0643\u064a\u0627\u062c", None),  # emoji, accents, Arabic: fine
    ("\U0001F469\u200d\U0001F3A8", None),  # a joiner inside an emoji sequence: fine
    ("a\x1b[31mb", "expected no control or invisible characters, found U+001B at character 2"),
    ("\u202eevil", "expected no bidirectional control characters, found U+202E at character 1"),
    ("x\u2066y", "expected no bidirectional control characters, found U+2066 at character 2"),
    ("nul\x00", "expected no control or invisible characters, found U+0000 at character 4"),
    ("line\nbreak", "expected no control or invisible characters, found U+000A at character 5"),
    ("zero\u200bwidth", "expected no control or invisible characters, found U+200B at character 5"),
    ("x" * 201, "expected at most 200 characters, found 201"),
])
def test_text_problem(value: str, problem: str | None) -> None:
    assert text_problem(value, 200) == problem
