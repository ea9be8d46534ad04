"""Named landmark regions: MediaPipe's connection lists, valid polygons, and each region where its name says.

The sheet ``artifacts/regions_<face>.png`` shows every region filled on three adult faces;
look at it after changing a polygon.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face

from effects import _mediapipe_connections as stored
from effects.face import N_LANDMARKS, FaceTrack
from effects.regions import LIPS_INNER, REGIONS, RegionError, chain_loop, region

FACES = {stem: load_face(stem) for stem in ADULT_FACES}


def test_stored_connection_lists_equal_mediapipes() -> None:
    from camera_app.tracking.tracker import connection_lists

    for name, edges in connection_lists().items():
        assert getattr(stored, name) == edges, name


def _segments_cross(p1: np.ndarray, p2: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> bool:
    """Proper crossing of two segments (touching at an end point does not count)."""

    def orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def _self_crossings(points: np.ndarray) -> list[tuple[int, int]]:
    n = len(points)
    found = []
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # neighbours through the closing edge
            if _segments_cross(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n]):
                found.append((i, j))
    return found


def _area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _mask(shape: tuple[int, ...], track: FaceTrack, name: str) -> np.ndarray:
    """Even-odd fill of a region's polygons."""
    mask = np.zeros(shape[:2], np.uint8)
    for poly in region(name).polygons:
        one = np.zeros_like(mask)
        cv2.fillPoly(one, [np.rint(track.xy[list(poly)] * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
        mask ^= one
    return mask.astype(bool)


@pytest.mark.parametrize("name", sorted(REGIONS))
def test_region_polygons_are_valid(name: str) -> None:
    r = REGIONS[name]
    assert r.name == name and r.polygons and r.anchors
    for poly in r.polygons:
        assert len(poly) >= 3 and len(set(poly)) == len(poly), poly
        assert all(0 <= i < N_LANDMARKS for i in poly)
    assert all(0 <= i < N_LANDMARKS for i in r.anchors)
    for stem, (_, track) in FACES.items():
        for poly in r.polygons:
            pts = track.xy[list(poly)].astype(np.float64)
            if poly == LIPS_INNER:
                continue  # a closed mouth folds the inner lip line over itself: an (almost) empty fill
            assert _area(pts) > 4.0, (stem, poly)
            assert _self_crossings(pts) == [], (name, stem, poly)


def _centre(track: FaceTrack, name: str) -> np.ndarray:
    return track.xy[list(region(name).polygons[0])].mean(axis=0)


@pytest.mark.parametrize("stem", ADULT_FACES)
def test_regions_sit_where_their_names_say(stem: str) -> None:
    rgb, t = FACES[stem]
    xy = t.xy
    masks = {name: _mask(rgb.shape, t, name) for name in REGIONS}

    def inside(name: str, idx: int) -> bool:
        x, y = np.rint(xy[idx]).astype(int)
        return bool(masks[name][y, x])

    eye_line = (xy[159, 1] + xy[386, 1]) / 2
    mouth_line = (xy[61, 1] + xy[291, 1]) / 2
    # Every region lies inside the face oval (on a turned head the far cheek reaches the
    # silhouette, which the mesh's oval landmarks cut a little short of).
    for name, m in masks.items():
        inside_share = float((masks["face"][m] | _near_edge(masks["face"], m)).mean())
        assert inside_share >= (0.85 if "cheek" in name else 1.0), (name, inside_share)
    # Subject's left is on the image right (unmirrored photos).
    for part in ("eye", "brow", "cheek", "eyelid", "iris"):
        assert _centre(t, f"left_{part}")[0] > _centre(t, f"right_{part}")[0], part
    assert inside("nose", 4) and inside("nose", 6)  # tip and bridge
    assert not inside("nose", 61) and not inside("nose", 33)
    assert inside("left_iris", 473) and inside("right_iris", 468)
    assert inside("left_eye", 473) and inside("right_eye", 468)
    assert inside("lips", 0) and inside("lips", 17)
    assert inside("mouth", 13) and inside("mouth", 14)
    assert not inside("skin", 468) and not inside("skin", 0) and inside("skin", 9)  # eye, lip: holes
    for side, eye_top in (("left", 386), ("right", 159)):
        brow_bottom = float(xy[list(region(f"{side}_brow").polygons[0])][:, 1].max())
        lid = _centre(t, f"{side}_eyelid")
        assert lid[1] < xy[eye_top, 1] and lid[1] < xy[468 if side == "right" else 473, 1]
        assert lid[1] > float(xy[list(region(f"{side}_brow").polygons[0])][:, 1].min())
        assert brow_bottom < xy[eye_top, 1] + 0.1 * t.interocular_px
        cheek = _centre(t, f"{side}_cheek")
        assert eye_line < cheek[1] < mouth_line, side  # below the eyes, above the mouth corners
        # Outside the nose: no cheek pixel is a nose pixel.
        assert not np.any(masks[f"{side}_cheek"] & masks["nose"])
    for nostril in region("skin").polygons[-2:]:
        c = xy[list(nostril)].mean(axis=0)
        assert xy[4, 1] - 0.05 * t.interocular_px < c[1] < xy[0, 1]  # under the tip, above the lip
    assert not np.any(masks["cheeks"] & masks["eyes"])
    # The eyelid shares the eye's upper edge: they may only meet along that line.
    eyes_inner = cv2.erode(masks["eyes"].astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert not np.any(masks["eyelids"] & eyes_inner)


def _near_edge(face: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Pixels of m within 2 px of the face mask (rounding at the oval's border)."""
    grown = cv2.dilate(face.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return grown[m]


def test_region_sheet_for_people(artifacts_dir: Path) -> None:
    """Every named region filled on each adult face, one sheet per face, to look at."""
    for stem, (rgb, track) in FACES.items():
        b = track.box
        pad = 0.25 * b.height
        x0, y0 = int(max(0, b.x0 - pad)), int(max(0, b.y0 - pad))
        x1, y1 = int(min(rgb.shape[1], b.x1 + pad)), int(min(rgb.shape[0], b.y1 + pad))
        tiles = []
        for name in sorted(REGIONS):
            m = _mask(rgb.shape, track, name)
            tile = rgb.copy()
            tile[m] = (0.5 * tile[m] + 0.5 * np.array([255, 0, 255])).astype(np.uint8)
            tile = np.ascontiguousarray(tile[y0:y1, x0:x1])
            cv2.putText(tile, name, (3, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
            tiles.append(tile)
        while len(tiles) % 6:
            tiles.append(np.zeros_like(tiles[0]))
        sheet = np.vstack([np.hstack(tiles[i:i + 6]) for i in range(0, len(tiles), 6)])
        path = artifacts_dir / f"regions_{stem}.png"
        assert cv2.imwrite(str(path), sheet[:, :, ::-1])
        assert path.stat().st_size > 0


def test_unknown_region_lists_the_known_ones() -> None:
    with pytest.raises(RegionError) as info:
        region("forehead")
    assert str(info.value).startswith("unknown landmark region 'forehead'; expected one of brows, cheeks, eyelids")


def test_chain_loop_orders_a_loop() -> None:
    assert chain_loop([(1, 2), (3, 1), (2, 3)]) == (1, 2, 3)
    assert len(chain_loop(stored.FACE_OVAL)) == 36
