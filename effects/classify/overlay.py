"""New content an effect draws (stickers, glasses, particles): where it is and how much.

A pixel is new content when two things hold (see ``overlay_mask``): its colour is not
what a colour map of the (flow-aligned) input predicts, and its local pattern of
lightness is not the input's. A tint or a film grade fails the first test or keeps the
pattern; an opaque sticker passes both. The raw pixels are cleaned (opened with a
3x3 square, closed over 0.06 iod so a sticker's patchy inside joins up) and holes a
sticker encloses (the lenses inside sunglasses frames) are filled when they are
smaller than ``_MAX_HOLE_FACE_SHARE`` of the face area. Particles of a pixel or two
(glitter) are found apart, by ``specks``.
"""

from __future__ import annotations

import cv2
import numpy as np

from effects.classify.colour import ciede2000
from effects.classify.geometry import polygon_area
from effects.face import FaceTrack
from effects.masks import region_mask
from effects.regions import FACE_OVAL

_OVERLAY_DE = 10.0  # per-pixel CIEDE2000 from the explained colour above which a pixel may be new content
_COLOUR_BINS_SHIFT = 4  # 16 levels per RGB channel for the input -> output colour map
_STRUCTURE_WINDOW = 7
_STRUCTURE_NCC = 0.5
_FLAT_VARIANCE = 1.0  # L*^2: a window this even has no structure to keep
_MIN_CONTRAST_KEPT = 0.4  # a tinted lens keeps the pattern but crushes its contrast below this
_CLOSE_IOD = 0.06
_MIN_BLOB_IOD = 0.05
_MAX_HOLE_FACE_SHARE = 0.15
_SPECK_IOD = 0.1
_SPECK_DL = 8.0
_MIN_SPECKS = 12


def overlay_mask(
    rgb_moved: np.ndarray, lab_moved: np.ndarray, lab_out: np.ndarray, iod: float, face_area_px: float
) -> np.ndarray:
    """Boolean (H, W) mask of new content in the output.

    ``rgb_moved``/``lab_moved``: the input resampled onto the output's geometry. The
    colour map is the per-bin median output colour over the whole frame, input colours
    in 16x16x16 RGB bins: a filter that recolours by colour is explained by it, an opaque
    sticker is not. On black-and-white photos a tint is not explained (grey skin shares
    its bins with a grey wall), hence the second test: the normalised cross-correlation
    of L* over a 7x7 window between moved input and output is below 0.5, or the output
    keeps less than 40% of the window's contrast (dark tinted lenses), or both windows
    are flat (a flat sticker over a flat wall).
    """
    structure_lost = _structure_lost(lab_moved[..., 0], lab_out[..., 0])
    predicted = _colour_map_prediction(rgb_moved, lab_out)
    # CIEDE2000 only where the plain Lab distance (CIE76) allows it: on 400,000 random
    # sRGB pairs CIE76 was never below 0.70 times CIEDE2000, so 0.6 misses nothing.
    candidates = structure_lost & (np.linalg.norm(predicted - lab_out, axis=2) > 0.6 * _OVERLAY_DE)
    raw = np.zeros(candidates.shape, bool)
    raw[candidates] = ciede2000(predicted[candidates], lab_out[candidates]) > _OVERLAY_DE
    mask = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= max(6.0, (_MIN_BLOB_IOD * iod) ** 2)
    mask = keep[labels].astype(np.uint8)
    size = max(3, int(round(_CLOSE_IOD * iod)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return _fill_small_holes(mask, _MAX_HOLE_FACE_SHARE * face_area_px) > 0


def specks(lab_moved: np.ndarray, lab_out: np.ndarray, iod: float) -> np.ndarray:
    """Particles too small for ``overlay_mask`` (glitter): compact spots at most _SPECK_IOD
    across whose L* rose by _SPECK_DL or more above both the input and their surroundings
    (the median rise over a window three times that size), grown by a pixel. They count only
    when there are at least _MIN_SPECKS of them and fewer than a third as many dark spots
    of the same kind: film grain darkens as many spots as it lightens, glitter only lightens.
    A stroke (eyeliner) is longer and darker, a highlighter rises with its surroundings."""
    reach = max(3.0, _SPECK_IOD * iod)
    rise = lab_out[..., 0] - lab_moved[..., 0]
    bright, n_bright = _spots(rise, reach)
    _, n_dark = _spots(-rise, reach)
    if n_bright < _MIN_SPECKS or 3 * n_dark >= n_bright:
        return np.zeros(rise.shape, bool)
    return cv2.dilate(bright.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def _spots(rise: np.ndarray, reach: float) -> tuple[np.ndarray, int]:
    """Compact spots (at most twice ``reach`` across) rising by _SPECK_DL over the input and their window."""
    levels = np.clip(np.round(rise + 128.0), 0, 255).astype(np.uint8)
    window = int(3 * reach) | 1
    surround = cv2.medianBlur(levels, window).astype(np.float64) - 128.0
    raw = ((rise >= _SPECK_DL) & (rise - surround >= _SPECK_DL)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(raw, connectivity=8)
    if n <= 1:
        return np.zeros(rise.shape, bool), 0
    across = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    small = np.zeros(n, bool)
    small[1:] = across <= 2.0 * reach
    return small[labels], int(small.sum())


def _colour_map_prediction(rgb_moved: np.ndarray, lab_out: np.ndarray) -> np.ndarray:
    """Per pixel, the median output Lab colour of all pixels whose moved-input colour shares its RGB bin."""
    q = (rgb_moved >> _COLOUR_BINS_SHIFT).astype(np.int64)
    bins = (q[..., 0] << 8 | q[..., 1] << 4 | q[..., 2]).ravel()
    counts = np.bincount(bins, minlength=4096)
    middle = np.concatenate([[0], np.cumsum(counts)[:-1]]) + counts // 2
    has = counts > 0
    predicted = np.empty((bins.size, 3), np.float64)
    for c in range(3):
        # One sort of "bin, then value" packed in a float: the bin's median sits at its middle index.
        values = lab_out[..., c].ravel()
        packed = np.sort(bins * 1024.0 + (values + 300.0))
        median_of_bin = np.zeros(4096)
        median_of_bin[has] = packed[middle[has]] - np.nonzero(has)[0] * 1024.0 - 300.0
        predicted[:, c] = median_of_bin[bins]
    return predicted.reshape(lab_out.shape)


def _structure_lost(l_a: np.ndarray, l_b: np.ndarray) -> np.ndarray:
    """Where the local pattern of L* is not kept (NCC < _STRUCTURE_NCC) or both windows are flat."""
    a = l_a.astype(np.float32)
    b = l_b.astype(np.float32)
    k = (_STRUCTURE_WINDOW, _STRUCTURE_WINDOW)
    mean_a = cv2.boxFilter(a, -1, k)
    mean_b = cv2.boxFilter(b, -1, k)
    var_a = np.maximum(cv2.boxFilter(a * a, -1, k) - mean_a * mean_a, 0.0)
    var_b = np.maximum(cv2.boxFilter(b * b, -1, k) - mean_b * mean_b, 0.0)
    cov = cv2.boxFilter(a * b, -1, k) - mean_a * mean_b
    flat = (var_a < _FLAT_VARIANCE) & (var_b < _FLAT_VARIANCE)
    ncc = cov / np.sqrt(var_a * var_b + 1e-6)
    crushed = (var_a >= _FLAT_VARIANCE) & (var_b < (_MIN_CONTRAST_KEPT**2) * var_a)
    return flat | crushed | (ncc < _STRUCTURE_NCC)


def _fill_small_holes(mask: np.ndarray, max_area_px: float) -> np.ndarray:
    """``mask`` (uint8 0/1) with enclosed background regions smaller than ``max_area_px`` filled."""
    holes = (1 - mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    h, w = mask.shape
    out = mask.copy()
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        touches_border = x == 0 or y == 0 or x + bw == w or y + bh == h
        if not touches_border and area <= max_area_px:
            out[labels == i] = 1
    return out


def face_area_px(track: FaceTrack) -> float:
    return polygon_area(track.xy[list(FACE_OVAL)])


def overlay_shares(overlay: np.ndarray, track: FaceTrack, head: np.ndarray, spots: np.ndarray) -> dict[str, float]:
    """``overlay.share`` (area / face-oval area) and how it splits: face, head zone, elsewhere;
    ``overlay.specks``: the share of the face oval under particles (``specks``)."""
    shape = overlay.shape
    area = face_area_px(track)
    face = region_mask(shape + (3,), track, ["face"], feather_px=0.0).full(shape) > 0.5
    specks_share = float((spots & face).sum()) / area if area > 0 else float("nan")
    total = int(overlay.sum())
    values = {"overlay.share": total / area if area > 0 else float("nan"), "overlay.specks": specks_share}
    if total == 0:
        values.update({"overlay.face": 0.0, "overlay.head": 0.0, "overlay.outside": 0.0})
        return values
    in_face = int((overlay & face).sum())
    in_head = int((overlay & head & ~face).sum())
    values["overlay.face"] = in_face / total
    values["overlay.head"] = in_head / total
    values["overlay.outside"] = (total - in_face - in_head) / total
    return values
