"""What an effect did to one reference face, as a flat table of numbers.

``measure_face`` compares a reference photo with the effect's output and returns
``{metric: value}`` (NaN where a metric could not be measured on this face):

geometry.<m>        relative size change of feature <m> (see ``geometry``), from the
                    input's landmarks followed through the optical flow (see ``flow``).
                    Where the flow loses a feature's landmarks (a warp too large for it),
                    the landmarks re-detected on the output stand in and
                    ``geometry.<m>.redetected`` is 1. A feature hidden by an overlay is NaN.
redetected.<m>      the same change from re-detected landmarks only (for comparison)
detected            1 if the detector still finds this face on the output, else 0
tone.<r>            CIEDE2000 between the mean CIELAB colour of region <r> before and after
                    (skin, lips, teeth, irises); ``tone.<r>.dL`` its L*
                    change; teeth are the brighter half of the mouth opening, and only when
                    the mouth shows them; a region whose surroundings are more than a fifth
                    under an overlay is
                    NaN and ``tone.<r>.hidden`` is 1.
                    ``tone.skin.chroma_after`` / ``tone.skin.hue_after`` /
                    ``tone.skin.lightness_after``: C*ab, h_ab (degrees) and L* of the mean
                    skin colour after; ``tone.skin.chroma_before``: its C*ab before
local.<r>           makeup where it is applied (cheeks, eyelids, lips, brows, lash line):
                    see ``local``
tone.skin_pixel     median per-pixel CIEDE2000 inside the skin
tone.background     median per-pixel CIEDE2000 in the background (outside the head zone)
texture.skin        loss of skin detail: 1 - RMS(after) / RMS(before) of the high-pass of
                    log luminance (log(Y + 0.01) minus its Gaussian blur at sigma =
                    max(1 px, 0.02 iod)), "before" being the input carried onto the
                    output by the flow (so the resampling of a warp, which blurs a little,
                    is in both and cancels: warps read <= 1% here, against up to 16% when
                    compared with the input itself), where the flow neither magnifies nor
                    shrinks the skin by more than 8%. In log units a darkening or tint
                    leaves detail as it is; < 0 = detail added
texture.background  the same in the background
motion.background   median optical-flow length in the background, in iod
overlay.*           new content: see ``overlay.overlay_shares``
hair.*, person.*,   with the photo's person mask: see ``person``
outside.*

Before/after pairs are taken at corresponding places: regions of the output are
built from the input's landmarks carried by the flow, and overlay pixels are left
out of the tone and texture measures (an opaque sticker is counted once, as an overlay).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.classify import geometry
from effects.classify.colour import ciede2000, detail_loss, lab_chroma_hue, log_luminance, srgb_to_lab
from effects.classify.flow import dense_flow, follow, sample, warp_to_output
from effects.classify.local import local_changes
from effects.classify.person import person_measures
from effects.classify.overlay import face_area_px, overlay_mask, overlay_shares, specks
from effects.classify.protocols import LandmarkDetector
from effects.classify.reference import ReferenceFace
from effects.face import Box, FaceTrack
from effects.masks import region_mask
from effects.regions import FACE_OVAL

TONE_REGIONS: tuple[str, ...] = ("skin", "lips", "teeth", "irises")
# How far each region is shrunk before measuring (fraction of iod), so that landmark
# error and a neighbouring feature's warp do not leak into its colour.
_ERODE_IOD = {"skin": 0.05, "lips": 0.015, "teeth": 0.01, "irises": 0.0}
_MIN_PIXELS = {"skin": 50, "lips": 20, "teeth": 20, "irises": 8}
_TEETH_MIN_LIGHTNESS = 45.0  # the mouth opening shows teeth when its brighter half has median L* above this
_MAX_HIDDEN = 0.2  # a region (with its surroundings) more than a fifth under an overlay is not measured
_HIDDEN_REACH_IOD = 0.1
_MAX_HIDDEN_LANDMARKS = 0.2  # a geometry measure with more than 20% of its landmarks under an overlay is not
_HEAD_ZONE_IOD = 0.6  # the background starts this far outside the face oval (hair, ears, neck are not background)
_HALO_IOD = 0.04  # tone and makeup are measured this far (at least 2 px) from any overlay pixel
_STABLE_SCALE = 0.08  # texture is compared where the flow changes local area by less than this


def measure_face(face: ReferenceFace, rgb_out: np.ndarray, detector: LandmarkDetector,
                 person: np.ndarray | None = None) -> dict[str, float]:
    """Every metric of the module notes for one face; with ``person`` (the photo's person mask)
    also the hair and person metrics of ``effects.classify.person``."""
    rgb_in = face.rgb
    shape = rgb_in.shape
    xy_in = face.track.xy
    iod = geometry.eye_distance(xy_in)
    flow = dense_flow(rgb_in, rgb_out)
    moved, trusted = follow(flow, xy_in, iod)

    lab_in = face.lab
    lab_out = srgb_to_lab(rgb_out)
    rgb_moved = warp_to_output(rgb_in, flow)
    lab_moved = srgb_to_lab(rgb_moved)
    spots = specks(lab_moved, lab_out, iod)
    overlay = overlay_mask(rgb_moved, lab_moved, lab_out, iod, face_area_px(face.track)) | spots

    found = detector.detect(rgb_out)
    match = _matching_face(found, face.track.box)
    values: dict[str, float] = {"detected": 1.0 if match is not None else 0.0}
    values.update(_geometry(xy_in, moved, trusted, match, overlay))

    z = face.track.landmarks_px[:, 2:3]
    track_out = FaceTrack.from_landmarks(np.concatenate([moved, z], axis=1))
    head = _head_zone(shape, face.track, iod)
    background = ~head
    # Colours are read away from new content: an anti-aliased particle's rim is part of it.
    grow = max(2, int(round(_HALO_IOD * iod)))
    halo = cv2.dilate(overlay.astype(np.uint8), np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)) > 0
    values.update(_tone(face, track_out, lab_in, lab_out, lab_moved, overlay, halo, iod))
    values.update(local_changes(track_out, rgb_moved, rgb_out, lab_moved, lab_out, overlay, halo, iod))
    skin_out = _mask(shape, track_out, "skin", iod) & ~halo
    values["tone.skin_pixel"] = _median_pixel_de(lab_moved, lab_out, skin_out)
    values["tone.background"] = _median_pixel_de(lab_moved, lab_out, background)
    values["motion.background"] = (
        float(np.median(np.linalg.norm(flow.forward[background], axis=1))) / iod if background.sum() >= 50 else math.nan
    )

    sigma = max(1.0, 0.02 * iod)
    reach = int(2 * sigma) + 1
    near_overlay = cv2.dilate(overlay.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
    stable = _stable(flow.backward)
    # Detail is compared with the input carried onto the output by the flow: that copy goes
    # through the same resampling as a warp's output, so a warp alone loses nothing here.
    log_moved = log_luminance(rgb_moved)
    log_out = log_luminance(rgb_out)
    skin = skin_out & ~near_overlay & stable
    values["texture.skin"] = detail_loss(log_moved, log_out, skin, sigma)
    values["texture.background"] = detail_loss(log_moved, log_out, background & ~near_overlay, sigma)
    values.update(overlay_shares(overlay, face.track, head, spots))
    if person is not None:
        values.update(person_measures(face, person, (lab_moved, lab_out), (log_moved, log_out), overlay, iod))
    return values


def _median_pixel_de(lab_a: np.ndarray, lab_b: np.ndarray, mask: np.ndarray) -> float:
    """Median per-pixel CIEDE2000 over ``mask``, on every other row and column (a median needs no more)."""
    sub = mask[::2, ::2]
    if sub.sum() < 25:
        return math.nan
    return float(np.median(ciede2000(lab_a[::2, ::2][sub], lab_b[::2, ::2][sub])))


def _geometry(
    xy_in: np.ndarray, moved: np.ndarray, trusted: np.ndarray, match: FaceTrack | None, overlay: np.ndarray
) -> dict[str, float]:
    by_flow = geometry.changes(xy_in, moved, trusted)
    by_detection = geometry.changes(xy_in, match.xy) if match is not None else {}
    on_overlay = sample(overlay.astype(np.float32)[..., None], moved)[:, 0] > 0.5
    out: dict[str, float] = {}
    for name in geometry.GEOMETRY_METRICS:
        uses = list(geometry.USES[name])
        redetected = by_detection.get(name, math.nan)
        out[f"redetected.{name}"] = redetected
        value, fallback = by_flow[name], 0.0
        if float(on_overlay[uses].mean()) > _MAX_HIDDEN_LANDMARKS:
            value = math.nan
        elif math.isnan(value) and not math.isnan(redetected):
            value, fallback = redetected, 1.0
        out[f"geometry.{name}"] = value
        out[f"geometry.{name}.redetected"] = fallback
    return out


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
    lab_moved: np.ndarray,
    overlay: np.ndarray,
    halo: np.ndarray,
    iod: float,
) -> dict[str, float]:
    values: dict[str, float] = {}
    shape = face.rgb.shape
    for name in TONE_REGIONS:
        m_in = _mask(shape, face.track, name, iod)
        region_out = _mask(shape, track_out, name, iod)
        m_out = region_out & ~halo
        present = m_in.sum() >= _MIN_PIXELS[name] and region_out.sum() >= _MIN_PIXELS[name]
        hidden = present and (
            m_out.sum() < _MIN_PIXELS[name] or _hidden_share(shape, track_out, name, overlay, iod) > _MAX_HIDDEN
        )
        enough = present and not hidden
        if name == "teeth" and enough:
            # The teeth are the brighter half of the mouth opening (judged on the input's colours).
            m_in = m_in & (lab_in[..., 0] >= np.median(lab_in[..., 0][m_in]))
            m_out = m_out & (lab_moved[..., 0] >= np.median(lab_moved[..., 0][m_out]))
            enough = bool(m_in.any() and m_out.any()) and float(np.median(lab_in[..., 0][m_in])) >= _TEETH_MIN_LIGHTNESS
        de = dl = chroma = hue = lightness = chroma_before = math.nan
        if enough:
            mean_in = lab_in[m_in].mean(axis=0)
            mean_out = lab_out[m_out].mean(axis=0)
            de = float(ciede2000(mean_in, mean_out))
            dl = float(mean_out[0] - mean_in[0])
            c, h = lab_chroma_hue(mean_out)
            chroma, hue, lightness = float(c), float(h), float(mean_out[0])
            chroma_before = float(lab_chroma_hue(mean_in)[0])
        values[f"tone.{name}"] = de
        values[f"tone.{name}.dL"] = dl
        values[f"tone.{name}.hidden"] = 1.0 if hidden else 0.0
        if name == "skin":
            values["tone.skin.chroma_after"] = chroma
            values["tone.skin.hue_after"] = hue
            values["tone.skin.lightness_after"] = lightness
            values["tone.skin.chroma_before"] = chroma_before
    return values


def _hidden_share(shape: tuple[int, ...], track: FaceTrack, name: str, overlay: np.ndarray, iod: float) -> float:
    """The share of the region and its surroundings (grown by _HIDDEN_REACH_IOD) under an overlay.

    The surroundings count because an overlay's translucent parts (tinted lenses) are
    only partly detected as new content, next to the parts that are."""
    region = "eyes" if name == "irises" else name
    grown = region_mask(shape, track, [region], feather_px=0.0, dilate_px=_HIDDEN_REACH_IOD * iod).full(shape) > 0.5
    area = int(grown.sum())
    return float((grown & overlay).sum()) / area if area else 0.0


def _head_zone(shape: tuple[int, ...], track: FaceTrack, iod: float) -> np.ndarray:
    """The face oval grown by _HEAD_ZONE_IOD, plus the band above the face (hair, hats, ears) up to
    one face height above the top of the face oval, turned with the head: "above" is
    perpendicular to the line through the eyes."""
    zone = region_mask(shape, track, ["face"], feather_px=0.0, dilate_px=_HEAD_ZONE_IOD * iod).full(shape) > 0.5
    xy = track.xy.astype(np.float64)
    across = xy[263] - xy[33]
    across /= max(float(np.linalg.norm(across)), 1e-9)
    up = np.array([across[1], -across[0]])  # image y points down: "up" on the face
    oval = xy[list(FACE_OVAL)]
    centre = oval.mean(axis=0)
    rel = oval - centre
    half_width = float(np.abs(rel @ across).max()) + _HEAD_ZONE_IOD * iod
    top = float((rel @ up).max())
    reach = top + float((rel @ up).max() - (rel @ up).min())
    corners = np.array([
        centre - across * half_width,
        centre + across * half_width,
        centre + across * half_width + up * reach,
        centre - across * half_width + up * reach,
    ])
    band = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(band, [np.round(corners * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4)
    return zone | (band > 0)


def _stable(flow_field: np.ndarray) -> np.ndarray:
    """Where the mapping x -> x + flow(x) changes local area by less than _STABLE_SCALE (Jacobian determinant)."""
    fx = cv2.GaussianBlur(flow_field[..., 0], (0, 0), 2.0)
    fy = cv2.GaussianBlur(flow_field[..., 1], (0, 0), 2.0)
    dfx_dy, dfx_dx = np.gradient(fx)
    dfy_dy, dfy_dx = np.gradient(fy)
    det = (1.0 + dfx_dx) * (1.0 + dfy_dy) - dfx_dy * dfy_dx
    return np.abs(det - 1.0) < _STABLE_SCALE
