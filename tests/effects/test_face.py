"""effects.face: the FaceTrack, Box and HeadPose types: validation, conventions, transforms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from effects.face import N_LANDMARKS, Box, FaceTrack, FaceTrackError, HeadPose


def _landmarks(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lm = rng.uniform(100.0, 300.0, (N_LANDMARKS, 3)).astype(np.float32)
    lm[:, 2] -= 200.0
    lm[33, :2] = (150.0, 180.0)  # subject's right eye, image left
    lm[263, :2] = (250.0, 180.0)  # subject's left eye, image right
    return lm


def _rotation(axis: str, deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    r = {"x": [[1, 0, 0], [0, c, -s], [0, s, c]], "y": [[c, 0, s], [0, 1, 0], [-s, 0, c]],
         "z": [[c, -s, 0], [s, c, 0], [0, 0, 1]]}[axis]
    m = np.eye(4)
    m[:3, :3] = r
    m[:3, 3] = (1.0, -2.0, -40.0)
    return m


# -- Box ------------------------------------------------------------------------------------


def test_box_geometry() -> None:
    b = Box(10.0, 20.0, 50.0, 100.0)
    assert (b.width, b.height, b.center) == (40.0, 80.0, (30.0, 60.0))
    assert b.intersects(Box(45.0, 90.0, 60.0, 120.0))
    assert not b.intersects(Box(50.0, 20.0, 60.0, 100.0))  # touching edges do not overlap
    assert b.expanded(5.0) == Box(5.0, 15.0, 55.0, 105.0)


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        ((10.0, 0.0, 5.0, 1.0), r"Box: expected x0 <= x1 and y0 <= y1, found \(10.0, 0.0, 5.0, 1.0\)"),
        ((0.0, math.nan, 1.0, 1.0), r"Box: expected finite coordinates, found \(0.0, nan, 1.0, 1.0\)"),
    ],
)
def test_box_rejects_bad_coordinates(coords: tuple[float, float, float, float], message: str) -> None:
    with pytest.raises(FaceTrackError, match=message):
        Box(*coords)


# -- HeadPose -------------------------------------------------------------------------------


@pytest.mark.parametrize("deg", [-30.0, -5.0, 12.0, 40.0])
def test_pose_from_matrix_signs(deg: float) -> None:
    # MediaPipe's model space: x toward the subject's left (image right), y up, z toward the camera.
    yaw = HeadPose.from_matrix(_rotation("y", deg))  # the nose swings toward +x: image right
    assert yaw.yaw_deg == pytest.approx(deg) and yaw.pitch_deg == pytest.approx(0.0, abs=1e-9)
    pitch = HeadPose.from_matrix(_rotation("x", deg))  # the nose swings toward -y: down
    assert pitch.pitch_deg == pytest.approx(deg) and pitch.yaw_deg == pytest.approx(0.0, abs=1e-9)
    roll = HeadPose.from_matrix(_rotation("z", deg))  # the left eye rises: counter-clockwise on screen
    assert roll.roll_deg == pytest.approx(-deg) and roll.yaw_deg == pytest.approx(0.0, abs=1e-9)


def test_pose_from_matrix_ignores_scale() -> None:
    m = _rotation("z", 10.0)
    m[:3, :3] *= 2.5
    assert HeadPose.from_matrix(m).roll_deg == pytest.approx(-10.0)


def test_roll_from_matrix_and_from_the_eye_line_agree() -> None:
    """A face rolled 10 degrees counter-clockwise on screen: both routes give -10."""
    lm = _landmarks()
    angle = math.radians(-10.0)
    centre = lm[[33, 263], :2].mean(axis=0)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    lm[:, :2] = (lm[:, :2] - centre) @ rot.T + centre  # y down: negative angle = counter-clockwise
    from_eyes = FaceTrack.from_landmarks(lm).pose.roll_deg
    from_matrix = HeadPose.from_matrix(_rotation("z", 10.0)).roll_deg
    assert from_eyes == pytest.approx(-10.0, abs=1e-4)
    assert from_matrix == pytest.approx(from_eyes, abs=1e-4)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.eye(3), r"HeadPose: expected a finite 4x4 matrix, found shape \(3, 3\)"),
        (np.full((4, 4), np.nan), r"HeadPose: expected a finite 4x4 matrix, found shape \(4, 4\)"),
        (np.zeros((4, 4)), "HeadPose: the transformation matrix has no rotation part"),
    ],
)
def test_pose_from_a_bad_matrix(matrix: np.ndarray, message: str) -> None:
    with pytest.raises(FaceTrackError, match=message):
        HeadPose.from_matrix(matrix)


# -- FaceTrack ------------------------------------------------------------------------------


def test_from_landmarks_box_and_units() -> None:
    lm = _landmarks()
    t = FaceTrack.from_landmarks(lm, track_id=3, blendshapes={"jawOpen": 0.25})
    assert t.track_id == 3
    assert t.box == Box(float(lm[:, 0].min()), float(lm[:, 1].min()), float(lm[:, 0].max()), float(lm[:, 1].max()))
    assert t.interocular_px == pytest.approx(100.0)
    assert t.pose.roll_deg == pytest.approx(0.0)
    assert t.xy.shape == (N_LANDMARKS, 2)
    assert dict(t.blendshapes) == {"jawOpen": 0.25}


def test_track_is_frozen_and_owns_its_landmarks() -> None:
    lm = _landmarks()
    t = FaceTrack.from_landmarks(lm)
    lm[0, 0] = -999.0
    assert t.landmarks_px[0, 0] != -999.0
    with pytest.raises(ValueError, match="read-only"):
        t.landmarks_px[0, 0] = 1.0
    with pytest.raises(TypeError):
        t.blendshapes["jawOpen"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        t.track_id = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lm: lm[:10], r"FaceTrack.landmarks_px: expected \(478, 3\) float32, found \(10, 3\) float32"),
        (lambda lm: lm.astype(np.float64), r"expected \(478, 3\) float32, found \(478, 3\) float64"),
        (lambda lm: np.where(np.arange(3) == 0, np.float32(np.inf), lm).astype(np.float32),
         "FaceTrack.landmarks_px: expected finite values, found NaN or inf"),
    ],
)
def test_track_rejects_bad_landmarks(change: object, message: str) -> None:
    lm = change(_landmarks())  # type: ignore[operator]
    with pytest.raises(FaceTrackError, match=message):
        FaceTrack(track_id=0, landmarks_px=lm, box=Box(0, 0, 1, 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"track_id": -1}, "FaceTrack.track_id: expected an int >= 0, found -1"),
        ({"track_id": True}, "FaceTrack.track_id: expected an int >= 0, found True"),
        ({"blendshapes": {"jawOpen": 1.5}}, r"FaceTrack.blendshapes\['jawOpen'\]: expected a float in \[0, 1\], found 1.5"),
        ({"blendshapes": {"jawOpen": 1}}, r"expected a float in \[0, 1\], found 1$"),
        ({"box": (0, 0, 1, 1)}, "FaceTrack.box: expected a Box, found tuple"),
    ],
)
def test_track_rejects_bad_fields(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"track_id": 0, "landmarks_px": _landmarks(), "box": Box(0, 0, 1, 1)}
    fields.update(kwargs)
    with pytest.raises(FaceTrackError, match=message):
        FaceTrack(**fields)  # type: ignore[arg-type]


def test_transformed_moves_xy_and_scales_z() -> None:
    lm = _landmarks()
    t = FaceTrack.from_landmarks(lm, track_id=4)
    m = np.array([[2.0, 0.0, 10.0], [0.0, 2.0, -5.0]])
    moved = t.transformed(m)
    np.testing.assert_allclose(moved.xy, lm[:, :2] * 2 + [10.0, -5.0], rtol=1e-6)
    np.testing.assert_allclose(moved.landmarks_px[:, 2], lm[:, 2] * 2, rtol=1e-6)
    assert moved.track_id == 4 and t.transformed(m, track_id=9).track_id == 9
    assert moved.interocular_px == pytest.approx(200.0)
