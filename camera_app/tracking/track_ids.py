"""Track ids that stay with a face across frames: greedy matching of face boxes by overlap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from effects.face import Box, FaceTrack


@dataclass(slots=True)
class _Remembered:
    track_id: int
    box: Box
    missing_frames: int


class TrackIds:
    """``iou_match``: the box overlap above which a face keeps an earlier face's id;
    ``keep_missing_frames``: how many frames an unseen face's id is remembered."""

    def __init__(self, iou_match: float, keep_missing_frames: int) -> None:
        self.iou_match = iou_match
        self.keep_missing_frames = keep_missing_frames
        self._remembered: list[_Remembered] = []
        self._next_id = 0

    def reset(self) -> None:
        """Forget the faces seen (ids go on counting, so an old id is never reused)."""
        self._remembered = []

    def assign(self, tracks: Sequence[FaceTrack]) -> list[FaceTrack]:
        """The tracks with the ids of the faces they overlap most in recent frames, or new ids."""
        pairs = sorted(
            ((iou(t.box, r.box), ti, ri) for ti, t in enumerate(tracks) for ri, r in enumerate(self._remembered)),
            reverse=True,
        )
        ids: dict[int, int] = {}
        used: set[int] = set()
        for overlap, ti, ri in pairs:
            if overlap < self.iou_match:
                break
            if ti in ids or ri in used:
                continue
            ids[ti] = self._remembered[ri].track_id
            used.add(ri)
        kept = [
            _Remembered(r.track_id, r.box, r.missing_frames + 1)
            for ri, r in enumerate(self._remembered)
            if ri not in used and r.missing_frames < self.keep_missing_frames
        ]
        out: list[FaceTrack] = []
        for ti, t in enumerate(tracks):
            if ti not in ids:
                ids[ti] = self._next_id
                self._next_id += 1
            out.append(with_id(t, ids[ti]))
            kept.append(_Remembered(ids[ti], t.box, 0))
        self._remembered = kept
        return out

    def moved(self, tracks: Sequence[FaceTrack]) -> None:
        """Predicted faces keep their ids; their boxes move with them."""
        boxes = {t.track_id: t.box for t in tracks}
        self._remembered = [
            _Remembered(r.track_id, boxes[r.track_id], 0) if r.track_id in boxes else r for r in self._remembered
        ]


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union > 0 else 0.0


def with_id(track: FaceTrack, track_id: int) -> FaceTrack:
    return FaceTrack(
        track_id=track_id, landmarks_px=track.landmarks_px, box=track.box, pose=track.pose,
        blendshapes=track.blendshapes,
    )
