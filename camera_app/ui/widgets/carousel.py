"""The effect carousel: a horizontal strip of round-cornered thumbnails.

Each item shows the effect on the adult reference face, its name, a badge with the
measured category (Playful / Appearance), a ring when selected, and a padlock over it
while the policy blocks it for this profile. Tapping calls ``on_pick(effect_id)``
(``None`` for the first, "no effect" item).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Line, RoundedRectangle
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from camera_app.ui import theme
from camera_app.ui.widgets.glyphs import padlock

THUMB = dp(72)
ITEM_W = dp(92)
ITEM_H = dp(112)


class EffectItem(ButtonBehavior, Widget):
    selected = BooleanProperty(False)
    locked = BooleanProperty(False)
    thumbnail = StringProperty("")
    name = StringProperty("")
    badge = StringProperty("")  # text; empty: no badge
    badge_kind = StringProperty("")  # "playful" | "appearance_altering" | ""

    def __init__(self, effect_id: str | None, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), size=(ITEM_W, ITEM_H), **kwargs)
        self.effect_id = effect_id
        self._texture = None
        self._name = Label(font_name=theme.FONT, font_size=sp(12), color=theme.TEXT_DIM, halign="center",
                           size_hint=(None, None), shorten=True, shorten_from="right")
        self._badge = Label(font_name=theme.FONT_BOLD, font_size=sp(12), color=(0.05, 0.05, 0.06, 1),
                            size_hint=(None, None), size=(dp(80), dp(16)))
        self.add_widget(self._name)
        self.add_widget(self._badge)
        self.bind(pos=self._redraw, size=self._redraw, selected=self._redraw, locked=self._redraw,
                  thumbnail=self._load, name=self._redraw, badge=self._redraw, badge_kind=self._redraw, state=self._redraw)
        self._load()

    def _load(self, *_: Any) -> None:
        self._texture = CoreImage(self.thumbnail).texture if self.thumbnail else None
        self._redraw()

    def _thumb_rect(self) -> tuple[float, float, float, float]:
        x = self.x + (self.width - THUMB) / 2
        y = self.top - THUMB - dp(6)
        return x, y, THUMB, THUMB

    def _redraw(self, *_: Any) -> None:
        x, y, w, h = self._thumb_rect()
        self.canvas.before.clear()
        with self.canvas.before:
            if self.selected:
                Color(rgba=theme.ACCENT)
                Line(rounded_rectangle=(x - dp(4), y - dp(4), w + dp(8), h + dp(8), dp(20)), width=dp(2.2))
            Color(rgba=theme.SURFACE_2)
            RoundedRectangle(pos=(x, y), size=(w, h), radius=[dp(16)])
            if self._texture is not None:
                Color(1, 1, 1, 1)
                RoundedRectangle(pos=(x, y), size=(w, h), radius=[dp(16)], texture=self._texture)
            if self.locked:
                Color(0, 0, 0, 0.58)
                RoundedRectangle(pos=(x, y), size=(w, h), radius=[dp(16)])
            if self.state == "down":
                Color(1, 1, 1, 0.12)
                RoundedRectangle(pos=(x, y), size=(w, h), radius=[dp(16)])
        self.canvas.after.clear()
        if self.locked:
            self.canvas.after.add(padlock(x + w / 2, y + h / 2 + dp(6), 1.0, (1, 1, 1, 0.95)))
        self._name.text = self.name
        self._name.color = theme.TEXT if self.selected else theme.TEXT_DIM
        self._name.text_size = (self.width, None)
        self._name.texture_update()
        self._name.size = (self.width, self._name.texture_size[1])
        self._name.pos = (self.x, self.y + dp(2))
        self._badge.text = self.badge
        self._badge.texture_update()
        bw, bh = self._badge.texture_size[0] + dp(10), self._badge.texture_size[1] + dp(3)
        self._badge.size = (bw, bh)
        self._badge.pos = (x + (w - bw) / 2, y + dp(4))
        self._badge.canvas.before.clear()
        if self.badge:
            colour = theme.PLAYFUL if self.badge_kind == "playful" else (
                theme.APPEARANCE if self.badge_kind == "appearance_altering" else theme.SURFACE_3)
            with self._badge.canvas.before:
                Color(rgba=colour)
                RoundedRectangle(pos=self._badge.pos, size=self._badge.size, radius=[bh / 2])


class Carousel(ScrollView):
    """Holds :class:`EffectItem` s in a row; ``items`` maps effect id (or None) to its item."""

    def __init__(self, on_pick: Callable[[str | None], None], **kwargs: Any) -> None:
        super().__init__(do_scroll_y=False, do_scroll_x=True, bar_width=0, size_hint_y=None, height=ITEM_H, **kwargs)
        self.on_pick = on_pick
        self.row = BoxLayout(orientation="horizontal", size_hint=(None, 1), spacing=dp(4), padding=(dp(12), 0))
        self.row.bind(minimum_width=self.row.setter("width"))
        self.add_widget(self.row)
        self.items: dict[str | None, EffectItem] = {}

    def set_items(self, items: list[EffectItem]) -> None:
        self.row.clear_widgets()
        self.items = {}
        for item in items:
            item.bind(on_release=lambda it: self.on_pick(it.effect_id))
            self.row.add_widget(item)
            self.items[item.effect_id] = item

    def reveal(self, effect_id: str | None) -> None:
        item = self.items.get(effect_id)
        if item is not None and self.row.width > self.width:
            self.scroll_to(item, padding=dp(60), animate=False)
