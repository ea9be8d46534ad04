"""A ``type: ignore`` says why on its own line (a comment after it), so that each one can be
judged and removed when the reason goes away."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(?P<rest>.*)$")


def test_every_type_ignore_gives_its_reason() -> None:
    bare = []
    for package in ("camera_app", "effects", "age_estimation", "disclosure"):
        for path in sorted((REPO / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = IGNORE.search(line)
                if match and not match.group("rest").strip().lstrip("#").strip():
                    bare.append(f"{path.relative_to(REPO)}:{number}")
    assert bare == [], "type: ignore without a reason on the line: " + ", ".join(bare)
