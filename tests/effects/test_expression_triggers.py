"""Expression triggers (effects/triggers.py): the spec field, the per-face latch with hold and
release, and the stack running a triggered op only while the face's expression sets it off."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from library_faces import portrait
from spec_helpers import HEADER, make_effect

from effects.engine import build_stack
from effects.face import FaceTrack
from effects.ops.base import OpContext
from effects.spec import EffectSpecError, load_effect
from effects.triggers import Trigger, TriggerLatch, TriggerMode

REPO = Path(__file__).resolve().parents[2]
HEARTS = REPO / "assets" / "effects" / "heart_burst"

GOOD_OP = """\
[[ops]]
op = "sticker"
image = "sticker.png"
trigger = {trigger}
"""


def _with(track: FaceTrack, track_id: int = 0, **scores: float) -> FaceTrack:
    return dataclasses.replace(track, track_id=track_id, blendshapes=scores)


def test_a_trigger_is_read_from_the_op_table(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "e", GOOD_OP.format(trigger='{ blendshape = "jawOpen", above = 0.5 }'))
    spec = load_effect(folder)
    assert spec.ops[0].trigger == Trigger("jawOpen", above=0.5, hold_ms=60, release_ms=250)
    assert spec.has_triggers
    assert spec.ops[0].to_dict()["trigger"] == {"blendshape": "jawOpen", "above": 0.5, "hold_ms": 60, "release_ms": 250}


@pytest.mark.parametrize(
    ("trigger", "field", "message"),
    [
        ('{ blendshape = "mouthOpen", above = 0.5 }', "ops[0].trigger.blendshape", "expected one of MediaPipe's blendshapes"),
        ('{ blendshape = "jawOpen" }', "ops[0].trigger.above", "expected exactly one of above or below"),
        ('{ blendshape = "jawOpen", above = 0.5, below = 0.2 }', "ops[0].trigger.above", "exactly one of above or below"),
        ('{ blendshape = "jawOpen", above = 1.5 }', "ops[0].trigger.above", "expected a number in [0, 1], found 1.5"),
        ('{ blendshape = "jawOpen", above = 0.5, hold_ms = -1 }', "ops[0].trigger.hold_ms", "whole number in [0, 5000]"),
        ('{ blendshape = "jawOpen", above = 0.5, when = 1 }', "ops[0].trigger.when", "unknown field of trigger"),
        ('"jawOpen"', "ops[0].trigger", "expected a table like"),
    ],
)
def test_a_bad_trigger_is_refused_naming_the_field_and_line(tmp_path: Path, trigger: str, field: str,
                                                            message: str) -> None:
    folder = make_effect(tmp_path / "e", GOOD_OP.format(trigger=trigger))
    with pytest.raises(EffectSpecError) as info:
        load_effect(folder)
    text = str(info.value)
    assert field in text and message in text, text
    assert f"effect.toml:{HEADER.count(chr(10)) + 5}:" in text, text  # the trigger's own line


def test_the_latch_holds_before_switching_on_and_releases_late() -> None:
    _, track = portrait("us_congress_S000480")
    latch = TriggerLatch(Trigger("jawOpen", above=0.5, hold_ms=60, release_ms=400))
    script = [(0, 0.0, False), (33, 0.8, False), (66, 0.8, False), (100, 0.8, True), (133, 0.1, True),
              (500, 0.1, True), (533, 0.9, True), (566, 0.1, True), (900, 0.1, True), (966, 0.1, False)]
    seen = [latch.active(_with(track, jawOpen=score), t) for t, score, _ in script]
    assert seen == [expected for _, _, expected in script]


def test_a_score_hovering_at_the_threshold_does_not_flicker_the_op_on() -> None:
    _, track = portrait("us_congress_S000480")
    latch = TriggerLatch(Trigger("browInnerUp", above=0.4, hold_ms=60, release_ms=250))
    states = [latch.active(_with(track, browInnerUp=0.45 if i % 2 else 0.35), i * 33) for i in range(30)]
    assert not any(states)


def test_below_and_a_face_without_scores() -> None:
    _, track = portrait("us_congress_S000480")
    below = Trigger("mouthSmileLeft", below=0.2)
    assert below.met({"mouthSmileLeft": 0.1}) and not below.met({"mouthSmileLeft": 0.3})
    assert not below.met({}) and not Trigger("jawOpen", above=0.1).met(track.blendshapes | {})


def test_hearts_burst_only_while_the_mouth_is_open() -> None:
    """The built-in heart_burst, driven frame by frame like a tracker would: no hearts with the
    mouth closed, hearts once it has been open for the hold time, gone after the release."""
    rgb, track = portrait("us_congress_S000480")
    stack = build_stack([load_effect(HEARTS)])  # hold 60 ms, release 400 ms
    jaw = [0.0, 0.0] + [0.7] * 4 + [0.05] * 12  # a frame every 40 ms: opens at 80 ms, closes at 240 ms
    changed = []
    for i, score in enumerate(jaw):
        out = stack.apply(rgb, [_with(track, jawOpen=score)], OpContext(frame_index=i, timestamp_ms=i * 40))
        changed.append(bool(np.any(out != rgb)))
    on_from, off_from = 4, 16  # 160 ms (open for 80 ms >= 60), 640 ms (closed for 400 ms)
    assert changed == [False] * on_from + [True] * (off_from - on_from) + [False] * (len(jaw) - off_from), changed


def test_a_triggered_op_runs_only_on_the_face_that_set_it_off() -> None:
    rgb, track = portrait("us_congress_S000480")
    wide = np.ascontiguousarray(np.hstack([rgb, rgb]))
    right = FaceTrack.from_landmarks(track.landmarks_px + np.array([rgb.shape[1], 0.0, 0.0], np.float32), track_id=1,
                                     blendshapes={"jawOpen": 0.0})
    stack = build_stack([load_effect(HEARTS)])
    for i in range(4):
        out = stack.apply(wide, [_with(track, 0, jawOpen=0.9), right], OpContext(frame_index=i, timestamp_ms=i * 40))
    diff = np.any(out != wide, axis=2)
    assert diff[:, : rgb.shape[1] - 20].any(), "hearts around the face with the open mouth"
    assert not diff[:, rgb.shape[1] + 20:].any(), "none around the face with the closed mouth"


@pytest.mark.parametrize(("mode", "changes"), [(TriggerMode.ON, True), (TriggerMode.OFF, False)])
def test_forced_modes_ignore_the_expression(mode: TriggerMode, changes: bool) -> None:
    rgb, track = portrait("us_congress_S000480")
    out = build_stack([load_effect(HEARTS)], mode).apply(rgb, [_with(track, jawOpen=0.0 if changes else 1.0)],
                                                          OpContext())
    assert bool(np.any(out != rgb)) is changes
