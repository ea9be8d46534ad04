"""Static cost limits of an effect, checked at load before anything runs.

Each op's parameters are bounded on their own (``Param`` min/max), but 64 ops at their
bounds add up: 64 ``particles`` ops of 400 sparkles 3 eye distances wide took about a minute
per 720p frame. The sums below are what drives the cost and the memory of the costly ops;
the limits leave the built-in effects far inside (sparkles: 28 particles, 5.7 eye
distances squared) and still refuse what cannot run in a frame's budget. A measured check
(``safelens effects check --max-cost``) and the app's run-time frame budget (which turns an effect off)
catch what these sums cannot see.

- ``MAX_PARTICLES``: sparkles over all ``particles`` ops (per face).
- ``MAX_PARTICLE_AREA_IOD2``: the sum of ``count * size_iod**2`` (the pixels they cover, in
  eye distances squared; drawing cost grows with it).
- ``MAX_STICKER_AREA_FW2``: the sum of ``width_fw**2`` over ``sticker`` ops (face widths squared).
- ``MAX_IMAGE_PIXELS``: the pixels of every image asset the ops name, counted once per file
  (each is decoded and mip-mapped in memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from effects.asset_files import IMAGE_SUFFIXES, AssetError, image_size, resolve_asset

MAX_PARTICLES = 1000
MAX_PARTICLE_AREA_IOD2 = 100.0
MAX_STICKER_AREA_FW2 = 25.0
MAX_IMAGE_PIXELS = 16 * 1024 * 1024


def cost_problem(ops: Sequence[tuple[str, Any]], asset_root: Path | None) -> str | None:
    """None when the ops (name, parameter values) are within every limit, else what to tell the creator."""
    particles = 0
    particle_area = 0.0
    sticker_area = 0.0
    images: set[Path] = set()
    for name, values in ops:
        if name == "particles":
            particles += int(values["count"])
            particle_area += int(values["count"]) * float(values["size_iod"]) ** 2
        elif name == "sticker":
            sticker_area += float(values["width_fw"]) ** 2
        for value in values.values():
            if isinstance(value, str) and value and Path(value).suffix.lower() in IMAGE_SUFFIXES and asset_root:
                try:
                    images.add(resolve_asset(asset_root, value))
                except AssetError:
                    continue  # not an asset parameter (or already refused by its own check)
    if particles > MAX_PARTICLES:
        return f"expected at most {MAX_PARTICLES} particles over all particles ops, found {particles}"
    if particle_area > MAX_PARTICLE_AREA_IOD2:
        return (f"expected particles covering at most {MAX_PARTICLE_AREA_IOD2:g} eye distances squared "
                f"(the sum of count * size_iod^2 over all particles ops), found {particle_area:g}; "
                "use fewer or smaller particles")
    if sticker_area > MAX_STICKER_AREA_FW2:
        return (f"expected stickers covering at most {MAX_STICKER_AREA_FW2:g} face widths squared "
                f"(the sum of width_fw^2 over all sticker ops), found {sticker_area:g}")
    pixels = 0
    for path in sorted(images):
        try:
            width, height = image_size(path)
        except AssetError:
            continue
        pixels += width * height
    if pixels > MAX_IMAGE_PIXELS:
        return f"expected image assets of at most {MAX_IMAGE_PIXELS} pixels together, found {pixels}"
    return None
