"""Warp ops: kernel vs reference, identity, confinement, direction of movement, no fold-over, bad params."""

from __future__ import annotations

import math

import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face, on_canvas

from effects import backend
from effects.face import FaceTrack
from effects.kernels import warp as k
from effects.ops.base import OpContext
from effects.ops.values import FrameError, OpParamError
from effects.ops.warp import ContourPush, Displace, RadialScale, WarpOp, apply_warps
from effects.regions import LEFT_EYE, RIGHT_EYE
from effects.warp_field import WarpError, WarpField, field_grid, grid_step, radial_profile

CTX = OpContext()


@pytest.fixture(scope="module", params=ADULT_FACES)
def face(request: pytest.FixtureRequest) -> tuple[np.ndarray, FaceTrack]:
    return on_canvas(*load_face(request.param))


@pytest.fixture(scope="module")
def small_face() -> tuple[np.ndarray, FaceTrack]:
    return load_face(ADULT_FACES[0])


def _ops() -> list[WarpOp]:
    return [
        RadialScale(regions=["left_eye", "right_eye"], scale=1.6, radius_iod=0.5),
        RadialScale(regions=["nose"], scale=0.6, radius_iod=0.4),
        ContourPush(target="face", amount=0.15),
        Displace(points=[{"landmark": 61, "dx_iod": -0.1, "dy_iod": -0.1, "radius_iod": 0.3}]),
    ]


@pytest.mark.parametrize("index", range(4))
def test_numba_kernel_matches_numpy_reference(face: tuple[np.ndarray, FaceTrack], index: int) -> None:
    rgb, track = face
    op = _ops()[index]
    try:
        backend.use("numpy")
        ref = op.apply(rgb, [track], CTX)
    finally:
        backend.use("numba")
    fast = op.apply(rgb, [track], CTX)
    assert np.abs(ref.astype(int) - fast).max() <= 1
    assert np.count_nonzero(ref != rgb) > 1000  # the comparison covered real work


def test_field_grid_kernel_matches_reference(face: tuple[np.ndarray, FaceTrack]) -> None:
    _, track = face
    wf = WarpField()
    for op in _ops():
        wf.extend(op.field(track))
    radial, luts, pushes = wf.arrays()
    a = np.zeros((60, 70, 2))
    b = np.zeros((60, 70, 2))
    y0, x0 = int(track.box.y0), int(track.box.x0)
    k.field_grid_nb(y0, x0, 4, radial, luts, pushes, a)
    k.field_grid_np(y0, x0, 4, radial, luts, pushes, b)
    np.testing.assert_allclose(a, b, atol=1e-9)
    assert np.abs(a).max() > 5


def test_strength_zero_and_no_faces_are_identity(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    for op in _ops():
        zero = type(op)(**{**op.values, "strength": 0.0})
        out = zero.apply(rgb, [track], CTX)
        assert out is not rgb and np.array_equal(out, rgb)
        none = op.apply(rgb, [], CTX)
        assert none is not rgb and np.array_equal(none, rgb)


def _warped(rgb: np.ndarray, tracks: list[FaceTrack], ops: list[WarpOp]) -> np.ndarray:
    out = rgb.copy()
    apply_warps(out, tracks, ops)
    return out


def test_apply_warps_works_in_place_and_op_apply_leaves_its_input(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    before = rgb.copy()
    out = _ops()[0].apply(rgb, [track], CTX)
    assert np.array_equal(rgb, before) and not np.array_equal(out, rgb)
    frame = rgb.copy()
    apply_warps(frame, [track], _ops()[:1])
    assert np.array_equal(frame, out)


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


def test_changes_stay_inside_the_discs(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    op = RadialScale(regions=["left_eye"], scale=1.5, radius_iod=0.4)
    out = op.apply(rgb, [track], CTX)
    changed = _changed(out, rgb)
    cx, cy = track.xy[list(LEFT_EYE)].mean(axis=0)
    radius = 0.4 * track.interocular_px
    yy, xx = np.mgrid[: rgb.shape[0], : rgb.shape[1]]
    dist = np.hypot(xx - cx, yy - cy)
    # The field is interpolated from a grid: allow one grid cell diagonal beyond the radius.
    reach = radius + grid_step(radius) * math.sqrt(2)
    assert changed.sum() > 0.3 * math.pi * radius**2
    assert not np.any(changed & (dist > reach))
    # The other eye, far away, is untouched.
    rx, ry = track.xy[list(RIGHT_EYE)].mean(axis=0)
    assert not changed[int(ry) - 3 : int(ry) + 3, int(rx) - 3 : int(rx) + 3].any()


def test_radial_scale_enlarges_the_eyes() -> None:
    # A synthetic target: concentric rings around the eye centre make the magnification measurable.
    rgb0, track = on_canvas(*load_face(ADULT_FACES[0]))
    cx, cy = track.xy[list(LEFT_EYE)].mean(axis=0)
    yy, xx = np.mgrid[: rgb0.shape[0], : rgb0.shape[1]]
    r = np.hypot(xx - cx, yy - cy)
    rings = (np.clip(r * 3.0, 0, 255)).astype(np.uint8)  # brightness encodes the distance from the centre
    rgb = np.repeat(rings[:, :, None], 3, axis=2)
    out = RadialScale(regions=["left_eye"], scale=1.2, radius_iod=0.4).apply(rgb, [track], CTX)
    # At a small radius the output shows content from radius / 1.2 (the centre is magnified 1.2x).
    ring = (r > 4) & (r < 8)
    ratio = np.median(r[ring] * 3.0 / out[:, :, 0][ring].astype(float))
    assert ratio == pytest.approx(1.2, abs=0.05)
    # And the eye region, measured as the area of pixels darker than the ring value at 0.1 iod, grows.
    t = 0.1 * track.interocular_px * 3.0
    before = np.count_nonzero(rgb[:, :, 0] < t)
    after = np.count_nonzero(out[:, :, 0] < t)
    assert after / before == pytest.approx(1.2**2, rel=0.12)


def test_radial_scale_below_one_shrinks() -> None:
    rgb0, track = on_canvas(*load_face(ADULT_FACES[1]))
    cx, cy = track.xy[list(RIGHT_EYE)].mean(axis=0)
    yy, xx = np.mgrid[: rgb0.shape[0], : rgb0.shape[1]]
    r = np.hypot(xx - cx, yy - cy)
    rgb = np.repeat(np.clip(r * 2.0, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    out = RadialScale(regions=["right_eye"], scale=0.8, radius_iod=0.5).apply(rgb, [track], CTX)
    t = 0.1 * track.interocular_px * 2.0
    ratio = np.count_nonzero(out[:, :, 0] < t) / np.count_nonzero(rgb[:, :, 0] < t)
    assert ratio == pytest.approx(0.8**2, rel=0.12)


def test_contour_push_slims_the_jaw(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    # A ramp encodes x (mod 256): after slimming, the jaw-line pixels sample from farther out.
    xs = np.arange(rgb.shape[1]) % 256
    ramp = np.ascontiguousarray(np.repeat(np.tile(xs, (rgb.shape[0], 1))[:, :, None], 3, 2).astype(np.uint8))
    out = ContourPush(target="jaw", amount=0.1).apply(ramp, [track], CTX)

    def moved(landmark: int) -> int:
        x, y = (int(round(v)) for v in track.xy[landmark])
        return (int(out[y, x, 0]) - int(ramp[y, x, 0]) + 128) % 256 - 128

    moved_left = moved(172)  # subject's right jaw, image left
    moved_right = moved(397)
    iod = track.interocular_px
    # The image-left jaw samples from further left (content moved right = inwards), and vice versa.
    assert moved_left < -0.05 * iod
    assert moved_right > 0.05 * iod


def test_displace_moves_content_in_face_axes(small_face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = small_face
    iod = track.interocular_px
    yy, xx = np.mgrid[: rgb.shape[0], : rgb.shape[1]]
    ramp = np.repeat(np.clip(yy, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    op = Displace(points=[{"landmark": 13, "dx_iod": 0.0, "dy_iod": -0.1, "radius_iod": 0.5}])
    out = op.apply(np.ascontiguousarray(ramp), [track], CTX)
    px, py = track.xy[13]
    # Content moved up by 0.1 iod: the output at the landmark shows what was 0.1 iod below.
    roll = math.radians(track.pose.roll_deg)
    expected = py + 0.1 * iod * math.cos(roll)
    assert out[int(round(py)), int(round(px)), 0] == pytest.approx(expected, abs=1.5)


def test_no_fold_over_at_extreme_settings(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    ops: list[WarpOp] = [
        RadialScale(regions=["left_eye", "right_eye"], scale=3.0, radius_iod=0.6),
        RadialScale(regions=["face"], scale=0.3, radius_iod=3.0),
        ContourPush(target="face", amount=0.08, radius_iod=0.2),
        ContourPush(target="face", amount=-0.08, radius_iod=0.2),
        ContourPush(target="jaw", amount=0.3, radius_iod=0.75),
        ContourPush(target="cheeks", amount=-0.2, radius_iod=0.5),
        ContourPush(target="chin", amount=0.3, radius_iod=2.0),
    ]
    for op in ops:
        fg = field_grid(rgb.shape, op.field(track))
        g = fg.grid / fg.step
        # Jacobian of the backward map (identity + offset) per grid cell: determinant > 0.
        dxx = 1 + np.diff(g[:, :, 0], axis=1)[:-1]
        dxy = np.diff(g[:, :, 0], axis=0)[:, :-1]
        dyx = np.diff(g[:, :, 1], axis=1)[:-1]
        dyy = 1 + np.diff(g[:, :, 1], axis=0)[:, :-1]
        det = dxx * dyy - dxy * dyx
        assert det.min() > 0.05, (op.name, op.values, det.min())


def test_output_has_no_seams_or_holes(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    flat = np.full_like(rgb, 128)
    out = _warped(flat, [track], _ops())
    assert np.array_equal(out, flat)  # a flat image stays flat: no seams, black holes or NaN artefacts
    xs = np.arange(rgb.shape[1], dtype=np.float64)
    ramp = np.clip((xs - track.box.x0 + 40) / (track.box.width + 80) * 255, 0, 255).astype(np.uint8)
    smooth = np.ascontiguousarray(np.repeat(np.tile(ramp, (rgb.shape[0], 1))[:, :, None], 3, 2))
    warped = _warped(smooth, [track], [RadialScale(regions=["face"], scale=1.8, radius_iod=1.4)]).astype(int)
    # A horizontal ramp stays continuous: neighbouring pixels differ by a few levels at most (no tears).
    band = warped[int(track.box.y0) : int(track.box.y1), int(track.box.x0) : int(track.box.x1), 0]
    assert np.abs(np.diff(band, axis=1)).max() <= 3
    assert np.abs(np.diff(band, axis=0)).max() <= 3


def test_two_faces_are_both_warped(small_face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = small_face
    wide = np.ascontiguousarray(np.concatenate([rgb, rgb], axis=1))
    other = track.transformed(np.array([[1.0, 0.0, rgb.shape[1]], [0.0, 1.0, 0.0]]), track_id=1)
    out = RadialScale(regions=["lips"], scale=1.3, radius_iod=0.4).apply(wide, [track, other], CTX)
    left, right = out[:, : rgb.shape[1]], out[:, rgb.shape[1] :]
    assert not np.array_equal(left, rgb)
    assert np.abs(left.astype(int) - right).max() <= 1


def test_radial_profile_is_monotonic_and_ends_at_identity() -> None:
    for s in (0.3, 0.7, 1.0, 1.12, 3.0):
        f = radial_profile(s)
        t = np.sqrt(np.linspace(0, 1, f.size))
        r_src = t * f
        assert f[-1] == 1.0
        assert np.all(np.diff(r_src) > 0), s
        assert f[0] == pytest.approx(1.0 / s, rel=1e-3)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RadialScale(regions=["left_eye"], scale=3.5), "radial_scale: scale: expected a number in [0.3, 3], found 3.5"),
        (lambda: RadialScale(regions=["left_eye"], scale=1.1, strength=1.5),
         "radial_scale: strength: expected a number in [0, 1], found 1.5"),
        (lambda: RadialScale(regions=["ears"], scale=1.1), 'radial_scale: regions[0]: unknown landmark region "ears"'),
        (lambda: RadialScale(scale=1.1), "radial_scale: missing parameter 'regions'"),
        (lambda: RadialScale(regions=["lips"], scale=1.1, size=2), "radial_scale: unknown parameter 'size'"),
        (lambda: ContourPush(target="ears", amount=0.1), 'contour_push: target: expected one of "jaw", "cheeks", "chin", "face"'),
        (lambda: ContourPush(target="jaw", amount=float("nan")), "contour_push: amount: expected a number in [-0.3, 0.3], found nan"),
        (lambda: ContourPush(target="jaw", amount=0.2, radius_iod=0.3),
         "contour_push: amount: expected a move of at most 0.4 x radius_iod (0.12) so the image does not fold over, "
         "found 0.2"),
        (lambda: Displace(points=[]), "displace: points: expected a non-empty list of tables, found a list []"),
        (lambda: Displace(points=[{"landmark": 500, "dx_iod": 0.0, "dy_iod": 0.0, "radius_iod": 0.2}]),
         "displace: points[0].landmark: expected a landmark index 0-477, found 500"),
        (lambda: Displace(points=[{"landmark": 1, "dx_iod": 0.0, "dy_iod": 0.0}]),
         "displace: points[0]: missing field 'radius_iod'"),
        (lambda: Displace(points=[{"landmark": 1, "dx_iod": 0.2, "dy_iod": 0.0, "radius_iod": 0.2}]),
         "displace: points[0]: expected a move of at most 0.6 x radius_iod (0.12) so the image does not fold over, found 0.2"),
    ],
)
def test_bad_parameters_raise(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OpParamError) as err:
        build()
    assert str(err.value).startswith(message)


def test_bad_frame_raises(small_face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = small_face
    op = RadialScale(regions=["lips"], scale=1.2)
    with pytest.raises(FrameError, match=r"radial_scale: rgb: expected an \(H, W, 3\) uint8 array, found \(.*\) float32"):
        op.apply(rgb.astype(np.float32), [track], CTX)


@pytest.mark.parametrize("corner", ["bottom_right", "top_left"])
def test_face_cut_by_the_frame_border(small_face: tuple[np.ndarray, FaceTrack], corner: str) -> None:
    rgb, track = small_face
    h, w = rgb.shape[:2]
    cx, cy = track.xy[1]  # nose tip onto the frame corner: the warp reads and writes at the border
    dx, dy = (w - 1 - cx, h - 1 - cy) if corner == "bottom_right" else (-cx, -cy)
    moved = track.transformed(np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]]))
    ops = [RadialScale(regions=["nose", "lips"], scale=1.5, radius_iod=0.8), ContourPush(target="face", amount=0.1)]
    try:
        backend.use("numpy")
        ref = _warped(rgb, [moved], ops)
    finally:
        backend.use("numba")
    fast = _warped(rgb, [moved], ops)
    assert np.abs(ref.astype(int) - fast).max() <= 1
    assert np.count_nonzero(fast != rgb) > 500


def test_add_pushes_is_add_push_per_row_and_refuses_bad_values() -> None:
    pts = np.array([[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]])
    moves = np.array([[1.0, -2.0], [0.0, 0.0], [-3.0, 0.5]])
    many, one_by_one = WarpField(), WarpField()
    many.add_pushes(pts, moves, 12.0)
    for (px, py), (vx, vy) in zip(pts, moves, strict=True):
        one_by_one.add_push(px, py, vx, vy, 12.0)
    assert many.pushes == one_by_one.pushes and len(many.pushes) == 2  # a zero move adds nothing
    with pytest.raises(WarpError, match="add_pushes: expected finite points and moves, found NaN or inf"):
        WarpField().add_pushes(pts, np.where(moves == 0.0, np.nan, moves), 12.0)
    with pytest.raises(WarpError, match=r"add_pushes: radius_px: expected a number > 0, found -1.0"):
        WarpField().add_pushes(pts, moves, -1.0)
    with pytest.raises(WarpError, match=r"one \(n, 2\) shape, found \(3, 2\) and \(2, 2\)"):
        WarpField().add_pushes(pts, moves[:2], 12.0)
