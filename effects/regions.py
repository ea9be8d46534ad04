"""Named landmark regions: the vocabulary effect specs use to say *where* an op acts.

Each region is one or more closed polygons of landmark indices (filled with the
even-odd rule, so a polygon inside another cuts a hole) plus the landmarks that
anchor it. Polygons of the features MediaPipe publishes (face oval, lips, eyes,
brows, irises) are chained from MediaPipe's own connection lists; the others
(cheeks, nose outline, eyelids, teeth, skin) are defined here on the same mesh.

"Left" and "right" are the subject's, as in MediaPipe: the subject's left eye
appears on the image right in an unmirrored frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from effects import _mediapipe_connections as mp


class RegionError(KeyError):
    """An unknown region name."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def chain_loop(edges: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Order the edges of one closed loop into its vertex sequence."""
    neighbours: dict[int, list[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    start = edges[0][0]
    loop = [start]
    prev, cur = -1, start
    while True:
        nxt = [n for n in neighbours[cur] if n != prev]
        if not nxt or nxt[0] == start:
            break
        prev, cur = cur, nxt[0]
        loop.append(cur)
    return tuple(loop)


def _split_lips() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """MediaPipe's lip connections hold two loops: the outer (through 61) and inner (through 78)."""
    outer = [e for e in mp.LIPS if not _is_inner_lip(e)]
    inner = [e for e in mp.LIPS if _is_inner_lip(e)]
    return chain_loop(outer), chain_loop(inner)


_INNER_LIP = {78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415}


def _is_inner_lip(edge: tuple[int, int]) -> bool:
    return edge[0] in _INNER_LIP and edge[1] in _INNER_LIP


def _brow_polygon(edges: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """A brow is two open polylines (lower and upper edge) of four segments each."""
    lower = [edges[0][0]] + [b for _, b in edges[:4]]
    upper = [edges[4][0]] + [b for _, b in edges[4:]]
    return tuple(lower) + tuple(reversed(upper))


LIPS_OUTER, LIPS_INNER = _split_lips()
FACE_OVAL = chain_loop(mp.FACE_OVAL)
LEFT_EYE = chain_loop(mp.LEFT_EYE)
RIGHT_EYE = chain_loop(mp.RIGHT_EYE)
LEFT_IRIS = chain_loop(mp.LEFT_IRIS)
RIGHT_IRIS = chain_loop(mp.RIGHT_IRIS)
LEFT_BROW = _brow_polygon(mp.LEFT_EYEBROW)
RIGHT_BROW = _brow_polygon(mp.RIGHT_EYEBROW)
LEFT_IRIS_CENTER = 473
RIGHT_IRIS_CENTER = 468

# Outlines of our own on the same 478-point mesh.
NOSE_OUTLINE = (168, 193, 245, 188, 174, 236, 198, 209, 49, 64, 98, 97, 2, 326, 327, 294, 279, 429, 420, 456,
                399, 412, 465, 417)
# Nostril openings: the ring of points around each dark opening under the nose tip.
NOSTRILS = ((79, 166, 59, 75, 60, 20, 238, 239, 237), (309, 392, 289, 305, 290, 250, 458, 459, 457))
# Cheek: below the under-eye line, outside the nose and the nasolabial fold, inside the face edge.
RIGHT_CHEEK = (116, 117, 118, 119, 100, 142, 203, 206, 207, 187, 147, 123)
LEFT_CHEEK = (345, 346, 347, 348, 329, 371, 423, 426, 427, 411, 376, 352)
# Upper eyelid: from the eye's upper edge to the brow's lower edge.
# Upper lid lash lines, inner corner to outer corner (where eyeliner is drawn).
RIGHT_UPPER_LID = (133, 173, 157, 158, 159, 160, 161, 246, 33)
LEFT_UPPER_LID = (362, 398, 384, 385, 386, 387, 388, 466, 263)
LEFT_EYELID = (263, 466, 388, 387, 386, 385, 384, 398, 362, 285, 295, 282, 283, 276)
RIGHT_EYELID = (33, 246, 161, 160, 159, 158, 157, 173, 133, 55, 65, 52, 53, 46)


@dataclass(frozen=True, slots=True)
class Region:
    """Polygons of landmark indices (even-odd fill) and the landmarks that anchor the region."""

    name: str
    polygons: tuple[tuple[int, ...], ...]
    anchors: tuple[int, ...]


def _region(name: str, *polygons: tuple[int, ...], anchors: tuple[int, ...] | None = None) -> Region:
    if anchors is None:
        anchors = tuple(sorted({i for p in polygons for i in p}))
    return Region(name, tuple(polygons), anchors)


REGIONS: dict[str, Region] = {
    r.name: r
    for r in (
        _region("face", FACE_OVAL),
        _region("skin", FACE_OVAL, LEFT_EYE, RIGHT_EYE, LEFT_BROW, RIGHT_BROW, LIPS_OUTER, *NOSTRILS,
                anchors=FACE_OVAL),
        _region("lips", LIPS_OUTER, LIPS_INNER),
        _region("mouth", LIPS_OUTER),
        _region("teeth", LIPS_INNER),
        _region("left_eye", LEFT_EYE),
        _region("right_eye", RIGHT_EYE),
        _region("eyes", LEFT_EYE, RIGHT_EYE),
        _region("left_iris", LEFT_IRIS, anchors=(LEFT_IRIS_CENTER, *LEFT_IRIS)),
        _region("right_iris", RIGHT_IRIS, anchors=(RIGHT_IRIS_CENTER, *RIGHT_IRIS)),
        _region("irises", LEFT_IRIS, RIGHT_IRIS, anchors=(LEFT_IRIS_CENTER, RIGHT_IRIS_CENTER)),
        _region("left_brow", LEFT_BROW),
        _region("right_brow", RIGHT_BROW),
        _region("brows", LEFT_BROW, RIGHT_BROW),
        _region("nose", NOSE_OUTLINE),
        _region("left_cheek", LEFT_CHEEK),
        _region("right_cheek", RIGHT_CHEEK),
        _region("cheeks", LEFT_CHEEK, RIGHT_CHEEK),
        _region("left_eyelid", LEFT_EYELID),
        _region("right_eyelid", RIGHT_EYELID),
        _region("eyelids", LEFT_EYELID, RIGHT_EYELID),
    )
}


def region(name: str) -> Region:
    """The region called ``name``; an unknown name raises RegionError listing the known ones."""
    try:
        return REGIONS[name]
    except KeyError:
        raise RegionError(f"unknown landmark region {name!r}; expected one of {', '.join(sorted(REGIONS))}") from None
