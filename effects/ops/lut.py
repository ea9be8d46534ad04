"""The ``lut`` op: a 3D colour LUT from an Adobe .cube file in the effect folder or a built-in preset.

``scope = "frame"`` grades the whole frame; ``scope = "face"`` grades each face's oval
with a soft edge (``feather_iod``), leaving the rest of the frame untouched. Both change the
frame in place. The .cube
file is read (path checks, then the strict parser) the first time the op runs in an
effect folder and kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from effects import backend
from effects.asset_files import resolve_asset
from effects.face import FaceTrack
from effects.kernels.lut3d import PreparedLut, lut_nb, lut_np, prepare_lut
from effects.lut_io import read_cube
from effects.lut_presets import PRESET_NAMES, preset_table
from effects.masks import region_mask
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.colour import STRENGTH
from effects.ops.values import OpParamError, check_frame

_NO_ALPHA = np.zeros((1, 1), np.float32)
Domain = tuple[float, float, float]


class LutTable:
    """A LUT ready to apply: the [r, g, b] table, its domain, and the kernel's prepared form."""

    def __init__(self, table: np.ndarray, domain_min: Domain = (0.0, 0.0, 0.0),
                 domain_max: Domain = (1.0, 1.0, 1.0)) -> None:
        self.table = table
        self.domain_min = domain_min
        self.domain_max = domain_max
        self.prepared: PreparedLut = prepare_lut(table, domain_min, domain_max)

    def apply_into(self, src: np.ndarray, alpha: np.ndarray | None, strength: float, out: np.ndarray) -> None:
        """out = src graded by ``strength`` (times ``alpha`` per pixel when given); same-shape views."""
        backend.pick(_apply_numba, _apply_numpy)(self, src, alpha, float(strength), out)


def _apply_numba(lut: LutTable, src: np.ndarray, alpha: np.ndarray | None, strength: float, out: np.ndarray) -> None:
    p = lut.prepared
    # The kernel reads and writes whole rows: a strided view (a face ROI) goes through a copy.
    contiguous = src.flags.c_contiguous and out.flags.c_contiguous
    s = src if contiguous else np.ascontiguousarray(src)
    o = out if contiguous else np.empty_like(s)
    a = _NO_ALPHA if alpha is None else np.ascontiguousarray(alpha, dtype=np.float32)
    lut_nb(s, p.packed, p.size, p.slope, p.offset, a, alpha is not None, strength, o)
    if not contiguous:
        out[...] = o


def _apply_numpy(lut: LutTable, src: np.ndarray, alpha: np.ndarray | None, strength: float, out: np.ndarray) -> None:
    lut_np(src, lut.table, lut.domain_min, lut.domain_max, alpha, strength, out)


@register_op
class Lut(Op):
    """Colour grading through a 3D LUT (.cube file or preset), on the frame or on faces only."""

    name: ClassVar[str] = "lut"
    params: ClassVar[tuple[Param, ...]] = (
        Param("file", "asset", "", choices=(".cube",), doc="an Adobe .cube 3D LUT in the effect folder"),
        Param("preset", "str", "", choices=PRESET_NAMES, doc="a built-in LUT (instead of file)"),
        Param("scope", "str", "frame", choices=("frame", "face"), doc="grade the whole frame or each face"),
        Param("feather_iod", "float", 0.3, 0.0, 2.0, doc="edge softness of the face scope"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        has_file = bool(self.values["file"])
        has_preset = bool(self.values["preset"])
        if has_file == has_preset:
            raise OpParamError(f'{self.name}: expected exactly one of "file" or "preset", found '
                               f'{"both" if has_file else "neither"}')
        self._preset = LutTable(preset_table(self.values["preset"])) if has_preset else None
        self._files: dict[Path, LutTable] = {}

    def table_for(self, asset_root: Path | None) -> LutTable:
        """The LUT to apply (a .cube file is read once per effect folder)."""
        if self._preset is not None:
            return self._preset
        if asset_root is None:
            raise OpParamError(f"{self.name}: file: reading {self.values['file']!r} needs the effect folder "
                               "(OpContext.asset_root), found none")
        cached = self._files.get(asset_root)
        if cached is None:
            path = resolve_asset(asset_root, self.values["file"], field="file")
            cube = read_cube(path)
            cached = LutTable(cube.table, cube.domain_min, cube.domain_max)
            self._files[asset_root] = cached
        return cached

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        if self.strength <= 0.0:
            return
        table = self.table_for(ctx.asset_root)
        if self.values["scope"] == "frame":
            table.apply_into(out, None, self.strength, out)  # the kernels read each pixel before writing it
            return
        for track in tracks:
            mask = region_mask(out.shape, track, ["face"], feather_px=self.values["feather_iod"] * track.interocular_px)
            if mask.is_empty:
                continue
            y0, y1, x0, x1 = mask.roi
            view = out[y0:y1, x0:x1]
            table.apply_into(view, mask.alpha, self.strength, view)
