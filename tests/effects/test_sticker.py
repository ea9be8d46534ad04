"""Stickers and particles: kernels against references, placement on the face, roll, occlusion, the art."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from landmark_faces import ADULT_FACES, load_face, on_canvas, resized

from effects import backend
from effects.asset_files import MAX_FILE_BYTES, MAX_SIDE_PX, read_rgba_image
from effects.face import FaceTrack
from effects.kernels.composite import pack_rgba, particles_nb, particles_np, sticker_nb, sticker_np
from effects.masks import region_mask
from effects.ops.base import OpContext
from effects.ops.sprite_assets import anchor_point, premultiplied, sparkle_sprite
from effects.ops.sticker import Particles, Sticker

REPO = Path(__file__).resolve().parents[2]
ART = {
    "bunny_ears": ["ears.png"],
    "cat_face": ["ears.png", "nose.png"],
    "sunglasses": ["glasses.png"],
    "party_hat": ["hat.png"],
    "sparkles": ["sparkle.png"],
}


@pytest.fixture(params=["numba", "numpy"])
def kernels(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    before = backend.current()
    backend.use(request.param)
    yield request.param
    backend.use(before)


def _write_png(path: Path, rgba: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))


@pytest.fixture()
def bar_effect(tmp_path: Path) -> Path:
    """An effect folder with a wide opaque red bar (200x40) and a soft disc sprite."""
    bar = np.zeros((40, 200, 4), np.uint8)
    bar[...] = (230, 20, 20, 255)
    _write_png(tmp_path / "bar.png", bar)
    yy, xx = np.mgrid[0:64, 0:64]
    d = np.hypot(xx - 31.5, yy - 31.5) / 32
    disc = np.zeros((64, 64, 4), np.uint8)
    disc[..., 1] = 200
    disc[..., 3] = np.clip((1 - d) * 4 * 255, 0, 255).astype(np.uint8)
    disc[..., 0][disc[..., 3] == 0] = 255  # garbage colour under full transparency
    _write_png(tmp_path / "disc.png", disc)
    return tmp_path


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


# --- kernels ----------------------------------------------------------------------------

def _random_sprite(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    rgba[: h // 3, :, 3] = 0
    return premultiplied(rgba)


@pytest.mark.parametrize("angle", [0.0, 17.0, -90.0, 133.0])
@pytest.mark.parametrize("scale", [0.37, 1.0, 2.6])
def test_sticker_kernel_matches_reference(angle: float, scale: float) -> None:
    rng = np.random.default_rng(int(abs(angle) * 10 + scale * 100))
    sprite = pack_rgba(_random_sprite(3, 31, 45))
    dst = rng.integers(0, 256, (70, 90, 3), dtype=np.uint8)
    t = math.radians(angle)
    a = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]) * scale
    m = np.concatenate([a, np.array([[40.0 + 3.3], [30.0 - 1.7]]) - a @ np.array([[22.0], [15.0]])], axis=1)
    ai = np.linalg.inv(m[:, :2])
    inv = np.concatenate([ai, -ai @ m[:, 2:]], axis=1).reshape(-1)
    occl = rng.uniform(0, 1, dst.shape[:2]).astype(np.float32)
    for use_occl, opacity in ((False, 1.0), (True, 0.7)):
        got = np.empty_like(dst)
        ref = np.empty_like(dst)
        sticker_nb(dst, 5, 7, sprite, inv, occl, use_occl, opacity, got)
        sticker_np(dst, 5, 7, sprite, inv, occl, use_occl, opacity, ref)
        assert np.abs(got.astype(int) - ref).max() <= 1
        assert _changed(got, dst).sum() > 20


def test_sticker_kernel_is_safe_for_any_placement() -> None:
    """Numba does not check bounds: sprites far outside, half outside or huge must not write out of range."""
    rng = np.random.default_rng(77)
    sprite = pack_rgba(_random_sprite(5, 20, 33))
    for _ in range(60):
        dst = rng.integers(0, 256, (int(rng.integers(1, 40)), int(rng.integers(1, 40)), 3), dtype=np.uint8)
        a = rng.normal(0, 3, (2, 2))
        if abs(np.linalg.det(a)) < 1e-3:
            continue
        m = np.concatenate([a, rng.uniform(-80, 80, (2, 1))], axis=1)
        ai = np.linalg.inv(m[:, :2])
        inv = np.concatenate([ai, -ai @ m[:, 2:]], axis=1).reshape(-1)
        guard = np.zeros((dst.shape[0] + 2, dst.shape[1] + 2, 3), np.uint8)
        got = guard[1:-1, 1:-1]
        ref = np.empty_like(dst)
        oy, ox = int(rng.integers(-50, 50)), int(rng.integers(-50, 50))
        no_mask = np.zeros((1, 1), np.float32)
        sticker_nb(dst, oy, ox, sprite, inv, no_mask, False, 1.0, got)
        sticker_np(dst, oy, ox, sprite, inv, no_mask, False, 1.0, ref)
        assert not guard[0].any() and not guard[-1].any() and not guard[:, 0].any() and not guard[:, -1].any()
        assert np.abs(got.astype(int) - ref).max() <= 1


def test_particle_kernel_matches_reference() -> None:
    rng = np.random.default_rng(2)
    frame = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    n = 15
    ang = rng.uniform(0, 6.3, n)
    parts = np.stack([rng.uniform(-10, 170, n), rng.uniform(-10, 130, n), rng.uniform(3, 40, n),
                      np.cos(ang), np.sin(ang), rng.uniform(0, 1, n)], axis=1)
    got = frame.copy()
    ref = frame.copy()
    tint = np.array([1.0, 0.9, 0.6])
    sprite = pack_rgba(sparkle_sprite())
    particles_nb(got, sprite, parts, tint)
    particles_np(ref, sprite, parts, tint)
    assert np.abs(got.astype(int) - ref).max() <= 1
    assert np.all(got >= frame)  # screen only lightens


def test_premultiplied_sampling_has_no_fringe_from_transparent_texels(bar_effect: Path, kernels: str) -> None:
    grey = np.full((300, 300, 3), 100, np.uint8)
    _, track = on_canvas(*load_face(ADULT_FACES[0]), height=300, width=300)
    out = Sticker(image="disc.png", anchor="nose_tip", width_fw=0.8).apply(grey, [track], OpContext(asset_root=bar_effect))
    changed = _changed(out, grey)
    assert changed.sum() > 500
    assert out[changed][:, 0].max() <= 100  # the red under alpha 0 never shows
    assert out[changed][:, 1].min() >= 100


# --- placement --------------------------------------------------------------------------

def _centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize("face", ADULT_FACES)
def test_a_sticker_sits_on_its_anchor(face: str, bar_effect: Path, kernels: str) -> None:
    rgb, track = on_canvas(*load_face(face))
    ctx = OpContext(asset_root=bar_effect)
    for anchor in ("eyes", "nose_tip", "chin", "forehead", 10):
        out = Sticker(image="bar.png", anchor=anchor, width_fw=0.5).apply(rgb, [track], ctx)
        centre = _centroid(_changed(out, rgb))
        assert np.hypot(*(centre - anchor_point(track, anchor))) < 2.0, anchor
    # glasses-like: the eyes anchor is between the irises
    eyes = anchor_point(track, "eyes")
    assert np.hypot(*(eyes - (track.xy[468] + track.xy[473]) / 2)) < 1e-3
    # the head top is above the forehead, along the face's up direction
    top = anchor_point(track, "head_top")
    assert top[1] < track.xy[10, 1] - 0.2 * (track.xy[152, 1] - track.xy[10, 1])


def test_offsets_are_in_face_widths_along_the_face(bar_effect: Path) -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[0]))
    ctx = OpContext(asset_root=bar_effect)
    base = _centroid(_changed(Sticker(image="bar.png", anchor="nose_tip", width_fw=0.3).apply(rgb, [track], ctx), rgb))
    moved = _centroid(_changed(Sticker(image="bar.png", anchor="nose_tip", width_fw=0.3, offset_fw=(0.0, -0.5))
                               .apply(rgb, [track], ctx), rgb))
    fw = track.face_width_px
    assert abs(np.hypot(*(moved - base)) - 0.5 * fw) < 2.0
    assert moved[1] < base[1]  # negative dy is up the face


def _principal_angle_deg(mask: np.ndarray) -> float:
    ys, xs = np.nonzero(mask)
    cov = np.cov(np.stack([xs, ys]).astype(float))
    vals, vecs = np.linalg.eigh(cov)
    v = vecs[:, np.argmax(vals)]
    ang = math.degrees(math.atan2(v[1], v[0]))
    return (ang + 90.0) % 180.0 - 90.0


@pytest.mark.parametrize("roll_deg", [-25.0, 0.0, 18.0])
def test_a_sticker_turns_with_head_roll_and_scales_with_face_width(roll_deg: float, bar_effect: Path) -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[1]))
    m = cv2.getRotationMatrix2D((640.0, 360.0), -roll_deg, 1.0)  # OpenCV turns counter-clockwise
    img = cv2.warpAffine(rgb, m, (1280, 720), borderMode=cv2.BORDER_REPLICATE)
    tr = track.transformed(m)
    ctx = OpContext(asset_root=bar_effect)
    out = Sticker(image="bar.png", anchor="eyes", width_fw=0.6).apply(img, [tr], ctx)
    changed = _changed(out, img)
    eye_line = math.degrees(math.atan2(*(tr.xy[263] - tr.xy[33])[::-1]))
    assert abs(_principal_angle_deg(changed) - eye_line) < 1.5
    length = changed.sum() / (0.6 * tr.face_width_px * 40 / 200)  # area / height = length
    assert abs(length - 0.6 * tr.face_width_px) < 0.04 * tr.face_width_px
    fixed = Sticker(image="bar.png", anchor="eyes", width_fw=0.6, rotate_with_roll=False).apply(img, [tr], ctx)
    assert abs(_principal_angle_deg(_changed(fixed, img))) < 1.0


def test_sticker_size_follows_the_face(bar_effect: Path) -> None:
    rgb, track = load_face(ADULT_FACES[0])
    ctx = OpContext(asset_root=bar_effect)
    widths = []
    for scale in (1.5, 3.0):
        img, tr = resized(rgb, track, scale)
        out = Sticker(image="bar.png", anchor="nose_tip", width_fw=0.5, rotate_with_roll=False).apply(img, [tr], ctx)
        xs = np.nonzero(_changed(out, img))[1]
        widths.append((xs.max() - xs.min() + 1, tr.face_width_px))
        assert abs(widths[-1][0] - 0.5 * tr.face_width_px) <= 2.0
    (w1, f1), (w2, f2) = widths
    assert abs(w2 / w1 - f2 / f1) < 0.05


def test_the_face_oval_hides_an_occluded_sticker(bar_effect: Path, kernels: str) -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[0]))
    ctx = OpContext(asset_root=bar_effect)
    plain = Sticker(image="bar.png", anchor="forehead", width_fw=1.6).apply(rgb, [track], ctx)
    hidden = Sticker(image="bar.png", anchor="forehead", width_fw=1.6, occlude_by_face=True).apply(rgb, [track], ctx)
    face = region_mask(rgb.shape, track, ["face"], feather_px=0.02 * track.face_width_px).full(rgb.shape)
    assert _changed(plain, rgb)[face >= 1.0].sum() > 100
    assert not np.any(_changed(hidden, rgb)[face >= 1.0])
    assert _changed(hidden, rgb)[face == 0.0].sum() > 100  # still shows beside the face


def test_sticker_changes_only_its_box_and_is_identity_at_zero(bar_effect: Path, kernels: str) -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[2]))
    ctx = OpContext(asset_root=bar_effect)
    op = Sticker(image="bar.png", anchor="chin", width_fw=0.4)
    out = op.apply(rgb, [track], ctx)
    ys, xs = np.nonzero(_changed(out, rgb))
    w = 0.4 * track.face_width_px
    c = anchor_point(track, "chin")
    assert np.all(np.hypot(xs - c[0], ys - c[1]) <= np.hypot(w / 2, w / 10) + 2)
    assert np.array_equal(Sticker(image="bar.png", anchor="chin", strength=0.0).apply(rgb, [track], ctx), rgb)
    assert np.array_equal(op.apply(rgb, [], ctx), rgb)


def test_two_faces_get_two_stickers(bar_effect: Path) -> None:
    rgb, t1 = on_canvas(*load_face(ADULT_FACES[0]))
    t2: FaceTrack = t1.transformed(np.array([[0.6, 0.0, 600.0], [0.0, 0.6, 40.0]]), track_id=1)
    out = Sticker(image="bar.png", anchor="nose_tip", width_fw=0.5).apply(rgb, [t1, t2], OpContext(asset_root=bar_effect))
    labels = cv2.connectedComponents(_changed(out, rgb).astype(np.uint8))[0]
    assert labels - 1 == 2


# --- particles --------------------------------------------------------------------------

def test_particles_are_seeded_animated_and_around_the_head(kernels: str) -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[1]))
    op = Particles(count=30, seed=4)
    a = op.apply(rgb, [track], OpContext(frame_index=10))
    assert np.array_equal(a, Particles(count=30, seed=4).apply(rgb, [track], OpContext(frame_index=10)))
    assert not np.array_equal(a, op.apply(rgb, [track], OpContext(frame_index=11)))
    assert not np.array_equal(a, Particles(count=30, seed=5).apply(rgb, [track], OpContext(frame_index=10)))
    ys, xs = np.nonzero(_changed(a, rgb))
    assert len(ys) > 200
    assert np.all(ys < track.xy[152, 1])  # none below the chin
    assert np.all(a.astype(int) >= rgb)  # sparkles only add light
    assert np.array_equal(Particles(strength=0.0).apply(rgb, [track], OpContext()), rgb)
    assert np.array_equal(op.apply(rgb, [], OpContext()), rgb)


def test_frame_particles_need_no_face(kernels: str) -> None:
    grey = np.full((120, 200, 3), 60, np.uint8)
    out = Particles(region="frame", count=40, seed=1).apply(grey, [], OpContext(frame_index=3))
    assert _changed(out, grey).sum() > 100


def test_particle_backends_agree_with_a_sprite_file() -> None:
    rgb, track = on_canvas(*load_face(ADULT_FACES[0]))
    ctx = OpContext(frame_index=21, asset_root=REPO / "assets" / "effects" / "sparkles")
    backend.use("numpy")
    try:
        ref = Particles(image="sparkle.png", count=20).apply(rgb, [track], ctx)
    finally:
        backend.use("numba")
    got = Particles(image="sparkle.png", count=20).apply(rgb, [track], ctx)
    assert np.abs(got.astype(int) - ref).max() <= 1


# --- the art ----------------------------------------------------------------------------

@pytest.mark.parametrize(("folder", "name"), [(f, n) for f, names in ART.items() for n in names])
def test_the_drawn_art_is_a_clean_rgba_png_within_limits(folder: str, name: str) -> None:
    path = REPO / "assets" / "effects" / folder / name
    assert path.stat().st_size <= MAX_FILE_BYTES
    rgba = read_rgba_image(path)
    assert max(rgba.shape[:2]) <= MAX_SIDE_PX
    alpha = rgba[..., 3]
    assert (alpha == 0).mean() > 0.2 and (alpha == 255).any() or folder == "sparkles"
    soft = ((alpha > 0) & (alpha < 255)).sum()
    assert soft > 0.01 * (alpha > 0).sum()  # anti-aliased edges
    border = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
    if folder not in ("cat_face", "sunglasses"):  # ear bases and temple arms meet the edge on purpose
        assert border.max() < 255  # not cut off by the canvas
