"""The HUD: frame rate, a frame-time bar against the budget, how many frames' landmarks were
detected or predicted, and the live age-check status."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, RoundedRectangle
from kivy.metrics import dp, sp
from kivy.uix.widget import Widget

from camera_app.ui import theme
from camera_app.app.devices import DeviceProfile
from camera_app.app.i18n import Messages
from camera_app.app.session import AgeState, AgeStatus
from camera_app.app.stats import StatsSnapshot
from camera_app.ui.widgets.basics import Panel, Text

HIDDEN_STAGES = ("capture", "tap", "review_watch")  # waiting for the camera, and bookkeeping steps

AGE_COLOURS = {
    AgeState.OFF: theme.TEXT_DIM,
    AgeState.NO_FACE: theme.TEXT_DIM,
    AgeState.MEASURING: theme.WARN,
    AgeState.ADULT: theme.GOOD,
    AgeState.POSSIBLY_MINOR: theme.APPEARANCE,
}


def load_colour(load: float) -> tuple[float, float, float, float]:
    return theme.GOOD if load < 0.75 else (theme.WARN if load <= 1.0 else theme.BAD)


def age_text(status: AgeStatus, messages: Messages) -> str:
    estimate = "–" if status.youngest_years is None else f"{status.youngest_years:.0f}"
    return messages(f"age.{status.state.value}", estimate=estimate) if status.state in (
        AgeState.ADULT, AgeState.POSSIBLY_MINOR) else messages(f"age.{status.state.value}")


class BudgetBar(Widget):
    """A bar whose fill is frame time / (1.5 x budget), with a tick at the budget."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(size_hint=(1, None), height=dp(8), **kwargs)
        self.load = 0.0
        self.bind(pos=self._redraw, size=self._redraw)

    def set_load(self, load: float) -> None:
        self.load = max(0.0, load)
        self._redraw()

    def _redraw(self, *_: Any) -> None:
        span = 1.5
        self.canvas.clear()
        with self.canvas:
            Color(1, 1, 1, 0.14)
            RoundedRectangle(pos=self.pos, size=self.size, radius=[self.height / 2])
            Color(rgba=load_colour(self.load))
            fill = min(1.0, self.load / span) * self.width
            if fill > 0:
                RoundedRectangle(pos=self.pos, size=(max(fill, self.height), self.height), radius=[self.height / 2])
            Color(1, 1, 1, 0.9)
            tick = self.x + self.width / span
            Line(points=[tick, self.y - dp(3), tick, self.top + dp(3)], width=dp(1.2))


class Hud(Panel):
    def __init__(self, messages: Messages, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint=(None, None), width=dp(270), padding=dp(12),
                         spacing=dp(7), fill=(0.04, 0.04, 0.05, 0.78), **kwargs)
        self.messages = messages
        self.fps = Text("", bold=True, font_size=sp(20))
        self.frame = Text("", font_size=theme.SMALL_SIZE, color=theme.TEXT_DIM)
        self.bar = BudgetBar()
        self.stages = Text("", wrap=True, font_size=sp(12), color=theme.TEXT_DIM)
        self.landmarks = Text("", font_size=sp(12), color=theme.TEXT_DIM)
        self.age = Text("", wrap=True, font_size=theme.SMALL_SIZE)
        self.camera = Text("", wrap=True, font_size=theme.SMALL_SIZE, color=theme.TEXT_DIM)
        for w in (self.fps, self.frame, self.bar, self.stages, self.landmarks, self.age, self.camera):
            self.add_widget(w)
        self.bind(minimum_height=self.setter("height"))

    def show_stats(self, stats: StatsSnapshot | None) -> None:
        if stats is None:
            return
        m = self.messages
        self.fps.text = m("hud.fps", fps=f"{stats.fps:.0f}")
        self.frame.text = m("hud.frame", ms=f"{stats.frame_ms:.1f}", budget=f"{stats.budget_ms:.1f}")
        self.bar.set_load(stats.load)
        shown = [(k, v) for k, v in stats.stages_ms.items() if k not in HIDDEN_STAGES]
        self.stages.text = "   ".join(m("hud.stage", name=k, ms=f"{v:.1f}") for k, v in shown)
        self.landmarks.text = m("hud.landmarks", detected=stats.landmarks_detected, predicted=stats.landmarks_predicted)

    def show_camera(self, device: DeviceProfile | None, source_text: str, mirrored: bool) -> None:
        """The device being simulated and its frame budget, what the source does to frames (a
        centre crop), and whether the preview is mirrored."""
        m = self.messages
        lines = []
        if device is not None:
            lines.append(m("hud.device", device=device.name, budget=f"{device.budget_ms:.1f}", fps=f"{device.target_fps:g}"))
        if source_text:
            lines.append(m("hud.source", source=source_text))
        if mirrored:
            lines.append(m("hud.mirrored"))
        text = "\n".join(lines)
        if text != self.camera.text:
            self.camera.text = text

    def show_age(self, status: AgeStatus) -> None:
        self.age.text = "\u2022  " + age_text(status, self.messages)
        self.age.color = AGE_COLOURS[status.state]
