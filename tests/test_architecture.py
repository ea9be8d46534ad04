"""DESIGN.md's import rules, checked on the source: which package may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = {"camera_app", "effects", "age_estimation", "disclosure", "benchmarks"}
ALLOWED_OURS = {
    "effects": {"effects"},
    "age_estimation": {"age_estimation"},
    "disclosure": {"disclosure", "effects"},
    "camera_app": {"camera_app", "effects", "age_estimation", "disclosure"},
    "benchmarks": OURS,
}
# Third-party modules only one place may import.
ONLY_IN = {
    "kivy": "camera_app/ui/",
    "mediapipe": "camera_app/tracking/tracker.py",
    "onnxruntime": "age_estimation/model.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


SOURCES = sorted(p for pkg in OURS for p in (REPO / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_package_imports_follow_design(path: Path) -> None:
    rel = path.relative_to(REPO).as_posix()
    package = rel.split("/")[0]
    imported = _imports(path)
    forbidden_ours = (imported & OURS) - ALLOWED_OURS[package]
    assert not forbidden_ours, f"{rel} imports {sorted(forbidden_ours)}; {package} may import {sorted(ALLOWED_OURS[package])}"
    for module, home in ONLY_IN.items():
        if module in imported:
            assert rel.startswith(home), f"{rel} imports {module}; only {home} may"
