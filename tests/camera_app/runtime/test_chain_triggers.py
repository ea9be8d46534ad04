"""An expression trigger through the real chain and pipeline, driven by a fake tracker that
reports a scripted mouth opening: hearts only on the frames where the mouth has been open long
enough, and the label and policy treat the effect as measured, whatever the expression."""

from __future__ import annotations

import dataclasses
import sys
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "effects"))
from library_faces import portrait  # noqa: E402

from camera_app.capture.image import ImageSource  # noqa: E402
from camera_app.catalog.classifications import ResultBook  # noqa: E402
from camera_app.catalog.effects import load_registry  # noqa: E402
from camera_app.frame import Frame  # noqa: E402
from camera_app.policy.rules import PolicySubject  # noqa: E402
from camera_app.profiles.model import Assurance  # noqa: E402
from camera_app.runtime.chain import ChainOptions, ChainResources, build_chain  # noqa: E402
from camera_app.runtime.pipeline import Pipeline  # noqa: E402
from effects.classification import Category, ClassificationResult  # noqa: E402

ADULT = PolicySubject(40, Assurance.VERIFIED_ADULT)
# jawOpen per frame (33 ms apart at 30 fps): heart_burst holds 60 ms, releases after 400 ms.
JAW = [0.0, 0.0] + [0.8] * 4 + [0.1] * 16


class ScriptedTracker:
    """Puts the portrait's face on every frame, with the scripted mouth opening."""

    def __init__(self) -> None:
        _, self.track_ = portrait("us_congress_S000480")

    def track(self, frame: Frame) -> Frame:
        face = dataclasses.replace(self.track_, blendshapes={"jawOpen": JAW[frame.index]})
        return frame.with_tracks((face,))


def test_hearts_follow_the_mouth_through_the_chain(tmp_path: Path) -> None:
    rgb, _ = portrait("us_congress_S000480")
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), rgb[:, :, ::-1])
    spec = next(s for s in load_registry() if s.id == "heart_burst")
    book = ResultBook()
    book.add((spec,), ClassificationResult(effect_id=spec.id, effect_version=spec.version, category=Category.PLAYFUL,
                                           confidence=1.0, declared=None, reasons=(), notes=()))
    changed: list[bool] = []
    times: list[int] = []
    with ExitStack() as stack:
        chain = build_chain(ChainOptions(subject=ADULT, age=False), ChainResources(results=book), stack, effects=[spec])
        with ImageSource(path, max_frames=len(JAW)) as source:
            for done in Pipeline(ScriptedTracker(), chain.stages).run(source):
                changed.append(bool(np.any(done.output.pixels != rgb)))
                times.append(done.output.timestamp_ms)
                assert chain.applied == (spec,)  # the effect is on (it only draws when triggered)
    opened, closed = times[2], times[6]
    expected = [opened is not None and t - opened >= 60 and (t < closed or t - closed < 400) for t in times]
    assert changed == expected, (changed, times)
    assert changed.count(True) >= 5 and not changed[-1]
