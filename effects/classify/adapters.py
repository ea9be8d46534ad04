"""Effect specs as things the classifier can run.

``SpecEffect(specs)`` wraps one effect spec, or a stack of them, as a
``StackUnderTest``: it applies with the engine (fixed frame index, time and seed, so
runs are repeatable) and its ``parts()`` are the single ops, each as a one-op effect,
so "a stack is altering if any part is" is checked op by op.

Ops with an expression trigger are measured in both states: the whole is applied with every
trigger forced on, and one more part applies it with every trigger forced off; the effect is
altering if either is (the stronger wins), so no trigger can hide a change from the check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from effects.classification import Category
from effects.engine import EffectStack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.spec import EffectSpec
from effects.segmentation import PersonSegmenter
from effects.triggers import TriggerMode

_CONTEXT = OpContext(frame_index=0, timestamp_ms=0, seed=0)


class SpecEffect:
    """One effect spec or a stack of specs, applied with the engine."""

    def __init__(self, specs: EffectSpec | Sequence[EffectSpec], label: str | None = None,
                 triggers: TriggerMode = TriggerMode.ON, segmenter: PersonSegmenter | None = None) -> None:
        self.specs: tuple[EffectSpec, ...] = (specs,) if isinstance(specs, EffectSpec) else tuple(specs)
        if not self.specs:
            raise ValueError("SpecEffect: expected at least one effect spec, found none")
        self._stack = EffectStack(self.specs, triggers, segmenter)
        self._label = label
        self._segmenter = segmenter

    @property
    def segmenter(self) -> PersonSegmenter | None:
        """The person segmenter the effect runs with, when an op needs the person mask; the
        classifier measures the hair and the person with the same one (the same mask path)."""
        return self._stack.segmenter

    @property
    def id(self) -> str:
        return self._label or "+".join(s.id for s in self.specs)

    @property
    def version(self) -> str:
        return "+".join(s.version for s in self.specs)

    @property
    def declared(self) -> Category | None:
        """The declared category; for a stack: altering if any member declares it, else playful if all do."""
        declared = [s.declared_category for s in self.specs]
        if Category.APPEARANCE_ALTERING in declared:
            return Category.APPEARANCE_ALTERING
        if declared and all(d is Category.PLAYFUL for d in declared):
            return Category.PLAYFUL
        return None

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        return self._stack.apply(rgb, tracks, _CONTEXT)

    def parts(self) -> Sequence[SpecEffect]:
        """Each op alone (``"glam ops[3] contour_push"``); a single-op effect has no parts."""
        out: list[SpecEffect] = []
        for spec in self.specs:
            for i, op in enumerate(spec.ops):
                single = dataclasses.replace(spec, ops=(op,))
                out.append(SpecEffect(single, label=f"{spec.id} ops[{i}] {op.op}",
                                      segmenter=self._segmenter))
        if self._stack.has_triggers and len(out) > 1:
            out.append(SpecEffect(self.specs, label=f"{self.id} (triggers off)", triggers=TriggerMode.OFF,
                                  segmenter=self._segmenter))
        return out if len(out) > 1 else []
