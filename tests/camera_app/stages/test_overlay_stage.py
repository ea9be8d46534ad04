"""camera_app.stages.disclosure: the label on every frame while an altering effect is on, never for playful ones."""

from __future__ import annotations

import numpy as np
import pytest

from camera_app.frame import Frame
from camera_app.stages.disclosure import DisclosureStage, DisclosureStageOptions
from camera_app.runtime.pipeline import Pipeline
from effects.classification import Category, Change, ClassificationResult, Reason
from effects.face import FaceTrack

ALTERING = ClassificationResult(
    "face_slimming", "1.0.0", Category.APPEARANCE_ALTERING, 0.9,
    (Reason(Change.SLIMS_FACE, -9.0, -11.0, -7.0, "%", 38, True),),
)
PLAYFUL = ClassificationResult(
    "funhouse", "1.0.0", Category.PLAYFUL, 0.95,
    (Reason(Change.EXAGGERATED_DISTORTION, 40.0, 30.0, 55.0, "%", 38, False),),
)


def _frame(index: int = 0) -> Frame:
    pixels = np.full((720, 1280, 3), 200, np.uint8)
    lm = np.zeros((478, 3), np.float32)
    lm[:, 0] = np.linspace(500, 800, 478)
    lm[:, 1] = np.linspace(200, 600, 478)
    return Frame(pixels, index, index * 33, (FaceTrack.from_landmarks(lm),))


def test_altering_effect_draws_the_label_off_the_face() -> None:
    with DisclosureStage() as stage:
        stage.set_active([ALTERING], {"face_slimming": "Face slimming"})
        assert stage.label is not None and stage.label.text == "Appearance effect: slims face"
        frame = _frame()
        out = stage.process(frame)
        p = stage.last_placement
        assert p is not None and not p.intersects(frame.tracks[0].box)
        changed = np.any(out.pixels != frame.pixels, axis=2)
        ys, xs = np.nonzero(changed)
        assert ys.min() >= p.y and ys.max() < p.y + p.height and xs.min() >= p.x and xs.max() < p.x + p.width
        assert changed.sum() > 0.5 * p.width * p.height
        assert out.tracks == frame.tracks and not out.pixels.flags.writeable


def test_label_on_every_frame_through_the_pipeline() -> None:
    with DisclosureStage() as stage:
        stage.set_active([PLAYFUL, ALTERING])
        pipeline = Pipeline(None, [stage])
        for i in range(5):
            done = pipeline.process(_frame(i))
            assert np.any(done.output.pixels != done.input.pixels)
            assert "disclosure" in done.timings_ms


def test_playful_effect_leaves_frames_alone_unless_chips_are_asked_for() -> None:
    with DisclosureStage() as stage:
        stage.set_active([PLAYFUL], {"funhouse": "Funhouse"})
        frame = _frame()
        assert stage.process(frame) is frame and not stage.draws
    with DisclosureStage(DisclosureStageOptions(show_chips=True)) as stage:
        stage.set_active([PLAYFUL], {"funhouse": "Funhouse"})
        assert stage.label is not None and stage.label.text == "Effect: Funhouse"
        assert np.any(stage.process(frame).pixels != frame.pixels)


def test_no_active_effect_no_label() -> None:
    with DisclosureStage() as stage:
        frame = _frame()
        assert stage.process(frame) is frame
        stage.set_active([ALTERING])
        stage.set_active([])
        assert stage.label is None and stage.process(frame) is frame


def test_french_label() -> None:
    with DisclosureStage(DisclosureStageOptions(language="fr")) as stage:
        stage.set_active([ALTERING])
        assert stage.label is not None and stage.label.text == "Effet d’apparence\u00a0: affine le visage"


def test_unknown_language_is_a_typed_error() -> None:
    from disclosure.catalogue import CatalogueError

    with pytest.raises(CatalogueError, match=r"de.toml: no message catalogue for language 'de'"):
        DisclosureStage(DisclosureStageOptions(language="de"))
