"""What an effect did to one reference face, as a flat table of numbers.

``measure_face`` compares a reference photo with the effect's output and returns
``{metric: value}`` (NaN where a metric could not be measured on this face):

geometry.<m>        relative size change of feature <m> (see ``geometry``), from the
                    input's landmarks followed through the optical flow (see ``flow``);
                    ``redetected.<m>`` is the same from landmarks re-detected on the output
detected            1 if the detector still finds this face on the output, else 0
tone.<r>            CIEDE2000 between the mean CIELAB colour of region <r> before and after
                    (skin, lips, teeth, irises, cheeks, eyelids); ``tone.<r>.dL`` its L* change;
                    ``tone.skin.chroma_after`` / ``tone.skin.hue_after``: C*ab and h_ab (degrees)
                    of the mean skin colour after
tone.skin_pixel     median per-pixel CIEDE2000 inside the skin
tone.background     median per-pixel CIEDE2000 in the background (outside the head zone)
texture.skin        loss of skin detail: 1 - RMS(after) / RMS(before) of the high-pass of
                    log luminance (log(Y + 0.01) minus its Gaussian blur at sigma =
                    max(1 px, 0.02 iod)); in log units a pure darkening or tint leaves
                    detail unchanged, only a blur removes it; < 0 = detail added
texture.background  the same in the background
motion.background   median optical-flow length in the background, in iod
overlay.share       area of new content (pixels the output cannot be explained by the input
                    moved and recoloured) / area of the face oval
overlay.face|head|outside   how that area splits between face oval, head zone, elsewhere

Before/after pairs are taken at corresponding places: regions of the output are
built from the input's landmarks carried by the flow, and overlay pixels are left
out of the tone and texture measures (an opaque sticker is counted once, as an overlay).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.classify import geometry
from effects.classify.colour import ciede2000, lab_chroma_hue, srgb_to_lab
from effects.classify.flow import dense_flow, follow, warp_to_output
from effects.classify.protocols import LandmarkDetector
from effects.classify.reference import ReferenceFace
from effects.face import Box, FaceTrack
from effects.masks import region_mask
from effects.regions import FACE_OVAL

TONE_REGIONS: tuple[str, ...] = ("skin", "lips", "teeth", "irises", "cheeks", "eyelids")
# How far each region is shrunk before measuring (fraction of iod), so that landmark
# error and a neighbouring feature's warp do not leak into its colour.
_ERODE_IOD = {"skin": 0.05, "lips": 0.015, "teeth": 0.01, "irises": 0.0, "cheeks": 0.03, "eyelids": 0.02}
_MIN_PIXELS = {"skin": 50, "lips": 20, "teeth": 20, "irises": 8, "cheeks": 30, "eyelids": 20}
_TEETH_MIN_LIGHTNESS = 45.0  # the mouth opening shows teeth (not a dark mouth) when its median L* is above this
_OVERLAY_DE = 15.0  # per-pixel CIEDE2000 from the explained colour above which a pixel is new content
_HEAD_ZONE_IOD = 0.6  # the background starts this far outside the face oval (hair, ears, neck are not background)
_COLOUR_BINS_SHIFT = 4  # 16 levels per RGB channel for the input -> output colour map
_STRUCTURE_WINDOW = 7
_STRUCTURE_NCC = 0.5
_FLAT_VARIANCE = 1.0  # L*^2: a window this even has no structure to keep


def measure_face(face: ReferenceFace, rgb_out: np.ndarray, detector: LandmarkDetector) -> dict[str, float]:
    """Every metric of the module notes for one face."""
    rgb_in = face.rgb
    xy_in = face.track.xy
    iod = geometry.eye_distance(xy_in)
    flow = dense_flow(rgb_in, rgb_out)
    moved, trusted = follow(flow, xy_in, iod)
    values: dict[str, float] = {}
    for name, v in geometry.changes(xy_in, moved, trusted).items():
        values[f"geometry.{name}"] = v

    found = detector.detect(rgb_out)
    match = _matching_face(found, face.track.box)
    values["detected"] = 1.0 if match is not None else 0.0
    redetected = geometry.changes(xy_in, match.xy) if match is not None else {}
    for name in geometry.GEOMETRY_METRICS:
        values[f"redetected.{name}"] = redetected.get(name, math.nan)

    z = face.track.landmarks_px[:, 2:3]
    track_out = FaceTrack.from_landmarks(np.concatenate([moved, z], axis=1))
    lab_in = srgb_to_lab(rgb_in)
    lab_out = srgb_to_lab(rgb_out)
    rgb_moved = warp_to_output(rgb_in, flow)
    lab_moved = srgb_to_lab(rgb_moved)
    overlay = _overlay_mask(rgb_moved, lab_moved, lab_out, iod)
    pixel_de = ciede2000(lab_moved, lab_out)

    head = _head_zone(rgb_in.shape, face.track, iod)
    background = ~head
    values.update(_tone(face, track_out, lab_in, lab_out, overlay, iod))
    skin_in = _mask(rgb_in.shape, face.track, "skin", iod)
    skin_out = _mask(rgb_in.shape, track_out, "skin", iod) & ~overlay
    values["tone.skin_pixel"] = float(np.median(pixel_de[skin_out])) if skin_out.sum() >= 50 else math.nan
    values["tone.background"] = float(np.median(pixel_de[background])) if background.sum() >= 50 else math.nan
    values["motion.background"] = (
        float(np.median(np.linalg.norm(flow.forward[background], axis=1))) / iod if background.sum() >= 50 else math.nan
    )
    sigma = max(1.0, 0.02 * iod)
    near_overlay = cv2.dilate(overlay.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=int(2 * sigma) + 1) > 0
    log_in = _log_luminance(rgb_in)
    log_out = _log_luminance(rgb_out)
    values["texture.skin"] = _detail_loss(log_in, log_out, skin_in, skin_out & ~near_overlay, sigma)
    values["texture.background"] = _detail_loss(log_in, log_out, background, background & ~near_overlay, sigma)
    values.update(_overlay_shares(overlay, face.track, head))
    return values


def _matching_face(found: list[FaceTrack], box: Box) -> FaceTrack | None:
    """The detected face that overlaps the reference face's box best (at least 30% IoU)."""
    best, best_iou = None, 0.3
    for track in found:
        w = min(box.x1, track.box.x1) - max(box.x0, track.box.x0)
        h = min(box.y1, track.box.y1) - max(box.y0, track.box.y0)
        if w <= 0 or h <= 0:
            continue
        inter = w * h
        iou = inter / (box.width * box.height + track.box.width * track.box.height - inter)
        if iou >= best_iou:
            best, best_iou = track, iou
    return best


def _mask(shape: tuple[int, ...], track: FaceTrack, name: str, iod: float) -> np.ndarray:
    """A full-frame boolean mask of region ``name``, shrunk by its _ERODE_IOD."""
    if name == "irises":
        irises = region_mask(shape, track, ["irises"], feather_px=0.0).full(shape) > 0.5
        eyes = region_mask(shape, track, ["eyes"], feather_px=0.0, dilate_px=-1.0).full(shape) > 0.5
        return irises & eyes
    rm = region_mask(shape, track, [name], feather_px=0.0, dilate_px=-_ERODE_IOD[name] * iod)
    return rm.full(shape) > 0.5


def _tone(
    face: ReferenceFace,
    track_out: FaceTrack,
    lab_in: np.ndarray,
    lab_out: np.ndarray,
    overlay: np.ndarray,
    iod: float,
) -> dict[str, float]:
    values: dict[str, float] = {}
    shape = face.rgb.shape
    for name in TONE_REGIONS:
        m_in = _mask(shape, face.track, name, iod)
        m_out = _mask(shape, track_out, name, iod) & ~overlay
        de = dl = math.nan
        enough = m_in.sum() >= _MIN_PIXELS[name] and m_out.sum() >= _MIN_PIXELS[name]
        if name == "teeth" and enough:
            enough = float(np.median(lab_in[..., 0][m_in])) >= _TEETH_MIN_LIGHTNESS
        chroma = hue = math.nan
        if enough:
            mean_in = lab_in[m_in].mean(axis=0)
            mean_out = lab_out[m_out].mean(axis=0)
            de = float(ciede2000(mean_in, mean_out))
            dl = float(mean_out[0] - mean_in[0])
            c, h = lab_chroma_hue(mean_out)
            chroma, hue = float(c), float(h)
        values[f"tone.{name}"] = de
        values[f"tone.{name}.dL"] = dl
        if name == "skin":
            values["tone.skin.chroma_after"] = chroma
            values["tone.skin.hue_after"] = hue
    return values


def _head_zone(shape: tuple[int, ...], track: FaceTrack, iod: float) -> np.ndarray:
    """The face oval grown by _HEAD_ZONE_IOD plus the box above it up to one face height (hair, hats)."""
    h, w = shape[:2]
    zone = region_mask(shape, track, ["face"], feather_px=0.0, dilate_px=_HEAD_ZONE_IOD * iod).full(shape) > 0.5
    b = track.box
    pad = _HEAD_ZONE_IOD * iod
    y0 = int(max(0, math.floor(b.y0 - b.height)))
    y1 = int(min(h, math.ceil(b.center[1])))
    x0 = int(max(0, math.floor(b.x0 - pad)))
    x1 = int(min(w, math.ceil(b.x1 + pad)))
    zone[y0:y1, x0:x1] = True
    return zone


def _log_luminance(rgb: np.ndarray) -> np.ndarray:
    """log(Y + 0.01) with Y the linear sRGB luminance in [0, 1], float32."""
    c = rgb.astype(np.float32) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    return np.log(y + 0.01).astype(np.float32)


def _detail_loss(l_in: np.ndarray, l_out: np.ndarray, m_in: np.ndarray, m_out: np.ndarray, sigma: float) -> float:
    if m_in.sum() < 50 or m_out.sum() < 50:
        return math.nan
    hp_in = l_in - cv2.GaussianBlur(l_in, (0, 0), sigma)
    hp_out = l_out - cv2.GaussianBlur(l_out, (0, 0), sigma)
    rms_in = math.sqrt(float(np.mean(hp_in[m_in] ** 2)))
    rms_out = math.sqrt(float(np.mean(hp_out[m_out] ** 2)))
    if rms_in <= 1e-6:
        return math.nan
    return 1.0 - rms_out / rms_in


def _overlay_mask(rgb_moved: np.ndarray, lab_moved: np.ndarray, lab_out: np.ndarray, iod: float) -> np.ndarray:
    """Pixels of new content: colour not explained by a colour map AND local structure not kept.

    The colour map is the per-bin median output colour over the whole frame, with input
    colours in 16x16x16 RGB bins: a filter or tint that recolours by colour is explained
    by it, an opaque sticker is not. On black-and-white photos a tint is not explained
    (grey skin shares its bins with a grey wall), so a pixel must also have lost its local
    structure: the normalised cross-correlation of L* over a 7x7 window between the moved
    input and the output is below 0.5 (a tint or a grade keeps it, a sticker replaces it),
    or both windows are flat (a flat sticker over a flat wall).
    """
    q = (rgb_moved >> _COLOUR_BINS_SHIFT).astype(np.int32)
    bins = (q[..., 0] << 8 | q[..., 1] << 4 | q[..., 2]).ravel()
    predicted = np.empty_like(lab_out).reshape(-1, 3)
    counts = np.bincount(bins, minlength=4096)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    middle = starts + counts // 2
    has = counts > 0
    for c in range(3):
        values = lab_out[..., c].ravel()
        order = np.lexsort((values, bins))
        median_of_bin = np.zeros(4096)
        median_of_bin[has] = values[order][middle[has]]
        predicted[:, c] = median_of_bin[bins]
    de = ciede2000(predicted.reshape(lab_out.shape), lab_out)
    raw = (de > _OVERLAY_DE) & _structure_lost(lab_moved[..., 0], lab_out[..., 0])
    opened = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    min_area = max(6.0, (0.05 * iod) ** 2)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


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
    return flat | (ncc < _STRUCTURE_NCC)


def _overlay_shares(overlay: np.ndarray, track: FaceTrack, head: np.ndarray) -> dict[str, float]:
    shape = overlay.shape
    face_area = geometry.polygon_area(track.xy[list(FACE_OVAL)])
    face = region_mask(shape + (3,), track, ["face"], feather_px=0.0).full(shape) > 0.5
    total = int(overlay.sum())
    values = {"overlay.share": total / face_area if face_area > 0 else math.nan}
    if total == 0:
        values.update({"overlay.face": 0.0, "overlay.head": 0.0, "overlay.outside": 0.0})
        return values
    in_face = int((overlay & face).sum())
    in_head = int((overlay & head & ~face).sum())
    values["overlay.face"] = in_face / total
    values["overlay.head"] = in_head / total
    values["overlay.outside"] = (total - in_face - in_head) / total
    return values
