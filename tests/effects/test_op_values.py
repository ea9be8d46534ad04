"""One checker for op values: the spec loader and an op built in code say the same thing
about the same bad value, and every op's declared defaults fit its own parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

import effects.ops  # noqa: F401  (registers the library)
from effects.ops.base import OPS, REQUIRED
from effects.ops.values import OpParamError, check_value
from effects.spec import load_effect
from effects.validate import EffectSpecError

HEADER = """id = "x"
version = "1.0.0"
author = "Tests"
category = "playful"
[name]
en = "X"
fr = "X"
[description]
en = "x"
fr = "x"
"""


def test_every_default_fits_its_param() -> None:
    for name, cls in OPS.items():
        for p in cls.params:
            if p.default is REQUIRED or (p.kind in ("asset", "str") and p.default == ""):
                continue
            check_value(p, p.default)  # raises on a default the op itself would refuse


@pytest.mark.parametrize(
    ("op", "field", "toml", "value"),
    [
        ("radial_scale", "scale", "9", 9),
        ("region_tint", "color", '"#12345"', "#12345"),
        ("region_tint", "mode", '"glow"', "glow"),
        ("whiten", "regions", '["lips", "lipz"]', ["lips", "lipz"]),
        ("smooth_skin", "detail", "true", True),
    ],
)
def test_spec_and_code_give_the_same_detail(tmp_path: Path, op: str, field: str, toml: str, value: object) -> None:
    required = {"radial_scale": {"regions": ["eyes"], "scale": 1.1}, "region_tint": {"regions": ["lips"], "color": "#aa0000"},
                "whiten": {"regions": ["teeth"]}, "smooth_skin": {}}[op]
    values = {**required, field: value}
    with pytest.raises(OpParamError) as in_code:
        OPS[op](**values)
    lines = [f'op = "{op}"'] + [f"{k} = {toml if k == field else _toml(v)}" for k, v in values.items()]
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "effect.toml").write_text(HEADER + "[[ops]]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EffectSpecError) as in_spec:
        load_effect(folder)
    detail_code = str(in_code.value).split(": ", 2)[2]
    assert in_spec.value.detail == detail_code
    assert in_spec.value.field is not None and in_spec.value.field.startswith(f"ops[0].{field}")


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)
