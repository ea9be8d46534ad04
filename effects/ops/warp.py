"""Geometry ops: ``radial_scale``, ``contour_push`` and ``displace``.

Each op turns a face's landmarks into warp primitives (``effects.warp_field``); all the
primitives of one face are applied in one backward-mapping pass inside that face's ROI.
Sizes are fractions of the inter-ocular distance (``*_iod``), so an effect looks the same
on a small or a large face. ``apply_warps`` runs several warp ops as one pass per face,
in place (each face's pass reads a packed window of the frame around its ROI), which is
what a stack of consecutive warp ops should call.

Strength: a radial scale s becomes s ** strength, a displacement is multiplied by
strength; strength 0 leaves the frame unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from effects.face import N_LANDMARKS, FaceTrack
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.values import OpParamError, check_frame, check_number
from effects.regions import FACE_OVAL, region
from effects.warp_field import WarpError, WarpField, apply_field

STRENGTH = Param("strength", "float", 1.0, 0.0, 1.0, doc="0 = no change, 1 = the full effect")
# A lone push stays one-to-one while its move is below 0.65 of its radius (see warp_field).
MAX_MOVE_PER_RADIUS = 0.6
# Neighbouring contour pushes overlap; measured on the test faces, the map stays one-to-one
# (Jacobian determinant >= 0.19) for every target while the move is below 0.4 of the radius.
MAX_CONTOUR_MOVE_PER_RADIUS = 0.4


class WarpOp(Op):
    """An op whose whole effect is a displacement field per face."""

    def field(self, track: FaceTrack) -> WarpField:
        """This op's primitives for one face at full strength times ``self.strength``."""
        raise NotImplementedError

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        apply_warps(frame, tracks, (self,))


def apply_warps(frame: np.ndarray, tracks: Sequence[FaceTrack], ops: Sequence[WarpOp]) -> None:
    """Warp ``frame`` (C-contiguous) in place: the fields of every op summed, one remap pass per face."""
    name = "+".join(op.name for op in ops) or "apply_warps"
    check_frame(name, frame)
    for track in tracks:
        wf = WarpField()
        for op in ops:
            if op.strength > 0.0:
                wf.extend(op.field(track))
        if not wf.is_empty:
            apply_field(frame, wf)


def feature_centres(track: FaceTrack, region_name: str) -> list[tuple[float, float]]:
    """One centre per separate part of a region: "eyes" gives two, "lips" (outer + inner) one.

    Polygons whose bounding boxes overlap belong to the same part; a part's centre is the
    mean of its largest polygon's points.
    """
    polys = [track.xy[list(p)].astype(np.float64) for p in region(region_name).polygons]
    boxes = [(p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()) for p in polys]
    groups: list[list[int]] = []
    for i, b in enumerate(boxes):
        for g in groups:
            if any(not (b[2] < boxes[j][0] or boxes[j][2] < b[0] or b[3] < boxes[j][1] or boxes[j][3] < b[1])
                   for j in g):
                g.append(i)
                break
        else:
            groups.append([i])
    centres = []
    for g in groups:
        biggest = max(g, key=lambda j: (boxes[j][2] - boxes[j][0]) * (boxes[j][3] - boxes[j][1]))
        cx, cy = polys[biggest].mean(axis=0)
        centres.append((float(cx), float(cy)))
    return centres


@register_op
class RadialScale(WarpOp):
    """Enlarge (scale > 1) or shrink (< 1) each part of the named regions about its own centre."""

    name: ClassVar[str] = "radial_scale"
    params: ClassVar[tuple[Param, ...]] = (
        Param("regions", "regions", doc='e.g. ["left_eye", "right_eye"], ["lips"], ["nose"], ["face"]'),
        Param("scale", "float", min=0.3, max=3.0, doc="magnification at the centre, 1.12 = +12%"),
        Param("radius_iod", "float", 0.4, 0.05, 3.0, doc="radius of influence, in inter-ocular distances"),
        STRENGTH,
    )

    def field(self, track: FaceTrack) -> WarpField:
        wf = WarpField()
        scale = float(self.values["scale"]) ** self.strength
        radius = float(self.values["radius_iod"]) * track.interocular_px
        if radius <= 0.0:
            return wf
        for name in self.values["regions"]:
            for cx, cy in feature_centres(track, name):
                wf.add_radial(cx, cy, radius, scale)
        return wf


# Face-oval landmarks each target pushes, with the share of ``amount`` each gets.
_JAW = {361: 0.4, 288: 0.8, 397: 1.0, 365: 1.0, 379: 0.8, 378: 0.5,
        132: 0.4, 58: 0.8, 172: 1.0, 136: 1.0, 150: 0.8, 149: 0.5}
_CHEEKS = {356: 0.4, 454: 0.9, 323: 1.0, 361: 0.7, 288: 0.3,
           127: 0.4, 234: 0.9, 93: 1.0, 132: 0.7, 58: 0.3}
_CHIN = {378: 0.3, 400: 0.6, 377: 0.9, 152: 1.0, 148: 0.9, 176: 0.6, 149: 0.3}
CONTOUR_TARGETS: dict[str, dict[int, float]] = {
    "jaw": _JAW,
    "cheeks": _CHEEKS,
    "chin": _CHIN,
    "face": {i: max(_JAW.get(i, 0.0), _CHEEKS.get(i, 0.0), _CHIN.get(i, 0.0)) for i in {**_JAW, **_CHEEKS, **_CHIN}},
}


_OVAL = np.array(FACE_OVAL)
_OVAL_POS = {idx: i for i, idx in enumerate(FACE_OVAL)}


_OVAL_NEXT = np.roll(np.arange(len(FACE_OVAL)), -1)
_OVAL_PREV = np.roll(np.arange(len(FACE_OVAL)), 1)


def inward_normals(track: FaceTrack) -> np.ndarray:
    """(len(FACE_OVAL), 2) unit normals of the face oval at its landmarks, pointing into the face."""
    pts = track.xy[_OVAL].astype(np.float64)
    centre = pts.mean(axis=0)
    tangent = pts[_OVAL_NEXT] - pts[_OVAL_PREV]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    length = np.hypot(normal[:, 0], normal[:, 1])
    # A degenerate tangent (repeated points) falls back to the direction of the centre.
    to_centre = centre - pts
    normal = np.where((length > 0.0)[:, None], normal, to_centre)
    length = np.hypot(normal[:, 0], normal[:, 1])
    normal = normal / np.where(length > 0.0, length, 1.0)[:, None]
    flip = (normal * to_centre).sum(axis=1) < 0.0
    normal[flip] *= -1.0
    return normal


@register_op
class ContourPush(WarpOp):
    """Pull the face contour in (amount > 0: slimmer jaw, cheeks, shorter chin) or push it out (< 0)."""

    name: ClassVar[str] = "contour_push"
    params: ClassVar[tuple[Param, ...]] = (
        Param("target", "str", choices=("jaw", "cheeks", "chin", "face")),
        Param("amount", "float", min=-0.3, max=0.3, doc="move of the contour, in inter-ocular distances"),
        Param("radius_iod", "float", 0.5, 0.2, 2.0, doc="radius of influence around each contour point"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        amount, radius = abs(self.values["amount"]), self.values["radius_iod"]
        if amount > MAX_CONTOUR_MOVE_PER_RADIUS * radius:
            raise OpParamError(
                f"contour_push: amount: expected a move of at most {MAX_CONTOUR_MOVE_PER_RADIUS:g} x radius_iod "
                f"({MAX_CONTOUR_MOVE_PER_RADIUS * radius:g}) so the image does not fold over, found {amount:g}"
            )

    def field(self, track: FaceTrack) -> WarpField:
        wf = WarpField()
        iod = track.interocular_px
        radius = float(self.values["radius_iod"]) * iod
        move = float(self.values["amount"]) * iod * self.strength
        if radius <= 0.0 or move == 0.0:
            return wf
        shares = CONTOUR_TARGETS[self.values["target"]]
        normals = inward_normals(track)
        ids = list(shares)
        pts = track.xy[ids].astype(np.float64)
        # Neighbouring pushes overlap; divide each by the summed falloff of all pushes at its own
        # point so the contour moves by about ``move`` (not by a multiple of it).
        d2 = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2) / (radius * radius)
        overlap = (np.clip(1.0 - d2, 0.0, None) ** 2).sum(axis=1)
        share = np.array([shares[i] for i in ids])
        along = normals[[_OVAL_POS[i] for i in ids]]
        wf.add_pushes(pts, (move * share / overlap)[:, None] * along, radius)
        return wf


def _check_points(points: tuple[dict[str, Any], ...]) -> tuple[tuple[int, float, float, float], ...]:
    keys = {"landmark", "dx_iod", "dy_iod", "radius_iod"}
    out = []
    for i, p in enumerate(points):
        where = f"points[{i}]"
        extra = sorted(set(p) - keys)
        missing = sorted(keys - set(p))
        if extra:
            raise OpParamError(f"displace: {where}.{extra[0]}: unknown field; expected one of {', '.join(sorted(keys))}")
        if missing:
            raise OpParamError(f"displace: {where}: missing field {missing[0]!r}")
        lm = p["landmark"]
        if isinstance(lm, bool) or not isinstance(lm, int) or not 0 <= lm < N_LANDMARKS:
            raise OpParamError(f"displace: {where}.landmark: expected a landmark index 0-{N_LANDMARKS - 1}, found {lm!r}")
        dx = check_number("displace", f"{where}.dx_iod", p["dx_iod"], -1.0, 1.0)
        dy = check_number("displace", f"{where}.dy_iod", p["dy_iod"], -1.0, 1.0)
        r = check_number("displace", f"{where}.radius_iod", p["radius_iod"], 0.05, 3.0)
        if math.hypot(dx, dy) > MAX_MOVE_PER_RADIUS * r:
            raise OpParamError(
                f"displace: {where}: expected a move of at most {MAX_MOVE_PER_RADIUS:g} x radius_iod "
                f"({MAX_MOVE_PER_RADIUS * r:g}) so the image does not fold over, found {math.hypot(dx, dy):g}"
            )
        out.append((lm, dx, dy, r))
    return tuple(out)


@register_op
class Displace(WarpOp):
    """Move the content at landmarks by given offsets (face axes: x along the eye line, y down the face)."""

    name: ClassVar[str] = "displace"
    params: ClassVar[tuple[Param, ...]] = (
        Param("points", "points", doc="tables {landmark, dx_iod, dy_iod, radius_iod}"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._points = _check_points(self.values["points"])

    def field(self, track: FaceTrack) -> WarpField:
        wf = WarpField()
        iod = track.interocular_px
        roll = math.radians(track.pose.roll_deg)
        c, s = math.cos(roll), math.sin(roll)
        for lm, dx, dy, r in self._points:
            mx = (dx * c - dy * s) * iod * self.strength
            my = (dx * s + dy * c) * iod * self.strength
            px, py = track.xy[lm]
            if r * iod > 0.0:
                wf.add_push(float(px), float(py), mx, my, r * iod)
        return wf
