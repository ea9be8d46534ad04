"""The contract every op of the library follows.

An op is a class registered under a name with ``@register_op``. It declares its
parameters as ``Param`` records; the spec loader validates a TOML table against
them (so a creator gets "effect.toml: ops[2].strength: expected a number in
[0, 1], found 1.5") and builds the op with the validated values. Every op has a
``strength`` in [0, 1]; strength 0 leaves the frame unchanged.

One way to run an op: ``apply_into(frame, tracks, ctx)`` changes ``frame`` in place and returns
None. ``frame`` is an (H, W, 3) uint8, C-contiguous buffer owned by the caller (the stack's one
working copy of the input: ``effects.engine``), so an op that touches a region reads and writes
only that region, and an op that needs unchanged neighbours (a filter) copies the crop it reads
first (the ROI and its border, never the frame). ``apply`` is the convenience for one op on its
own: a copy of the input, changed by ``apply_into``.

Kernels live beside each op as private pure functions with a NumPy reference;
``effects.backend`` picks which one runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from effects.face import FaceTrack
from effects.ops.values import REQUIRED, Param, check_frame, op_values

__all__ = ["OPS", "REQUIRED", "Op", "OpContext", "Param", "register_op"]


@dataclass(frozen=True, slots=True)
class OpContext:
    """Per-frame facts an op may use: frame position and time, a seed, the effect's folder, and
    the person mask of the frame the stack was given (set by the engine, and only when an op of
    the stack has ``needs_person_mask``; checked by ``effects.segmentation.check_person_mask``)."""

    frame_index: int = 0
    timestamp_ms: int = 0
    seed: int = 0
    asset_root: Path | None = None
    person_mask: np.ndarray | None = None


class Op(ABC):
    """A configured op. Subclasses set ``name``, ``params`` and implement ``apply_into``."""

    name: ClassVar[str]
    params: ClassVar[tuple[Param, ...]]
    needs_person_mask: ClassVar[bool] = False  # the engine then needs a person segmenter

    def __init__(self, **values: Any) -> None:
        """Every parameter checked against ``params`` (defaults filled in); ``OpParamError``
        names the op and the first bad field."""
        self.values: Mapping[str, Any] = op_values(self.name, self.params, values)

    @property
    def strength(self) -> float:
        return float(self.values.get("strength", 1.0))

    @abstractmethod
    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        """Change ``frame`` ((H, W, 3) uint8, C-contiguous) in place; return None."""

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> np.ndarray:
        """A changed copy of ``rgb`` (which is not modified): ``apply_into`` on a copy."""
        out = np.array(check_frame(self.name, rgb), order="C", copy=True)
        self.apply_into(out, tracks, ctx)
        return out


OPS: dict[str, type[Op]] = {}


def register_op(cls: type[Op]) -> type[Op]:
    """Class decorator: make ``cls`` available to effect specs under ``cls.name``."""
    if cls.name in OPS:
        raise ValueError(f"op {cls.name!r} is registered twice")
    if not any(p.name == "strength" for p in cls.params):
        raise ValueError(f"op {cls.name!r} must declare a 'strength' parameter")
    OPS[cls.name] = cls
    return cls


