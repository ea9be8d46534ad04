"""Icons drawn with canvas instructions (no icon font needed): a padlock, an "i", a gear-ish dot ring."""

from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, RoundedRectangle
from kivy.graphics.instructions import InstructionGroup
from kivy.metrics import dp


def padlock(cx: float, cy: float, scale: float = 1.0, rgba: tuple[float, float, float, float] = (1, 1, 1, 1)) -> InstructionGroup:
    """A padlock centred on (cx, cy), about 20 dp wide at scale 1."""
    group = InstructionGroup()
    group.add(Color(rgba=rgba))
    w, h = dp(18) * scale, dp(14) * scale
    group.add(RoundedRectangle(pos=(cx - w / 2, cy - h * 0.75), size=(w, h), radius=[dp(3) * scale]))
    r = dp(5.5) * scale
    group.add(Line(circle=(cx, cy + h * 0.25, r, -90, 90), width=dp(1.8) * scale))
    group.add(Line(points=[cx - r, cy + h * 0.25, cx - r, cy + h * 0.02], width=dp(1.8) * scale))
    group.add(Line(points=[cx + r, cy + h * 0.25, cx + r, cy + h * 0.02], width=dp(1.8) * scale))
    group.add(Color(0, 0, 0, rgba[3] * 0.8))
    group.add(Ellipse(pos=(cx - dp(2) * scale, cy - h * 0.38 - dp(1) * scale), size=(dp(4) * scale, dp(4) * scale)))
    return group
