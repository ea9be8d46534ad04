"""effects.engine: ordered application of the ops of one or more effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spec_helpers import HEADER, FakeSticker, fake_ops, make_effect  # noqa: F401

from effects.ops.values import FrameError
from effects.engine import EffectStack, EffectStackError, build_stack
from effects.ops.base import OPS, Op, OpContext, Param
from effects.spec import EffectSpec, load_effect

pytestmark = pytest.mark.usefixtures("fake_ops")

STICKER = '[[ops]]\nop = "fake_sticker"\nimage = "sticker.png"\n'


def _spec(folder: Path, effect_id: str, ops: str) -> EffectSpec:
    return load_effect(make_effect(folder, ops, header=HEADER.replace('id = "demo"', f'id = "{effect_id}"')))


def _frame() -> np.ndarray:
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[...] = 100
    return rgb


def test_ops_run_in_order_with_each_effect_asset_root(tmp_path: Path) -> None:
    a = _spec(tmp_path / "a", "a", '[[ops]]\nop = "fake_warp"\nscale = 2\n\n' + STICKER)
    b = _spec(tmp_path / "b", "b", STICKER + '\n[[ops]]\nop = "fake_warp"\nscale = 3\nstrength = 0.5\n')
    stack = build_stack([a, b])
    assert stack.ids == ("a", "b") and len(stack) == 2
    rgb = _frame()
    out = stack.apply(rgb, (), OpContext(frame_index=7, timestamp_ms=233, seed=5))
    # a adds 2, paints (0,0) white; b paints (0,0) again then adds round(3*0.5)=2 (clipped at 255).
    assert out[0, 0].tolist() == [255, 255, 255]
    assert out[1, 1].tolist() == [104, 104, 104]
    assert rgb[1, 1].tolist() == [100, 100, 100]  # the input is untouched
    roots = [ctx.asset_root for ctx in FakeSticker.seen]
    assert roots == [tmp_path / "a", tmp_path / "b"]
    assert all((c.frame_index, c.timestamp_ms, c.seed) == (7, 233, 5) for c in FakeSticker.seen)


def test_strength_zero_is_identity(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "a", "a", '[[ops]]\nop = "fake_warp"\nscale = 3\nstrength = 0\n')
    rgb = _frame()
    out = build_stack([spec]).apply(rgb)
    assert np.array_equal(out, rgb) and out is not rgb


def test_empty_stack_returns_a_copy() -> None:
    rgb = _frame()
    out = EffectStack([]).apply(rgb)
    assert np.array_equal(out, rgb) and out is not rgb


def test_same_effect_twice_is_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "a", "a", STICKER)
    with pytest.raises(EffectStackError, match=r"expected each effect once in a stack, found \['a', 'a'\]"):
        build_stack([spec, spec])


@pytest.mark.parametrize(
    ("rgb", "found"),
    [
        (np.zeros((4, 5), np.uint8), "(4, 5) uint8"),
        (np.zeros((4, 5, 3), np.float32), "(4, 5, 3) float32"),
        ([[1, 2, 3]], "list"),
    ],
)
def test_bad_frame(tmp_path: Path, rgb: object, found: str) -> None:
    stack = build_stack([_spec(tmp_path / "a", "a", STICKER)])
    with pytest.raises(FrameError) as info:
        stack.apply(rgb)  # type: ignore[arg-type]
    assert str(info.value) == f"rgb: expected an (H, W, 3) uint8 array, found {found}"


def test_bad_tracks(tmp_path: Path) -> None:
    stack = build_stack([_spec(tmp_path / "a", "a", STICKER)])
    with pytest.raises(EffectStackError, match=r"^tracks\[0\]: expected a FaceTrack, found ndarray$"):
        stack.apply(_frame(), [np.zeros((478, 3), np.float32)])  # type: ignore[list-item]


def test_every_op_changes_one_working_copy_of_the_input(tmp_path: Path) -> None:
    """No copy per op: the ops of all effects get the same buffer, which is not the caller's
    array, and the stack returns that buffer."""
    seen: list[np.ndarray] = []

    class Record(Op):
        name = "record"
        params = (Param("strength", "float", 1.0, 0.0, 1.0),)

        def apply_into(self, frame, tracks, ctx):  # type: ignore[no-untyped-def]
            seen.append(frame)
            frame[0, 0, 0] += 1

    OPS["record"] = Record  # removed again when the fake_ops fixture ends
    a = _spec(tmp_path / "a", "a", '[[ops]]\nop = "record"\n\n[[ops]]\nop = "record"\n')
    b = _spec(tmp_path / "b", "b", '[[ops]]\nop = "record"\n')
    rgb = _frame()
    rgb.flags.writeable = False  # as the pipeline hands frames over
    out = build_stack([a, b]).apply(rgb)
    assert len(seen) == 3 and all(f is seen[0] for f in seen) and seen[0] is out
    assert not np.shares_memory(out, rgb) and out.flags.c_contiguous and out.flags.writeable
    assert out[0, 0, 0] == 103 and rgb[0, 0, 0] == 100


def test_consecutive_warps_run_as_one_warp_even_across_effects(tmp_path: Path) -> None:
    from landmark_faces import ADULT_FACES, load_face

    from effects.ops.warp import ContourPush, RadialScale, apply_warps

    OPS["radial_scale"], OPS["contour_push"] = RadialScale, ContourPush
    eyes = '[[ops]]\nop = "radial_scale"\nregions = ["left_eye", "right_eye"]\nscale = 1.3\n'
    jaw = '[[ops]]\nop = "contour_push"\ntarget = "jaw"\namount = 0.1\n'
    a = _spec(tmp_path / "a", "a", eyes)
    b = _spec(tmp_path / "b", "b", jaw + '\n[[ops]]\nop = "fake_warp"\nscale = 2\n')
    rgb, track = load_face(ADULT_FACES[2])
    out = build_stack([a, b]).apply(rgb, [track])
    one_pass = rgb.copy()
    apply_warps(one_pass, [track], [a.ops[0].build(), b.ops[0].build()])  # type: ignore[list-item]
    expected = np.clip(one_pass.astype(np.int16) + 2, 0, 255).astype(np.uint8)
    assert np.array_equal(out, expected)
    two_passes = b.ops[0].build().apply(a.ops[0].build().apply(rgb, [track], OpContext()), [track], OpContext())
    assert not np.array_equal(one_pass, two_passes)  # so the test can tell one pass from two
