"""The selfie preview: a phone's front camera shows the picture mirrored (you move as in a
mirror) while what it saves is not. The preview is the frame before the label, flipped, with
the label plate drawn again at the mirrored position so its text still reads left to right."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Rect = tuple[int, int, int, int]


def mirror_rect(rect: Rect, frame_width: int) -> Rect:
    """``rect`` (x, y, w, h) after a left-right flip of a frame ``frame_width`` wide."""
    x, y, w, h = rect
    return (frame_width - x - w, y, w, h)


def mirrored_preview(before_label: np.ndarray, label_rect: Rect | None,
                     draw_label: Callable[[np.ndarray, int, int], None]) -> tuple[np.ndarray, Rect | None]:
    """The mirrored picture and where its label is. ``draw_label(pixels, x, y)`` blends the
    label plate into ``pixels`` (in place) with its top-left corner at (x, y)."""
    out = np.ascontiguousarray(before_label[:, ::-1])
    if label_rect is None:
        return out, None
    rect = mirror_rect(label_rect, out.shape[1])
    draw_label(out, rect[0], rect[1])
    return out, rect
