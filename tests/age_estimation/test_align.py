"""Alignment: MediaPipe landmarks -> dlib's 5-point template -> an anti-aliased 64x64 chip."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from age_faces import face_samples
from conftest import face_files

from age_estimation.align import (
    CHIP_SIZE_PX,
    TEMPLATE_CHIP_PX,
    AlignmentError,
    align_face,
    chip_transform,
    five_points,
    similarity_transform,
    warp_chip,
)

# MediaPipe's stand-ins are not dlib's own five points, so a least-squares fit cannot put
# them exactly on the template. Measured on the 38 reference faces: every eye corner
# within 2.02 px of its template position, every eye centre within 1.55 px (chip 64 px).
EYE_CORNER_TOLERANCE_PX = 2.5
EYE_CENTRE_TOLERANCE_PX = 2.0
NAMES = [p.name for p in face_files()]


def _apply(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ m[:, :2].T + m[:, 2]


@pytest.mark.parametrize("name", NAMES)
def test_eyes_land_on_the_template(name: str) -> None:
    sample = face_samples()[name]
    points = five_points(sample.landmarks)
    in_chip = _apply(chip_transform(points), points)
    corner_error = np.linalg.norm(in_chip[:4] - TEMPLATE_CHIP_PX[:4], axis=1)
    assert corner_error.max() <= EYE_CORNER_TOLERANCE_PX, corner_error
    for pair in ((0, 1), (2, 3)):
        centre = in_chip[list(pair)].mean(axis=0)
        expected = TEMPLATE_CHIP_PX[list(pair)].mean(axis=0)
        assert np.linalg.norm(centre - expected) <= EYE_CENTRE_TOLERANCE_PX
    # Image-right eye on the chip's right, image-left eye on its left: no mirror.
    assert in_chip[0, 0] > CHIP_SIZE_PX / 2 > in_chip[2, 0]


def test_template_values_follow_dlib_geometry() -> None:
    # (0.2 + p) / 1.4 * 64 for dlib's first point (0.8595674595992, 0.2134981538014).
    assert TEMPLATE_CHIP_PX[0] == pytest.approx([(0.2 + 0.8595674595992) / 1.4 * 64, (0.2 + 0.2134981538014) / 1.4 * 64])


def test_similarity_recovers_a_known_transform() -> None:
    rng = np.random.default_rng(3)
    src = rng.uniform(0, 500, size=(5, 2))
    angle, scale, shift = math.radians(23.0), 0.37, np.array([12.5, -40.0])
    linear = scale * np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    dst = src @ linear.T + shift
    m = similarity_transform(src, dst)
    assert np.allclose(m[:, :2], linear, atol=1e-9)
    assert np.allclose(m[:, 2], shift, atol=1e-6)


def test_similarity_never_reflects() -> None:
    # A mirrored face (left and right swapped) still gets a rotation, not a reflection.
    mirrored = TEMPLATE_CHIP_PX * np.array([-1.0, 1.0]) + np.array([100.0, 0.0])
    m = similarity_transform(mirrored, TEMPLATE_CHIP_PX)
    assert np.linalg.det(m[:, :2]) > 0
    assert m[0, 0] == pytest.approx(m[1, 1]) and m[0, 1] == pytest.approx(-m[1, 0])


def _dot_image(shape: tuple[int, int], points: np.ndarray, radius_px: float) -> np.ndarray:
    """A black image with white discs at the given points (antialiased)."""
    img = np.zeros((*shape, 3), dtype=np.uint8)
    shift = 4
    for x, y in points:
        cv2.circle(img, (round(x * 16), round(y * 16)), round(radius_px * 16), (255, 255, 255), -1, cv2.LINE_AA, shift)
    return img


@pytest.mark.parametrize("zoom", [0.25, 1.0, 3.0])
def test_chip_pixels_put_marked_points_where_the_transform_says(zoom: float) -> None:
    """Dots drawn at four landmarks come out in the chip at the transformed positions:
    checks the crop, area-shrink and warp bookkeeping, at scales above and below 1."""
    sample = face_samples()["us_congress_S000480.jpg"]
    landmarks = sample.landmarks.copy()
    landmarks[:, :2] *= zoom
    h, w = (round(sample.rgb.shape[0] * zoom), round(sample.rgb.shape[1] * zoom))
    marks = landmarks[[263, 33, 2, 61], :2].astype(np.float64)  # outer eye corners, nose, mouth corner
    to_chip = chip_transform(five_points(landmarks))
    scale = math.sqrt(np.linalg.det(to_chip[:, :2]))
    image = _dot_image((h, w), marks, radius_px=2.0 / scale)  # ~2 px discs in the chip
    chip = align_face(image, landmarks)[:, :, 0].astype(np.float64)
    expected = _apply(to_chip, marks)
    ys, xs = np.mgrid[0:CHIP_SIZE_PX, 0:CHIP_SIZE_PX]
    for ex, ey in expected:
        near = (np.hypot(xs - ex, ys - ey) < 4.0) * chip
        found = np.array([(near * xs).sum(), (near * ys).sum()]) / near.sum()
        assert np.linalg.norm(found - [ex, ey]) < 0.35, (zoom, found, (ex, ey))


def test_downscaling_is_antialiased() -> None:
    """One-pixel stripes shrunk ~10x must come out flat grey, not as aliased stripes."""
    stripes = np.zeros((1200, 1200, 3), dtype=np.uint8)
    stripes[:, ::2] = 255
    to_chip = np.array([[0.1, 0.0, -20.0], [0.0, 0.1, -20.0]])
    chip = warp_chip(stripes, to_chip)
    plain = cv2.warpAffine(stripes, to_chip, (CHIP_SIZE_PX, CHIP_SIZE_PX), flags=cv2.INTER_LINEAR)
    assert abs(chip.mean() - 127.5) < 3.0
    assert chip.std() < 3.0
    # The naive warp samples every tenth column, all white: aliasing this test can see.
    assert plain.mean() > 250.0


def test_face_partly_outside_the_image_is_black_outside() -> None:
    sample = face_samples()["us_congress_S000480.jpg"]
    landmarks = sample.landmarks.copy()
    landmarks[:, 0] -= 120.0  # move the face left, half out of the frame
    chip = align_face(sample.rgb, landmarks)
    assert chip.shape == (CHIP_SIZE_PX, CHIP_SIZE_PX, 3) and chip.dtype == np.uint8
    assert chip[:, :10].max() == 0  # left columns come from outside the image
    assert chip[:, -20:].mean() > 40


@pytest.mark.parametrize(
    ("landmarks", "message"),
    [
        (np.zeros((468, 3), np.float32), r"landmarks: expected shape \(478, 3\) or \(478, 2\), found \(468, 3\)"),
        (np.zeros((478, 3), np.int32), r"landmarks: expected a float array, found int32"),
        (np.zeros((478, 3), np.float32), r"landmarks: the outer eye corners are 0.00 px apart, expected at least 2.0 px"),
    ],
)
def test_bad_landmarks_are_refused(landmarks: np.ndarray, message: str) -> None:
    with pytest.raises(AlignmentError, match=message):
        align_face(np.zeros((100, 100, 3), np.uint8), landmarks)


def test_bad_image_is_refused() -> None:
    landmarks = face_samples()["us_congress_S000480.jpg"].landmarks
    with pytest.raises(AlignmentError, match=r"rgb: expected an \(H, W, 3\) uint8 array, found \(275, 225\) uint8"):
        align_face(np.zeros((275, 225), np.uint8), landmarks)
    with pytest.raises(AlignmentError, match=r"found \(275, 225, 3\) float32"):
        align_face(np.zeros((275, 225, 3), np.float32), landmarks)


def test_chip_sheet_for_a_person_to_look_at(artifacts_dir: Path) -> None:
    """Adult chips side by side (artifacts/age_chips_adults.png): faces upright, eyes level, centred."""
    chips = [align_face(s.rgb, s.landmarks) for s in face_samples().values() if s.is_adult]
    rows = [np.hstack(chips[i : i + 8] + [np.zeros_like(chips[0])] * (8 - len(chips[i : i + 8]))) for i in range(0, len(chips), 8)]
    sheet = np.vstack(rows)
    for x, y in TEMPLATE_CHIP_PX[:4]:  # template eye positions marked on the first chip
        cv2.drawMarker(sheet, (round(x), round(y)), (255, 0, 0), cv2.MARKER_CROSS, 5, 1)
    assert cv2.imwrite(str(artifacts_dir / "age_chips_adults.png"), cv2.resize(sheet[:, :, ::-1], None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST))
