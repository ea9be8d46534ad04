"""Issue 15: an effect that keeps blowing the frame budget is turned off with a notice (the app's
preview), instead of freezing it; without a budget (render) nothing is turned off."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "effects"))
from library_faces import portrait  # noqa: E402
from plain_render import apply_effects  # noqa: E402

from camera_app.catalog.classifications import ResultBook  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.policy.rules import PolicySubject  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from camera_app.runtime.chain import ChainOptions, ChainResources, build_chain  # noqa: E402
from camera_app.stages.frame_budget import HARD_FACTOR, OVER_FRAMES, WARMUP_FRAMES, WINDOW, FrameBudget  # noqa: E402
from effects.classification import Category, ClassificationResult  # noqa: E402
from effects.spec import EffectSpec  # noqa: E402

VERIFIED = PolicySubject(40, Assurance.VERIFIED_ADULT)


def _specs(*ids: str) -> list[EffectSpec]:
    registry = {s.id: s for s in load_registry()}
    return [registry[i] for i in ids]


def _book(*ids: str) -> ResultBook:
    book = ResultBook()
    for spec in _specs(*ids):
        book.add((spec,), ClassificationResult(effect_id=spec.id, effect_version="1", category=Category.PLAYFUL,
                                               confidence=0.9, declared=None, reasons=(), notes=()))
    if len(ids) > 1:
        book.add(_specs(*ids), ClassificationResult(effect_id="+".join(ids), effect_version="1",
                                                    category=Category.PLAYFUL, confidence=0.9, declared=None,
                                                    reasons=(), notes=()))
    return book


def _frame(index: int) -> Frame:
    rgb, track = portrait("nasa_astronaut_eileen_collins")
    return Frame(pixels=rgb, index=index, timestamp_ms=33 * index, tracks=(track,))


def _run(ids: tuple[str, ...], budget_ms: float | None, frames: int) -> list[tuple[Frame, list[str], tuple[str, ...]]]:
    seen = []
    with ExitStack() as stack:
        chain = build_chain(ChainOptions(subject=VERIFIED, age=False, label=False, frame_budget_ms=budget_ms),
                            ChainResources(results=_book(*ids)), stack, effects=_specs(*ids))
        for n in range(frames):
            out = _frame(n)
            notices: list[str] = []
            for stage in chain.stages:
                out = stage.process(out)
                notices += getattr(stage, "take_notices", list)()
            seen.append((out, notices, tuple(s.id for s in chain.applied)))
    return seen


def test_an_effect_over_the_budget_is_turned_off_with_a_notice() -> None:
    first_drop = WARMUP_FRAMES + 1  # the first frame after the warm-up is far over a budget this small
    seen = _run(("bunny_ears",), budget_ms=1e-6, frames=first_drop + 3)
    for out, notices, applied in seen[:first_drop]:
        assert applied == ("bunny_ears",)
        assert np.array_equal(out.pixels, apply_effects(_specs("bunny_ears"), _frame(out.index)))
    assert [n for _, notices, _ in seen for n in notices if "turned off" in n] == [seen[first_drop - 1][1][0]]
    assert seen[first_drop - 1][1][0].startswith('effect "bunny_ears" was turned off: it took ')
    assert "more than the frame budget of 0 ms" in seen[first_drop - 1][1][0]
    for out, notices, applied in seen[first_drop:]:  # from the next frame on: the plain frame
        assert applied == () and notices == []
        assert np.array_equal(out.pixels, _frame(out.index).pixels)


def test_a_stack_loses_one_effect_at_a_time_and_the_rest_is_judged_again() -> None:
    first_drop = WARMUP_FRAMES + 1
    seen = _run(("bunny_ears", "comic"), budget_ms=1e-6, frames=first_drop + 2)
    dropped = seen[first_drop - 1][1][0].split('"')[1]
    assert dropped in ("bunny_ears", "comic")
    (kept,) = {"bunny_ears", "comic"} - {dropped}
    out, _, applied = seen[first_drop]
    assert applied == (kept,)
    assert np.array_equal(out.pixels, apply_effects(_specs(kept), _frame(out.index)))


def test_without_a_budget_nothing_is_turned_off() -> None:
    seen = _run(("bunny_ears",), budget_ms=None, frames=WARMUP_FRAMES + WINDOW + 2)
    assert all(applied == ("bunny_ears",) and notices == [] for _, notices, applied in seen)


def test_frame_budget_names_the_costliest_effect_after_enough_frames_over() -> None:
    budget = FrameBudget(33.0)
    frames = [{"glitter": 50.0, "tint": 2.0}] * (WARMUP_FRAMES + OVER_FRAMES)
    verdicts = [budget.record(f) for f in frames]
    assert verdicts == [None] * (len(frames) - 1) + ["glitter"]
    assert budget.dropped == {"glitter": 50.0}
    assert budget.notice("glitter") == ('effect "glitter" was turned off: it took 50 ms per frame on this device, '
                                        "more than the frame budget of 33 ms, and would freeze the preview")


def test_one_frame_far_over_the_budget_is_enough() -> None:
    budget = FrameBudget(33.0)
    assert [budget.record({"a": 1.0, "b": 400.0}) for _ in range(WARMUP_FRAMES)] == [None] * WARMUP_FRAMES
    assert budget.record({"a": 1.0, "b": 33.0 * HARD_FACTOR - 1.0}) is None  # just under: one frame is not enough
    assert budget.record({"a": 1.0, "b": 33.0 * HARD_FACTOR + 1.0}) == "b"


def test_frame_budget_forgives_occasional_slow_frames() -> None:
    budget = FrameBudget(33.0)
    slow, fast = {"glitter": 80.0}, {"glitter": 10.0}
    pattern = ([slow] * (OVER_FRAMES - 1) + [fast] * (WINDOW - OVER_FRAMES + 1)) * 5
    assert all(budget.record(f) is None for f in [slow] * WARMUP_FRAMES + pattern)
    assert budget.dropped == {}
    with pytest.raises(ValueError, match="budget_ms: expected > 0"):
        FrameBudget(0.0)
