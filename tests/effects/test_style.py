"""Whole-frame style ops: posterize + ink, film grain, vignette."""

from __future__ import annotations

import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face

from effects import backend
from effects.kernels.grain import frame_key, grain_nb, grain_np, lattice_nb, lattice_np, lattice_shape
from effects.kernels.posterize import level_table, posterize_nb, posterize_np
from effects.kernels.vignette import gain_map_nb, gain_np, gain_rows, vignette_nb, vignette_np
from effects.ops.base import OpContext
from effects.ops.style import FilmGrain, Posterize, Vignette


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    before = backend.current()
    backend.use(request.param)
    yield request.param
    backend.use(before)


def _face() -> np.ndarray:
    return load_face(ADULT_FACES[1])[0]


# --- posterize --------------------------------------------------------------------------

@pytest.mark.parametrize(("levels", "edges", "strength"), [(2, False, 1.0), (5, True, 1.0), (8, True, 0.6)])
def test_posterize_kernel_matches_reference(levels: int, edges: bool, strength: float) -> None:
    rgb = _face()
    table = level_table(levels)
    ink = np.array([20.0, 10.0, 30.0])
    got = np.empty_like(rgb)
    ref = np.empty_like(rgb)
    posterize_nb(rgb, table, edges, 0.05, 0.08, ink, strength, got)
    posterize_np(rgb, table, edges, 0.05, 0.08, ink, strength, ref)
    assert np.abs(got.astype(int) - ref).max() <= 1


def test_posterize_flattens_a_grey_ramp_into_levels(kernels: str) -> None:
    ramp = np.repeat(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 20, axis=0), 3, axis=2)
    out = Posterize(levels=4, edges=False).apply(ramp, [], OpContext())
    assert set(np.unique(out[10])) <= {0, 85, 170, 255}
    assert len(np.unique(out[10])) == 4


def test_posterize_inks_strong_edges_only(kernels: str) -> None:
    img = np.full((40, 60, 3), 200, np.uint8)
    img[:, 30:] = 40
    out = Posterize(levels=5, edges=True, edge_threshold=0.05, ink_color="#000000").apply(img, [], OpContext())
    assert out[20, 29:31].max() < 40  # dark ink on the step
    assert np.all(out[:, :25] == out[0, 0]) and np.all(out[:, 36:] == out[0, 59])  # flat away from it


def test_posterize_strength_zero_is_identity(kernels: str) -> None:
    rgb = _face()
    out = Posterize(strength=0.0).apply(rgb, [], OpContext())
    assert np.array_equal(out, rgb) and out is not rgb


# --- film grain -------------------------------------------------------------------------

def test_grain_kernels_match_references() -> None:
    rgb = _face()
    for cell in (1.0, 1.5, 3.7):
        shape = lattice_shape(*rgb.shape[:2], cell)
        a = np.empty(shape, np.float32)
        b = np.empty(shape, np.float32)
        lattice_nb(frame_key(3, 17), a)
        lattice_np(frame_key(3, 17), b)
        assert np.array_equal(a, b)
        got = np.empty_like(rgb)
        ref = np.empty_like(rgb)
        grain_nb(rgb, a, 1.0 / cell, 9.0, got)
        grain_np(rgb, a, 1.0 / cell, 9.0, ref)
        assert np.abs(got.astype(int) - ref).max() <= 1


def test_grain_is_deterministic_per_seed_and_frame(kernels: str) -> None:
    rgb = _face()
    op = FilmGrain(amount=0.4, seed=11)
    a = op.apply(rgb, [], OpContext(frame_index=5))
    assert np.array_equal(a, FilmGrain(amount=0.4, seed=11).apply(rgb, [], OpContext(frame_index=5)))
    assert not np.array_equal(a, op.apply(rgb, [], OpContext(frame_index=6)))
    assert not np.array_equal(a, FilmGrain(amount=0.4, seed=12).apply(rgb, [], OpContext(frame_index=5)))


def test_grain_is_unbiased_monochrome_noise_of_the_stated_size(kernels: str) -> None:
    grey = np.full((200, 300, 3), 128, np.uint8)
    out = FilmGrain(amount=0.5, size_px=1.0).apply(grey, [], OpContext()).astype(float)
    delta = out - 128.0
    assert abs(delta.mean()) < 0.3
    assert 13.0 < delta[..., 0].std() < 17.0  # 0.5 * 30 levels at mid-grey
    assert np.array_equal(out[..., 0], out[..., 2])  # same offset on every channel


def test_grain_strength_zero_is_identity(kernels: str) -> None:
    rgb = _face()
    assert np.array_equal(FilmGrain(strength=0.0).apply(rgb, [], OpContext(frame_index=3)), rgb)


# --- vignette ---------------------------------------------------------------------------

def test_vignette_kernel_matches_reference() -> None:
    rgb = _face()
    h, w = rgb.shape[:2]
    for depth, radius, softness in ((0.5, 0.45, 0.6), (1.0, 0.0, 0.3), (0.3, 1.2, 0.5)):
        gain = np.empty((gain_rows(h), w * 3), np.uint16)
        gain_map_nb(depth, radius, softness, gain, h)
        got = np.empty_like(rgb)
        ref = np.empty_like(rgb)
        vignette_nb(rgb, gain, got)
        vignette_np(rgb, depth, radius, softness, ref)
        assert np.abs(got.astype(int) - ref).max() <= 1


def test_vignette_darkens_corners_and_keeps_the_centre(kernels: str) -> None:
    white = np.full((101, 161, 3), 200, np.uint8)
    out = Vignette(amount=0.5, radius=0.4, softness=0.5).apply(white, [], OpContext())
    assert np.array_equal(out[40:61, 60:101], white[40:61, 60:101])
    assert out[0, 0, 0] == 100 and out[100, 160, 0] == 100
    assert np.array_equal(out, out[::-1]) and np.array_equal(out, out[:, ::-1])  # symmetric
    g = gain_np(101, 161, 0.5, 0.4, 0.5)
    assert np.all(np.diff(g[50, 80:]) <= 0)  # darker towards the edge


def test_vignette_strength_zero_is_identity(kernels: str) -> None:
    rgb = _face()
    assert np.array_equal(Vignette(strength=0.0).apply(rgb, [], OpContext()), rgb)


def test_vignette_gain_map_follows_the_frame_size() -> None:
    op = Vignette()
    a = op.apply(np.full((50, 80, 3), 255, np.uint8), [], OpContext())
    b = op.apply(np.full((80, 50, 3), 255, np.uint8), [], OpContext())
    assert a.shape == (50, 80, 3) and b.shape == (80, 50, 3)
    assert np.array_equal(a.transpose(1, 0, 2)[:, :, 0], b[:, :, 0]) or np.abs(
        a.transpose(1, 0, 2).astype(int) - b).max() <= 1
