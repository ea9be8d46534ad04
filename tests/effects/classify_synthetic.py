"""Synthetic effects for the classifier tests, written with OpenCV (no op library needed).

Each is an ``EffectUnderTest``: an id, a version, a declared category (None) and
``apply(rgb, tracks)``. They mimic what real ops do so the decision rule can be
checked on changes of known size: a warp that scales the eyes by exactly ``scale``
inside a core around each eye, a skin blur, a face-only tan, a whole-frame sepia,
opaque "ears" stickers above the head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from effects.classification import Category
from effects.face import FaceTrack
from effects.masks import region_mask
from effects.regions import LEFT_EYE, LIPS_OUTER, RIGHT_EYE

Apply = Callable[[np.ndarray, Sequence[FaceTrack]], np.ndarray]


@dataclass(frozen=True)
class Synthetic:
    id: str
    fn: Apply
    version: str = "1.0.0"
    declared: Category | None = None

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        return self.fn(rgb, tracks)


@dataclass(frozen=True)
class SyntheticStack:
    id: str
    members: tuple[Synthetic, ...]
    version: str = "1.0.0"
    declared: Category | None = None

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        out = rgb
        for m in self.members:
            out = m.apply(out, tracks)
        return out

    def parts(self) -> Sequence[Synthetic]:
        return self.members


def _eye_centres(t: FaceTrack) -> tuple[np.ndarray, np.ndarray, float]:
    left = t.xy[list(LEFT_EYE)].mean(axis=0)
    right = t.xy[list(RIGHT_EYE)].mean(axis=0)
    return left, right, float(np.linalg.norm(left - right))


def _radial_maps(shape: tuple[int, ...], centres: list[tuple[np.ndarray, float, float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Inverse maps scaling by ``s`` inside radius r0 about each centre, blending back to identity at r1."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    mx, my = xx.copy(), yy.copy()
    for c, s, r0, r1 in centres:
        dx, dy = xx - c[0], yy - c[1]
        r = np.sqrt(dx * dx + dy * dy) + 1e-6
        src = np.where(r < s * r0, r / s, np.where(r < r1, r0 + (r - s * r0) * (r1 - r0) / (r1 - s * r0), r))
        k = src / r
        mx += dx * (k - 1)
        my += dy * (k - 1)
    return mx, my


def eye_scale(scale: float) -> Synthetic:
    """Both eyes scaled by ``scale`` (1.10 = 10% bigger) within 0.3 iod of their centre."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        centres = []
        for t in tracks:
            left, right, iod = _eye_centres(t)
            centres += [(left, scale, 0.3 * iod, 0.65 * iod), (right, scale, 0.3 * iod, 0.65 * iod)]
        mx, my = _radial_maps(rgb.shape, centres)
        return cv2.remap(rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    return Synthetic(f"eye_scale_{scale:.2f}", fn)


def lips_scale(scale: float) -> Synthetic:
    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        centres = []
        for t in tracks:
            _, _, iod = _eye_centres(t)
            c = t.xy[list(LIPS_OUTER)].mean(axis=0)
            centres.append((c, scale, 0.5 * iod, 0.9 * iod))
        mx, my = _radial_maps(rgb.shape, centres)
        return cv2.remap(rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    return Synthetic(f"lips_scale_{scale:.2f}", fn)


def face_slim(amount: float) -> Synthetic:
    """The lower face squeezed horizontally towards the nose line by ``amount`` (0.08 = 8% narrower)."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        h, w = rgb.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        mx, my = xx.copy(), yy.copy()
        for t in tracks:
            _, _, iod = _eye_centres(t)
            cx = float(t.xy[1, 0])
            top, bottom = float(t.xy[1, 1]) - 0.6 * iod, float(t.xy[152, 1]) + 0.4 * iod
            half = 0.5 * float(np.linalg.norm(t.xy[454] - t.xy[234])) + 0.3 * iod
            wy = np.clip(np.minimum(yy - top, bottom - yy) / (0.4 * iod), 0, 1)
            dx = xx - cx
            wx = np.clip(1 - np.abs(dx) / (half * 1.6), 0, 1)
            mx += dx * amount * wy * wx / (1 - amount)
        return cv2.remap(rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    return Synthetic(f"face_slim_{amount:.2f}", fn)


def _alpha(rgb: np.ndarray, tracks: Sequence[FaceTrack], regions: list[str], feather_iod: float) -> np.ndarray:
    a = np.zeros(rgb.shape[:2], np.float32)
    for t in tracks:
        _, _, iod = _eye_centres(t)
        a = np.maximum(a, region_mask(rgb.shape, t, regions, feather_px=feather_iod * iod).full(rgb.shape))
    return a[..., None]


def skin_blur(sigma_iod: float = 0.05) -> Synthetic:
    """Skin replaced by its edge-preserving blur (a beauty filter)."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        if not tracks:
            return rgb.copy()
        _, _, iod = _eye_centres(tracks[0])
        d = max(3, int(round(sigma_iod * iod * 2)) | 1)
        blurred = cv2.bilateralFilter(rgb, d, 40, sigma_iod * iod * 2)
        blurred = cv2.GaussianBlur(blurred, (0, 0), max(0.8, sigma_iod * iod * 0.5))
        a = _alpha(rgb, tracks, ["skin"], 0.08)
        return (rgb * (1 - a) + blurred * a + 0.5).astype(np.uint8)

    return Synthetic("skin_blur", fn)


def sepia(strength: float = 1.0) -> Synthetic:
    m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        toned = np.clip(rgb.astype(np.float32) @ m.T, 0, 255)
        return (rgb * (1 - strength) + toned * strength + 0.5).astype(np.uint8)

    return Synthetic("sepia", fn)


def face_tan(gain: tuple[float, float, float] = (0.92, 0.80, 0.68)) -> Synthetic:
    """Skin darkened and warmed inside the face oval only (a self-tan look)."""
    g = np.array(gain, np.float32)

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        a = _alpha(rgb, tracks, ["skin"], 0.1)
        tanned = rgb.astype(np.float32) * g
        return (rgb * (1 - a) + tanned * a + 0.5).astype(np.uint8)

    return Synthetic("face_tan", fn)


def face_paint(color: tuple[int, int, int] = (40, 200, 60)) -> Synthetic:
    """The whole face painted a flat-ish unnatural colour (keeps shading)."""
    c = np.array(color, np.float32) / 255.0

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        a = _alpha(rgb, tracks, ["skin"], 0.1)
        grey = rgb.astype(np.float32).mean(axis=2, keepdims=True)
        painted = np.clip(grey * c * 1.6, 0, 255)
        return (rgb * (1 - a) + painted * a + 0.5).astype(np.uint8)

    return Synthetic("face_paint", fn)


def lip_tint(color: tuple[int, int, int] = (184, 52, 79), opacity: float = 0.6) -> Synthetic:
    """A lipstick: the lips multiplied by a colour, feathered inside the lip line.

    (A tint that also brightens and spills past the lip line draws a bigger red mouth,
    and the classifier then rightly reads fuller lips as well.)"""
    c = np.array(color, np.float32) / 255.0

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        a = _alpha(rgb, tracks, ["lips"], 0.02) * opacity
        mult = rgb.astype(np.float32) * c
        return (rgb * (1 - a) + mult * a + 0.5).astype(np.uint8)

    return Synthetic("lip_tint", fn)


def sticker_ears() -> Synthetic:
    """Two opaque cartoon ears (brown ellipses with pink insides) on top of the head."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        out = rgb.copy()
        for t in tracks:
            _, _, iod = _eye_centres(t)
            for idx in (103, 332):
                x, y = t.xy[idx]
                cx, cy = int(x), int(y - 0.55 * iod)
                ax = (int(0.3 * iod), int(0.45 * iod))
                cv2.ellipse(out, (cx, cy), ax, 0, 0, 360, (120, 72, 40), -1, cv2.LINE_AA)
                cv2.ellipse(out, (cx, cy), (ax[0] // 2, ax[1] // 2), 0, 0, 360, (240, 160, 180), -1, cv2.LINE_AA)
        return out

    return Synthetic("sticker_ears", fn)


def film_grain(amount: float = 12.0, seed: int = 7) -> Synthetic:
    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        rng = np.random.default_rng(seed)
        noise = rng.normal(0.0, amount, rgb.shape[:2])[..., None]
        return np.clip(rgb + noise, 0, 255).astype(np.uint8)

    return Synthetic("film_grain", fn)


def identity() -> Synthetic:
    return Synthetic("identity", lambda rgb, tracks: rgb.copy())


@dataclass
class Counter:
    """Counts calls, to check that the classifier caches nothing it should not."""

    calls: int = 0
    seen: list[int] = field(default_factory=list)


# Subtle beauty (issue 16): each is a change a person can see side by side, kept small.


def _spot(shape: tuple[int, ...], centre: np.ndarray, radius: float) -> np.ndarray:
    """A soft round spot (Gaussian, 1 at the centre), (H, W, 1) float32."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = (xx - centre[0]) ** 2 + (yy - centre[1]) ** 2
    return np.exp(-d2 / (2.0 * radius * radius))[..., None]


def _blend(rgb: np.ndarray, colour: tuple[int, int, int], alpha: np.ndarray, multiply: bool) -> np.ndarray:
    c = np.array(colour, np.float32)
    target = rgb.astype(np.float32) * (c / 255.0) if multiply else np.broadcast_to(c, rgb.shape)
    return np.clip(rgb * (1.0 - alpha) + target * alpha + 0.5, 0, 255).astype(np.uint8)


def local_blush_and_liner(blush: float = 0.22, liner: float = 0.55) -> Synthetic:
    """A light rose blush on the apple of each cheek (a spot a third of the eye distance wide,
    not the whole cheek) and a thin dark line along each upper lash line."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        out = rgb
        for t in tracks:
            _, _, iod = _eye_centres(t)
            spots = np.maximum(_spot(rgb.shape, t.xy[205], 0.18 * iod), _spot(rgb.shape, t.xy[425], 0.18 * iod))
            out = _blend(out, (214, 96, 110), spots * blush, multiply=False)
            line = np.zeros(rgb.shape[:2], np.uint8)
            for lid in ((133, 173, 157, 158, 159, 160, 161, 246, 33), (362, 398, 384, 385, 386, 387, 388, 466, 263)):
                pts = np.round((t.xy[list(lid)] - [0.0, 0.02 * iod]) * 16).astype(np.int32)
                cv2.polylines(line, [pts], False, 255, max(1, int(round(0.03 * iod))), cv2.LINE_AA, shift=4)
            out = _blend(out, (30, 22, 24), (line.astype(np.float32) / 255.0)[..., None] * liner, multiply=False)
        return out

    return Synthetic("local_blush_and_liner", fn)


def brow_darkening(amount: float = 0.35) -> Synthetic:
    """Brows filled in darker (a brow pencil), feathered a little past the brow line."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        return _blend(rgb, (60, 42, 34), _alpha(rgb, tracks, ["brows"], 0.04) * amount, multiply=True)

    return Synthetic("brow_darkening", fn)


def skin_soften(mix: float) -> Synthetic:
    """The skin blur of ``skin_blur`` mixed in at ``mix`` (a low-strength beauty filter)."""
    blur = skin_blur()

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        soft = blur.apply(rgb, tracks).astype(np.float32)
        return np.clip(rgb * (1.0 - mix) + soft * mix + 0.5, 0, 255).astype(np.uint8)

    return Synthetic(f"skin_soften_{mix:.2f}", fn)


def paint(colour: tuple[int, int, int], opacity: float = 0.92) -> Synthetic:
    """Opaque face paint over the whole face oval (flat colour, a little of the shading kept)."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        shade = rgb.astype(np.float32).mean(axis=2, keepdims=True) / 160.0
        flat = np.clip(np.array(colour, np.float32) * (0.85 + 0.15 * shade), 0, 255)
        a = _alpha(rgb, tracks, ["face"], 0.08) * opacity
        return np.clip(rgb * (1.0 - a) + flat * a + 0.5, 0, 255).astype(np.uint8)

    return Synthetic(f"paint_{colour[0]}_{colour[1]}_{colour[2]}", fn)


def glitter(count: int = 160, seed: int = 3) -> Synthetic:
    """Small bright particles (1-3 px) scattered over the face oval."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        out = rgb.copy()
        rng = np.random.default_rng(seed)
        for t in tracks:
            face = _alpha(rgb, tracks=[t], regions=["face"], feather_iod=0.0)[..., 0] > 0.5
            ys, xs = np.nonzero(face)
            pick = rng.choice(ys.size, size=min(count, ys.size), replace=False)
            for y, x, r in zip(ys[pick], xs[pick], rng.integers(1, 3, pick.size), strict=True):
                cv2.circle(out, (int(x), int(y)), int(r), (255, 246, 214), -1, cv2.LINE_AA)
        return out

    return Synthetic("glitter", fn)


def nose_scale(scale: float) -> Synthetic:
    """The nose scaled by ``scale`` about its tip, within 0.35 iod."""

    def fn(rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        centres = []
        for t in tracks:
            _, _, iod = _eye_centres(t)
            centres.append((t.xy[[64, 294]].mean(axis=0), scale, 0.3 * iod, 0.6 * iod))
        mx, my = _radial_maps(rgb.shape, centres)
        return cv2.remap(rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    return Synthetic(f"nose_scale_{scale:.2f}", fn)


def skin_shift(gain: tuple[float, float, float]) -> Synthetic:
    """``face_tan`` with another per-channel gain (a lightening, or a slight tan)."""
    return Synthetic(f"skin_shift_{gain[0]:.2f}_{gain[1]:.2f}_{gain[2]:.2f}", face_tan(gain).fn)
