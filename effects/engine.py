"""Applying effects: the ordered ops of one or more effects, run over one RGB frame.

``build_stack(specs)`` configures every op once; ``EffectStack.apply`` runs them in
order (effect by effect, op by op) on an (H, W, 3) uint8 frame and its face
tracks, giving each effect's ops its own asset folder through the ``OpContext``.
The stack copies the input once into its working frame and every op changes that frame in
place (``Op.apply_into``: an op that touches a face writes only that face's region), so a
frame costs one full-frame copy however many ops run.
Consecutive warp ops run as one warp (summed fields, one resampling per face).
An op with an expression trigger (``effects.triggers``) runs only on the faces whose expression
sets it off (``TriggerMode.LIVE``; the stack remembers each face's trigger state from frame to
frame), or always (``ON``) or never (``OFF``).
Ops that work on the person (``Op.needs_person_mask``: background, hair colour) need the stack
to be built with a person segmenter (``effects.segmentation``): the mask of the frame the stack
is given is computed once, before the first op runs, only on frames where such an op runs, and
handed to every op in ``OpContext.person_mask``. A stack of such ops built without one is refused.
It decides nothing about who may use which effect: the app's policy wraps it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import cast

import numpy as np

from effects.face import FaceTrack
from effects.ops.base import Op, OpContext
from effects.ops.values import check_frame
from effects.ops.warp import WarpOp, apply_warps
from effects.segmentation import PersonMaskError, PersonSegmenter, check_person_mask
from effects.spec import EffectSpec
from effects.triggers import TriggerLatch, TriggerMode


PERSON_MASK_TIMING = "person_mask"  # the key of the segmenter's time in ``timings_ms``


class EffectStackError(ValueError):
    """The stack was given specs or tracks of the wrong kind, or its person segmenter is missing or broken."""


@dataclasses.dataclass(frozen=True, slots=True)
class StackLayer:
    """One effect of a stack with its configured ops."""

    spec: EffectSpec
    ops: tuple[Op, ...]


class EffectStack:
    """The configured ops of ``specs``, applied in order."""

    def __init__(self, specs: Sequence[EffectSpec], triggers: TriggerMode = TriggerMode.LIVE,
                 segmenter: PersonSegmenter | None = None) -> None:
        for i, spec in enumerate(specs):
            if not isinstance(spec, EffectSpec):
                raise EffectStackError(f"specs[{i}]: expected an EffectSpec, found {type(spec).__name__}")
        ids = [s.id for s in specs]
        if len(set(ids)) != len(ids):
            raise EffectStackError(f"expected each effect once in a stack, found {ids}")
        self.layers: tuple[StackLayer, ...] = tuple(
            StackLayer(spec, tuple(op.build() for op in spec.ops)) for spec in specs
        )
        self._steps = _steps(self.layers)
        self.triggers = TriggerMode(triggers)
        self._latches = {(layer.spec.id, i): TriggerLatch(op.trigger) for layer in self.layers
                         for i, op in enumerate(layer.spec.ops) if op.trigger is not None}
        needing = [f'effect "{layer.spec.id}" ({op.name})' for layer in self.layers for op in layer.ops
                   if op.needs_person_mask]
        if needing and segmenter is None:
            raise EffectStackError(f"{needing[0]} works on the person mask: the stack needs a person segmenter, "
                                   "found none")
        self.segmenter = segmenter if needing else None

    @property
    def needs_person_mask(self) -> bool:
        """Whether an op works on the person mask (the stack then runs its segmenter)."""
        return self.segmenter is not None

    @property
    def has_triggers(self) -> bool:
        """Whether any op waits for an expression (the tracker must then score expressions)."""
        return bool(self._latches)

    def _faces_for(self, layer: StackLayer, index: int, tracks: tuple[FaceTrack, ...],
                   timestamp_ms: int) -> tuple[FaceTrack, ...] | None:
        """The faces op ``index`` of ``layer`` runs on now (all of them unless it has a trigger),
        or None when it does not run (a trigger set off on no face)."""
        latch = self._latches.get((layer.spec.id, index))
        if latch is None or self.triggers is TriggerMode.ON:
            return tracks
        if self.triggers is TriggerMode.OFF:
            return None
        faces = tuple(t for t in tracks if latch.active(t, timestamp_ms))
        return faces or None

    @property
    def specs(self) -> tuple[EffectSpec, ...]:
        return tuple(layer.spec for layer in self.layers)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(layer.spec.id for layer in self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def apply(
        self,
        rgb: np.ndarray,
        tracks: Sequence[FaceTrack] = (),
        ctx: OpContext | None = None,
        timings_ms: dict[str, float] | None = None,
        effect_timings_ms: dict[str, float] | None = None,
    ) -> np.ndarray:
        """The frame after every op, in a new array; ``rgb`` is not modified (an empty stack
        returns a copy). The ops change one working copy in place.

        ``timings_ms`` (benchmarks): when given, the wall time of each step is added to it under
        the op's name, or ``warp:name+name...`` for consecutive warp ops run as one pass, and the
        person segmenter's under ``"person_mask"``.
        ``effect_timings_ms`` (the run-time frame budget): the CPU time of this thread, added under
        each effect's id (a warp pass shared by several effects is split evenly between them), so
        that a machine busy with other work does not make an effect look costly.
        """
        check_frame("", rgb)
        tracks = tuple(tracks)
        for i, track in enumerate(tracks):
            if not isinstance(track, FaceTrack):
                raise EffectStackError(f"tracks[{i}]: expected a FaceTrack, found {type(track).__name__}")
        base = ctx if ctx is not None else OpContext()
        out = np.array(rgb, order="C", copy=True)  # the one working frame every op changes in place
        masked = False
        for step in self._steps:
            layer, index, op = step[0]
            timed = timings_ms is not None or effect_timings_ms is not None
            started = time.perf_counter() if timed else 0.0
            started_cpu = time.thread_time() if effect_timings_ms is not None else 0.0
            if len(step) > 1:
                apply_warps(out, tracks, [cast(WarpOp, s[2]) for s in step])
            else:
                faces = self._faces_for(layer, index, tracks, base.timestamp_ms)
                if faces is None:
                    continue  # a trigger not set off on any face: the op does not run
                if op.needs_person_mask and not masked:
                    base, masked = self._with_person_mask(base, rgb), True
                    if timings_ms is not None:  # the segmenter's share, apart from the op's
                        mask_ms = (time.perf_counter() - started) * 1000.0
                        timings_ms[PERSON_MASK_TIMING] = timings_ms.get(PERSON_MASK_TIMING, 0.0) + mask_ms
                        started = time.perf_counter()
                op.apply_into(out, faces, dataclasses.replace(base, asset_root=layer.spec.root))
            if timed:
                took_ms = (time.perf_counter() - started) * 1000.0
                if timings_ms is not None:
                    key = op.name if len(step) == 1 else "warp:" + "+".join(dict.fromkeys(s[2].name for s in step))
                    timings_ms[key] = timings_ms.get(key, 0.0) + took_ms
                if effect_timings_ms is not None:
                    cpu_ms = (time.thread_time() - started_cpu) * 1000.0
                    for part in step:
                        ident = part[0].spec.id
                        effect_timings_ms[ident] = effect_timings_ms.get(ident, 0.0) + cpu_ms / len(step)
        return out

    def _with_person_mask(self, ctx: OpContext, rgb: np.ndarray) -> OpContext:
        """``ctx`` with the checked person mask of ``rgb`` (the frame the stack was given)."""
        segmenter = self.segmenter
        if segmenter is None:
            raise EffectStackError("an op works on the person mask and the stack has no person segmenter")
        try:
            mask = check_person_mask(segmenter.person_mask(rgb), rgb.shape)
        except PersonMaskError as exc:
            raise EffectStackError(f"the person segmenter gave an unusable mask: {exc}") from exc
        return dataclasses.replace(ctx, person_mask=mask)


def _steps(layers: Sequence[StackLayer]) -> tuple[tuple[tuple[StackLayer, int, Op], ...], ...]:
    """The ops in order, consecutive warp ops (even of different effects) grouped into one step:
    their displacement fields are summed and the frame is resampled once, not once per op."""
    steps: list[list[tuple[StackLayer, int, Op]]] = []
    def joins(layer: StackLayer, index: int, op: Op) -> bool:  # a triggered warp runs alone (on its own faces)
        return isinstance(op, WarpOp) and layer.spec.ops[index].trigger is None

    for layer in layers:
        for index, op in enumerate(layer.ops):
            if joins(layer, index, op) and steps and all(joins(*s) for s in steps[-1]):
                steps[-1].append((layer, index, op))
            else:
                steps.append([(layer, index, op)])
    return tuple(tuple(step) for step in steps)


def build_stack(specs: Sequence[EffectSpec], triggers: TriggerMode = TriggerMode.LIVE,
                segmenter: PersonSegmenter | None = None) -> EffectStack:
    """An EffectStack of ``specs`` in the order given."""
    return EffectStack(specs, triggers, segmenter)
