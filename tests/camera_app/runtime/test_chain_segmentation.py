"""Person-mask effects through the one chain, with their bundled classifier results: a background
replaced for a teen with the person's pixels untouched, a natural hair colour blocked for a teen
(nothing of it reaches the pixels), and the label and info sheet saying what changes (en, fr)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "effects"))
from library_faces import portrait  # noqa: E402

from camera_app.catalog.classifications import ResultBook, load_bundled  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.policy.rules import PolicySubject  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from camera_app.runtime.chain import ChainOptions, ChainResources, build_chain  # noqa: E402
from camera_app.tracking.segmenter import PersonSegmenter  # noqa: E402
from disclosure.catalogue import load_catalogue  # noqa: E402
from disclosure.labels import build_label  # noqa: E402
from effects.classification import Category  # noqa: E402
from effects.spec import EffectSpec  # noqa: E402

TEEN = PolicySubject(15, Assurance.DECLARED)


def _spec(effect_id: str) -> EffectSpec:
    return next(s for s in load_registry() if s.id == effect_id)


def _book(*ids: str) -> ResultBook:
    bundled, book = load_bundled(), ResultBook()
    for effect_id in ids:
        spec = _spec(effect_id)
        result = bundled.get(spec)
        assert result is not None, f"{effect_id}: no bundled result"
        book.add((spec,), result)
    return book


def _run(effect_id: str, frames: int = 3) -> tuple[list[np.ndarray], list[str], Frame]:
    rgb, track = portrait("nasa_astronaut_eileen_collins")
    first = Frame(pixels=rgb, index=0, timestamp_ms=0, tracks=(track,))
    outs, notices = [], []
    with ExitStack() as stack:
        chain = build_chain(ChainOptions(subject=TEEN, age=False, label=False), ChainResources(results=_book(effect_id)),
                            stack, effects=[_spec(effect_id)])
        for i in range(frames):
            out = Frame(pixels=rgb, index=i, timestamp_ms=33 * i, tracks=(track,))
            for stage in chain.stages:
                out = stage.process(out)
                notices += stage.take_notices()
            outs.append(np.array(out.pixels))
    return outs, notices, first


def test_a_teen_gets_a_new_background_and_stays_as_they_are() -> None:
    outs, notices, frame = _run("space_background")
    assert notices == []
    mask = PersonSegmenter().person_mask(np.array(frame.pixels))
    # The person, away from the feathered edge (the effect's feather is 0.004 of 225 px: sigma 0.9 px).
    inside = cv2.erode((mask >= 0.999).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert inside.mean() > 0.3
    for out in outs:
        assert np.array_equal(out[inside], frame.pixels[inside]), "the person's pixels changed"
        behind = mask <= 0.001
        assert np.mean(np.any(out[behind] != frame.pixels[behind], axis=1)) > 0.95


def test_a_natural_hair_colour_is_blocked_for_a_teen() -> None:
    outs, notices, frame = _run("auburn_hair", frames=1)
    assert np.array_equal(outs[0], frame.pixels)
    assert notices and "blocked" in notices[0]


def test_label_and_sheet_say_what_changes_in_both_languages() -> None:
    bundled = load_bundled()
    hair = bundled.get(_spec("auburn_hair"))
    space = bundled.get(_spec("space_background"))
    assert hair is not None and space is not None
    assert hair.category is Category.APPEARANCE_ALTERING and space.category is Category.PLAYFUL
    expected = {"en": ("changes hair colour", "replaces the background", "only what is behind them changes"),
                "fr": ("change la couleur des cheveux", "remplace l’arrière-plan", "seul ce qui est derrière elle")}
    for lang, (hair_text, background_text, unchanged_text) in expected.items():
        catalogue = load_catalogue(lang)
        label = build_label(hair, catalogue)
        assert label.altering and hair_text in label.text
        sheet = build_label(space, catalogue, names={"space_background": "Space"}).sheet
        assert any(background_text in line for line in sheet), sheet
        assert any(unchanged_text in line for line in sheet), sheet
