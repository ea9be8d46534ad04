"""Region colour ops: blend-mode kernels against their references, confinement, identity, realism checks."""

from __future__ import annotations

import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face, on_canvas

from effects import backend
from effects.face import FaceTrack
from effects.kernels.blend import MODE_INDEX, MODES, tint_nb, tint_np, whiten_nb, whiten_np
from effects.masks import region_mask
from effects.ops.base import OpContext
from effects.ops.colour import Eyeliner, RegionTint, Whiten, iris_mask
from effects.ops.values import OpParamError

CTX = OpContext()


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    before = backend.current()
    backend.use(request.param)
    yield request.param
    backend.use(before)


def _inputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    src = rng.integers(0, 256, (41, 57, 3), dtype=np.uint8)
    alpha = rng.uniform(0, 1, (41, 57)).astype(np.float32)
    alpha[:, ::4] = 0.0
    alpha[::5] = 1.0
    return src, alpha


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("color", [(0.85, 0.2, 0.3), (0.1, 0.6, 0.9), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)])
def test_tint_kernel_matches_reference(mode: str, color: tuple[float, float, float]) -> None:
    src, alpha = _inputs(MODE_INDEX[mode])
    c = np.asarray(color)
    got = np.empty_like(src)
    ref = np.empty_like(src)
    tint_nb(src, alpha, c, MODE_INDEX[mode], 0.7, got)
    tint_np(src, alpha, c, MODE_INDEX[mode], 0.7, ref)
    assert np.abs(got.astype(int) - ref).max() <= 1
    assert np.array_equal(got[alpha == 0], src[alpha == 0])


def test_tint_kernel_works_in_place_on_a_view() -> None:
    src, alpha = _inputs(9)
    frame = np.zeros((60, 80, 3), np.uint8)
    frame[5:46, 10:67] = src
    view = frame[5:46, 10:67]
    tint_nb(view, alpha, np.array([0.2, 0.4, 0.6]), MODE_INDEX["overlay"], 1.0, view)
    ref = np.empty_like(src)
    tint_np(src, alpha, np.array([0.2, 0.4, 0.6]), MODE_INDEX["overlay"], 1.0, ref)
    assert np.abs(frame[5:46, 10:67].astype(int) - ref).max() <= 1
    assert not frame[:5].any() and not frame[46:].any()


def test_blend_modes_follow_their_formulas() -> None:
    src = np.array([[[128, 64, 255]]], np.uint8)
    one = np.ones((1, 1), np.float32)
    c = np.array([1.0, 0.5, 0.0])
    expected = {
        "normal": [255, 128, 0],
        "multiply": [128, 32, 0],
        "screen": [255, 160, 255],  # 1-(1-s)(1-c)
        "overlay": [255, 64, 255],  # s<.5: 2sc ; s>=.5: 1-2(1-s)(1-c)
    }
    for mode, want in expected.items():
        out = np.empty_like(src)
        tint_nb(src, one, c, MODE_INDEX[mode], 1.0, out)
        assert np.abs(out[0, 0].astype(int) - want).max() <= 1, mode


def test_color_mode_keeps_luminosity() -> None:
    src, _ = _inputs(3)
    one = np.ones(src.shape[:2], np.float32)
    out = np.empty_like(src)
    tint_nb(src, one, np.array([0.8, 0.1, 0.3]), MODE_INDEX["color"], 1.0, out)
    lum = np.array([0.3, 0.59, 0.11])
    assert np.abs(out.astype(float) @ lum - src.astype(float) @ lum).max() <= 1.5


def test_whiten_kernel_matches_reference_and_spares_dark_and_red() -> None:
    src, alpha = _inputs(4)
    got = np.empty_like(src)
    ref = np.empty_like(src)
    whiten_nb(src, alpha, 0.8, got)
    whiten_np(src, alpha, 0.8, ref)
    assert np.abs(got.astype(int) - ref).max() <= 1
    one = np.ones((1, 3), np.float32)
    px = np.array([[[20, 18, 16], [200, 40, 50], [210, 190, 140]]], np.uint8)  # cavity, gum, yellow tooth
    out = np.empty_like(px)
    whiten_nb(px, one, 1.0, out)
    assert out[0, 0].tolist() == px[0, 0].tolist()
    assert np.abs(out[0, 1].astype(int) - px[0, 1]).max() <= 1
    tooth = out[0, 2].astype(int)
    assert tooth.mean() > px[0, 2].mean() + 10 and (tooth[0] - tooth[2]) < (210 - 140) / 2


# --- ops on faces -----------------------------------------------------------------------

OPS = [
    ("lips", lambda: RegionTint(regions=["lips"], color="#b02848", mode="soft_light", opacity=0.8, feather_iod=0.03)),
    ("blush", lambda: RegionTint(regions=["cheeks"], color=(224, 96, 106), mode="soft_light", opacity=0.5,
                                 feather_iod=0.3)),
    ("iris", lambda: RegionTint(regions=["irises"], color=(60, 140, 200), mode="color", opacity=0.6)),
    ("shadow", lambda: RegionTint(regions=["eyelids"], color=(122, 75, 58), mode="multiply", opacity=0.45,
                                  feather_iod=0.08, dilate_iod=-0.02)),
    ("teeth", lambda: Whiten(regions=["teeth"], amount=0.8)),
    ("liner", lambda: Eyeliner()),
]


@pytest.mark.parametrize(("name", "make"), OPS, ids=[n for n, _ in OPS])
@pytest.mark.parametrize("face", ADULT_FACES)
def test_op_backends_agree_on_faces(name: str, make, face: str) -> None:  # type: ignore[no-untyped-def]
    rgb, track = load_face(face)
    backend.use("numpy")
    try:
        ref = make().apply(rgb, [track], CTX)
    finally:
        backend.use("numba")
    got = make().apply(rgb, [track], CTX)
    assert np.abs(got.astype(int) - ref).max() <= 1


@pytest.mark.parametrize(("name", "make"), OPS, ids=[n for n, _ in OPS])
def test_strength_zero_and_no_faces_are_the_identity(name: str, make, kernels: str) -> None:  # type: ignore[no-untyped-def]
    rgb, track = load_face(ADULT_FACES[0])
    op = make()
    op_zero = type(op)(**{**op.values, "strength": 0.0})
    out = op_zero.apply(rgb, [track], CTX)
    assert np.array_equal(out, rgb) and out is not rgb
    assert np.array_equal(op.apply(rgb, [], CTX), rgb)
    assert not np.array_equal(op.apply(rgb, [track], CTX), rgb) or name == "teeth"


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


@pytest.mark.parametrize("face", ADULT_FACES)
def test_tint_is_confined_to_the_feathered_region(face: str, kernels: str) -> None:
    rgb, track = load_face(face)
    iod = track.interocular_px
    for regions, feather, dilate in ((["lips"], 0.03, 0.0), (["cheeks"], 0.3, 0.0), (["eyelids"], 0.08, -0.02)):
        out = RegionTint(regions=regions, color=(200, 30, 60), mode="normal", opacity=1.0,
                         feather_iod=feather, dilate_iod=dilate).apply(rgb, [track], CTX)
        mask = region_mask(rgb.shape, track, regions, feather_px=feather * iod, dilate_px=dilate * iod).full(rgb.shape)
        changed = _changed(out, rgb)
        assert changed.sum() > 50, regions
        assert not np.any(changed & (mask == 0.0)), regions
        assert np.all(changed[mask >= 0.5]), regions  # an opaque tint touches the region's core


def test_iris_tint_stays_inside_the_eye_opening() -> None:
    rgb, track = load_face("nasa_astronaut_eileen_collins")
    out = RegionTint(regions=["irises"], color=(0, 0, 255), mode="normal", opacity=1.0,
                     feather_iod=0.02).apply(rgb, [track], CTX)
    eyes = region_mask(rgb.shape, track, ["eyes"], feather_px=1.0).full(rgb.shape)
    changed = _changed(out, rgb)
    assert changed.sum() > 100
    assert not np.any(changed & (eyes == 0.0))
    roi, alpha = iris_mask(rgb.shape, track, "left_iris", 2.0)
    y0, y1, x0, x1 = roi
    c = track.xy[473]
    assert alpha[int(round(c[1])) - y0, int(round(c[0])) - x0] > 0.9


def test_lip_tint_moves_lip_colour_towards_the_tint() -> None:
    rgb, track = load_face("nasa_astronaut_eileen_collins")
    out = RegionTint(regions=["lips"], color=(200, 20, 70), mode="soft_light", opacity=0.9,
                     feather_iod=0.02).apply(rgb, [track], CTX)
    core = region_mask(rgb.shape, track, ["lips"], feather_px=0.0, dilate_px=-2.0).full(rgb.shape) > 0
    before = rgb[core].astype(float).mean(axis=0)
    after = out[core].astype(float).mean(axis=0)
    assert after[0] - after[1] > before[0] - before[1] + 10  # redder
    assert abs(after.mean() - before.mean()) < 40  # still lit like before, not painted flat


def test_teeth_whitening_brightens_and_removes_yellow() -> None:
    rgb, track = load_face("nasa_astronaut_eileen_collins")  # smiling, teeth visible
    out = Whiten(regions=["teeth"], amount=0.8).apply(rgb, [track], CTX)
    inner = region_mask(rgb.shape, track, ["teeth"], feather_px=0.0, dilate_px=-1.0).full(rgb.shape) > 0
    lum = np.array([0.299, 0.587, 0.114])
    bright = (rgb.astype(float) @ lum > 120) & inner
    assert bright.sum() > 50
    b, a = rgb[bright].astype(float), out[bright].astype(float)
    assert (a @ lum).mean() > (b @ lum).mean() + 8
    yellow = lambda px: ((px[:, 0] + px[:, 1]) / 2 - px[:, 2]).mean()  # noqa: E731
    assert yellow(a) < yellow(b) * 0.6


def test_eyeliner_sits_on_the_upper_lids_of_both_eyes() -> None:
    rgb, track = load_face("usnavy_grace_hopper")
    op = Eyeliner(width_iod=0.03, wing_iod=0.06)
    out = op.apply(rgb, [track], CTX)
    changed = _changed(out, rgb)
    roi, alpha = op.mask(rgb.shape, track)
    full = np.zeros(rgb.shape[:2], np.float32)
    full[roi[0]:roi[1], roi[2]:roi[3]] = alpha
    assert not np.any(changed & (full == 0.0))
    ys, xs = np.nonzero(changed)
    mid_x = (track.xy[33, 0] + track.xy[263, 0]) / 2
    assert (xs < mid_x).sum() > 50 and (xs > mid_x).sum() > 50  # both eyes
    lid_y = track.xy[[159, 386], 1].mean()
    assert np.median(ys) < lid_y + 2  # on or above the upper lid, not below the eye
    assert out[changed].astype(float).mean() < rgb[changed].astype(float).mean()  # dark liner


def test_every_face_in_the_frame_is_coloured() -> None:
    rgb, track = load_face("nasa_astronaut_eileen_collins")
    canvas, t1 = on_canvas(rgb, track)
    shift = np.array([[1.0, 0.0, 420.0], [0.0, 1.0, 0.0]])
    canvas2 = canvas.copy()
    x0 = int(t1.box.x0) - 10
    x1 = int(t1.box.x1) + 10
    canvas2[:, x0 + 420:x1 + 420] = canvas[:, x0:x1]
    t2: FaceTrack = t1.transformed(shift, track_id=1)
    out = RegionTint(regions=["lips"], color=(200, 20, 70), mode="normal", opacity=1.0).apply(canvas2, [t1, t2], CTX)
    changed = _changed(out, canvas2)
    assert changed[:, : x1 + 5].sum() > 100 and changed[:, x0 + 415:].sum() > 100


def test_bad_values_are_refused_with_the_field() -> None:
    with pytest.raises(OpParamError) as err:
        RegionTint(regions=["lips"], color=(300, 0, 0))
    assert str(err.value) == "region_tint: color: expected a colour \"#rrggbb\" or [r, g, b] with integers 0-255, found [300, 0, 0]"
    with pytest.raises(OpParamError) as err:
        RegionTint(regions=["lips"], color="#ff0000", mode="hue")
    assert "region_tint: mode: expected one of \"normal\"" in str(err.value)
    with pytest.raises(OpParamError, match='regions\\[0\\]: unknown landmark region "lipz"'):
        Whiten(regions=["lipz"])
    with pytest.raises(OpParamError, match="missing parameter 'color'"):
        RegionTint(regions=["lips"])
