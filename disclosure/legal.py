"""Label formats that carry a law's own wording, for exports posted commercially.

``default``: SafeLens's label ("Appearance effect: ...").

``fr-influencer``: France, loi n° 2023-451 of 9 June 2023, art. 5: commercial images whose
processing slimmed or thickened the silhouette or changed the appearance of the face carry
the words « Images retouchées », clear, legible and identifiable on the image or the video,
for the whole viewing. Drawn with the same plate as the SafeLens label (text at least 4.2% of
the frame height, away from faces), on every frame.

``no-ad``: Norway, Marketing Control Act § 2 (2) and the regulation of 17 June 2022 no. 1114
on labelling retouched advertising: advertising in which a body's shape, size or skin was
changed carries the public standard mark, contrasting with the background, about 7% of the
image area, in the upper left corner, for the whole film. The Consumer Authority exempts
changes of colour of hair, teeth, eyes, brows, lashes and body hair that change no shape or
size. The official artwork is an attachment to the regulation that could not be obtained
here; ``NorwegianMark`` draws a stand-in with the mark's words ("REKLAME", "Retusjert
person"), size, corner and contrast, and says so (docs/disclosure-laws.md).

A legal mark replaces the SafeLens label on frames that need it; frames whose effects the law
does not cover keep the default label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from disclosure.plate import blend_into, blend_weights
from effects.classification import Category, Change, ClassificationResult


class LabelFormat(StrEnum):
    DEFAULT = "default"
    FR_INFLUENCER = "fr-influencer"
    NO_AD = "no-ad"


FR_MENTION = "Images retouchées"
NO_WORDS = ("REKLAME", "Retusjert person")
NO_AREA_FRAC = 0.07  # "omtrent 7 % av bildeflaten"
NO_ASPECT = 2.4  # width / height of the stand-in mark (landscape and square frames)
NO_ASPECT_PORTRAIT = 1.6  # narrower on portrait frames, so that it stays in the upper left quarter

# Changes of colour only, which Norway's Consumer Authority says need no mark (hair, teeth,
# eyes, brows, lashes, body hair). Anything else that alters appearance does, including
# changes this module does not know yet (fail safe).
_NO_COLOUR_ONLY = frozenset({Change.WHITENS_TEETH, Change.TINTS_IRISES})


def _altering_changes(results: Sequence[ClassificationResult]) -> set[Change]:
    return {reason.change for r in results if r.category is Category.APPEARANCE_ALTERING
            for reason in r.reasons if reason.altering}


def mark_required(label_format: LabelFormat, results: Sequence[ClassificationResult]) -> bool:
    """Whether the law of ``label_format`` asks for its mark on a frame with these effects."""
    altering = any(r.category is Category.APPEARANCE_ALTERING for r in results)
    if label_format is LabelFormat.DEFAULT or not altering:
        return False
    if label_format is LabelFormat.FR_INFLUENCER:
        return True  # any measured change of the face's appearance or the silhouette
    changes = _altering_changes(results)
    return not changes or bool(changes - _NO_COLOUR_ONLY)  # altering with no named change: mark it


@dataclass(frozen=True, slots=True)
class MarkPlate:
    """The mark as blend weights for one frame size: ``weight`` (h, w, 1) uint16 in 0-256 and
    ``premultiplied`` (h, w, 3) uint16 (``disclosure.plate.blend_weights``); ``x, y`` its top-left corner."""

    x: int
    y: int
    weight: np.ndarray
    premultiplied: np.ndarray

    @property
    def width(self) -> int:
        return int(self.weight.shape[1])

    @property
    def height(self) -> int:
        return int(self.weight.shape[0])

    def draw_into(self, rgb: np.ndarray) -> None:
        blend_into(rgb[self.y : self.y + self.height, self.x : self.x + self.width], self.weight, self.premultiplied)


@lru_cache(maxsize=8)
def norwegian_mark(width: int, height: int, font_path: Path) -> MarkPlate:
    """The stand-in Norwegian mark for a ``width`` x ``height`` frame: about 7% of its area, in
    the upper left corner (inside a margin of 2% of the shorter side), dark plate with a light
    border and light type, so it contrasts with dark and light pictures alike."""
    area = NO_AREA_FRAC * width * height
    aspect = NO_ASPECT if width >= height else NO_ASPECT_PORTRAIT
    mark_h = max(8, int(round(math.sqrt(area / aspect))))
    mark_w = max(8, int(round(area / mark_h)))
    margin = int(round(0.02 * min(width, height)))
    mark_w, mark_h = min(mark_w, width - 2 * margin), min(mark_h, height - 2 * margin)
    scale = 4  # drawn large, then reduced: smooth edges
    big = Image.new("RGBA", (mark_w * scale, mark_h * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    w, h = big.size
    radius = int(h * 0.22)
    border = max(scale, int(h * 0.05))
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=(255, 255, 255, 255))
    draw.rounded_rectangle((border, border, w - 1 - border, h - 1 - border), radius=max(1, radius - border),
                           fill=(20, 20, 24, 255))
    side_by_side = w >= 2 * h  # landscape mark: person left, words right; else words under the person
    unit = h * (0.16 if side_by_side else 0.11)
    cx, cy = (int(h * 0.5), int(h * 0.5)) if side_by_side else (w // 2, int(h * 0.36))
    _person(draw, cx, cy, unit)
    top_word, bottom_word = NO_WORDS
    if side_by_side:
        text_x, room, max_px, area_top, area_bottom = int(h * 0.95), w - int(h * 0.95) - int(h * 0.18), int(h * 0.30), 0, h
    else:
        text_x, room, max_px, area_top, area_bottom = -1, w - int(h * 0.24), int(h * 0.17), int(h * 0.62), int(h * 0.92)
    size = _fit_font(font_path, (top_word, bottom_word), room, max_px)
    font = ImageFont.truetype(str(font_path), size)
    line_gap = int(size * 0.25)
    box_top, box_bottom = draw.textbbox((0, 0), top_word, font=font), draw.textbbox((0, 0), bottom_word, font=font)
    block = (box_top[3] - box_top[1]) + line_gap + (box_bottom[3] - box_bottom[1])
    y0 = area_top + (area_bottom - area_top - block) // 2
    for word, box, y in ((top_word, box_top, y0), (bottom_word, box_bottom, y0 + (box_top[3] - box_top[1]) + line_gap)):
        x = text_x if text_x >= 0 else (w - (box[2] - box[0])) // 2 - box[0]
        draw.text((x, y - box[1]), word, font=font, fill=(255, 255, 255, 255))
    small = big.resize((mark_w, mark_h), Image.Resampling.LANCZOS)
    weight, premultiplied = blend_weights(np.asarray(small.convert("RGBA")))
    return MarkPlate(margin, margin, weight, premultiplied)


def _person(draw: ImageDraw.ImageDraw, cx: int, cy: int, unit: float) -> None:
    """Head and shoulders centred on (cx, cy)."""
    white = (255, 255, 255, 255)
    draw.ellipse((cx - unit, cy - 2.1 * unit, cx + unit, cy - 0.1 * unit), fill=white)
    draw.pieslice((cx - 1.9 * unit, cy + 0.2 * unit, cx + 1.9 * unit, cy + 3.6 * unit), 180, 360, fill=white)


def _fit_font(font_path: Path, words: Sequence[str], room_px: int, max_px: int) -> int:
    size = max_px
    while size > 6:
        font = ImageFont.truetype(str(font_path), size)
        if all(font.getlength(word) <= room_px for word in words):
            return size
        size -= max(1, size // 12)
    return size


def provenance_record(label_format: LabelFormat, required: bool) -> dict[str, object]:
    """What an export's manifest says of its label format: the format, the law, and the mark
    drawn (None when the law did not ask for it and the SafeLens label was drawn instead)."""
    law = {LabelFormat.DEFAULT: None, LabelFormat.FR_INFLUENCER: "FR loi 2023-451 art. 5",
           LabelFormat.NO_AD: "NO markedsføringsloven § 2; forskrift 2022-06-17 nr. 1114"}[label_format]
    mark = None
    if required:
        mark = FR_MENTION if label_format is LabelFormat.FR_INFLUENCER else " ".join(NO_WORDS)
    return {"format": label_format.value, "law": law, "mark": mark}
