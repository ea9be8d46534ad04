"""effects.cost_limits: sums of what makes ops costly, checked at load (issue 15, case 7)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_helpers import HEADER, make_effect, write_png  # noqa: E402

from effects.cost_limits import MAX_IMAGE_PIXELS  # noqa: E402
from effects.spec import EffectSpecError, load_effect  # noqa: E402


def _sticker(width_fw: float, image: str = "sticker.png") -> str:
    return f'[[ops]]\nop = "sticker"\nimage = "{image}"\nwidth_fw = {width_fw}\n'


def test_the_built_in_kind_of_effect_loads(tmp_path: Path) -> None:
    spec = load_effect(make_effect(tmp_path / "ok", _sticker(1.2) + '[[ops]]\nop = "particles"\ncount = 28\n'))
    assert [op.op for op in spec.ops] == ["sticker", "particles"]


def test_many_wide_stickers_are_refused(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "wide", _sticker(5.0) * 2)  # 50 face widths squared
    with pytest.raises(EffectSpecError, match=r"effect.toml: ops: expected stickers covering at most 25 face widths "
                                              r"squared \(the sum of width_fw\^2 over all sticker ops\), found 50"):
        load_effect(folder)


def test_particles_limits_count_over_all_ops(tmp_path: Path) -> None:
    ops = '[[ops]]\nop = "particles"\ncount = 300\nsize_iod = 0.1\n' * 4
    with pytest.raises(EffectSpecError, match="expected at most 1000 particles over all particles ops, found 1200"):
        load_effect(make_effect(tmp_path / "many", ops))


def test_image_pixels_count_each_file_once(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "images", "")
    side = 2048  # the largest image allowed; four of them are 16 Mpx
    names = [f"big{i}.png" for i in range(5)]
    for name in names:
        write_png(folder / name, size=side)
    same = "".join(_sticker(0.5, names[0]) for _ in range(5))  # one file named five times: counted once
    (folder / "effect.toml").write_text(HEADER + "\n" + same, encoding="utf-8")
    load_effect(folder)
    different = "".join(_sticker(0.5, n) for n in names)
    (folder / "effect.toml").write_text(HEADER + "\n" + different, encoding="utf-8")
    with pytest.raises(EffectSpecError, match=f"expected image assets of at most {MAX_IMAGE_PIXELS} pixels together, "
                                              f"found {5 * side * side}"):
        load_effect(folder)
