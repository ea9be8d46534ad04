"""docs/effects-reference.md is what ``safelens effects ops --markdown`` prints, and it covers
every op, field, region, anchor, blend mode and LUT preset of the library."""

from __future__ import annotations

from pathlib import Path

import pytest

from camera_app.cli import main
from camera_app.creator.op_reference import markdown, reference
from effects.kernels.blend import MODES
from effects.lut_presets import PRESET_NAMES
from effects.ops.base import OPS
from effects.regions import REGIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "effects-reference.md"


def test_the_reference_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(reference()) + "\n", (
        "docs/effects-reference.md is stale: safelens effects ops --markdown > docs/effects-reference.md")


def test_every_op_field_and_vocabulary_is_listed() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name, cls in OPS.items():
        assert f"## `{name}`" in doc
        for p in cls.params:
            assert f"| `{p.name}` |" in doc, (name, p.name)
    for word in (*REGIONS, *MODES, *PRESET_NAMES):
        assert f"`{word}`" in doc


def test_the_main_parameters_say_what_a_value_does() -> None:
    ref = reference()
    by_op = {op["op"]: op for op in ref["ops"]}
    eyes = next(d for d in by_op["radial_scale"]["dose_response"] if d["sweep"] == "eyes_scale")
    line = next(v for v in eyes["values"] if v.startswith("scale 1.06 -> eye size about +"))
    assert "on adults" in line and "on children" in line
    assert by_op["smooth_skin"]["dose_response"] and by_op["eyeliner"]["dose_response"]


@pytest.mark.parametrize("flag", ["--json", "--markdown", None])
def test_the_command_prints_the_reference(flag: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects", "ops", *([flag] if flag else [])]) == 0
    out = capsys.readouterr().out
    assert "smooth_skin" in out and "soft_light" in out
