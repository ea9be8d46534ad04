"""The on-frame disclosure label: a cached plate, placed away from faces, alpha-blended per frame.

The plate for a (label, frame size) pair is laid out and rendered once (Pillow FreeType,
see ``plate.py``) and kept as integer blend weights; each frame then only blends that small
rectangle into the picture, which costs a fraction of a millisecond at 720p. Pixels outside
the plate are never touched.

The font is passed in (``DisclosureOverlayOptions.font_path``): this package does not know
where the app keeps its assets.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

import numpy as np

from disclosure.labels import Label
from disclosure.placement import Placement, Placer
from disclosure.plate import PlateLayout, PlateStyle, blend_into, blend_weights, layout_plate, render_plate
from effects.face import Box


class OverlayError(ValueError):
    """Bad overlay options or a frame the overlay cannot draw on."""


@dataclass(frozen=True, slots=True)
class DisclosureOverlayOptions:
    """How the label is drawn.

    ``text_height_frac``: ink height of a text line ("Hg") / frame height, >= 0.04.
    ``max_area_frac``: the plate's area / the frame's, <= 0.07.
    ``margin_frac``: gap between plate and frame edge, / the frame's shorter side.
    ``face_margin_frac``: face boxes are grown by this share of their larger side.
    ``hysteresis_frac``: extra clearance (/ frame height) a more preferred spot needs before
    the plate moves back to it, after ``settle_frames`` frames in a row.
    ``plate_rgba``/``text_rgb``: near-black plate, white text (contrast about 17:1 on the
    plate over a white picture).
    """

    font_path: Path
    text_height_frac: float = 0.042
    max_area_frac: float = 0.07
    margin_frac: float = 0.025
    max_lines: int = 3
    padding_x_em: float = 0.5
    padding_y_em: float = 0.36
    line_gap_em: float = 0.3
    corner_radius_em: float = 0.3
    plate_rgba: tuple[int, int, int, int] = (18, 18, 20, 230)
    text_rgb: tuple[int, int, int] = (255, 255, 255)
    face_margin_frac: float = 0.08
    hysteresis_frac: float = 0.03
    settle_frames: int = 15
    max_cached_plates: int = 8

    def __post_init__(self) -> None:
        if not isinstance(self.font_path, Path) or not self.font_path.is_file():
            raise OverlayError(f"DisclosureOverlayOptions.font_path: expected an existing font file, found {self.font_path!r}")
        checks: list[tuple[str, float, float, float]] = [
            ("text_height_frac", self.text_height_frac, 0.04, 0.2),
            ("max_area_frac", self.max_area_frac, 0.01, 0.07),
            ("margin_frac", self.margin_frac, 0.0, 0.2),
            ("face_margin_frac", self.face_margin_frac, 0.0, 1.0),
            ("hysteresis_frac", self.hysteresis_frac, 0.0, 0.5),
        ]
        for name, value, low, high in checks:
            if not (isinstance(value, float) and low <= value <= high):
                raise OverlayError(f"DisclosureOverlayOptions.{name}: expected a float in [{low}, {high}], found {value!r}")
        for name, count, low in (("max_lines", self.max_lines, 1), ("settle_frames", self.settle_frames, 1),
                                 ("max_cached_plates", self.max_cached_plates, 1)):
            if isinstance(count, bool) or not isinstance(count, int) or count < low:
                raise OverlayError(f"DisclosureOverlayOptions.{name}: expected an int >= {low}, found {count!r}")
        colours = (*self.plate_rgba, *self.text_rgb)
        if len(self.plate_rgba) != 4 or len(self.text_rgb) != 3 or not all(
            isinstance(c, int) and 0 <= c <= 255 for c in colours
        ):
            raise OverlayError(
                f"DisclosureOverlayOptions: expected plate_rgba of 4 and text_rgb of 3 ints in [0, 255], "
                f"found {self.plate_rgba!r} and {self.text_rgb!r}"
            )


@dataclass(frozen=True, slots=True)
class _CachedPlate:
    layout: PlateLayout
    rgba: np.ndarray  # (h, w, 4) uint8, straight alpha: what was rendered
    weight: np.ndarray  # (h, w, 1) uint16 in [0, 256]: the plate's share of each output pixel
    premultiplied: np.ndarray = field(repr=False)  # (h, w, 3) uint16: rgb * weight + 128


class DisclosureOverlay:
    """Draws a :class:`~disclosure.labels.Label` on RGB frames, away from the faces.

    Stateful (the plate position has hysteresis): use one overlay per video stream.
    """

    def __init__(self, options: DisclosureOverlayOptions) -> None:
        self.options = options
        self._plates: OrderedDict[tuple[tuple[str, ...], int, int], _CachedPlate] = OrderedDict()
        self._placer = Placer(margin_px=0, face_margin_frac=options.face_margin_frac, hysteresis_px=0,
                              settle_frames=options.settle_frames)
        self._frame_size: tuple[int, int] | None = None
        self.last_placement: Placement | None = None

    def __enter__(self) -> DisclosureOverlay:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._plates.clear()
        self._placer.reset()

    def reset(self) -> None:
        """Forget the plate position (a new stream starts)."""
        self._placer.reset()
        self.last_placement = None

    def _style(self, width: int, height: int) -> PlateStyle:
        o = self.options
        return PlateStyle(
            font_path=o.font_path,
            text_height_frac=o.text_height_frac,
            max_area_frac=o.max_area_frac,
            margin_px=self._margin_px(width, height),
            max_lines=o.max_lines,
            padding_x_em=o.padding_x_em,
            padding_y_em=o.padding_y_em,
            line_gap_em=o.line_gap_em,
            corner_radius_em=o.corner_radius_em,
            plate_rgba=o.plate_rgba,
            text_rgb=o.text_rgb,
        )

    def _margin_px(self, width: int, height: int) -> int:
        return round(self.options.margin_frac * min(width, height))

    def plate(self, label: Label, width: int, height: int) -> _CachedPlate:
        """The rendered plate for ``label`` on a ``width`` x ``height`` frame (cached)."""
        key = (label.variants, width, height)
        cached = self._plates.get(key)
        if cached is not None:
            self._plates.move_to_end(key)
            return cached
        style = self._style(width, height)
        layout = layout_plate(label.variants, style, width, height)
        rgba = render_plate(layout, style)
        weight, premultiplied = blend_weights(rgba)
        cached = _CachedPlate(layout, rgba, weight, premultiplied)
        self._plates[key] = cached
        while len(self._plates) > self.options.max_cached_plates:
            self._plates.popitem(last=False)
        return cached

    def place(self, label: Label, width: int, height: int, face_boxes: Sequence[Box],
              area: tuple[int, int, int, int] | None = None) -> Placement:
        """Where the plate goes on this frame (advances the position's hysteresis state).
        ``area`` (x, y, w, h in frame pixels): the part of the frame the plate must stay in (the
        part a phone shows, inside its safe area and clear of its controls); ignored when the
        plate does not fit in it."""
        plate = self.plate(label, width, height)
        if self._frame_size != (width, height):
            self._frame_size = (width, height)
            self._placer.margin_px = self._margin_px(width, height)
            self._placer.hysteresis_px = round(self.options.hysteresis_frac * height)
        ax, ay, aw, ah = area if area is not None else (0, 0, width, height)
        if plate.layout.width + 2 * self._placer.margin_px > aw or plate.layout.height + 2 * self._placer.margin_px > ah:
            ax, ay, aw, ah = 0, 0, width, height
        boxes = [Box(b.x0 - ax, b.y0 - ay, b.x1 - ax, b.y1 - ay) for b in face_boxes] if (ax, ay) != (0, 0) else face_boxes
        inside = self._placer.place(plate.layout.width, plate.layout.height, aw, ah, boxes)
        placement = replace(inside, x=inside.x + ax, y=inside.y + ay)
        self.last_placement = placement
        return placement

    def draw_into(self, rgb: np.ndarray, label: Label, face_boxes: Sequence[Box],
                  area: tuple[int, int, int, int] | None = None) -> Placement:
        """Blend the label into ``rgb`` (H, W, 3) uint8, in place; returns where it went."""
        if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
            raise OverlayError(f"DisclosureOverlay.draw_into: expected an (H, W, 3) uint8 RGB array, found {found}")
        if not rgb.flags.writeable:
            raise OverlayError("DisclosureOverlay.draw_into: expected a writable array, found a read-only one")
        height, width = rgb.shape[:2]
        placement = self.place(label, width, height, face_boxes, area)
        self.blend_at(rgb, label, placement.x, placement.y)
        return placement

    def blend_at(self, rgb: np.ndarray, label: Label, x: int, y: int) -> None:
        """Blend the plate into ``rgb`` in place with its top-left corner at (x, y) (a position
        :meth:`place` chose, or its mirror image for a mirrored preview)."""
        height, width = rgb.shape[:2]
        plate = self.plate(label, width, height)
        blend_into(rgb[y : y + plate.layout.height, x : x + plate.layout.width], plate.weight, plate.premultiplied)

    def render(self, rgb: np.ndarray, label: Label, face_boxes: Sequence[Box]) -> np.ndarray:
        """A copy of ``rgb`` with the label drawn on it."""
        out = np.array(rgb, dtype=np.uint8, copy=True, order="C")
        self.draw_into(out, label, face_boxes)
        return out
