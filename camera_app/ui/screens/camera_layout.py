"""Where the camera screen's parts go, as plain rectangles (no Kivy): the desktop layout for
landscape windows, the phone layout for portrait ones.

Desktop: a top bar, a control rail on the right (record, shutter), a deck at the bottom (the
active effect, the carousel) and the preview fitted in the space left.
Phone: the preview fills the screen; inside the safe area (the screen minus the notch or status
bar and the home bar) the profile and settings sit at the top, the round shutter at the bottom
centre, the carousel above it and the active effect above that; the recording timer in a row
under the top bar. ``content`` is what is left between them: where the HUD, notices and the
disclosure label may go.

Rectangles are (x, y, w, h) in window pixels, origin bottom-left as in Kivy; ``dp`` is the
window's pixels per dp.
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]

TOP_DP = 60.0
RAIL_DP = 112.0
DECK_DP = 158.0
SHUTTER_DP = 76.0
RECORD_DP = 56.0
CAROUSEL_DP = 112.0
EFFECT_ROW_DP = 30.0


@dataclass(frozen=True, slots=True)
class Insets:
    """The safe area's insets, window pixels."""

    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0


@dataclass(frozen=True, slots=True)
class CameraLayout:
    phone: bool
    preview: Rect
    safe: Rect
    top_bar: Rect
    shutter: Rect
    record: Rect | None  # the phone layout records by holding the shutter
    carousel: Rect
    effect_row: Rect
    content: Rect
    status: Rect  # the recording timer (phone: a row under the top bar; desktop: the top bar's middle)

    def controls(self) -> dict[str, Rect]:
        """The rectangles that must not overlap one another."""
        found = {"top_bar": self.top_bar, "shutter": self.shutter, "carousel": self.carousel,
                 "effect_row": self.effect_row, "content": self.content}
        if self.phone:
            found["status"] = self.status
        if self.record is not None:
            found["record"] = self.record
        return found


def is_phone(width: float, height: float) -> bool:
    """Portrait windows get the phone layout; landscape ones the desktop layout."""
    return height > width


def camera_layout(width: float, height: float, dp: float, insets: Insets = Insets()) -> CameraLayout:
    return (_phone if is_phone(width, height) else _desktop)(width, height, dp, insets)


def _desktop(width: float, height: float, dp: float, insets: Insets) -> CameraLayout:
    top, rail, deck = TOP_DP * dp, RAIL_DP * dp, DECK_DP * dp
    preview = (0.0, deck, max(1.0, width - rail), max(1.0, height - deck - top))
    cx, cy = width - rail / 2, deck + preview[3] / 2
    shutter = _centred(cx, cy - 10 * dp, SHUTTER_DP * dp)
    record = _centred(cx, shutter[1] + shutter[3] + 26 * dp + RECORD_DP * dp / 2, RECORD_DP * dp)
    carousel = (0.0, 10 * dp, width, CAROUSEL_DP * dp)
    effect_row = (0.0, carousel[1] + carousel[3] + 6 * dp, width, 28 * dp)
    top_bar = (0.0, height - top, width, top)
    status = (width / 2 - 100 * dp, top_bar[1], 200 * dp, top)
    return CameraLayout(False, preview, (0.0, 0.0, width, height), top_bar, shutter, record, carousel, effect_row,
                        preview, status)


def _phone(width: float, height: float, dp: float, insets: Insets) -> CameraLayout:
    safe = (insets.left, insets.bottom, width - insets.left - insets.right, height - insets.top - insets.bottom)
    sx, sy, sw, sh = safe
    top_bar = (sx, sy + sh - 56 * dp, sw, 56 * dp)
    shutter = _centred(sx + sw / 2, sy + 18 * dp + SHUTTER_DP * dp / 2, SHUTTER_DP * dp)
    carousel = (sx, shutter[1] + shutter[3] + 8 * dp, sw, CAROUSEL_DP * dp)
    effect_row = (sx, carousel[1] + carousel[3] + 4 * dp, sw, EFFECT_ROW_DP * dp)
    status = (sx, top_bar[1] - 26 * dp, sw, 26 * dp)
    low = effect_row[1] + effect_row[3] + 6 * dp
    content = (sx, low, sw, max(0.0, status[1] - low))
    return CameraLayout(True, (0.0, 0.0, width, height), safe, top_bar, shutter, None, carousel, effect_row, content,
                        status)


def _centred(cx: float, cy: float, side: float) -> Rect:
    return (cx - side / 2, cy - side / 2, side, side)


def overlaps(a: Rect, b: Rect, eps: float = 1e-6) -> bool:
    """Whether the rectangles share an area (touching edges do not count)."""
    return (a[0] + eps < b[0] + b[2] and b[0] + eps < a[0] + a[2]
            and a[1] + eps < b[1] + b[3] and b[1] + eps < a[1] + a[3])


def inside(inner: Rect, outer: Rect, slack: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[0] + inner[2] <= outer[0] + outer[2] + slack and inner[1] + inner[3] <= outer[1] + outer[3] + slack)


def intersect(a: Rect, b: Rect) -> Rect | None:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None
