"""3D LUTs: the strict .cube reader, the tetrahedral kernel against its reference, and the lut op."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from effects import backend
from effects.asset_files import AssetPathError
from effects.kernels.lut3d import lut_nb, lut_np, prepare_lut
from effects.lut_io import CubeError, identity_cube_text, parse_cube, read_cube
from effects.lut_presets import PRESET_NAMES, LutPresetError, identity_table, preset_table
from effects.masks import region_mask
from effects.ops.base import OpContext
from effects.ops.lut import Lut
from effects.ops.values import OpParamError
from landmark_faces import ADULT_FACES, load_face

NO_ALPHA = np.zeros((1, 1), np.float32)


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    before = backend.current()
    backend.use(request.param)
    yield request.param
    backend.use(before)


def _random_image(seed: int, h: int = 37, w: int = 53) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _run_nb(src: np.ndarray, table: np.ndarray, dmin: tuple, dmax: tuple, alpha: np.ndarray | None,
            strength: float) -> np.ndarray:
    p = prepare_lut(table, dmin, dmax)
    out = np.empty_like(src)
    lut_nb(src, p.packed, p.size, p.slope, p.offset, NO_ALPHA if alpha is None else alpha, alpha is not None,
           strength, out)
    return out


def _run_np(src: np.ndarray, table: np.ndarray, dmin: tuple, dmax: tuple, alpha: np.ndarray | None,
            strength: float) -> np.ndarray:
    out = np.empty_like(src)
    lut_np(src, table, dmin, dmax, alpha, strength, out)
    return out


# --- the .cube reader -------------------------------------------------------------------

def test_an_identity_cube_parses_with_title_domain_and_comments() -> None:
    text = "# made by hand\n\n" + identity_cube_text(3, title="id 3").replace(
        "LUT_3D_SIZE 3", "LUT_3D_SIZE 3\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\n# the table")
    lut = parse_cube(text, "id.cube")
    assert lut.title == "id 3" and lut.size == 3
    assert lut.domain_min == (0.0, 0.0, 0.0) and lut.domain_max == (1.0, 1.0, 1.0)
    np.testing.assert_allclose(lut.table, identity_table(3), atol=1e-6)


def test_red_changes_fastest_in_the_data_lines() -> None:
    # a LUT whose output is (g, b, r): the table must come back indexed [r, g, b]
    lines = ["LUT_3D_SIZE 2"]
    for b in (0, 1):
        for g in (0, 1):
            for r in (0, 1):
                lines.append(f"{g} {b} {r}")
    lut = parse_cube("\n".join(lines), "swap.cube")
    assert lut.table[1, 0, 0].tolist() == [0.0, 0.0, 1.0]  # pure red in -> blue out
    assert lut.table[0, 1, 0].tolist() == [1.0, 0.0, 0.0]
    assert lut.table[0, 0, 1].tolist() == [0.0, 1.0, 0.0]


def test_input_range_keyword_sets_the_domain() -> None:
    lut = parse_cube("LUT_3D_INPUT_RANGE 0.0 2.0\n" + identity_cube_text(2).split("\n", 1)[1], "r.cube")
    assert lut.domain_max == (2.0, 2.0, 2.0)


def _cube(*lines: str) -> str:
    return "\n".join(lines) + "\n"


EIGHT = tuple(f"{r} {g} {b}" for b in (0, 1) for g in (0, 1) for r in (0, 1))

MALFORMED = [
    (_cube('TITLE "x"', "# no table"), "bad.cube: expected a LUT_3D_SIZE line, found none"),
    (_cube("LUT_3D_SIZE 65"), "bad.cube:1: expected LUT_3D_SIZE in 2..64, found 65"),
    (_cube("LUT_3D_SIZE 1", "0 0 0"), "bad.cube:1: expected LUT_3D_SIZE in 2..64, found 1"),
    (_cube("LUT_3D_SIZE two"), "bad.cube:1: expected LUT_3D_SIZE followed by one integer, found 'two'"),
    (_cube("LUT_1D_SIZE 4", "0 0 0"),
     "bad.cube:1: expected a 3D LUT (LUT_3D_SIZE), found LUT_1D_SIZE: 1D LUTs are not supported"),
    (_cube("LUT_3D_SIZE 2", *EIGHT[:7]), "bad.cube:2: expected 8 data lines for LUT_3D_SIZE 2, found 7"),
    (_cube("LUT_3D_SIZE 2", *EIGHT, "1 1 1"), "bad.cube:2: expected 8 data lines for LUT_3D_SIZE 2, found 9"),
    (_cube("LUT_3D_SIZE 2", "0 0 0", "1 abc 0", *EIGHT[2:]),
     "bad.cube:3: expected a number on the data line, found 'abc'"),
    (_cube("LUT_3D_SIZE 2", "0 0", *EIGHT[1:]), "bad.cube:2: expected 3 numbers on the data line, found 2: '0 0'"),
    (_cube("LUT_3D_SIZE 2", "0 0 1e999", *EIGHT[1:]),
     "bad.cube:2: expected a finite number on the data line, found '1e999'"),
    (_cube("LUT_SIZE 2"),
     "bad.cube:1: expected a keyword (TITLE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, LUT_3D_INPUT_RANGE) "
     "or a data line, found 'LUT_SIZE'"),
    (_cube("LUT_3D_SIZE 2", *EIGHT[:4], 'TITLE "late"', *EIGHT[4:]),
     "bad.cube:6: expected only data lines after the table starts, found keyword 'TITLE'"),
    (_cube("LUT_3D_SIZE 2", "LUT_3D_SIZE 2", *EIGHT),
     "bad.cube:2: expected LUT_3D_SIZE once, found it again (first on line 1)"),
    (_cube("TITLE untitled", "LUT_3D_SIZE 2", *EIGHT),
     "bad.cube:1: expected TITLE \"text\" in double quotes, found 'untitled'"),
    (_cube("0 0 0", "LUT_3D_SIZE 2"), "bad.cube:1: expected LUT_3D_SIZE before the table, found a data line"),
    (_cube("LUT_3D_SIZE 2", "DOMAIN_MIN 0 0 0", "DOMAIN_MAX 1 0 1", *EIGHT),
     "bad.cube:3: expected DOMAIN_MIN < DOMAIN_MAX on every channel, found (0.0, 0.0, 0.0) and (1.0, 0.0, 1.0)"),
    (_cube("LUT_3D_SIZE 2", "DOMAIN_MIN 0 0", *EIGHT),
     "bad.cube:2: expected 3 numbers on the DOMAIN_MIN, found 2: '0 0'"),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_cube_files_are_refused_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.cube"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CubeError) as err:
        read_cube(path)
    assert str(err.value) == message.replace("bad.cube", str(path), 1)


def test_non_utf8_cube_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.cube"
    path.write_bytes(b'TITLE "ok"\nLUT_3D_SIZE 2\n# caf\xe9\n')
    with pytest.raises(CubeError) as err:
        read_cube(path)
    assert str(err.value) == f"{path}:3: expected UTF-8 text, found undecodable bytes"


# --- the kernel -------------------------------------------------------------------------

@pytest.mark.parametrize("size", [2, 5, 17, 33])
def test_kernel_matches_reference_on_random_luts(size: int) -> None:
    rng = np.random.default_rng(size)
    table = rng.uniform(-0.1, 1.1, (size, size, size, 3)).astype(np.float32)  # clipped like real LUTs
    src = _random_image(size)
    dmin, dmax = (0.05, 0.0, 0.1), (0.9, 1.0, 1.0)
    alpha = rng.uniform(0, 1, src.shape[:2]).astype(np.float32)
    alpha[::3] = 0.0
    for a, strength in ((None, 1.0), (None, 0.37), (alpha, 0.8)):
        got = _run_nb(src, table, dmin, dmax, a, strength)
        ref = _run_np(src, table, dmin, dmax, a, strength)
        assert np.abs(got.astype(int) - ref).max() <= 1
    masked = _run_nb(src, table, dmin, dmax, alpha, 0.8)
    assert np.array_equal(masked[alpha == 0], src[alpha == 0])


def test_kernel_interpolates_between_grid_points() -> None:
    # a 2-point LUT that inverts: tetrahedral interpolation of a linear map is exact
    table = 1.0 - identity_table(2)
    src = _random_image(3)
    for run in (_run_nb, _run_np):
        out = run(src, table, (0, 0, 0), (1, 1, 1), None, 1.0)
        assert np.abs(out.astype(int) - (255 - src.astype(int))).max() <= 1


@pytest.mark.parametrize("size", [2, 17, 33, 64])
def test_an_identity_cube_file_leaves_the_picture_unchanged(tmp_path: Path, kernels: str, size: int) -> None:
    (tmp_path / "id.cube").write_text(identity_cube_text(size), encoding="utf-8")
    rgb, track = load_face(ADULT_FACES[0])
    out = Lut(file="id.cube").apply(rgb, [track], OpContext(asset_root=tmp_path))
    assert np.abs(out.astype(int) - rgb).max() <= 1


# --- the op -----------------------------------------------------------------------------

def test_presets_are_valid_tables_that_change_colours() -> None:
    src = _random_image(11, 64, 64)
    for name in PRESET_NAMES:
        table = preset_table(name)
        assert table.shape == (17, 17, 17, 3) and table.min() >= 0.0 and table.max() <= 1.0
        out = Lut(preset=name).apply(src, [], OpContext())
        assert np.abs(out.astype(int) - src).mean() > 2.0, name
    with pytest.raises(LutPresetError, match="unknown LUT preset 'noir'"):
        preset_table("noir")


def test_sepia_makes_a_warm_monochrome() -> None:
    src = _random_image(5, 40, 40)
    out = Lut(preset="sepia").apply(src, [], OpContext()).astype(int)
    assert np.all(out[..., 0] >= out[..., 1] - 1) and np.all(out[..., 1] >= out[..., 2] - 1)


def test_strength_zero_is_the_identity(kernels: str) -> None:
    rgb, track = load_face(ADULT_FACES[1])
    for scope in ("frame", "face"):
        out = Lut(preset="vintage", scope=scope, strength=0.0).apply(rgb, [track], OpContext())
        assert np.array_equal(out, rgb) and out is not rgb


def test_op_backends_agree(kernels: str) -> None:
    rgb, track = load_face(ADULT_FACES[2])
    out = Lut(preset="tan", scope="face", strength=0.7).apply(rgb, [track], OpContext())
    backend.use("numpy" if kernels == "numba" else "numba")
    other = Lut(preset="tan", scope="face", strength=0.7).apply(rgb, [track], OpContext())
    assert np.abs(out.astype(int) - other).max() <= 1


def test_face_scope_changes_only_the_feathered_face(kernels: str) -> None:
    rgb, track = load_face(ADULT_FACES[0])
    op = Lut(preset="vintage", scope="face", feather_iod=0.3)
    out = op.apply(rgb, [track], OpContext())
    mask = region_mask(rgb.shape, track, ["face"], feather_px=0.3 * track.interocular_px).full(rgb.shape)
    changed = np.any(out != rgb, axis=2)
    assert changed.sum() > 1000
    assert not np.any(changed & (mask == 0.0))
    assert np.array_equal(Lut(preset="vintage", scope="face").apply(rgb, [], OpContext()), rgb)


def test_a_file_outside_the_effect_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "id.cube").write_text(identity_cube_text(2), encoding="utf-8")
    root = tmp_path / "fx"
    root.mkdir()
    with pytest.raises(AssetPathError, match="found '..' in '../id.cube'"):
        Lut(file="../id.cube").apply(_random_image(1), [], OpContext(asset_root=root))


def test_file_and_preset_are_exclusive() -> None:
    with pytest.raises(OpParamError) as err:
        Lut(file="a.cube", preset="warm")
    assert str(err.value) == 'lut: expected exactly one of "file" or "preset", found both'
    with pytest.raises(OpParamError) as err:
        Lut()
    assert str(err.value) == 'lut: expected exactly one of "file" or "preset", found neither'
    with pytest.raises(OpParamError) as err:
        Lut(preset="warm", scope="body")
    assert str(err.value) == "lut: scope: expected one of \"frame\", \"face\", found \"body\""
