"""What every screen shares: access to the app's model, and widths that fit the screen.

Screens paint no background of their own: the window is cleared to ``theme.BG`` before every
redraw, and painting it again would cost one more pass over the whole window per frame (with
software OpenGL, several ms of CPU at 1280x800)."""

from __future__ import annotations

from typing import Any

from kivy.uix.screenmanager import Screen
from kivy.uix.spinner import Spinner, SpinnerOption
from kivy.uix.textinput import TextInput
from kivy.metrics import dp

from camera_app.ui import theme
from camera_app.ui.screens.host import ScreenHost


class AppScreen(Screen):
    def __init__(self, app: ScreenHost, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self._fits: dict[str, tuple[Any, float, float]] = {}
        self.bind(width=self._refit)

    def fit_width(self, role: str, widget: Any, most_dp: float, margin_dp: float = 16.0) -> None:
        """Keep ``widget`` at most ``most_dp`` wide and inside the screen with a margin (a phone's
        screen is narrower than the desktop's cards). ``role`` names it: a rebuilt form's new
        widget replaces the old one."""
        self._fits[role] = (widget, most_dp, margin_dp)
        self._refit()

    def _refit(self, *_: Any) -> None:
        for widget, most_dp, margin_dp in self._fits.values():
            widget.width = max(dp(200), min(dp(most_dp), self.width - 2 * dp(margin_dp)))

    def go_back(self) -> bool:
        """Esc: return True when the screen handled it."""
        return False

    def refresh_texts(self) -> None:
        """Rebuild texts after a language change."""


class DarkOption(SpinnerOption):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.background_normal = ""
        self.background_down = ""
        self.background_color = theme.SURFACE_3
        self.color = theme.TEXT
        self.font_name = theme.FONT
        self.font_size = theme.BODY_SIZE
        self.height = dp(40)


def dark_spinner(placeholder: str, values: list[str], **kwargs: Any) -> Spinner:
    spinner = Spinner(text=placeholder, values=values, option_cls=DarkOption, background_normal="",
                      background_down="", background_color=theme.SURFACE_2, color=theme.TEXT_DIM,
                      font_name=theme.FONT, font_size=theme.BODY_SIZE, size_hint_y=None, height=dp(48),
                      sync_height=True, **kwargs)
    spinner.dropdown_cls.max_height = dp(320)
    return spinner


def dark_input(hint: str, **kwargs: Any) -> TextInput:
    return TextInput(hint_text=hint, multiline=False, background_normal="", background_active="",
                     background_color=theme.SURFACE_2, foreground_color=theme.TEXT, hint_text_color=theme.TEXT_DIM,
                     cursor_color=theme.ACCENT, font_name=theme.FONT, font_size=theme.BODY_SIZE,
                     padding=(dp(14), dp(13)), size_hint_y=None, height=dp(48), write_tab=False, **kwargs)
