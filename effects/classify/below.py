"""What was measured but stayed under the rule's lines, in words a person can check.

A report that says "no measured change" when a change was measured hides how close an
effect came to a line. ``under_lines`` lists, for the measures the rule judges (feature
sizes, skin detail, colours, makeup), the median change that was measured and the line
it stayed under ("skin detail -17%, under the 25% line"), largest first (relative to its
line), leaving out what is below NOTICED_SHARE of its line (the measures' own noise).
"""

from __future__ import annotations

import math

import numpy as np

from effects.classify.geometry import GEOMETRY_METRICS
from effects.classify.rules import (
    GEOMETRY_MIN,
    MAKEUP_LOCAL_DE,
    MAKEUP_REGIONS,
    SKIN_DETAIL_LOSS,
    TONE_CHANGES,
    TONE_SHIFT_DE,
    Decision,
    Table,
    makeup_excess,
)

NOTICED_SHARE = 0.2
MAX_LINES = 4
_GEOMETRY_WORDS = {"eyes": "eye size", "nose": "nose width", "lips": "lip fullness", "jaw": "jaw width",
                   "face_width": "face width", "face_oval": "face size", "chin": "chin height"}
_TONE_WORDS = {"skin": "skin colour", "lips": "lip colour", "teeth": "teeth colour", "irises": "iris colour"}


def _median(v: np.ndarray | None) -> float:
    if v is None or np.all(np.isnan(v)):
        return math.nan
    return float(np.nanmedian(v))


def under_lines(t: Table, decision: Decision) -> list[str]:
    """Measured medians under their lines (not already a finding), as sentences, largest first."""
    found = {f.metric for f in decision.findings}
    items: list[tuple[float, str]] = []
    for m in GEOMETRY_METRICS:
        key = f"geometry.{m}"
        v = _median(t.get(key))
        if key not in found and not math.isnan(v) and abs(v) < GEOMETRY_MIN:
            items.append((abs(v) / GEOMETRY_MIN,
                          f"{_GEOMETRY_WORDS[m]} {100 * v:+.1f}%, under the {100 * GEOMETRY_MIN:g}% line"))
    loss = _median(t.get("texture.skin"))
    if "texture.skin" not in found and not math.isnan(loss) and 0.0 < loss < SKIN_DETAIL_LOSS:
        items.append((loss / SKIN_DETAIL_LOSS,
                      f"skin detail {-100 * loss:.0f}%, under the {100 * SKIN_DETAIL_LOSS:g}% line"))
    for region in TONE_CHANGES:
        key = f"tone.{region}"
        de = _median(t.get(key))
        if key not in found and not math.isnan(de) and de < TONE_SHIFT_DE:
            items.append((de / TONE_SHIFT_DE, f"{_TONE_WORDS[region]} dE {de:.1f}, under the {TONE_SHIFT_DE:g} dE line"))
    for key, where in MAKEUP_REGIONS.items():
        if key in found or key not in t:
            continue
        de = _median(makeup_excess(t, key))
        if not math.isnan(de) and de < MAKEUP_LOCAL_DE:
            items.append((de / MAKEUP_LOCAL_DE,
                          f"colour on the {where} dE {de:.1f} (where it changed, above the skin's own change), "
                          f"under the {MAKEUP_LOCAL_DE:g} dE line"))
    items = sorted((i for i in items if i[0] >= NOTICED_SHARE), key=lambda i: -i[0])
    return [text for _, text in items[:MAX_LINES]]
