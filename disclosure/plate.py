"""The label plate: label text set in a real font on a rounded, nearly opaque plate.

Sizing rules (for a frame of W x H pixels):

- text height, measured as the ink height of a line from the top of the capitals to the
  bottom of the descenders ("Hg"), is at least ``text_height_frac`` x H;
- the whole plate covers at most ``max_area_frac`` of the frame and fits inside the frame
  margins. The label's variants (longest first) are tried with 1 to ``max_lines`` lines,
  balanced, with the title ("...: ") on a line of its own when wrapped; the first that fits
  is used.

The result is an RGBA image (straight alpha) made with Pillow's FreeType renderer, so the
text is anti-aliased; ``overlay.py`` turns it into blend weights once and reuses them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

_REFERENCE_PX = 200  # font size at which the font's ink proportions are measured
_INK_PROBE = "Hg"  # capital top to descender bottom


class PlateError(ValueError):
    """The label cannot be set within the size rules for this frame, or the font is unusable."""


@dataclass(frozen=True, slots=True)
class PlateStyle:
    """How a plate looks. Lengths are in ems of the chosen font size."""

    font_path: Path
    text_height_frac: float
    max_area_frac: float
    margin_px: int
    max_lines: int
    padding_x_em: float
    padding_y_em: float
    line_gap_em: float
    corner_radius_em: float
    plate_rgba: tuple[int, int, int, int]
    text_rgb: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class PlateLayout:
    """Where the text goes on the plate, in plate pixels."""

    text: str
    lines: tuple[str, ...]
    font_px: int
    text_height_px: int
    width: int
    height: int
    baselines_px: tuple[int, ...]
    padding_x_px: int


@lru_cache(maxsize=64)
def _font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size_px)
    except OSError as exc:
        raise PlateError(f"{path}: cannot load the label font at {size_px} px: {exc}") from None


def _ink_height(font: ImageFont.FreeTypeFont) -> int:
    _, top, _, bottom = font.getbbox(_INK_PROBE, anchor="ls")
    return int(bottom - top)


def font_px_for(style: PlateStyle, frame_height: int) -> int:
    """The smallest font size whose ink height ("Hg") is at least text_height_frac x H."""
    target = style.text_height_frac * frame_height
    ratio = _ink_height(_font(str(style.font_path), _REFERENCE_PX)) / _REFERENCE_PX
    size = max(6, math.ceil(target / ratio) - 1)
    while _ink_height(_font(str(style.font_path), size)) < target:
        size += 1
    return size


def _wrap(widths: Sequence[float], space: float, max_width: float) -> list[tuple[int, int]]:
    """Greedy wrap at spaces, as (first word, end word) index pairs; a word wider than
    ``max_width`` gets a line of its own."""
    lines: list[tuple[int, int]] = []
    start, width = 0, 0.0
    for i, w in enumerate(widths):
        if i > start and width + space + w > max_width:
            lines.append((start, i))
            start, width = i, w
        else:
            width = w if i == start else width + space + w
    lines.append((start, len(widths)))
    return lines


def _balanced(text: str, font: ImageFont.FreeTypeFont, n_lines: int) -> list[str]:
    """The narrowest wrap of ``text`` into at most ``n_lines`` lines (binary search on width).
    Word widths are measured once; the plate is sized from the real width of each line."""
    words = text.split(" ")
    widths = [font.getlength(w) for w in words]
    space = font.getlength(" ")
    lo, hi = max(widths), sum(widths) + space * (len(words) - 1)
    if len(_wrap(widths, space, lo)) > n_lines:
        while hi - lo > 1.0:
            mid = (lo + hi) / 2.0
            if len(_wrap(widths, space, mid)) <= n_lines:
                hi = mid
            else:
                lo = mid
    else:
        hi = lo
    return [" ".join(words[a:b]) for a, b in _wrap(widths, space, hi)]


def layout_plate(variants: Sequence[str], style: PlateStyle, frame_width: int, frame_height: int) -> PlateLayout:
    """The first variant and line count whose plate fits the frame (see module docstring)."""
    if not variants:
        raise PlateError("layout_plate: expected at least one label text, found none")
    font_px = font_px_for(style, frame_height)
    font = _font(str(style.font_path), font_px)
    ink = _ink_height(font)
    _, cap_top, _, _ = font.getbbox("H", anchor="ls")
    _, _, _, desc_bottom = font.getbbox("g", anchor="ls")
    pad_x = round(style.padding_x_em * font_px)
    pad_y = round(style.padding_y_em * font_px)
    pitch = ink + round(style.line_gap_em * font_px)
    max_w = frame_width - 2 * style.margin_px
    max_h = frame_height - 2 * style.margin_px
    max_area = style.max_area_frac * frame_width * frame_height
    for text in variants:
        for n_lines in range(1, style.max_lines + 1):
            lines = _balanced(text, font, n_lines)
            if len(lines) != n_lines and n_lines > 1:
                continue  # already fitted in fewer lines: same result as before
            head, colon, tail = text.partition(": ")
            if n_lines > 1 and colon and tail:
                # Wrapped labels read best with the title on a line of its own.
                titled = [head + colon.rstrip(), *_balanced(tail, font, n_lines - 1)]
                if len(titled) == n_lines:
                    lines = titled
            width = math.ceil(max(font.getlength(line) for line in lines)) + 2 * pad_x
            height = ink + (len(lines) - 1) * pitch + 2 * pad_y
            if width <= max_w and height <= max_h and width * height <= max_area:
                first_baseline = pad_y - int(cap_top)
                baselines = tuple(first_baseline + i * pitch for i in range(len(lines)))
                assert baselines[-1] + int(desc_bottom) <= height
                return PlateLayout(text, tuple(lines), font_px, ink, width, height, baselines, pad_x)
    raise PlateError(
        f"label {variants[-1]!r} does not fit a {frame_width}x{frame_height} frame with text height "
        f">= {style.text_height_frac:.0%} of the frame height ({ink} px) and area <= {style.max_area_frac:.0%}"
    )


def render_plate(layout: PlateLayout, style: PlateStyle) -> np.ndarray:
    """The plate as an (h, w, 4) uint8 RGBA array (straight alpha), text anti-aliased."""
    # The plate's shape is drawn 4x larger and scaled down, so its rounded corners are smooth.
    ss = 4
    shape = Image.new("L", (layout.width * ss, layout.height * ss), 0)
    radius = round(style.corner_radius_em * layout.font_px) * ss
    ImageDraw.Draw(shape).rounded_rectangle(
        (0, 0, layout.width * ss - 1, layout.height * ss - 1), radius=radius, fill=style.plate_rgba[3]
    )
    image = Image.new("RGBA", (layout.width, layout.height), (*style.plate_rgba[:3], 0))
    image.putalpha(shape.resize((layout.width, layout.height), Image.Resampling.BOX))
    draw = ImageDraw.Draw(image)
    font = _font(str(style.font_path), layout.font_px)
    for line, baseline in zip(layout.lines, layout.baselines_px, strict=True):
        draw.text((layout.padding_x_px, baseline), line, font=font, fill=(*style.text_rgb, 255), anchor="ls")
    return np.asarray(image, dtype=np.uint8).copy()


def blend_weights(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A rendered RGBA plate (straight alpha) as integer blend weights, computed once per plate:
    ``weight`` (h, w, 1) uint16 in [0, 256] (255 -> 256: "all plate") and ``premultiplied``
    (h, w, 3) uint16, rgb * weight + 128 (rounds the shift in ``blend_into``)."""
    alpha = rgba[:, :, 3:4].astype(np.uint16)
    weight = alpha + (alpha >> 7)
    return weight, rgba[:, :, :3].astype(np.uint16) * weight + 128


def blend_into(roi: np.ndarray, weight: np.ndarray, premultiplied: np.ndarray) -> None:
    """Blend a plate's weights into ``roi`` (a uint8 view of the frame), in place."""
    blended = roi.astype(np.uint16)
    blended *= 256 - weight
    blended += premultiplied
    blended >>= 8
    roi[...] = blended
