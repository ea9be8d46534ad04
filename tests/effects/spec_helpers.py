"""Fake ops and effect-folder builders for the spec, registry and engine tests.

The fake ops are put into ``OPS`` only inside the ``fake_ops`` fixture (the real
library is hidden meanwhile), so error messages that list the known ops are exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from effects.face import FaceTrack
from effects.ops.base import OPS, Op, OpContext, Param

HEADER = """\
id = "demo"
version = "1.0.0"
author = "Tests"
category = "playful"

[name]
en = "Demo"
fr = "Démo"

[description]
en = "A test effect."
fr = "Un effet de test."
"""
HEADER_LINES = HEADER.count("\n")  # the first [[ops]] of a spec is on line HEADER_LINES + 2


class FakeWarp(Op):
    """Adds ``scale * strength`` grey levels everywhere (so stacks can be checked by arithmetic)."""

    name = "fake_warp"
    params = (
        Param("strength", "float", 1.0, 0.0, 1.0),
        Param("scale", "float", min=0.3, max=3.0),
        Param("regions", "regions", ("face",)),
        Param("count", "int", 3, 1, 100),
        Param("mode", "str", "normal", choices=("normal", "multiply")),
        Param("color", "color", (255, 0, 0)),
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        add = int(round(float(self.values["scale"]) * self.strength))
        frame[...] = np.clip(frame.astype(np.int16) + add, 0, 255).astype(np.uint8)


class FakeSticker(Op):
    """Records the context it was given; paints the first pixel white."""

    name = "fake_sticker"
    params = (
        Param("strength", "float", 1.0, 0.0, 1.0),
        Param("image", "asset"),
        Param("anchor", "landmark", "forehead", choices=("forehead", "nose_tip")),
        Param("offset_fw", "vec2", (0.0, 0.0), -2.0, 2.0),
        Param("flip", "bool", False),
    )
    seen: list[OpContext] = []

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        FakeSticker.seen.append(ctx)
        frame[0, 0] = 255


@pytest.fixture()
def fake_ops() -> Iterator[dict[str, type[Op]]]:
    FakeSticker.seen = []
    with mock.patch.dict(OPS, {"fake_warp": FakeWarp, "fake_sticker": FakeSticker}, clear=True):
        yield OPS


def write_png(path: Path, size: int = 8) -> None:
    import cv2

    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 1] = 200
    rgba[..., 3] = 255
    assert cv2.imwrite(str(path), rgba)


def make_effect(folder: Path, ops: str, header: str = HEADER) -> Path:
    """An effect folder with ``header`` + ``ops`` as effect.toml and a valid sticker.png."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "effect.toml").write_text(header + "\n" + ops, encoding="utf-8")
    write_png(folder / "sticker.png")
    return folder


WARP_OP = """\
[[ops]]
op = "fake_warp"
scale = 1.2
"""
