"""Whole-frame style ops: ``posterize`` (with comic ink edges), ``film_grain`` and ``vignette``.

These are global: they apply with or without faces. Each kernel reads a pixel (posterize: the
rows below it, for its blur) before it writes it, so they run in place on the frame.
Strength 0 leaves the frame unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from effects import backend
from effects.face import FaceTrack
from effects.kernels.grain import frame_key, grain_nb, grain_np, lattice_nb, lattice_np, lattice_shape
from effects.kernels.posterize import level_table, posterize_nb, posterize_np
from effects.kernels.vignette import gain_map_nb, gain_rows, vignette_nb, vignette_np
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.colour import STRENGTH
from effects.ops.values import check_frame

GRAIN_SD_LEVELS = 30.0  # grain standard deviation, in grey levels, at amount 1 (mid-tones)
EDGE_SOFTNESS = 1.6  # ink goes from none at the threshold to full at this multiple of it


@register_op
class Posterize(Op):
    """Flat colour bands, optionally with dark ink lines on strong edges (a comic look)."""

    name: ClassVar[str] = "posterize"
    params: ClassVar[tuple[Param, ...]] = (
        Param("levels", "int", 5, 2, 32, doc="values per channel"),
        Param("edges", "bool", True, doc="draw ink lines on edges"),
        Param("edge_threshold", "float", 0.05, 0.01, 1.0, doc="gradient (0..1) where ink starts"),
        Param("ink_color", "color", (22, 18, 28), doc="colour of the ink lines"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._table = level_table(self.values["levels"])
        self._ink = np.asarray(self.values["ink_color"], np.float64)

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        if self.strength <= 0.0:
            return
        edges = bool(self.values["edges"])
        lo = self.values["edge_threshold"]
        kernel = backend.pick(posterize_nb, posterize_np)
        # In place: output row y is written after the rows it blurs (up to y + 3) were read.
        kernel(out, self._table, edges, lo, lo * EDGE_SOFTNESS, self._ink, self.strength, out)


@register_op
class FilmGrain(Op):
    """Monochrome grain that changes every frame but is the same for the same seed and frame index."""

    name: ClassVar[str] = "film_grain"
    params: ClassVar[tuple[Param, ...]] = (
        Param("amount", "float", 0.35, 0.0, 1.0, doc=f"grain strength (1 = {GRAIN_SD_LEVELS:g} grey levels s.d.)"),
        Param("size_px", "float", 1.5, 1.0, 8.0, doc="grain size in pixels"),
        Param("seed", "int", 0, 0, 2**31 - 1, doc="the grain pattern; the frame index animates it"),
        STRENGTH,
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        sd = self.values["amount"] * GRAIN_SD_LEVELS * self.strength
        if sd <= 0.0:
            return
        cell = float(self.values["size_px"])
        lattice = np.empty(lattice_shape(out.shape[0], out.shape[1], cell), np.float32)
        key = frame_key(self.values["seed"] + ctx.seed, ctx.frame_index)
        backend.pick(lattice_nb, lattice_np)(key, lattice)
        backend.pick(grain_nb, grain_np)(out, lattice, 1.0 / cell, sd, out)


@register_op
class Vignette(Op):
    """Darken the frame towards its corners."""

    name: ClassVar[str] = "vignette"
    params: ClassVar[tuple[Param, ...]] = (
        Param("amount", "float", 0.5, 0.0, 1.0, doc="darkening in the corners (1 = black)"),
        Param("radius", "float", 0.45, 0.0, 1.5, doc="normalised distance where darkening starts (1 = corner)"),
        Param("softness", "float", 0.6, 0.01, 2.0, doc="distance over which it reaches full darkening"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._gain_key: tuple[int, int, float] | None = None
        self._gain = np.zeros((0, 0), np.uint16)

    def gain_map(self, height: int, width: int, depth: float) -> np.ndarray:
        """The Numba kernel's fixed-point gain map for this frame size (computed once per size)."""
        key = (height, width, depth)
        if key != self._gain_key:
            gain = np.empty((gain_rows(height), width * 3), np.uint16)
            gain_map_nb(depth, self.values["radius"], self.values["softness"], gain, height)
            self._gain, self._gain_key = gain, key
        return self._gain

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        depth = self.values["amount"] * self.strength
        if depth <= 0.0:
            return
        backend.pick(_vignette_numba, _vignette_numpy)(self, out, depth, out)


def _vignette_numba(op: Vignette, src: np.ndarray, depth: float, out: np.ndarray) -> None:
    vignette_nb(src, op.gain_map(src.shape[0], src.shape[1], depth), out)


def _vignette_numpy(op: Vignette, src: np.ndarray, depth: float, out: np.ndarray) -> None:
    vignette_np(src, depth, op.values["radius"], op.values["softness"], out)
