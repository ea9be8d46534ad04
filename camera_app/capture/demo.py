"""The demo feed: a hand-held "selfie" camera over a bundled public-domain portrait.

Generated in code, deterministic for a seed. A scene is built once per source: the portrait
scaled so the face fills about 40% of the frame height, set into a softly blurred extension
of its own studio backdrop (a phone's shallow depth of field). Each frame then looks at the
scene through a camera that drifts, bobs, zooms and rolls a little like a held phone, with
auto-exposure flicker, a slight vignette and sensor noise.

Only adult faces are offered (see ``DEMO_FACES``); each comes with its measured face box so
the feed needs no face detector.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from camera_app.models import ASSETS_DIR
from camera_app.capture.base import RESOLUTIONS, BaseSource, EndOfStream, SourceError, resolution_size
from camera_app.capture.prefetch import Prefetcher

FACES_DIR = ASSETS_DIR / "faces"


@dataclass(frozen=True, slots=True)
class DemoFace:
    """A bundled adult portrait and its face box (landmark bounds, in its own pixels)."""

    filename: str
    face_box: tuple[float, float, float, float]  # x0, y0, x1, y1


DEMO_FACES: dict[str, DemoFace] = {
    f.filename: f
    for f in (
        DemoFace("us_congress_G000571.jpg", (40.2, 65.3, 146.9, 188.4)),
        DemoFace("us_congress_H001056.jpg", (62.4, 62.7, 173.8, 203.2)),
        DemoFace("us_congress_C001080.jpg", (50.1, 88.2, 168.8, 226.2)),
        DemoFace("us_congress_M001160.jpg", (51.8, 78.3, 152.7, 188.0)),
    )
}
# The age model reads G000571 as clearly adult (about 40, never near the challenge age of 25)
# through the feed's motion, exposure flicker and noise; H001056 reads 22-37 and flickers
# around 25, so an adult profile's appearance effects would switch on and off.
DEFAULT_FACE = "us_congress_G000571.jpg"
NOISE_BANK = 6  # pre-drawn noise fields, chosen per frame


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """``resolution``: 480p, 720p or 1080p. ``seed``: same seed, same frames.
    ``fps``: the feed's frame rate (timestamps follow it). ``paced``: ``read`` waits for the
    frame's time (a live feed) or returns at once (rendering). ``max_frames``: end after that
    many frames (``None``: endless). ``face``: one of ``DEMO_FACES``.
    ``face_height_fraction``: the face's share of the frame height at zoom 1.
    ``size``: (width, height) drawn instead of the resolution's (a phone's portrait front camera;
    the face then takes ``face_height_fraction`` of the shorter side).
    ``noise_sigma``: sensor noise, grey levels. ``still``: the camera does not move (exposure
    flicker and sensor noise stay: the landmark-jitter bench's source). ``prefetch``: draw the next frames on a
    thread of their own (as a camera delivers finished frames) instead of inside ``read``."""

    resolution: str = "720p"
    seed: int = 0
    fps: float = 30.0
    paced: bool = True
    max_frames: int | None = None
    face: str = DEFAULT_FACE
    face_height_fraction: float = 0.42
    noise_sigma: float = 3.0
    prefetch: bool = True
    size: tuple[int, int] | None = None
    still: bool = False

    def __post_init__(self) -> None:
        if self.resolution not in RESOLUTIONS:
            raise SourceError(f"DemoOptions.resolution: expected one of {', '.join(RESOLUTIONS)}, found {self.resolution!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SourceError(f"DemoOptions.seed: expected an int >= 0, found {self.seed!r}")
        if not 1.0 <= self.fps <= 240.0:
            raise SourceError(f"DemoOptions.fps: expected a number in [1, 240], found {self.fps!r}")
        if self.max_frames is not None and (
            isinstance(self.max_frames, bool) or not isinstance(self.max_frames, int) or self.max_frames < 0
        ):
            raise SourceError(f"DemoOptions.max_frames: expected None or an int >= 0, found {self.max_frames!r}")
        if self.face not in DEMO_FACES:
            raise SourceError(f"DemoOptions.face: expected one of {', '.join(DEMO_FACES)}, found {self.face!r}")
        if not 0.2 <= self.face_height_fraction <= 0.6:
            raise SourceError(
                f"DemoOptions.face_height_fraction: expected a number in [0.2, 0.6], found {self.face_height_fraction!r}"
            )
        if not 0.0 <= self.noise_sigma <= 20.0:
            raise SourceError(f"DemoOptions.noise_sigma: expected a number in [0, 20], found {self.noise_sigma!r}")
        if self.size is not None and not (isinstance(self.size, tuple) and len(self.size) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= 4096 for v in self.size)):
            raise SourceError(f"DemoOptions.size: expected None or (width, height) in [16, 4096] px, found {self.size!r}")
        if not isinstance(self.still, bool):
            raise SourceError(f"DemoOptions.still: expected True or False, found {self.still!r}")
        if not isinstance(self.prefetch, bool):
            raise SourceError(f"DemoOptions.prefetch: expected True or False, found {self.prefetch!r}")


@dataclass(frozen=True, slots=True)
class _Wave:
    """Sum of a few sinusoids: smooth, aperiodic-looking motion from a seed."""

    amplitudes: tuple[float, ...]
    freqs_hz: tuple[float, ...]
    phases: tuple[float, ...]

    @classmethod
    def draw(cls, rng: np.random.Generator, amplitude: float, freq_range_hz: tuple[float, float], n: int = 3) -> _Wave:
        weights = rng.uniform(0.5, 1.0, n)
        weights = weights / weights.sum()
        freqs = rng.uniform(*freq_range_hz, n)
        phases = rng.uniform(0.0, 2.0 * math.pi, n)
        return cls(tuple(float(a) for a in amplitude * weights), tuple(float(f) for f in freqs),
                   tuple(float(p) for p in phases))

    def at(self, t_s: float) -> float:
        return sum(a * math.sin(2.0 * math.pi * f * t_s + p) for a, f, p in zip(self.amplitudes, self.freqs_hz,
                                                                                self.phases, strict=True))


@dataclass(frozen=True, slots=True)
class _Motion:
    pan_x: _Wave  # fraction of frame width
    pan_y: _Wave  # fraction of frame height
    zoom: _Wave  # relative
    roll_deg: _Wave
    shake_x: _Wave  # fast hand tremor, fraction of frame width
    shake_y: _Wave
    exposure: _Wave  # relative gain
    flicker: _Wave


def _draw_motion(rng: np.random.Generator) -> _Motion:
    return _Motion(
        pan_x=_Wave.draw(rng, 0.07, (0.05, 0.25)),
        pan_y=_Wave.draw(rng, 0.04, (0.05, 0.25)),
        zoom=_Wave.draw(rng, 0.08, (0.03, 0.15)),
        roll_deg=_Wave.draw(rng, 4.0, (0.05, 0.3)),
        shake_x=_Wave.draw(rng, 0.004, (2.0, 6.0)),
        shake_y=_Wave.draw(rng, 0.004, (2.0, 6.0)),
        exposure=_Wave.draw(rng, 0.06, (0.05, 0.3)),
        flicker=_Wave.draw(rng, 0.02, (3.0, 9.0)),
    )


class DemoSource(BaseSource):
    """A generated, deterministic hand-held selfie feed (see the module docstring)."""

    def __init__(self, options: DemoOptions | None = None) -> None:
        super().__init__()
        self.options = options or DemoOptions()
        self.fps = float(self.options.fps)
        self.size = self.options.size or resolution_size(self.options.resolution)
        shape = self.options.resolution if self.options.size is None else f"{self.size[0]}x{self.size[1]}"
        self.description = f"demo ({shape}, seed {self.options.seed})"
        self._scene: np.ndarray | None = None
        self._scene_face_center = (0.0, 0.0)
        self._noise_pos: list[np.ndarray] = []
        self._noise_neg: list[np.ndarray] = []
        self._vignette: np.ndarray | None = None
        self._motion: _Motion | None = None
        self._frame_no = 0
        self._start_s = 0.0
        self._prefetcher: Prefetcher | None = None

    def _open(self) -> None:
        rng = np.random.default_rng(self.options.seed)
        self._motion = _draw_motion(rng)
        self._scene, self._scene_face_center = _build_scene(self.options, self.size)
        width, height = self.size
        self._noise_pos, self._noise_neg = [], []
        for _ in range(NOISE_BANK if self.options.noise_sigma > 0 else 0):
            luma = rng.normal(0.0, self.options.noise_sigma, (height, width, 1))
            chroma = rng.normal(0.0, self.options.noise_sigma * 0.5, (height, width, 3))
            noise = np.clip(np.rint(luma + chroma), -255, 255).astype(np.int16)
            self._noise_pos.append(np.clip(noise, 0, 255).astype(np.uint8))
            self._noise_neg.append(np.clip(-noise, 0, 255).astype(np.uint8))
        self._vignette = _vignette(width, height)
        self._frame_no = 0
        if self.options.prefetch:
            self._prefetcher = Prefetcher(self.render, stop=self.options.max_frames, name="demo-render").start()
        self._start_s = time.monotonic()

    def _close(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.close()  # before the scene goes: its thread draws from it
            self._prefetcher = None
        self._scene = None
        self._noise_pos, self._noise_neg = [], []

    def timestamp_ms(self, frame_no: int) -> int:
        return int(round(frame_no * 1000.0 / self.fps))

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        n = self._frame_no
        if self.options.max_frames is not None and n >= self.options.max_frames:
            raise EndOfStream(f"{self.description}: ended after {n} frames")
        if self.options.paced:
            wait_s = self._start_s + n / self.fps - time.monotonic()
            if wait_s > 0:
                time.sleep(wait_s)
        pixels = self._prefetcher.take(n) if self._prefetcher is not None else self.render(n)
        self._frame_no = n + 1
        pixels.flags.writeable = False
        return pixels, self.timestamp_ms(n)

    @property
    def scene(self) -> np.ndarray:
        """The still every frame looks at (the portrait in its backdrop), read-only; open first."""
        if self._scene is None:
            raise SourceError(f"{self.description}: open the source before asking for its scene")
        view = self._scene.view()
        view.flags.writeable = False
        return view

    def view_matrix(self, frame_no: int) -> np.ndarray:
        """The 2x3 affine map from scene pixels to frame ``frame_no``'s pixels (the camera's
        pan, shake, zoom and roll): a point of the scene at (x, y) is drawn at
        ``view @ (x, y, 1)``. Landmarks found on :attr:`scene` moved by it are the frame's true
        landmarks (the landmark-accuracy bench's ground truth)."""
        if self._motion is None:
            raise SourceError(f"{self.description}: open the source before asking for its motion")
        m = self._motion
        width, height = self.size
        t = 0.0 if self.options.still else frame_no / self.fps
        zoom = 1.0 + m.zoom.at(t)
        cx = self._scene_face_center[0] + (m.pan_x.at(t) + m.shake_x.at(t)) * width
        cy = self._scene_face_center[1] + (m.pan_y.at(t) + m.shake_y.at(t)) * height
        # Output pixel (u, v) looks at the scene point rotated/scaled about the view centre.
        view = cv2.getRotationMatrix2D((cx, cy), m.roll_deg.at(t), zoom)
        view[:, 2] += np.array([width / 2.0 - cx, height / 2.0 - cy])
        return view

    def render(self, frame_no: int) -> np.ndarray:
        """Frame ``frame_no`` of this feed (a pure function of the options and the number)."""
        assert self._scene is not None and self._motion is not None and self._vignette is not None
        m = self._motion
        width, height = self.size
        t = frame_no / self.fps
        out = cv2.warpAffine(self._scene, self.view_matrix(frame_no), (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REFLECT_101)
        gain = 1.0 + m.exposure.at(t) + m.flicker.at(t)
        out = cv2.multiply(out, self._vignette, scale=gain / 255.0, dtype=cv2.CV_8U)
        if self._noise_pos:
            k = (frame_no * 7 + self.options.seed) % len(self._noise_pos)
            shift = (frame_no * 131) % height
            _apply_rolled(cv2.add, out, self._noise_pos[k], shift)
            _apply_rolled(cv2.subtract, out, self._noise_neg[k], shift)
        return out


def _apply_rolled(op: Callable[..., np.ndarray], out: np.ndarray, noise: np.ndarray, shift: int) -> None:
    """``out = op(out, np.roll(noise, shift, axis=0))`` in place, without making the rolled copy
    (two row bands; saves two frame copies per frame on the capture thread)."""
    height = out.shape[0]
    band = out[shift:]
    op(band, noise[: height - shift], dst=band)
    if shift:
        top = out[:shift]
        op(top, noise[height - shift:], dst=top)


def _vignette(width: int, height: int) -> np.ndarray:
    """Per-pixel gain * 255 as uint8 3-channel: 255 in the middle, ~85% in the corners."""
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    r2 = (x * x + y * y) / 2.0
    gain = 1.0 - 0.15 * r2 ** 1.5
    return np.repeat(np.rint(gain * 255.0).astype(np.uint8)[:, :, None], 3, axis=2)


def _build_scene(options: DemoOptions, size: tuple[int, int]) -> tuple[np.ndarray, tuple[float, float]]:
    """The portrait, scaled, inside a blurred extension of its backdrop; and the face centre."""
    face = DEMO_FACES[options.face]
    path: Path = FACES_DIR / face.filename
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SourceError(f"demo: cannot read the bundled face {path}")
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    width, height = size
    x0, y0, x1, y1 = face.face_box
    scale = options.face_height_fraction * min(width, height) / (y1 - y0)
    portrait = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    ph, pw = portrait.shape[:2]
    face_cx, face_cy = (x0 + x1) / 2.0 * scale, (y0 + y1) / 2.0 * scale
    # The scene covers the frame around the face at the smallest zoom, with room for pan and roll.
    margin = 0.6
    left = max(0, int(math.ceil(width * margin - face_cx)))
    right = max(0, int(math.ceil(width * margin - (pw - face_cx))))
    top = max(0, int(math.ceil(height * margin - face_cy)))
    bottom = max(0, int(math.ceil(height * (margin + 0.1) - (ph - face_cy))))
    padded = cv2.copyMakeBorder(portrait, top, bottom, left, right, cv2.BORDER_REPLICATE)
    blur_px = max(3, int(height * 0.02)) | 1
    background = cv2.GaussianBlur(padded, (0, 0), blur_px)
    mask = np.zeros(padded.shape[:2], np.float32)
    feather = max(2, int(0.04 * min(ph, pw)))
    mask[top + feather: top + ph - feather, left + feather: left + pw - feather] = 1.0
    if bottom == 0:
        mask[top + ph - feather:, left + feather: left + pw - feather] = 1.0
    mask = cv2.GaussianBlur(mask, (0, 0), feather / 2.0)[:, :, None]
    scene = padded.astype(np.float32) * mask + background.astype(np.float32) * (1.0 - mask)
    return np.clip(np.rint(scene), 0, 255).astype(np.uint8), (face_cx + left, face_cy + top)
