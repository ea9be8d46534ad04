"""smooth_skin: kernel vs reference, identity, confinement to the skin mask, edge keeping, detail, bad params."""

from __future__ import annotations

import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face, on_canvas, resized

from effects import backend
from effects.face import FaceTrack
from effects.kernels import smooth as k
from effects.masks import region_mask
from effects.ops.base import OpContext
from effects.ops.values import FrameError, OpParamError
from effects.ops.smooth import EPS, ERODE_IOD, FEATHER_IOD, MIN_LOW_RADIUS, SmoothSkin, filter_geometry
from effects.regions import LEFT_EYE, LIPS_OUTER

CTX = OpContext()


@pytest.fixture(scope="module", params=ADULT_FACES)
def face(request: pytest.FixtureRequest) -> tuple[np.ndarray, FaceTrack]:
    return on_canvas(*load_face(request.param))


@pytest.fixture(scope="module")
def small_face() -> tuple[np.ndarray, FaceTrack]:
    return load_face(ADULT_FACES[1])


@pytest.mark.parametrize("settings", [(0.08, 0.3, 0.8), (0.2, 0.0, 1.0), (0.02, 1.0, 1.0)])
def test_numba_kernel_matches_numpy_reference(face: tuple[np.ndarray, FaceTrack], settings: tuple[float, ...]) -> None:
    rgb, track = face
    radius, detail, strength = settings
    op = SmoothSkin(radius_iod=radius, detail=detail, strength=strength)
    try:
        backend.use("numpy")
        ref = op.apply(rgb, [track], CTX)
    finally:
        backend.use("numba")
    fast = op.apply(rgb, [track], CTX)
    assert np.abs(ref.astype(int) - fast).max() <= 1
    assert np.count_nonzero(ref != rgb) > 5000


def test_box_mean_kernel_matches_reference() -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (23, 31, 6))
    for r in (1, 3, 12, 40):
        out = np.empty_like(a)
        k._box_mean_nb(a, r, out, np.empty(a.size + a.size // 6))
        np.testing.assert_allclose(out, k._box_mean_np(a, r), atol=1e-9)
    # Interior windows are plain means.
    out = np.empty_like(a)
    k._box_mean_nb(a, 2, out, np.empty(a.size + a.size // 6))
    assert out[10, 10, 4] == pytest.approx(a[8:13, 8:13, 4].mean())


def test_strength_zero_and_no_faces_are_identity(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    for out in (
        SmoothSkin(strength=0.0).apply(rgb, [track], CTX),
        SmoothSkin().apply(rgb, [], CTX),
    ):
        assert out is not rgb and np.array_equal(out, rgb)


def test_only_the_skin_mask_changes(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    before = rgb.copy()
    out = SmoothSkin(radius_iod=0.15, detail=0.0).apply(rgb, [track], CTX)
    assert np.array_equal(rgb, before)  # the input is not written
    iod = track.interocular_px
    mask = region_mask(rgb.shape, track, ["skin"], FEATHER_IOD * iod, -ERODE_IOD * iod).full(rgb.shape)
    changed = np.any(out != rgb, axis=2)
    assert changed.sum() > 0.5 * np.count_nonzero(mask > 0.5)
    assert not np.any(changed & (mask == 0))
    # The eyes and the lips (outside the skin region) are untouched.
    for poly in (LEFT_EYE, LIPS_OUTER):
        cx, cy = track.xy[list(poly)].mean(axis=0)
        assert not changed[int(cy) - 2 : int(cy) + 3, int(cx) - 2 : int(cx) + 3].any()


def _skin_patch(track: FaceTrack) -> tuple[slice, slice]:
    """A patch of cheek: between the left eye and the left mouth corner."""
    ex, ey = track.xy[list(LEFT_EYE)].mean(axis=0)
    mx, my = track.xy[291]
    cx, cy = (ex + mx) / 2 + 0.1 * track.interocular_px, (ey + my) / 2
    half = int(0.08 * track.interocular_px)
    return slice(int(cy) - half, int(cy) + half), slice(int(cx) - half, int(cx) + half)


def _flat_skin(track: FaceTrack, shape: tuple[int, ...], feature_grey: int = 40) -> np.ndarray:
    """A synthetic face: flat skin colour over the face oval, dark eyes, brows and lips."""
    img = np.full(shape, 96, np.uint8)
    face = region_mask(shape, track, ["face"], 0).full(shape) > 0
    img[face] = (200, 160, 140)
    features = region_mask(shape, track, ["eyes", "brows", "mouth"], 0).full(shape) > 0
    img[features] = feature_grey
    return img


def test_smooths_skin_texture_and_detail_brings_pores_back() -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[0]))
    rng = np.random.default_rng(7)
    flat = _flat_skin(track, rgb.shape)
    noisy = np.clip(flat.astype(int) + rng.normal(0, 8, rgb.shape).round(), 0, 255).astype(np.uint8)
    ys, xs = _skin_patch(track)

    def texture(img: np.ndarray) -> float:
        g = img[ys, xs].astype(float).mean(axis=2)
        return float(np.abs(np.diff(g, axis=1)).mean())

    smooth = SmoothSkin(radius_iod=0.1, detail=0.0).apply(noisy, [track], CTX)
    pores = SmoothSkin(radius_iod=0.1, detail=1.0).apply(noisy, [track], CTX)
    assert texture(smooth) < 0.35 * texture(noisy)
    assert texture(smooth) < texture(pores) <= 1.05 * texture(noisy)
    assert texture(pores) > 0.7 * texture(noisy)
    # Smoothing evens the skin but keeps its average colour.
    assert np.abs(smooth[ys, xs].mean(axis=(0, 1)) - noisy[ys, xs].mean(axis=(0, 1))).max() < 1.0


def test_strong_edges_inside_the_skin_are_kept() -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[0]))
    ys, xs = _skin_patch(track)
    img = rgb.copy()
    mid = (xs.start + xs.stop) // 2
    img[ys, xs.start : mid] = 60  # a hard dark/light edge in the middle of the cheek
    img[ys, mid : xs.stop] = 200
    out = SmoothSkin(radius_iod=0.1, detail=0.0).apply(img, [track], CTX).astype(int)
    row = (ys.start + ys.stop) // 2
    # The step keeps most of its height right at the edge; a plain box blur of this radius
    # would spread it evenly over ~30 pixels (about 10 levels per pixel).
    assert out[row, mid, 0] - out[row, mid - 1, 0] > 0.7 * 140
    assert out[row, mid - 3, 0] < 90 and out[row, mid + 2, 0] > 180


def test_no_halo_next_to_the_eye(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    img = _flat_skin(track, rgb.shape)
    out = SmoothSkin(radius_iod=0.3, detail=0.0).apply(img, [track], CTX).astype(int)
    # Flat skin next to dark eyes, brows and lips stays flat: the dark features do not
    # bleed into the smoothed skin as a shadow around them.
    skin = np.all(img == (200, 160, 140), axis=2)
    assert np.abs(out[skin] - np.array([200, 160, 140])).max() <= 1


def test_two_faces_are_both_smoothed(small_face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = small_face
    wide = np.ascontiguousarray(np.concatenate([rgb, rgb], axis=1))
    other = track.transformed(np.array([[1.0, 0.0, rgb.shape[1]], [0.0, 1.0, 0.0]]), track_id=1)
    out = SmoothSkin().apply(wide, [track, other], CTX)
    left, right = out[:, : rgb.shape[1]], out[:, rgb.shape[1] :]
    assert not np.array_equal(left, rgb)
    assert np.array_equal(left, right)


def test_filter_geometry() -> None:
    assert filter_geometry(2.0) == (1, 2)
    assert filter_geometry(6.0) == (1, 6)
    assert filter_geometry(12.7) == (3, 4)  # the 720p demo face
    assert filter_geometry(19.2) == (4, 5)  # the 1080p demo face
    assert filter_geometry(100.0) == (4, 25)
    for radius in np.arange(1.0, 60.0, 0.1):
        s, r = filter_geometry(float(radius))
        assert s == 1 or r >= MIN_LOW_RADIUS[s]  # never fewer blocks of radius than measured safe
        assert abs(s * r - radius) <= max(s / 2.0, 0.5) + 1e-9


@pytest.mark.parametrize("iod_px", [120.0, 150.0, 170.0, 260.0])  # blocks of 2, 3, 3 and 4 px
def test_fast_filter_is_within_a_grey_level_of_full_resolution(iod_px: float) -> None:
    """The filter on s x s blocks against the same filter on every pixel (s = 1, same radius), on
    the skin it changes: 99% of values within one grey level, none more than two."""
    for stem in ADULT_FACES:
        rgb, track = resized(*load_face(stem), iod_px / load_face(stem)[1].interocular_px)
        iod = track.interocular_px
        mask = region_mask(rgb.shape, track, ["skin"], FEATHER_IOD * iod, -ERODE_IOD * iod)
        y0, y1, x0, x1 = mask.roi
        s, r = filter_geometry(0.08 * iod)
        assert s >= 2
        fast, full = rgb.copy(), rgb.copy()
        k.guided_smooth_nb(rgb, y0, y1, x0, x1, mask.alpha, s, r, EPS, 0.9, 0.25, fast, _scratch(mask.roi, s))
        k.guided_smooth_nb(rgb, y0, y1, x0, x1, mask.alpha, 1, s * r, EPS, 0.9, 0.25, full, _scratch(mask.roi, 1))
        skin = mask.alpha > 0
        diff = np.abs(fast[y0:y1, x0:x1].astype(int) - full[y0:y1, x0:x1])[skin]
        assert np.count_nonzero(full[y0:y1, x0:x1][skin] != rgb[y0:y1, x0:x1][skin]) > 0.5 * diff.size
        assert np.percentile(diff, 99) <= 1 and diff.max() <= 2, (stem, iod_px, s, r)


def _scratch(roi: tuple[int, int, int, int], s: int) -> np.ndarray:
    """Scratch filled with NaN: a kernel reading it before writing would show NaN in its result."""
    return np.full(k.scratch_size(roi[1] - roi[0], roi[3] - roi[2], s), np.nan)


def test_kernel_smooths_in_place(face: tuple[np.ndarray, FaceTrack]) -> None:
    """Output = input (the op's way) gives the same pixels as a separate output."""
    rgb, track = face
    iod = track.interocular_px
    mask = region_mask(rgb.shape, track, ["skin"], FEATHER_IOD * iod, -ERODE_IOD * iod)
    y0, y1, x0, x1 = mask.roi
    for kernel in (k.guided_smooth_nb, k.guided_smooth_np):
        for s, r in ((1, 4), (3, 2)):
            apart, inplace = rgb.copy(), rgb.copy()
            kernel(rgb, y0, y1, x0, x1, mask.alpha, s, r, EPS, 1.0, 0.3, apart, _scratch(mask.roi, s))
            kernel(inplace, y0, y1, x0, x1, mask.alpha, s, r, EPS, 1.0, 0.3, inplace, _scratch(mask.roi, s))
            assert np.array_equal(apart, inplace) and not np.array_equal(apart, rgb)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"radius_iod": 0.5}, "smooth_skin: radius_iod: expected a number in [0.01, 0.3], found 0.5"),
        ({"detail": -0.1}, "smooth_skin: detail: expected a number in [0, 1], found -0.1"),
        ({"detail": True}, "smooth_skin: detail: expected a number in [0, 1], found a boolean (true)"),
        ({"strength": "1"}, "smooth_skin: strength: expected a number in [0, 1], found a string \"1\""),
        ({"sigma": 3}, "smooth_skin: unknown parameter 'sigma'; expected one of detail, radius_iod, strength"),
    ],
)
def test_bad_parameters_raise(values: dict, message: str) -> None:
    with pytest.raises(OpParamError) as err:
        SmoothSkin(**values)
    assert str(err.value) == message


def test_bad_frame_raises(small_face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = small_face
    with pytest.raises(FrameError, match=r"smooth_skin: rgb: expected an \(H, W, 3\) uint8 array, found \(.*, 4\) uint8"):
        SmoothSkin().apply(np.zeros((*rgb.shape[:2], 4), np.uint8), [track], CTX)
