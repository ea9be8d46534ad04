"""Where the label plate goes: a preferred corner, never over a face, without flicker.

Positions are tried in order: the corners (top-left first), then the middles of the edges,
each a margin away from the frame edge, clear of the face boxes grown by a margin. If none is
clear, any clear position is used: the search is exact, over the positions where the plate
touches a frame margin or a face box edge (if any clear position exists, one of those is
clear), nearest to where the plate was; failing that, the same without the margin around
faces, then without the margin to the frame edge. Only when no position at all is clear does
the plate cover a face: then the one covering least.

Stability (hysteresis): the plate stays where it is while that spot is clear. It moves back to
a more preferred spot only after that spot has been clear by an extra ``hysteresis_px`` for
``settle_frames`` frames in a row, so faces moving near the plate's edge do not make it jump.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from effects.face import Box

ANCHORS: tuple[str, ...] = (
    "top-left",
    "top-right",
    "bottom-left",
    "bottom-right",
    "top-center",
    "bottom-center",
    "middle-left",
    "middle-right",
)
FREE = "free"


@dataclass(frozen=True, slots=True)
class Placement:
    """The plate's rectangle in frame pixels: ``[x, x + width) x [y, y + height)``."""

    x: int
    y: int
    width: int
    height: int
    anchor: str  # one of ANCHORS, or "free"
    covers_face: bool

    def intersects(self, box: Box) -> bool:
        return not (
            box.x0 >= self.x + self.width or box.x1 <= self.x or box.y0 >= self.y + self.height or box.y1 <= self.y
        )


def anchor_position(anchor: str, plate_w: int, plate_h: int, frame_w: int, frame_h: int, margin_px: int) -> tuple[int, int]:
    left, top = margin_px, margin_px
    right, bottom = frame_w - margin_px - plate_w, frame_h - margin_px - plate_h
    cx, cy = (frame_w - plate_w) // 2, (frame_h - plate_h) // 2
    vertical, horizontal = anchor.split("-")
    y = {"top": top, "bottom": bottom, "middle": cy}[vertical]
    x = {"left": left, "right": right, "center": cx}[horizontal]
    return x, y


class Placer:
    """Chooses the plate position frame after frame (stateful: it remembers the last spot)."""

    def __init__(self, margin_px: int, face_margin_frac: float, hysteresis_px: int, settle_frames: int) -> None:
        self.margin_px = margin_px
        self.face_margin_frac = face_margin_frac
        self.hysteresis_px = hysteresis_px
        self.settle_frames = settle_frames
        self.reset()

    def reset(self) -> None:
        self._anchor: str | None = None
        self._xy: tuple[int, int] = (0, 0)
        self._pending: str | None = None
        self._pending_frames = 0

    def obstacles(self, boxes: Sequence[Box], grow: bool = True) -> np.ndarray:
        """Face boxes grown by ``face_margin_frac`` of their larger side (unless ``grow`` is
        False), as an (n, 4) array."""
        rows = []
        for b in boxes:
            grow_px = self.face_margin_frac * max(b.width, b.height) if grow else 0.0
            rows.append((b.x0 - grow_px, b.y0 - grow_px, b.x1 + grow_px, b.y1 + grow_px))
        return np.asarray(rows, dtype=np.float64).reshape(-1, 4)

    def place(self, plate_w: int, plate_h: int, frame_w: int, frame_h: int, boxes: Sequence[Box]) -> Placement:
        obstacles = self.obstacles(boxes)
        m = self.margin_px
        anchors = {a: anchor_position(a, plate_w, plate_h, frame_w, frame_h, m) for a in ANCHORS}

        def clear(xy: tuple[int, int], extra: float) -> bool:
            return not _hits(np.array([xy], dtype=np.float64), plate_w, plate_h, obstacles, extra)[0]

        current: tuple[int, int] | None = None
        if self._anchor in anchors:
            current = anchors[self._anchor]
        elif self._anchor == FREE:
            current = (min(max(self._xy[0], 0), frame_w - plate_w), min(max(self._xy[1], 0), frame_h - plate_h))

        if current is not None and clear(current, 0.0):
            anchor = self._anchor
            assert anchor is not None
            rank = ANCHORS.index(anchor) if anchor in ANCHORS else len(ANCHORS)
            better = next((a for a in ANCHORS[:rank] if clear(anchors[a], self.hysteresis_px)), None)
            if better is None:
                self._pending, self._pending_frames = None, 0
            else:
                self._pending_frames = self._pending_frames + 1 if better == self._pending else 1
                self._pending = better
                if self._pending_frames >= self.settle_frames:
                    return self._settle(better, anchors[better], plate_w, plate_h, False)
            return self._settle(anchor, current, plate_w, plate_h, False)

        for extra in (float(self.hysteresis_px), 0.0):
            for a in ANCHORS:
                if clear(anchors[a], extra):
                    return self._settle(a, anchors[a], plate_w, plate_h, False)
        # No corner or edge is clear: any clear spot, nearest to where the plate was. If there
        # is none, give up the gap around faces, then the gap to the frame edge, before
        # covering a face.
        origin = np.asarray(current if current is not None else anchors[ANCHORS[0]], dtype=np.float64)
        raw = self.obstacles(boxes, grow=False)
        for obs, edge in ((obstacles, m), (raw, m), (raw, 0)):
            spots = _critical_spots(obs, plate_w, plate_h, edge, frame_w - edge - plate_w, edge, frame_h - edge - plate_h)
            free = spots[~_hits(spots, plate_w, plate_h, obs, 0.0)]
            if len(free):
                best = free[np.argmin(np.hypot(*(free - origin).T))]
                return self._settle(FREE, (int(best[0]), int(best[1])), plate_w, plate_h, False)
        spots = _critical_spots(raw, plate_w, plate_h, 0, frame_w - plate_w, 0, frame_h - plate_h)
        every = np.concatenate([np.array(list(anchors.values()), dtype=np.float64), spots])
        best = every[int(np.argmin(_covered_area(every, plate_w, plate_h, raw)))]
        return self._settle(FREE, (int(best[0]), int(best[1])), plate_w, plate_h, True)

    def _settle(self, anchor: str, xy: tuple[int, int], w: int, h: int, covers: bool) -> Placement:
        if anchor != self._anchor:
            self._pending, self._pending_frames = None, 0
        self._anchor, self._xy = anchor, xy
        return Placement(x=int(xy[0]), y=int(xy[1]), width=w, height=h, anchor=anchor, covers_face=covers)


def _hits(spots: np.ndarray, w: int, h: int, obstacles: np.ndarray, extra: float) -> np.ndarray:
    """For each top-left spot (k, 2): does the w x h plate overlap any obstacle grown by ``extra``?"""
    if obstacles.size == 0:
        return np.zeros(len(spots), dtype=bool)
    x = spots[:, 0:1]
    y = spots[:, 1:2]
    ox0, oy0, ox1, oy1 = (obstacles[:, i] for i in range(4))
    apart = (ox0 - extra >= x + w) | (ox1 + extra <= x) | (oy0 - extra >= y + h) | (oy1 + extra <= y)
    return np.asarray(~apart.all(axis=1))


def _covered_area(spots: np.ndarray, w: int, h: int, obstacles: np.ndarray) -> np.ndarray:
    x = spots[:, 0:1]
    y = spots[:, 1:2]
    dx = np.clip(np.minimum(x + w, obstacles[:, 2]) - np.maximum(x, obstacles[:, 0]), 0, None)
    dy = np.clip(np.minimum(y + h, obstacles[:, 3]) - np.maximum(y, obstacles[:, 1]), 0, None)
    return np.asarray((dx * dy).sum(axis=1))


def _critical_spots(
    obstacles: np.ndarray, w: int, h: int, lo_x: int, hi_x: int, lo_y: int, hi_y: int
) -> np.ndarray:
    """Top-left spots where the plate touches a margin or a face edge: a clear spot exists
    if and only if one of these is clear (slide any clear spot left, then up, until it stops)."""
    xs = {lo_x, hi_x}
    ys = {lo_y, hi_y}
    for x0, y0, x1, y1 in obstacles:
        xs.update((math.ceil(x1), math.floor(x0) - w))
        ys.update((math.ceil(y1), math.floor(y0) - h))
    xv = np.array(sorted(v for v in xs if lo_x <= v <= hi_x), dtype=np.float64)
    yv = np.array(sorted(v for v in ys if lo_y <= v <= hi_y), dtype=np.float64)
    gx, gy = np.meshgrid(xv, yv)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)
