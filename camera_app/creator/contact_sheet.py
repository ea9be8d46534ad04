"""A before/after contact sheet of an effect on the reference faces, as a PNG.

Only adults appear (faces the manifest marks as minors, and faces cropped from the same
photo as one, are left out), whatever the effect's category. Faces are picked across the
range of skin lightness so a creator sees the effect on darker and lighter skin. Each
pair shows the head (cropped around the face box) and is captioned with what was
measured on that face.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from camera_app.creator.guidance import deciding
from camera_app.models import ASSETS_DIR
from effects.classify import Assessment

FONT = ASSETS_DIR / "fonts" / "Roboto-Regular.ttf"
FONT_BOLD = ASSETS_DIR / "fonts" / "Roboto-Bold.ttf"
TILE_HEIGHT = 320
MAX_FACES = 6
COLUMNS = 3
PAD = 12
BACKGROUND = (246, 246, 244)
INK = (20, 20, 24)
MUTED = (90, 90, 96)


class SheetError(OSError):
    """The contact sheet could not be written; the message names the file."""


def pick_faces(assessment: Assessment, count: int = MAX_FACES) -> list[int]:
    """Indices of up to ``count`` adult faces spread over skin lightness (colour photos first)."""
    adults = [i for i, f in enumerate(assessment.faces) if f.sheet_ok]
    colour = sorted((i for i in adults if not assessment.faces[i].greyscale),
                    key=lambda i: assessment.faces[i].skin_lightness)
    grey = [i for i in adults if assessment.faces[i].greyscale]
    if len(colour) > count - 1:
        picks = np.linspace(0, len(colour) - 1, count - 1 if grey else count).round().astype(int)
        colour = [colour[p] for p in dict.fromkeys(picks.tolist())]
    return (colour + grey)[:count]


def _crop_box(assessment: Assessment, index: int) -> tuple[int, int, int, int]:
    """The face box grown to show the head (room above for hats and ears), clipped to the picture."""
    face = assessment.faces[index]
    b = face.track.box
    h, w = face.rgb.shape[:2]
    x0 = max(0, int(b.x0 - 0.45 * b.width))
    x1 = min(w, int(b.x1 + 0.45 * b.width))
    y0 = max(0, int(b.y0 - 0.7 * b.height))
    y1 = min(h, int(b.y1 + 0.25 * b.height))
    return x0, y0, x1, y1


def _scaled(rgb: np.ndarray, box: tuple[int, int, int, int], height: int) -> Image.Image:
    x0, y0, x1, y1 = box
    img = Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    width = max(1, round(img.width * height / img.height))
    return img.resize((width, height), Image.Resampling.LANCZOS)


def _caption(assessment: Assessment, index: int) -> str:
    parts = []
    for d in deciding(assessment)[:2]:
        if d.unit is not assessment.whole:
            continue
        v = d.values()[index]
        if not math.isnan(v):
            parts.append(d.describe(v))
    return ", ".join(parts) or "nothing over the lines"


def render_sheet(assessment: Assessment, title: str, lines: Sequence[str]) -> Image.Image:
    """The sheet as a Pillow image: a title, a few lines of text, then before/after pairs."""
    title_font = ImageFont.truetype(str(FONT_BOLD), 26)
    font = ImageFont.truetype(str(FONT), 17)
    small = ImageFont.truetype(str(FONT), 15)
    picks = pick_faces(assessment)
    pairs = []
    for i in picks:
        box = _crop_box(assessment, i)
        before = _scaled(assessment.faces[i].rgb, box, TILE_HEIGHT)
        after = _scaled(assessment.outputs[i], box, TILE_HEIGHT)
        pair = Image.new("RGB", (before.width + after.width + 4, TILE_HEIGHT + 26), BACKGROUND)
        pair.paste(before, (0, 0))
        pair.paste(after, (before.width + 4, 0))
        ImageDraw.Draw(pair).text((2, TILE_HEIGHT + 4), _caption(assessment, i), font=small, fill=MUTED)
        pairs.append(pair)
    cell_w = max((p.width for p in pairs), default=400)
    cell_h = TILE_HEIGHT + 26
    cols = min(COLUMNS, max(1, len(pairs)))
    rows = math.ceil(len(pairs) / cols) if pairs else 0
    header_h = 60 + 24 * (len(lines) + 1)
    width = max(cols * (cell_w + PAD) + PAD, 900)
    sheet = Image.new("RGB", (width, header_h + rows * (cell_h + PAD) + PAD), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((PAD, PAD), title, font=title_font, fill=INK)
    y = PAD + 38
    for line in lines:
        draw.text((PAD, y), line, font=font, fill=INK)
        y += 24
    draw.text((PAD, y), "Before | after on adult reference faces (minors are never shown).", font=small, fill=MUTED)
    for k, pair in enumerate(pairs):
        r, c = divmod(k, cols)
        sheet.paste(pair, (PAD + c * (cell_w + PAD), header_h + r * (cell_h + PAD)))
    return sheet


def write_sheet(assessment: Assessment, path: Path, title: str, lines: Sequence[str]) -> Path:
    """Write the sheet PNG to ``path``; SheetError names the file when it cannot be written."""
    target = Path(path)
    if not target.parent.is_dir():
        raise SheetError(f"--sheet {target}: folder {target.parent} does not exist")
    try:
        render_sheet(assessment, title, lines).save(target, format="PNG")
    except OSError as exc:
        raise SheetError(f"--sheet {target}: cannot write the PNG ({exc})") from exc
    return target
