"""The background and hair_colour ops: kernels against their NumPy references, the person's own
pixels untouched, the dye only in the hair, highlights kept, and the engine's handling of the
person mask (computed once, only when such an op runs, never unchecked)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from library_faces import portrait
from spec_helpers import HEADER, make_effect

from effects import backend
from effects.engine import EffectStack, EffectStackError
from effects.kernels.segment import backdrop_nb, backdrop_np, dye_nb, dye_np
from effects.ops.base import OpContext
from effects.ops.segment import Background, HairColour
from effects.ops.values import OpParamError
from effects.segmentation import PersonMaskError, check_person_mask, hair_region
from effects.spec import EffectSpec, load_effect

SpecMaker = Callable[..., EffectSpec]


@pytest.fixture()
def make_spec(tmp_path: Path) -> SpecMaker:
    """Builds a one-op effect (id ``ident``) from a folder written for it."""
    count = iter(range(1000))

    def build(op_toml: str, ident: str = "seg_test") -> EffectSpec:
        folder = make_effect(tmp_path / f"{ident}{next(count)}", f"[[ops]]\n{op_toml}\n",
                             HEADER.replace('id = "demo"', f'id = "{ident}"'))
        return load_effect(folder)

    return build


class CountingSegmenter:
    """A fake segmenter: the person is the left half of the frame; counts its calls."""

    def __init__(self, value: float | None = None) -> None:
        self.calls = 0
        self.value = value

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        self.calls += 1
        mask = np.zeros(rgb.shape[:2], np.float32)
        mask[:, : rgb.shape[1] // 2] = 1.0
        if self.value is not None:
            mask[0, 0] = self.value
        return mask


@pytest.fixture()
def frame() -> np.ndarray:
    rng = np.random.default_rng(5)
    return rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)


def test_backdrop_kernel_matches_numpy(frame: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    backdrop = rng.integers(0, 256, frame.shape, dtype=np.uint8)
    keep = rng.random(frame.shape[:2]).astype(np.float32)
    keep[::4] = 1.0  # the person: left alone
    keep[1::4] = 0.0  # the far background: the backdrop
    a, b = frame.copy(), frame.copy()
    backdrop_nb(a, backdrop, keep)
    backdrop_np(b, backdrop, keep)
    assert int(np.abs(a.astype(int) - b.astype(int)).max()) <= 1
    assert np.array_equal(a[::4], frame[::4]) and np.array_equal(a[1::4], backdrop[1::4])


def test_dye_kernel_matches_numpy(frame: np.ndarray) -> None:
    rng = np.random.default_rng(2)
    alpha = rng.random(frame.shape[:2]).astype(np.float32)
    alpha[::3] = 0.0
    color = np.array([0.9, 0.2, 0.7])
    a, b = np.empty_like(frame), np.empty_like(frame)
    dye_nb(frame, alpha, color, 0.3, 0.8, a)
    dye_np(frame, alpha, color, 0.3, 0.8, b)
    assert int(np.abs(a.astype(int) - b.astype(int)).max()) <= 1
    assert np.array_equal(a[::3], frame[::3]), "pixels outside the region changed"


def test_dye_keeps_highlights_and_shading() -> None:
    """Strands brighter than the hair's median stay brighter after the dye, and the brightest go
    towards white rather than clipping to the dye colour."""
    luma = np.linspace(20, 250, 24).astype(np.uint8)
    src = np.ascontiguousarray(np.repeat(luma[None, :, None], 3, axis=2))
    alpha = np.ones(src.shape[:2], np.float32)
    out = np.empty_like(src)
    dye_np(src, alpha, np.array([0.2, 0.3, 0.9]), 60 / 255, 1.0, out)
    out_luma = out.astype(float) @ [0.3, 0.59, 0.11]
    assert np.all(np.diff(out_luma[0]) >= -0.5), "the dye flattened or inverted the hair's shading"
    assert out[0, -1].min() > 200, f"the brightest highlight lost its shine: {out[0, -1]}"


def test_background_leaves_the_person_untouched(frame: np.ndarray, make_spec: SpecMaker) -> None:
    seg = CountingSegmenter()
    for toml in ('op = "background"\nmode = "colour"\ncolor = [0, 255, 0]\nfeather = 0.0',
                 'op = "background"\nmode = "blur"\nblur = 1.0\nfeather = 0.0'):
        out = EffectStack([make_spec(toml)], segmenter=seg).apply(frame, ())
        assert np.array_equal(out[:, :40], frame[:, :40]), "the person's pixels changed"
        assert np.mean(np.any(out[:, 41:] != frame[:, 41:], axis=2)) > 0.9, "the background did not change"
    colour = EffectStack([make_spec('op = "background"\nmode = "colour"\ncolor = [0, 255, 0]\nfeather = 0.0')],
                         segmenter=seg).apply(frame, ())
    assert np.all(colour[:, 41:] == [0, 255, 0])


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_a_720p_background_keeps_the_person_and_replaces_the_far_background(kernels: str) -> None:
    """At 720p the edge is feathered at half size and the blur worked out at a quarter: the
    person well inside the mask stays exact, the background far from it is all backdrop."""
    rng = np.random.default_rng(8)
    rgb = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    yy, xx = np.mgrid[:720, :1280]
    radius = np.hypot(yy - 400.0, xx - 640.0)
    person = np.clip((300.0 - radius) / 12.0, 0.0, 1.0).astype(np.float32)  # a disc, a soft 12 px rim
    previous = backend.current()
    try:
        backend.use(kernels)
        out = Background(mode="colour", color=(0, 255, 0)).apply(rgb, [], OpContext(person_mask=person))
        blurred = Background(mode="blur", blur=1.0).apply(rgb, [], OpContext(person_mask=person))
    finally:
        backend.use(previous)
    inside, outside = radius < 280.0, radius > 320.0
    assert np.array_equal(out[inside], rgb[inside]) and np.array_equal(blurred[inside], rgb[inside])
    assert np.all(out[outside] == [0, 255, 0])
    assert float(blurred[outside].astype(float).std()) < 0.2 * float(rgb[outside].astype(float).std()), \
        "the far background is not blurred"
    rim = (radius > 290.0) & (radius < 300.0)
    assert np.all(out[rim][:, 1] >= np.minimum(rgb[rim][:, 1], 255)), "the rim is not a blend towards the backdrop"


def test_background_blur_does_not_smear_the_person_into_the_background(make_spec: SpecMaker) -> None:
    rgb = np.zeros((60, 80, 3), np.uint8)
    rgb[:, :40] = 255  # a white person on a black background
    out = EffectStack([make_spec('op = "background"\nmode = "blur"\nblur = 1.0\nfeather = 0.0')],
                      segmenter=CountingSegmenter()).apply(rgb, ())
    assert int(out[:, 42:].max()) <= 2, "the blurred background took the person's colour"


def test_numba_and_numpy_render_the_ops_alike() -> None:
    rgb, track = portrait("us_congress_S000480")
    person = np.zeros(rgb.shape[:2], np.float32)
    person[20:, 10:215] = 1.0
    ctx = OpContext(person_mask=person)
    ops = [Background(mode="blur", blur=0.7), Background(mode="colour", color=(10, 40, 200), feather=0.01),
           HairColour(color=(140, 70, 40), opacity=0.8)]
    previous = backend.current()
    try:
        for op in ops:
            backend.use("numba")
            a = op.apply(rgb, [track], ctx)
            backend.use("numpy")
            b = op.apply(rgb, [track], ctx)
            assert int(np.abs(a.astype(int) - b.astype(int)).max()) <= 1, op.name
    finally:
        backend.use(previous)


def test_hair_colour_changes_only_the_hair_region() -> None:
    rgb, track = portrait("us_congress_S000480")
    person = np.ones(rgb.shape[:2], np.float32)
    out = HairColour(color=(255, 0, 200), opacity=1.0, feather=0.0).apply(rgb, [track], OpContext(person_mask=person))
    region = hair_region(person, track, rgb)
    changed = np.any(out != rgb, axis=2)
    assert changed.any()
    assert not np.any(changed & (region == 0.0)), "pixels outside the hair region changed"
    face = np.zeros_like(changed)
    box = track.box
    face[int(box.y0 + 0.35 * box.height):int(box.y1), int(box.x0):int(box.x1)] = True
    assert changed[face].mean() < 0.02, "the dye reached the face"


def test_ops_without_a_mask_or_segmenter_are_refused(frame: np.ndarray, make_spec: SpecMaker) -> None:
    with pytest.raises(OpParamError, match="person mask"):
        Background(mode="blur").apply(frame, [], OpContext())
    with pytest.raises(EffectStackError, match="person segmenter"):
        EffectStack([make_spec('op = "hair_colour"\ncolor = "#ff00ff"')])
    with pytest.raises(OpParamError, match="image"):
        Background(mode="image")


def test_the_mask_is_computed_once_and_only_when_needed(frame: np.ndarray, make_spec: SpecMaker) -> None:
    seg = CountingSegmenter()
    two = [make_spec('op = "background"\nmode = "blur"', "a"), make_spec('op = "hair_colour"\ncolor = "#ff00ff"', "b")]
    EffectStack(two, segmenter=seg).apply(frame, ())
    assert seg.calls == 1
    plain = EffectStack([make_spec('op = "posterize"')], segmenter=seg)
    plain.apply(frame, ())
    assert seg.calls == 1 and not plain.needs_person_mask
    timings: dict[str, float] = {}
    EffectStack(two, segmenter=seg).apply(frame, (), timings_ms=timings)
    assert "person_mask" in timings and "background" in timings


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1.5, -0.1])
def test_a_bad_mask_never_reaches_an_op(frame: np.ndarray, bad: float, make_spec: SpecMaker) -> None:
    stack = EffectStack([make_spec('op = "background"\nmode = "blur"')], segmenter=CountingSegmenter(bad))
    with pytest.raises(EffectStackError, match="unusable mask"):
        stack.apply(frame, ())
    with pytest.raises(PersonMaskError):
        check_person_mask(np.full((4, 4), bad, np.float32), (4, 4, 3))
    with pytest.raises(PersonMaskError, match="expected a"):
        check_person_mask(np.zeros((3, 4), np.float32), (4, 4, 3))
