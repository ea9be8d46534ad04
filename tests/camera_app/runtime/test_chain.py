"""The one chain builder: every caller builds its stages through it, stacks are judged as stacks,
the label follows what was applied, and the viewer without a profile is of unknown age."""

from __future__ import annotations

import ast
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
from camera_app.policy.rules import PolicySubject, ReasonCode  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from camera_app.runtime.chain import ChainOptions, ChainResources, build_chain  # noqa: E402
from effects.classification import Category, ClassificationResult  # noqa: E402
from effects.spec import EffectSpec  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
ALTERING, PLAYFUL = Category.APPEARANCE_ALTERING, Category.PLAYFUL
TEEN = PolicySubject(15, Assurance.DECLARED)
VERIFIED = PolicySubject(40, Assurance.VERIFIED_ADULT)


def _result(effect_id: str, category: Category) -> ClassificationResult:
    return ClassificationResult(effect_id=effect_id, effect_version="1", category=category, confidence=0.9,
                                declared=None, reasons=(), notes=())


def _specs(*ids: str) -> list[EffectSpec]:
    registry = {s.id: s for s in load_registry()}
    return [registry[i] for i in ids]


def _frame() -> Frame:
    rgb, track = portrait("nasa_astronaut_eileen_collins")
    return Frame(pixels=rgb, index=2, timestamp_ms=66, tracks=(track,))


def _book(singles: dict[str, Category], stacks: dict[tuple[str, ...], Category]) -> ResultBook:
    book = ResultBook()
    for spec in _specs(*singles):
        book.add((spec,), _result(spec.id, singles[spec.id]))
    for ids, category in stacks.items():
        book.add(_specs(*ids), _result("+".join(ids), category))
    return book


def _run(subject: PolicySubject, book: ResultBook, ids: tuple[str, ...]) -> tuple[np.ndarray, list[str], object]:
    frame = _frame()
    with ExitStack() as stack:
        chain = build_chain(ChainOptions(subject=subject, age=False), ChainResources(results=book), stack,
                            effects=_specs(*ids))
        out = frame
        notices: list[str] = []
        for stage in chain.stages:
            out = stage.process(out)
            notices += getattr(stage, "take_notices", list)()
        return np.array(out.pixels), notices, chain


def test_two_playful_effects_that_add_up_are_blocked_together_for_a_teen() -> None:
    # Each effect alone is measured playful; the stack of both is measured altering.
    book = _book({"bunny_ears": PLAYFUL, "comic": PLAYFUL}, {("bunny_ears", "comic"): ALTERING})
    out, notices, chain = _run(TEEN, book, ("bunny_ears", "comic"))
    assert np.array_equal(out, _frame().pixels)  # nothing of either effect reached the pixels
    assert notices == ['effect "bunny_ears+comic" blocked: Effects that change how a face looks aren\'t available '
                       "on profiles under 18."]
    assert chain.applied == ()
    # The same stack measured playful as a whole is applied, and equals the engine's render.
    book = _book({"bunny_ears": PLAYFUL, "comic": PLAYFUL}, {("bunny_ears", "comic"): PLAYFUL})
    out, notices, chain = _run(TEEN, book, ("bunny_ears", "comic"))
    assert notices == [] and [s.id for s in chain.applied] == ["bunny_ears", "comic"]
    assert np.array_equal(out, np.asarray(chain.tap.frame.pixels))  # playful: no label drawn on the frame
    assert np.array_equal(out, apply_effects(_specs("bunny_ears", "comic"), _frame()))


def test_an_unmeasured_stack_fails_closed_for_a_teen() -> None:
    book = _book({"bunny_ears": PLAYFUL, "comic": PLAYFUL}, {})
    out, notices, _ = _run(TEEN, book, ("bunny_ears", "comic"))
    assert np.array_equal(out, _frame().pixels)
    assert len(notices) == 1 and "hasn't been measured yet" in notices[0]


def test_an_altering_stack_is_labelled_even_when_each_part_is_playful() -> None:
    book = _book({"bunny_ears": PLAYFUL, "comic": PLAYFUL}, {("bunny_ears", "comic"): ALTERING})
    out, notices, chain = _run(VERIFIED, book, ("bunny_ears", "comic"))
    assert notices == []
    assert [r.effect_id for r in chain.applied_results] == ["bunny_ears", "comic", "bunny_ears+comic"]
    label = chain.applied_label
    assert label is not None and label.altering
    assert chain.label.rect is not None  # drawn on the frame
    assert not np.array_equal(out, np.asarray(chain.tap.frame.pixels))


def test_without_a_profile_only_playful_effects_run() -> None:
    book = _book({"glam": ALTERING, "bunny_ears": PLAYFUL}, {("glam", "bunny_ears"): ALTERING})
    out, notices, chain = _run(PolicySubject.unknown(), book, ("glam", "bunny_ears"))
    assert [s.id for s in chain.applied] == ["bunny_ears"]
    assert np.array_equal(out, apply_effects(_specs("bunny_ears"), _frame()))
    assert notices[0].startswith('effect "glam" blocked: No profile is in use')
    assert chain.gate.always_blocked(_specs("glam"))[0][1].code is ReasonCode.NO_PROFILE


def test_an_effect_without_a_result_is_not_applied_for_anyone() -> None:
    out, notices, chain = _run(VERIFIED, ResultBook(), ("glam",))
    assert np.array_equal(out, _frame().pixels)
    assert chain.applied == () and "has not been measured yet" in notices[0]


def test_the_label_follows_a_switch_between_effects() -> None:
    book = _book({"glam": ALTERING, "bunny_ears": PLAYFUL}, {})
    frame = _frame()
    with ExitStack() as stack:
        chain = build_chain(ChainOptions(subject=VERIFIED, age=False), ChainResources(results=book), stack,
                            effects=_specs("glam"))
        for stage in chain.stages:
            frame = stage.process(frame)
        assert chain.applied_label is not None and chain.applied_label.altering
        chain.set_effects(_specs("bunny_ears"))
        frame = _frame()
        for stage in chain.stages:
            frame = stage.process(frame)
        assert chain.applied_label is not None and not chain.applied_label.altering
        assert [r.effect_id for r in chain.applied_results] == ["bunny_ears"]


def test_a_review_watch_needs_the_store() -> None:
    from camera_app.runtime.chain import ChainError

    with ExitStack() as stack, pytest.raises(ChainError, match="profile store"):
        build_chain(ChainOptions(subject=VERIFIED, age=True, profile_id=1), ChainResources(results=ResultBook()), stack)


# -- every caller builds its chain through the builder --------------------------------------------------------

CALLERS = ["camera_app/app/worker.py", "camera_app/cli/cmd_render.py", "benchmarks/scenario.py", "benchmarks/soak.py",
           "tests/reliability/privacy_session.py"]
SOURCES = sorted(p for pkg in ("camera_app", "benchmarks") for p in (REPO / pkg).rglob("*.py"))


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            names.add(fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else "")
    return names


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_builds_its_chain_through_the_builder(caller: str) -> None:
    calls = _calls(REPO / caller)
    assert "build_chain" in calls or "chain" in calls, f"{caller} does not call build_chain"
    assert not calls & {"GatedEffectStage", "EffectGate", "DisclosureStage", "AgeStage", "ReviewWatchStage"}, caller


def test_the_gated_effect_stage_is_built_only_by_the_chain_builder() -> None:
    builders = [p.relative_to(REPO).as_posix() for p in SOURCES if "GatedEffectStage" in _calls(p)]
    assert builders == ["camera_app/runtime/chain.py"]
    stage_module = (REPO / "camera_app/stages/effects.py").read_text(encoding="utf-8")
    assert "class EffectStage" not in stage_module  # no public stage without a gate
