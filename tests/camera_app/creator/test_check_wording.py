"""The creator check's words for what stayed under the lines, and its --expect line on stderr."""

from __future__ import annotations

from types import SimpleNamespace

from camera_app.cli.effects_check import expect_failure
from effects.classification import Category, Change, ClassificationResult, Reason


def _check(result: ClassificationResult, expect: Category) -> SimpleNamespace:
    return SimpleNamespace(result=result, spec=SimpleNamespace(id="soft_glow"), expect=expect)


def test_a_miss_under_the_lines_names_the_closest_measure() -> None:
    result = ClassificationResult("soft_glow", "1.0.0", Category.PLAYFUL, 1.0, notes=(
        "measured under the line: skin detail -7%, under the 10% line",
        "measured under the line: skin colour dE 0.4, under the 2 dE line"))
    line = expect_failure(_check(result, Category.APPEARANCE_ALTERING))
    assert line == ("safelens effects check: soft_glow: expected appearance_altering, measured playful; "
                    "nothing over the lines; closest: skin detail -7%, under the 10% line")


def test_a_miss_over_a_line_names_the_main_altering_reason_and_the_floor() -> None:
    reasons = (Reason(Change.ADDS_OVERLAY, 0.2, 0.1, 0.3, "share", 12, False),
               Reason(Change.SMOOTHS_SKIN, 17.0, 9.0, 25.0, "%", 12, True))
    result = ClassificationResult("soft_glow", "1.0.0", Category.APPEARANCE_ALTERING, 0.9, reasons, notes=(
        "declared appearance_altering, measured playful: the declared category is kept (a creator's "
        "appearance_altering is a floor, the stricter of the two decides)",))
    line = expect_failure(_check(result, Category.PLAYFUL))
    assert line.endswith("measured appearance_altering (declared appearance_altering kept as a floor); "
                         "main reason: smooths skin 17.0% on 12 faces")
