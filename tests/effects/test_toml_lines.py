"""effects.toml_lines: line numbers of keys and tables, skipping multi-line values."""

from __future__ import annotations

from effects.toml_lines import TomlLines

TEXT = '''\
id = "x"
desc = """
[[ops]]
not = "a key"
"""
name = { en = "A", fr = "B" }

[[ops]]
op = "a"
points = [
  { landmark = 1 },
  { landmark = 2 },
]
"quoted key" = 1

[ "ops" . "sub" ]
deep.er = 2

[[ops]]
op = 'b'  # comment with = sign
'''


def test_keys_tables_and_array_tables() -> None:
    lines = TomlLines(TEXT)
    assert lines.line_of(["id"]) == 1
    assert lines.line_of(["desc"]) == 2
    assert lines.line_of(["name", "en"]) == 6  # inline table: the line of its key
    assert lines.line_of(["ops", 0]) == 8
    assert lines.line_of(["ops", 0, "op"]) == 9
    assert lines.line_of(["ops", 0, "points", 1, "landmark"]) == 10
    assert lines.line_of(["ops", 0, "quoted key"]) == 14
    assert lines.line_of(["ops", 0, "sub", "deep", "er"]) == 17  # [ops.sub] belongs to the last [[ops]]
    assert lines.line_of(["ops", 1]) == 19  # the [[ops]] inside the multi-line string is not counted
    assert lines.line_of(["ops", 1, "op"]) == 20
    assert lines.line_of(["nope"]) is None
