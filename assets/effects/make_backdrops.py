"""Draw the backdrop of the space background effect (our own art, no third-party images).

Run from the repository root:  python assets/effects/make_backdrops.py
It (re)writes space_background/space.png (960x720 RGB): a deep blue-violet sky with a
violet nebula, a fixed pattern of stars and a ringed planet. Everything is computed from
pixel coordinates and a fixed seed, so the file is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
W, H = 960, 720


def space() -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    u, v = xx / W, yy / H
    # sky: deep navy at the top to violet-blue at the bottom
    top, bottom = np.array([8, 10, 32], np.float32), np.array([36, 20, 70], np.float32)
    img = top + (bottom - top) * v[..., None]
    # nebula: two soft glows of violet and teal, modulated by smooth noise
    rng = np.random.default_rng(21)
    noise = cv2.GaussianBlur(rng.random((H // 8, W // 8)).astype(np.float32), (0, 0), 3)
    noise = cv2.resize((noise - noise.min()) / (noise.max() - noise.min()), (W, H), interpolation=cv2.INTER_CUBIC)
    for (cx, cy, r, colour) in ((0.3, 0.35, 0.35, (150, 60, 170)), (0.75, 0.7, 0.3, (30, 120, 150))):
        glow = np.exp(-((u - cx) ** 2 + (v - cy) ** 2) / (2 * r * r)) * noise
        img += np.array(colour, np.float32) * (0.7 * glow)[..., None]
    # stars: a fixed random pattern, a few bright ones with a soft halo
    stars = np.zeros((H, W), np.float32)
    n = 900
    xs, ys = rng.integers(0, W, n), rng.integers(0, H, n)
    stars[ys, xs] = rng.random(n) ** 3
    halo = cv2.GaussianBlur(stars, (0, 0), 1.2) * 6.0
    img += (np.maximum(stars, halo) * 255.0)[..., None]
    # a ringed planet at the upper right
    px, py, pr = 0.8 * W, 0.22 * H, 70.0
    d = np.hypot(xx - px, yy - py)
    disc = np.clip(pr - d + 0.5, 0.0, 1.0)
    shade = np.clip(0.35 + 0.65 * ((px - xx) * 0.6 + (py - yy) * 0.8) / pr, 0.15, 1.0)
    bands = 0.85 + 0.15 * np.sin((yy - py) / pr * 9.0)
    planet = np.array([230, 170, 110], np.float32) * (shade * bands)[..., None]
    ring_d = np.hypot((xx - px) / 1.0, (yy - py) / 0.28)
    ring = np.clip(1.0 - np.abs(ring_d - 1.7 * pr) / (0.22 * pr), 0.0, 1.0) * 0.8
    behind = (yy < py) & (disc > 0)  # the ring's far half passes behind the planet
    ring = np.where(behind, 0.0, ring)
    img = img * (1 - disc[..., None]) + planet * disc[..., None]
    img = img * (1 - ring[..., None]) + np.array([220, 200, 170], np.float32) * ring[..., None]
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def main() -> None:
    cv2.imwrite(str(HERE / "space_background" / "space.png"), cv2.cvtColor(space(), cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
