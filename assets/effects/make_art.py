"""Draw the sticker artwork of the playful built-in effects (our own art, no third-party images).

Run from the repository root:  python assets/effects/make_art.py
It (re)writes, in the effect folders next to this script:
  bunny_ears/ears.png, cat_face/ears.png, cat_face/nose.png, sunglasses/glasses.png,
  party_hat/hat.png, sparkles/sparkle.png, heart_burst/heart.png, brow_sparkles/hat.png,
  brow_sparkles/sparkle.png

Every shape is rendered at SS times the final size with per-pixel shading computed from
its own coordinates, composited with premultiplied alpha, then area-averaged down to the
final size, which gives clean anti-aliased edges. Output is RGBA PNG (straight alpha).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
SS = 4  # supersampling factor


class Canvas:
    """A premultiplied RGBA float canvas drawn at SS x the final size."""

    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width * SS, height * SS
        self.rgb = np.zeros((self.h, self.w, 3), np.float32)  # premultiplied, 0..1
        self.a = np.zeros((self.h, self.w), np.float32)
        yy, xx = np.mgrid[0:self.h, 0:self.w].astype(np.float32)
        # coordinates in final-image pixels, so shapes are described at the output scale
        self.x = (xx + 0.5) / SS - 0.5
        self.y = (yy + 0.5) / SS - 0.5

    def over(self, color: np.ndarray, alpha: np.ndarray) -> None:
        """Composite a straight-alpha layer (colour (..., 3) 0..1 or (3,), alpha (h, w)) over the canvas."""
        alpha = np.clip(alpha, 0.0, 1.0).astype(np.float32)
        color = np.broadcast_to(np.asarray(color, np.float32), self.rgb.shape)
        self.rgb = color * alpha[..., None] + self.rgb * (1.0 - alpha[..., None])
        self.a = alpha + self.a * (1.0 - alpha)

    def save(self, path: Path) -> None:
        size = (self.w // SS, self.h // SS)
        rgb = cv2.resize(self.rgb, size, interpolation=cv2.INTER_AREA)
        a = cv2.resize(self.a, size, interpolation=cv2.INTER_AREA)
        straight = np.where(a[..., None] > 1e-4, rgb / np.maximum(a[..., None], 1e-4), 0.0)
        out = np.dstack([np.clip(straight, 0, 1), np.clip(a, 0, 1)[..., None]])
        out8 = np.round(out * 255.0).astype(np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = cv2.imwrite(str(path), cv2.cvtColor(out8, cv2.COLOR_RGBA2BGRA))
        if not ok:
            raise OSError(f"could not write {path}")
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({size[0]}x{size[1]})")


def rgb(r: int, g: int, b: int) -> np.ndarray:
    return np.array([r, g, b], np.float32) / 255.0


def local(c: Canvas, cx: float, cy: float, angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Canvas coordinates in a frame centred on (cx, cy), rotated by angle (clockwise on screen)."""
    t = math.radians(angle_deg)
    dx, dy = c.x - cx, c.y - cy
    return dx * math.cos(t) + dy * math.sin(t), -dx * math.sin(t) + dy * math.cos(t)


def edge(d: np.ndarray) -> np.ndarray:
    """Hard inside mask of a signed 'distance' (<= 1 inside) — anti-aliasing comes from SS."""
    return (d <= 1.0).astype(np.float32)


def poly_mask(c: Canvas, pts: np.ndarray) -> np.ndarray:
    m = np.zeros((c.h, c.w), np.uint8)
    fixed = np.round((np.asarray(pts) + 0.5) * SS * 16 - 0.5 * 16).astype(np.int32)
    cv2.fillPoly(m, [fixed], 1, lineType=cv2.LINE_8, shift=4)
    return m.astype(np.float32)


def stroke(c: Canvas, pts: np.ndarray, width: float) -> np.ndarray:
    m = np.zeros((c.h, c.w), np.uint8)
    fixed = np.round((np.asarray(pts) + 0.5) * SS * 16 - 0.5 * 16).astype(np.int32)
    cv2.polylines(m, [fixed], False, 1, thickness=max(1, int(round(width * SS))), lineType=cv2.LINE_8, shift=4)
    return m.astype(np.float32)


def rounded(mask: np.ndarray, radius_px: float) -> np.ndarray:
    """Round a hard shape's corners: blur it and keep what stays at least half covered."""
    return (cv2.GaussianBlur(mask, (0, 0), radius_px * SS) > 0.5).astype(np.float32)


def soft_shadow(c: Canvas, mask: np.ndarray, blur_px: float, dx: float, dy: float, opacity: float) -> None:
    """A blurred dark copy of a shape's mask under it, for depth."""
    shift = np.float32([[1, 0, dx * SS], [0, 1, dy * SS]])
    moved = cv2.warpAffine(mask, shift, (c.w, c.h))
    blurred = cv2.GaussianBlur(moved, (0, 0), blur_px * SS)
    c.over(rgb(20, 10, 20), blurred * opacity)


# --- bunny ears -------------------------------------------------------------------------

def bunny_ears() -> Canvas:
    c = Canvas(640, 720)
    for side in (-1, 1):
        cx, cy, tilt = 320 + side * 150, 370, side * 13.0
        u, v = local(c, cx, cy, tilt)
        a, b = 105.0, 330.0
        d = np.sqrt((u / a) ** 2 + (v / b) ** 2)
        outer = edge(d)
        soft_shadow(c, outer, 10, 4, 6, 0.25)
        light = 1.0 - 0.25 * np.clip(d, 0, 1) ** 4 - 0.10 * (u / a) * side - 0.05 * (v / b)
        fur = rgb(246, 242, 240)[None, None, :] * np.clip(light, 0.5, 1.05)[..., None]
        c.over(np.clip(fur, 0, 1), outer)
        # inner ear: pink, deeper towards its centre line
        ui, vi = u, v + 25.0
        di = np.sqrt((ui / (a * 0.52)) ** 2 + (vi / (b * 0.78)) ** 2)
        inner = edge(di)
        pink = rgb(250, 178, 190)[None, None, :] * (0.86 + 0.14 * np.clip(di, 0, 1) ** 2)[..., None]
        c.over(pink, inner * 0.95)
        rim = ((d > 0.965) & (d <= 1.0)).astype(np.float32)
        c.over(rgb(196, 186, 190), rim * 0.8)
    return c


# --- cat ears, nose and whiskers --------------------------------------------------------

def cat_ears() -> Canvas:
    c = Canvas(640, 360)
    for side in (-1, 1):
        bx = 320 + side * 165
        tip = (bx + side * 45, 60)
        outer = rounded(poly_mask(c, np.array([(bx - 135, 350), tip, (bx + 135, 350)], float)), 14)
        soft_shadow(c, outer, 8, 3, 5, 0.3)
        shade = 0.85 + 0.25 * np.clip((350 - c.y) / 290, 0, 1) - 0.08 * side * (c.x - bx) / 135
        fur = rgb(74, 66, 72)[None, None, :] * shade[..., None]
        c.over(np.clip(fur, 0, 1), outer)
        inner = rounded(poly_mask(c, np.array([(bx - 70, 365), (bx + side * 30, 140), (bx + 70, 365)], float)), 10)
        pink = rgb(242, 160, 176)[None, None, :] * (0.78 + 0.25 * np.clip((c.y - 140) / 220, 0, 1))[..., None]
        c.over(np.clip(pink, 0, 1), inner * 0.95)
    return c


def cat_nose() -> Canvas:
    c = Canvas(720, 300)
    # whiskers: three per side, slightly curved, tapering
    for side in (-1, 1):
        for k, (dy, droop) in enumerate(((-22, -18), (6, 4), (34, 26))):
            x0, y0 = 360 + side * 70, 150 + dy * 0.5
            x1, y1 = 360 + side * 345, 150 + dy + droop
            t = np.linspace(0, 1, 30)[:, None]
            ctrl = np.array([360 + side * 210, 150 + dy * 0.8 - 12])
            pts = (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * ctrl + t**2 * np.array([x1, y1])
            layer = np.zeros((c.h, c.w), np.float32)
            for seg in range(29):  # taper: thicker near the nose
                np.maximum(layer, stroke(c, pts[seg:seg + 2], 5.0 - 3.4 * seg / 28), out=layer)
            c.over(rgb(40, 34, 38), layer * (0.92 - 0.1 * k))
    # nose: a rounded inverted triangle with a highlight
    nose = rounded(poly_mask(c, np.array([(306, 110), (360, 178), (414, 110)], float)), 9)
    soft_shadow(c, nose, 4, 0, 3, 0.35)
    shade = 1.0 - 0.25 * np.clip((c.y - 112) / 64, 0, 1)
    c.over(rgb(236, 128, 150)[None, None, :] * shade[..., None], nose)
    hx, hy = local(c, 345, 126, -15)
    c.over(rgb(255, 235, 240), edge(np.sqrt((hx / 14) ** 2 + (hy / 6) ** 2)) * 0.7)
    # mouth: a soft "w" under the nose
    t = np.linspace(0, 1, 20)[:, None]
    for side in (-1, 1):
        p0, p1, p2 = np.array([360, 176]), np.array([360 + side * 6, 212]), np.array([360 + side * 42, 200])
        pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
        c.over(rgb(60, 40, 48), stroke(c, pts, 5.0))
    return c


# --- sunglasses -------------------------------------------------------------------------

def sunglasses() -> Canvas:
    c = Canvas(900, 320)
    lens_a, lens_b = 165.0, 118.0
    frame_px = 16.0
    for side in (-1, 1):
        cx, cy = 450 + side * 225, 150
        u, v = local(c, cx, cy, 0)
        # a wayfarer-like lens: superellipse, wider at the top
        widen = 1.0 + 0.12 * np.clip(-v / lens_b, -1, 1)
        d = (np.abs(u / (lens_a * widen)) ** 3.2 + np.abs(v / lens_b) ** 2.6) ** (1 / 3.0)
        ring = edge(d) - edge(d * (1.0 + frame_px / lens_b))
        lens = edge(d * (1.0 + frame_px / lens_b))
        grad = np.clip((v + lens_b) / (2 * lens_b), 0, 1)[..., None]
        glass = rgb(18, 20, 32)[None, None, :] * (1 - grad) + rgb(70, 52, 78)[None, None, :] * grad
        c.over(glass, lens * 0.9)
        # specular streak across the upper lens
        su, sv = local(c, cx - 40, cy - 45, -28)
        streak = edge(np.abs(sv) / 13.0) * edge(np.abs(su) / 95.0) * lens
        c.over(rgb(255, 255, 255), cv2.GaussianBlur(streak, (0, 0), 3 * SS) * 0.35)
        shine = 0.75 + 0.5 * np.clip(-v / lens_b, 0, 1)
        c.over(rgb(28, 26, 30)[None, None, :] * shine[..., None], ring)
        # temple stub at the outer edge
        tx = 450 + side * (225 + lens_a + 28)
        temple = poly_mask(c, np.array([[tx - 40, 92], [tx + 40, 84], [tx + 40, 108], [tx - 40, 122]])
                           if side > 0 else np.array([[tx + 40, 92], [tx - 40, 84], [tx - 40, 108], [tx + 40, 122]]))
        c.over(rgb(30, 28, 32), temple)
    # bridge: a thick arc between the lenses
    t = np.linspace(0, 1, 30)[:, None]
    p0, p1, p2 = np.array([450 - 72, 110]), np.array([450, 78]), np.array([450 + 72, 110])
    bridge = stroke(c, (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2, 16)
    c.over(rgb(30, 28, 32), bridge)
    return c


# --- party hat --------------------------------------------------------------------------

def party_hat() -> Canvas:
    c = Canvas(480, 640)
    apex = np.array([240.0, 70.0])
    base_y, half_base = 585.0, 175.0
    # the base is an elliptical arc (seen slightly from above)
    arc_t = np.linspace(0, math.pi, 40)
    arc = np.stack([240 + half_base * np.cos(arc_t), base_y + 28 * np.sin(arc_t)], axis=1)
    cone = poly_mask(c, np.concatenate([[apex], arc]))
    soft_shadow(c, cone, 10, 5, 8, 0.3)
    frac = np.clip((c.y - apex[1]) / (base_y - apex[1]), 1e-3, 1.2)
    s = (c.x - 240) / (half_base * frac)  # -1..1 across the cone at this height
    light = 1.08 - 0.38 * (s + 0.35) ** 2
    base_col = rgb(232, 58, 142)[None, None, :] * np.clip(light, 0.45, 1.1)[..., None]
    c.over(np.clip(base_col, 0, 1), cone)
    # spiral stripes that follow the cone
    phase = (np.arcsin(np.clip(s, -1, 1)) / math.pi + 0.5) * 1.6 + frac * 4.0
    stripes = ((phase % 1.0) < 0.36).astype(np.float32) * cone
    stripe_col = rgb(255, 212, 64)[None, None, :] * np.clip(light, 0.5, 1.1)[..., None]
    c.over(np.clip(stripe_col, 0, 1), stripes)
    # dots between the stripes
    for k in range(18):
        fy = 0.25 + 0.7 * ((k * 0.618) % 1.0)
        fs = ((k * 0.381) % 1.0) * 1.6 - 0.8
        cy = apex[1] + fy * (base_y - apex[1])
        cx = 240 + fs * half_base * fy
        dot = edge(np.hypot(c.x - cx, c.y - cy) / (9 + 6 * fy)) * cone * (1 - stripes)
        c.over(rgb(90, 200, 250), dot * 0.95)
    # trim band along the base
    band = edge(np.abs(c.y - (base_y + 28 * np.sqrt(np.clip(1 - ((c.x - 240) / half_base) ** 2, 0, 1)) - 6)) / 12) * \
        edge(np.abs(c.x - 240) / (half_base + 4))
    c.over(np.clip(rgb(255, 245, 225)[None, None, :] * np.clip(light, 0.6, 1.05)[..., None], 0, 1), band)
    # pom-pom: a fluffy ball at the apex
    r = np.hypot(c.x - apex[0], c.y - apex[1] + 6)
    ang = np.arctan2(c.y - apex[1] + 6, c.x - apex[0])
    fluffy = 42 + 5 * np.sin(ang * 11) + 3 * np.sin(ang * 17 + 1.0)
    pom = edge(r / fluffy)
    soft_shadow(c, pom, 5, 3, 4, 0.3)
    pshade = 1.05 - 0.35 * np.clip(np.hypot(c.x - apex[0] + 14, c.y - apex[1] + 20) / 60, 0, 1)
    c.over(np.clip(rgb(255, 238, 120)[None, None, :] * pshade[..., None], 0, 1), pom)
    return c


# --- sparkle ----------------------------------------------------------------------------

def sparkle() -> Canvas:
    c = Canvas(128, 128)
    x, y = (c.x - 63.5) / 63.5, (c.y - 63.5) / 63.5
    r = np.hypot(x, y)

    def ray(along: np.ndarray, across: np.ndarray, length: float) -> np.ndarray:
        t = np.clip(np.abs(along) / length, 0, 1)
        return np.exp(-((across / (0.02 + 0.1 * (1 - t) ** 2)) ** 2)) * (1 - t) ** 1.2

    s = math.sqrt(0.5)
    star = np.maximum(ray(x, y, 1.0), ray(y, x, 1.0))
    diag = np.maximum(ray((x + y) * s, (x - y) * s, 0.55), ray((x - y) * s, (x + y) * s, 0.55)) * 0.6
    glow = np.exp(-((r / 0.55) ** 2)) * 0.4
    core = np.exp(-((r / 0.2) ** 2))
    alpha = np.clip(np.maximum.reduce([star, diag, glow, core]), 0, 1)
    warm = np.clip(r * 1.5, 0, 1)[..., None]
    color = rgb(255, 255, 255)[None, None, :] * (1 - warm) + rgb(255, 226, 150)[None, None, :] * warm
    c.over(color, alpha)
    return c


# --- heart -------------------------------------------------------------------------------

def heart() -> Canvas:
    """A glossy pink heart: the implicit curve (x^2 + y^2 - 1)^3 - x^2 y^3 = 0, softened at its edge."""
    c = Canvas(128, 128)
    x, y = (c.x - 63.5) / 52.0, -(c.y - 70.0) / 52.0
    f = (x * x + y * y - 1.0) ** 3 - x * x * y ** 3
    gy, gx = np.gradient(f, 1.0 / (52.0 * SS))
    alpha = np.clip(0.5 - f / np.maximum(np.hypot(gx, gy), 1e-6) * 52.0, 0, 1)  # about a pixel of edge
    shade = np.clip(0.75 + 0.35 * y - 0.15 * np.abs(x), 0.5, 1.1)[..., None]
    c.over(np.clip(rgb(255, 92, 150)[None, None, :] * shade, 0, 1), alpha)
    gloss = np.exp(-(((x + 0.45) / 0.22) ** 2 + ((y - 0.55) / 0.14) ** 2)) * 0.7 * alpha
    c.over(rgb(255, 255, 255), gloss)
    return c


ART = {
    "bunny_ears/ears.png": bunny_ears,
    "cat_face/ears.png": cat_ears,
    "cat_face/nose.png": cat_nose,
    "sunglasses/glasses.png": sunglasses,
    "party_hat/hat.png": party_hat,
    "sparkles/sparkle.png": sparkle,
    "heart_burst/heart.png": heart,
    "brow_sparkles/hat.png": party_hat,
    "brow_sparkles/sparkle.png": sparkle,
}


def main() -> None:
    for rel, draw in ART.items():
        draw().save(HERE / rel)


if __name__ == "__main__":
    main()
