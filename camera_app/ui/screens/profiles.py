"""The profile switcher: one card per profile, and a card to add one through the gate."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.stacklayout import StackLayout

from camera_app.profiles.model import Profile
from camera_app.ui import theme
from camera_app.ui.screens.base import AppScreen
from camera_app.ui.widgets.basics import Text

AVATAR_COLOURS = [
    (0.36, 0.55, 0.98, 1), (0.95, 0.45, 0.55, 1), (0.30, 0.78, 0.62, 1),
    (0.98, 0.66, 0.25, 1), (0.67, 0.49, 0.96, 1), (0.25, 0.74, 0.88, 1),
]


class ProfileCard(ButtonBehavior, BoxLayout):
    def __init__(self, title: str, initial: str, colour: tuple[float, float, float, float] | None, tag: str, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint=(None, None), size=(dp(150), dp(176)),
                         padding=(0, dp(10)), spacing=dp(12), **kwargs)
        self.tag = tag
        self._colour = colour
        self.avatar = Label(text=initial, font_name=theme.FONT_BOLD, font_size=sp(40),
                            color=theme.TEXT if colour else theme.TEXT_DIM, size_hint=(None, None), size=(dp(112), dp(112)),
                            pos_hint={"center_x": 0.5})
        self.avatar.bind(pos=self._paint, size=self._paint)
        self.add_widget(self.avatar)
        self.add_widget(Text(title, font_size=sp(16), pos_hint={"center_x": 0.5}))
        self.bind(state=self._paint)

    def _paint(self, *_: Any) -> None:
        a = self.avatar
        a.canvas.before.clear()
        with a.canvas.before:
            if self._colour is not None:
                Color(rgba=self._colour if self.state == "normal" else theme.with_alpha(self._colour, 0.7))
                Ellipse(pos=a.pos, size=a.size)
            else:
                Color(rgba=theme.SURFACE_2 if self.state == "normal" else theme.SURFACE_3)
                Ellipse(pos=a.pos, size=a.size)
                Color(1, 1, 1, 0.18)
                Line(circle=(a.center_x, a.center_y, a.width / 2 - dp(1)), width=dp(1.2))


class ProfilesScreen(AppScreen):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="profiles", **kwargs)
        self.outer = AnchorLayout(anchor_x="center", anchor_y="center", padding=dp(24))
        self.add_widget(self.outer)
        self.cards: dict[str, ProfileCard] = {}

    def on_pre_enter(self, *_: Any) -> None:
        self.rebuild()

    def refresh_texts(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        m = self.app.messages
        self.outer.clear_widgets()
        column = BoxLayout(orientation="vertical", spacing=dp(30), size_hint=(None, None), width=dp(760))
        column.add_widget(Text(m("profiles.title"), wrap=True, bold=True, font_size=sp(30), halign="center"))
        grid = StackLayout(orientation="lr-tb", spacing=dp(18), size_hint=(None, None), width=dp(760))
        self.fit_width("column", column, 760)
        self.fit_width("grid", grid, 760)
        grid.bind(minimum_height=grid.setter("height"))
        self.cards = {}
        profiles: list[Profile] = self.app.store.list_profiles()
        for i, profile in enumerate(profiles):
            card = ProfileCard(profile.name, profile.name[:1].upper(), AVATAR_COLOURS[profile.profile_id % len(AVATAR_COLOURS)],
                               tag=profile.name)
            card.bind(on_release=lambda c, p=profile: self.app.use_profile(p))
            grid.add_widget(card)
            self.cards[profile.name] = card
        add = ProfileCard(m("profiles.add"), "+", None, tag="+")
        add.bind(on_release=lambda *_: self.app.show_gate())
        grid.add_widget(add)
        self.cards["+"] = add
        # centre the cards: pad the row on the left
        row_w = len(self.cards) * (dp(150) + dp(18)) - dp(18)
        centre = lambda *_: setattr(grid, "padding", (max(0, (grid.width - row_w) / 2), 0, 0, 0))  # noqa: E731
        grid.bind(width=centre)
        centre()
        column.add_widget(grid)
        column.bind(minimum_height=column.setter("height"))
        self.outer.add_widget(column)

    def go_back(self) -> bool:
        if self.app.session.profile is not None:
            self.app.show_camera()
            return True
        return False
