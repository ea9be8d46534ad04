"""Small building blocks: text, rounded panels and chip buttons in the app's style."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from camera_app.ui import theme


class Text(Label):
    """A label in the app font. ``wrap=True`` wraps to the widget width and grows in height;
    otherwise the widget hugs its text."""

    def __init__(self, text: str = "", wrap: bool = False, bold: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("font_size", theme.BODY_SIZE)
        kwargs.setdefault("color", theme.TEXT)
        kwargs.setdefault("halign", "left")
        kwargs.setdefault("valign", "middle")
        super().__init__(text=text, font_name=theme.FONT_BOLD if bold else theme.FONT, **kwargs)
        if wrap:
            self.size_hint_y = None
            self.height = 0  # grows with the text (an empty message takes no room)
            self.bind(width=lambda *_: setattr(self, "text_size", (self.width, None)))
            self.bind(texture_size=lambda *_: setattr(self, "height", self.texture_size[1] if self.text else 0))
        else:
            self.size_hint = kwargs.get("size_hint", (None, None))
            self.bind(texture_size=lambda *_: setattr(self, "size", self.texture_size))


class Panel(BoxLayout):
    """A rounded, filled box layout."""

    fill = ColorProperty(theme.SURFACE)
    radius = NumericProperty(theme.RADIUS)
    outline = ColorProperty((0, 0, 0, 0))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            self._fill_color = Color(rgba=self.fill)
            self._rect = RoundedRectangle(pos=self.pos, size=self.size, radius=[self.radius])
            self._line_color = Color(rgba=self.outline)
            self._line = Line(rounded_rectangle=(*self.pos, *self.size, self.radius), width=dp(1))
        self.bind(pos=self._redraw, size=self._redraw, fill=self._redraw, radius=self._redraw, outline=self._redraw)

    def _redraw(self, *_: Any) -> None:
        self._fill_color.rgba = self.fill
        self._rect.pos, self._rect.size, self._rect.radius = self.pos, self.size, [self.radius]
        self._line_color.rgba = self.outline
        self._line.rounded_rectangle = (*self.pos, max(1, self.width), max(1, self.height), self.radius)


class Chip(ButtonBehavior, Label):
    """A rounded pill button. ``filled`` uses the accent colour (the main action)."""

    filled = BooleanProperty(False)
    selected = BooleanProperty(False)
    fill = ColorProperty(theme.with_alpha(theme.SURFACE_2, 0.92))
    min_width = NumericProperty(dp(64))
    tag = StringProperty("")  # what the chip stands for (a value, an id), for callers and tests
    avatar = StringProperty("")  # an initial shown in a coloured disc before the text

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("font_size", theme.BODY_SIZE)
        kwargs.setdefault("size_hint", (None, None))
        kwargs.setdefault("height", dp(40))
        super().__init__(text=text, font_name=theme.FONT_BOLD, **kwargs)
        self.padding = (dp(16), 0, dp(16), 0)
        with self.canvas.before:
            self._bg = Color(rgba=self.fill)
            self._rect = RoundedRectangle(pos=self.pos, size=self.size, radius=[self.height / 2])
        self.bind(pos=self._redraw, size=self._redraw, filled=self._redraw, selected=self._redraw,
                  state=self._redraw, fill=self._redraw, texture_size=self._fit, avatar=self._fit)
        self._redraw()

    def _fit(self, *_: Any) -> None:
        extra = self.height - dp(6) if self.avatar else 0
        self.padding = (dp(12) + extra, 0, dp(16), 0)
        if self.size_hint_x is None:  # the texture already holds the padding
            self.width = max(self.min_width, self.texture_size[0])
        self._redraw()

    def _redraw(self, *_: Any) -> None:
        if self.filled or self.selected:
            base, self.color = theme.ACCENT, theme.ACCENT_TEXT
        else:
            base, self.color = self.fill, theme.TEXT
        if self.state == "down":
            base = (base[0] * 0.8, base[1] * 0.8, base[2] * 0.8, base[3])
        self._bg.rgba = base
        self._rect.pos, self._rect.size, self._rect.radius = self.pos, self.size, [self.height / 2]
        self.canvas.after.clear()
        if self.avatar:
            from kivy.core.text import Label as CoreLabel

            d = self.height - dp(8)
            initial = CoreLabel(text=self.avatar, font_name=theme.FONT_BOLD, font_size=d * 0.55)
            initial.refresh()
            tw, th = initial.texture.size
            with self.canvas.after:
                Color(rgba=theme.ACCENT)
                Ellipse(pos=(self.x + dp(4), self.y + dp(4)), size=(d, d))
                Color(rgba=theme.ACCENT_TEXT)
                Rectangle(texture=initial.texture, pos=(self.x + dp(4) + (d - tw) / 2, self.y + dp(4) + (d - th) / 2),
                          size=(tw, th))


class Spacer(Widget):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
