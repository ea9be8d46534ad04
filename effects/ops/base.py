"""The contract every op of the library follows.

An op is a class registered under a name with ``@register_op``. It declares its
parameters as ``Param`` records; the spec loader validates a TOML table against
them (so a creator gets "effect.toml: ops[2].strength: expected a number in
[0, 1], found 1.5") and builds the op with the validated values. ``apply``
returns a new frame and never writes into its input. Every op has a ``strength``
in [0, 1]; strength 0 returns the input unchanged.

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
from effects.ops.values import REQUIRED, Param, op_values

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
    """A configured op. Subclasses set ``name``, ``params`` and implement ``apply``."""

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
    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> np.ndarray:
        """Return the processed copy of ``rgb`` ((H, W, 3) uint8, C-contiguous)."""


OPS: dict[str, type[Op]] = {}


def register_op(cls: type[Op]) -> type[Op]:
    """Class decorator: make ``cls`` available to effect specs under ``cls.name``."""
    if cls.name in OPS:
        raise ValueError(f"op {cls.name!r} is registered twice")
    if not any(p.name == "strength" for p in cls.params):
        raise ValueError(f"op {cls.name!r} must declare a 'strength' parameter")
    OPS[cls.name] = cls
    return cls


