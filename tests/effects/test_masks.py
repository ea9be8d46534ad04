"""effects.masks: even-odd region fill, dilation, feathering, ROI clipping, strict arguments."""

from __future__ import annotations

import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face

from effects.face import FaceTrack
from effects.masks import OCTAGON_MIN_PX, MaskError, region_mask
from effects.regions import LEFT_EYE, RegionError


@pytest.fixture(scope="module")
def face() -> tuple[np.ndarray, FaceTrack]:
    return load_face(ADULT_FACES[1])  # the largest face of the set


def _centroid(track: FaceTrack, poly: tuple[int, ...]) -> tuple[int, int]:
    x, y = track.xy[list(poly)].mean(axis=0)
    return int(round(y)), int(round(x))


def test_skin_has_even_odd_holes_for_the_eyes(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    skin = region_mask(rgb.shape, track, ["skin"], feather_px=0).full(rgb.shape)
    eye = region_mask(rgb.shape, track, ["left_eye"], feather_px=0).full(rgb.shape)
    ey, ex = _centroid(track, LEFT_EYE)
    assert eye[ey, ex] == 1.0
    assert skin[ey, ex] == 0.0  # the eye polygon inside the face oval cuts a hole
    nose_y, nose_x = int(track.xy[4, 1]), int(track.xy[4, 0])
    assert skin[nose_y, nose_x] == 1.0
    assert not np.any((skin > 0) & (eye > 0))


def test_union_of_regions(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    both = region_mask(rgb.shape, track, ["left_eye", "right_eye"], 0).full(rgb.shape)
    left = region_mask(rgb.shape, track, ["left_eye"], 0).full(rgb.shape)
    right = region_mask(rgb.shape, track, ["right_eye"], 0).full(rgb.shape)
    np.testing.assert_array_equal(both, np.maximum(left, right))


def test_dilation_grows_and_negative_dilation_shrinks(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    base = region_mask(rgb.shape, track, ["lips"], 0).full(rgb.shape) > 0
    grown = region_mask(rgb.shape, track, ["lips"], 0, dilate_px=4).full(rgb.shape) > 0
    shrunk = region_mask(rgb.shape, track, ["lips"], 0, dilate_px=-2).full(rgb.shape) > 0
    assert np.all(grown[base]) and grown.sum() > base.sum() * 1.3
    assert np.all(base[shrunk]) and shrunk.sum() < base.sum() * 0.8


@pytest.mark.parametrize("d", [6, 10, 16])
def test_large_discs_are_octagons_close_to_the_disc(face: tuple[np.ndarray, FaceTrack], d: int) -> None:
    """From OCTAGON_MIN_PX on, growing and shrinking use an octagon: its edge stays within 8% of
    the radius of the exact disc's (distances measured from the region), and the mask never
    reaches past ``reach_px`` (the ROI holds it whole)."""
    import cv2

    rgb, track = face
    assert d >= OCTAGON_MIN_PX
    base = region_mask(rgb.shape, track, ["face"], 0).full(rgb.shape) > 0
    dist_out = cv2.distanceTransform((~base).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    dist_in = cv2.distanceTransform(base.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    grown_mask = region_mask(rgb.shape, track, ["face"], 0, dilate_px=d)
    grown = grown_mask.full(rgb.shape) > 0
    assert np.all(grown[dist_out <= d - 0.5]) and dist_out[grown].max() <= 1.083 * d + 0.5
    assert dist_out[grown].max() <= grown_mask.reach_px
    shrunk = region_mask(rgb.shape, track, ["face"], 0, dilate_px=-d).full(rgb.shape) > 0
    assert not np.any(shrunk[dist_in <= d - 0.5]) and np.all(shrunk[dist_in > 1.083 * d + 0.5])


def test_feather_is_soft_and_confined_to_reach(face: tuple[np.ndarray, FaceTrack]) -> None:
    import cv2

    rgb, track = face
    hard = region_mask(rgb.shape, track, ["face"], 0, dilate_px=3).full(rgb.shape) > 0
    soft_mask = region_mask(rgb.shape, track, ["face"], feather_px=10, dilate_px=3)
    soft = soft_mask.full(rgb.shape)
    half = 3  # round(10 / 4)
    assert soft_mask.reach_px == pytest.approx(3 + 2 * half * np.sqrt(2))
    assert soft.dtype == np.float32 and soft.min() >= 0.0 and soft.max() == 1.0
    # A real ramp: a band of partial values about as wide as the feather all around the face.
    partial = (soft > 0.01) & (soft < 0.99)
    perimeter = np.count_nonzero(hard ^ cv2.erode(hard.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool))
    assert 5 * perimeter < partial.sum() < 14 * perimeter
    # Nothing beyond reach (measured from the hard dilated mask's pixel centres) ...
    dist_out = cv2.distanceTransform((~hard).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    assert dist_out[soft > 0].max() <= 2 * half * np.sqrt(2)
    # ... and the interior, deeper than that, is fully on.
    dist_in = cv2.distanceTransform(hard.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    assert np.all(soft[dist_in > 2 * half * np.sqrt(2) + 1] == 1.0)
    # The ramp is monotonic across the edge: 1 inside, 0.5-ish on the edge, 0 outside.
    edge = hard & (dist_in <= 1.0)
    assert 0.3 < float(np.median(soft[edge])) < 0.7


def test_roi_covers_the_mask_and_is_face_sized(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    m = region_mask(rgb.shape, track, ["skin"], feather_px=6, dilate_px=2)
    y0, y1, x0, x1 = m.roi
    assert m.alpha.shape == (y1 - y0, x1 - x0)
    assert (y1 - y0) * (x1 - x0) < 0.25 * rgb.shape[0] * rgb.shape[1]
    # The border rows/columns of the ROI are outside the reach (unless clipped by the frame).
    assert m.alpha[0].max() == 0 and m.alpha[-1].max() == 0
    assert m.alpha[:, 0].max() == 0 and m.alpha[:, -1].max() == 0


def test_face_half_off_frame_is_clipped(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    shifted = track.transformed(np.array([[1.0, 0.0, -track.box.center[0]], [0.0, 1.0, 0.0]]))
    m = region_mask(rgb.shape, shifted, ["face"], feather_px=4)
    y0, y1, x0, x1 = m.roi
    assert x0 == 0 and x1 < rgb.shape[1] / 2
    assert m.alpha[:, 0].max() == 1.0  # the face continues past the left border
    gone = track.transformed(np.array([[1.0, 0.0, -5000.0], [0.0, 1.0, 0.0]]))
    empty = region_mask(rgb.shape, gone, ["face"], feather_px=4)
    assert empty.is_empty and empty.alpha.size == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feather_px": -1.0}, "region_mask: feather_px: expected a finite number >= 0, found -1.0"),
        ({"feather_px": float("nan")}, "region_mask: feather_px: expected a finite number >= 0, found nan"),
        ({"feather_px": 2, "dilate_px": "3"}, "region_mask: dilate_px: expected a number of pixels, found '3'"),
        ({"feather_px": 2, "regions": "lips"},
         "region_mask: regions: expected a non-empty list of region names, found 'lips'"),
        ({"feather_px": 2, "regions": []}, "region_mask: regions: expected a non-empty list of region names, found []"),
        ({"feather_px": 2, "frame_shape": (0, 10)}, "region_mask: frame_shape height: expected an int > 0, found 0"),
        ({"feather_px": 2, "frame_shape": [10, 10]},
         "region_mask: frame_shape: expected a (h, w) or (h, w, c) tuple, found [10, 10]"),
    ],
)
def test_bad_arguments_raise(face: tuple[np.ndarray, FaceTrack], kwargs: dict, message: str) -> None:
    rgb, track = face
    args = {"frame_shape": rgb.shape, "track": track, "regions": ["lips"]} | kwargs
    with pytest.raises(MaskError) as err:
        region_mask(**args)
    assert str(err.value) == message


def test_unknown_region_raises(face: tuple[np.ndarray, FaceTrack]) -> None:
    rgb, track = face
    with pytest.raises(RegionError, match="unknown landmark region 'ears'"):
        region_mask(rgb.shape, track, ["ears"], 2)
