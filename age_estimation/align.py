"""Face alignment for the age model: five landmarks -> a 64x64 RGB chip.

The age model was trained on dlib face chips: a similarity transform (rotation,
uniform scale, translation; never a reflection) that puts five facial points on
dlib's 5-point reference face, with 0.2 padding around the unpadded face box.
MediaPipe's Face Landmarker has no such five points, so nearby landmarks stand in
for them (see ``MEDIAPIPE_STAND_INS``).

Anti-aliasing: a face is usually much larger than 64 px, and a plain bilinear
warp would alias (skip pixels). The face's footprint is first cropped and shrunk
with area interpolation to about chip scale, then a bilinear warp does the
remaining rotation and sub-pixel placement at a scale near 1.

Coordinates follow OpenCV: a pixel's centre sits at integer coordinates.
Inputs are plain numpy arrays; this module knows nothing of the rest of SafeLens.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CHIP_SIZE_PX = 64
CHIP_PADDING = 0.2

# dlib's 5-point reference face in units of the unpadded face box (x, y), in the
# order: image-right eye outer corner, image-right eye inner corner, image-left eye
# outer corner, image-left eye inner corner, base of the nose.
TEMPLATE_UNIT = np.array(
    [
        [0.8595674595992, 0.2134981538014],
        [0.6460604764104, 0.2289674387677],
        [0.1205750620789, 0.2137274526848],
        [0.3340850613712, 0.2290642403242],
        [0.4901123135679, 0.6277975316475],
    ],
    dtype=np.float64,
)

# The five points in chip pixels for a 64 px chip: (padding + p) / (1 + 2 * padding) * size.
TEMPLATE_CHIP_PX = (CHIP_PADDING + TEMPLATE_UNIT) / (1.0 + 2.0 * CHIP_PADDING) * CHIP_SIZE_PX

# MediaPipe Face Landmarker indices standing in for each template point (averaged
# when there are several). 263 is the subject's left eye outer corner, which appears
# on the image right in an unmirrored image; 33 is the subject's right outer corner.
MEDIAPIPE_STAND_INS: tuple[tuple[int, ...], ...] = (
    (263,),
    (362, 382),
    (33,),
    (133, 155),
    (2,),
)
N_LANDMARKS = 478

# Points closer together than this in the source cannot define a face.
_MIN_EYE_SPAN_PX = 2.0


class AlignmentError(ValueError):
    """The image or landmarks cannot give a face chip (wrong shape or type, or a degenerate face)."""


def _check_rgb(rgb: np.ndarray) -> None:
    if not isinstance(rgb, np.ndarray):
        raise AlignmentError(f"rgb: expected an (H, W, 3) uint8 array, found {type(rgb).__name__}")
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise AlignmentError(f"rgb: expected an (H, W, 3) uint8 array, found {rgb.shape} {rgb.dtype}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise AlignmentError(f"rgb: expected a non-empty image, found {rgb.shape}")


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """The five template stand-ins, (5, 2) float64 pixels, from MediaPipe's (478, 3) or (478, 2) landmarks."""
    if not isinstance(landmarks, np.ndarray):
        raise AlignmentError(f"landmarks: expected a (478, 3) array, found {type(landmarks).__name__}")
    if landmarks.ndim != 2 or landmarks.shape[0] != N_LANDMARKS or landmarks.shape[1] not in (2, 3):
        raise AlignmentError(f"landmarks: expected shape ({N_LANDMARKS}, 3) or ({N_LANDMARKS}, 2), found {landmarks.shape}")
    if not np.issubdtype(landmarks.dtype, np.floating):
        raise AlignmentError(f"landmarks: expected a float array, found {landmarks.dtype}")
    points = np.empty((5, 2), dtype=np.float64)
    for row, indices in enumerate(MEDIAPIPE_STAND_INS):
        points[row] = landmarks[list(indices), :2].astype(np.float64).mean(axis=0)
    if not np.all(np.isfinite(points)):
        raise AlignmentError("landmarks: expected finite values at the alignment points, found NaN or inf")
    return points


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 similarity (no reflection) that maps ``src`` points onto ``dst`` in the least-squares sense.

    The transform is x' = a*x - b*y + tx, y' = b*x + a*y + ty; its linear part has
    determinant a^2 + b^2 >= 0, so it can rotate and scale but never mirror.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or src.shape[0] < 2:
        raise AlignmentError(f"similarity_transform: expected two (N>=2, 2) arrays of one shape, found {src.shape} and {dst.shape}")
    src_mean = src.mean(axis=0)
    dst_mean = dst.mean(axis=0)
    s = src - src_mean
    d = dst - dst_mean
    norm = float(np.sum(s * s))
    if norm <= 0.0:
        raise AlignmentError("similarity_transform: the source points coincide")
    a = float(np.sum(s[:, 0] * d[:, 0] + s[:, 1] * d[:, 1])) / norm
    b = float(np.sum(s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0])) / norm
    linear = np.array([[a, -b], [b, a]])
    translation = dst_mean - linear @ src_mean
    return np.concatenate([linear, translation[:, None]], axis=1)


def chip_transform(points_px: np.ndarray, chip_size_px: int = CHIP_SIZE_PX) -> np.ndarray:
    """The 2x3 similarity from image pixels to chip pixels for five points from ``five_points``."""
    points_px = np.asarray(points_px, dtype=np.float64)
    if points_px.shape != (5, 2):
        raise AlignmentError(f"points_px: expected shape (5, 2), found {points_px.shape}")
    span = float(np.linalg.norm(points_px[0] - points_px[2]))
    if not span >= _MIN_EYE_SPAN_PX:
        raise AlignmentError(
            f"landmarks: the outer eye corners are {span:.2f} px apart, expected at least {_MIN_EYE_SPAN_PX} px"
        )
    template = TEMPLATE_CHIP_PX * (chip_size_px / CHIP_SIZE_PX)
    return similarity_transform(points_px, template)


def _invert(m: np.ndarray) -> np.ndarray:
    full = np.vstack([m, [0.0, 0.0, 1.0]])
    return np.linalg.inv(full)[:2]


def warp_chip(rgb: np.ndarray, to_chip: np.ndarray, chip_size_px: int = CHIP_SIZE_PX) -> np.ndarray:
    """Sample the chip for the image->chip transform ``to_chip`` with anti-aliasing.

    Outside the image the chip is black (zero), as in dlib's chip extraction.
    """
    _check_rgb(rgb)
    scale = math.sqrt(abs(float(np.linalg.det(to_chip[:, :2]))))
    height, width = rgb.shape[:2]
    # Footprint of the chip in the source: the image of its corners, plus a margin
    # for the bilinear taps.
    from_chip = _invert(to_chip)
    corners = np.array([[-1, -1, 1], [chip_size_px, -1, 1], [-1, chip_size_px, 1], [chip_size_px, chip_size_px, 1]], dtype=np.float64)
    footprint = corners @ from_chip.T
    margin = 2.0 / max(scale, 1e-6) + 1.0
    x0 = max(0, int(math.floor(footprint[:, 0].min() - margin)))
    y0 = max(0, int(math.floor(footprint[:, 1].min() - margin)))
    x1 = min(width, int(math.ceil(footprint[:, 0].max() + margin)) + 1)
    y1 = min(height, int(math.ceil(footprint[:, 1].max() + margin)) + 1)
    if x1 <= x0 or y1 <= y0:
        # The face lies entirely outside the image.
        return np.zeros((chip_size_px, chip_size_px, 3), dtype=np.uint8)
    crop = rgb[y0:y1, x0:x1]
    # Crop offset as a transform: crop pixel = image pixel - (x0, y0).
    to_crop = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    if scale < 1.0:
        crop_h, crop_w = crop.shape[:2]
        new_w = max(1, int(round(crop_w * scale)))
        new_h = max(1, int(round(crop_h * scale)))
        crop = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA)
        fx = new_w / crop_w
        fy = new_h / crop_h
        # cv2.resize maps pixel centres: u' = (u + 0.5) * f - 0.5.
        shrink = np.array([[fx, 0.0, 0.5 * fx - 0.5], [0.0, fy, 0.5 * fy - 0.5], [0.0, 0.0, 1.0]])
        to_crop = shrink @ to_crop
    crop_to_chip = to_chip @ np.linalg.inv(to_crop)
    chip = cv2.warpAffine(
        np.ascontiguousarray(crop),
        crop_to_chip,
        (chip_size_px, chip_size_px),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return chip


def align_face(rgb: np.ndarray, landmarks: np.ndarray, chip_size_px: int = CHIP_SIZE_PX) -> np.ndarray:
    """A (chip_size_px, chip_size_px, 3) uint8 RGB face chip from an RGB image and MediaPipe landmarks in pixels."""
    _check_rgb(rgb)
    if not isinstance(chip_size_px, int) or isinstance(chip_size_px, bool) or chip_size_px < 8:
        raise AlignmentError(f"chip_size_px: expected an int >= 8, found {chip_size_px!r}")
    to_chip = chip_transform(five_points(landmarks), chip_size_px)
    return warp_chip(rgb, to_chip, chip_size_px)
