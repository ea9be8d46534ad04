"""Floating pieces of the camera screen: the banner (toasts and sticky warnings) and bottom sheets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.graphics import Color, RoundedRectangle
from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from camera_app.ui import theme
from camera_app.app.session import Banner, BannerKind
from camera_app.ui.widgets.basics import Chip, Panel, Text
from camera_app.ui.widgets.glyphs import padlock

BANNER_COLOURS = {
    BannerKind.INFO: (0.10, 0.10, 0.12, 0.9),
    BannerKind.WARNING: (0.42, 0.30, 0.03, 0.94),
    BannerKind.ERROR: (0.50, 0.09, 0.08, 0.94),
}


class BannerView(Panel):
    """One line (or two) of text in a rounded pill; hidden when there is no banner."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), padding=(dp(18), dp(10)), radius=dp(20), **kwargs)
        self.label = Text("", wrap=True, font_size=sp(14), halign="center")
        self.add_widget(self.label)
        self.opacity = 0
        self.banner: Banner | None = None

    def show(self, banner: Banner | None, max_width: float) -> None:
        self.banner = banner
        if banner is None:
            self.opacity = 0
            return
        self.fill = BANNER_COLOURS[banner.kind]
        self.label.text = banner.text
        self.label.texture_update()
        natural = self.label._label.get_extents(banner.text)[0] if hasattr(self.label, "_label") else max_width
        self.width = min(max_width, natural + dp(40))
        self.label.text_size = (self.width - dp(36), None)
        self.label.texture_update()
        self.height = self.label.texture_size[1] + dp(20)
        self.opacity = 1


class Sheet(ModalView):
    """A bottom sheet: rounded top corners, a scrim behind, dismissed by its button or Esc."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), background="", background_color=(0, 0, 0, 0),
                         overlay_color=theme.SCRIM, pos_hint={"center_x": 0.5, "y": 0}, **kwargs)
        self.body = BoxLayout(orientation="vertical", padding=(dp(24), dp(20), dp(24), dp(24)), spacing=dp(12))
        with self.body.canvas.before:
            Color(rgba=theme.SURFACE)
            self._bg = RoundedRectangle(radius=[dp(22), dp(22), 0, 0])
        self.body.bind(pos=self._redraw, size=self._redraw)
        self.body.bind(minimum_height=self._fit_height)
        self.add_widget(self.body)
        handle = Widget(size_hint_y=None, height=dp(6))
        with handle.canvas:
            Color(1, 1, 1, 0.25)
            self._handle = RoundedRectangle(radius=[dp(3)])
        handle.bind(pos=self._place_handle, size=self._place_handle)
        self.body.add_widget(handle)

    def _redraw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.body.pos, self.body.size

    def _place_handle(self, handle: Widget, *_: Any) -> None:
        self._handle.pos = (handle.center_x - dp(20), handle.y)
        self._handle.size = (dp(40), dp(5))

    def _fit_height(self, *_: Any) -> None:
        self.height = self.body.minimum_height

    def open_in(self, window_width: float) -> None:
        self.width = min(dp(640), window_width)
        self.open(animation=False)


def lock_sheet(title: str, reason: str, ok_text: str) -> Sheet:
    sheet = Sheet()
    row = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(34), spacing=dp(12))
    icon = Widget(size_hint=(None, None), size=(dp(28), dp(34)))
    icon.bind(pos=lambda w, *_: (w.canvas.clear(), w.canvas.add(padlock(w.center_x, w.center_y, 1.1, theme.APPEARANCE))))
    row.add_widget(icon)
    heading = Text(title, bold=True, font_size=sp(20), size_hint=(1, 1), halign="left")
    heading.bind(size=lambda w, *_: setattr(w, "text_size", w.size))
    row.add_widget(heading)
    sheet.body.add_widget(row)
    sheet.reason = Text(reason, wrap=True, color=theme.TEXT_DIM, font_size=sp(15))
    sheet.body.add_widget(sheet.reason)
    _add_dismiss_button(sheet, Chip(ok_text, filled=True, size_hint=(None, None)))
    return sheet


def info_sheet(title: str, badge: str, badge_colour: Sequence[float], lines: Sequence[str], close_text: str,
               report: tuple[str, Callable[[], None]] | None = None) -> Sheet:
    """The info sheet of one effect: a title, its category badge and the classifier's reasons."""
    sheet = Sheet()
    head = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(34), spacing=dp(10))
    heading = Text(title, bold=True, font_size=sp(20), size_hint=(1, 1), halign="left")
    heading.bind(size=lambda w, *_: setattr(w, "text_size", w.size))
    head.add_widget(heading)
    chip = Chip(badge, size_hint=(None, None), height=dp(26), font_size=sp(12), fill=tuple(badge_colour), disabled=False)
    head.add_widget(chip)
    sheet.body.add_widget(head)
    scroll = ScrollView(size_hint_y=None, do_scroll_x=False, bar_width=dp(3))
    column = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(8))
    column.bind(minimum_height=column.setter("height"))
    in_list = False
    for i, line in enumerate(lines):
        is_heading = i == 0 or line.endswith(":")
        in_list = in_list or (is_heading and i > 0)
        bullet = in_list and not is_heading
        column.add_widget(Text(("\u2022  " if bullet else "") + line, wrap=True, bold=is_heading,
                               color=theme.TEXT if is_heading else theme.TEXT_DIM,
                               font_size=sp(15 if is_heading else 14)))
    scroll.add_widget(column)
    column.bind(height=lambda *_: setattr(scroll, "height", min(column.height, dp(360))))
    sheet.body.add_widget(scroll)
    sheet.lines = list(lines)
    extra = None
    if report is not None:
        text, on_report = report
        extra = Chip(text)
        extra.bind(on_release=lambda *_: on_report())
        sheet.report_button = extra
    _add_dismiss_button(sheet, Chip(close_text, filled=True), extra)
    return sheet


def choice_sheet(title: str, choices: Sequence[tuple[str, Callable[[], None]]], cancel_text: str) -> Sheet:
    """A title and one button per choice (e.g. the reasons of a report); a choice closes the sheet."""
    sheet = Sheet()
    heading = Text(title, bold=True, font_size=sp(20), wrap=True)
    sheet.body.add_widget(heading)
    sheet.choices = {}
    for text, action in choices:
        button = Chip(text, size_hint=(1, None))
        button.bind(on_release=lambda *_, act=action: (sheet.dismiss(), act()))
        sheet.body.add_widget(button)
        sheet.choices[text] = button
    _add_dismiss_button(sheet, Chip(cancel_text, filled=True))
    return sheet


def support_sheet(title: str, intro: str, lines: Sequence[tuple[str, str]], footer: str, close_text: str) -> Sheet:
    """Where to find help: a caring line, then each helpline's number (large) and name."""
    sheet = Sheet()
    sheet.body.add_widget(Text(title, bold=True, font_size=sp(20), wrap=True))
    sheet.body.add_widget(Text(intro, wrap=True, color=theme.TEXT_DIM, font_size=sp(15)))
    for number, name in lines:
        row = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(40), spacing=dp(12))
        row.add_widget(Text(number, bold=True, font_size=sp(20), size_hint=(None, 1), width=dp(120)))
        label = Text(name, wrap=True, font_size=sp(14))
        row.add_widget(label)
        sheet.body.add_widget(row)
    sheet.body.add_widget(Text(footer, wrap=True, bold=True, font_size=sp(15)))
    sheet.numbers = [number for number, _ in lines]
    _add_dismiss_button(sheet, Chip(close_text, filled=True))
    return sheet


def _add_dismiss_button(sheet: Sheet, button: Chip, extra: Chip | None = None) -> None:
    """``button`` at the bottom right of the sheet; it closes the sheet. ``extra``: another
    button on the left of the bar."""
    button.bind(on_release=lambda *_: sheet.dismiss())
    bar = BoxLayout(size_hint_y=None, height=dp(44), spacing=dp(8))
    if extra is not None:
        bar.add_widget(extra)
    bar.add_widget(Widget())
    bar.add_widget(button)
    sheet.body.add_widget(bar)


def search_sheet(title: str, hint: str, search_text: str, clear_text: str,
                 on_search: Callable[[str], None], on_clear: Callable[[], None]) -> Sheet:
    """A search field over the carousel: ``on_search`` gets the text (Enter or the button)."""
    from kivy.uix.textinput import TextInput

    sheet = Sheet()
    sheet.body.add_widget(Text(title, bold=True, font_size=sp(20), wrap=True))
    field = TextInput(hint_text=hint, multiline=False, size_hint_y=None, height=dp(44), font_size=sp(16),
                      background_normal="", background_active="", background_color=theme.SURFACE_2,
                      foreground_color=theme.TEXT, hint_text_color=theme.TEXT_DIM, cursor_color=theme.ACCENT,
                      padding=(dp(12), dp(11)))
    sheet.body.add_widget(field)
    sheet.field = field

    def search(*_: Any) -> None:
        sheet.dismiss()
        on_search(field.text)

    field.bind(on_text_validate=search)
    bar = BoxLayout(size_hint_y=None, height=dp(44), spacing=dp(8))
    clear = Chip(clear_text)

    def show_all(*_: Any) -> None:
        sheet.dismiss()
        on_clear()

    clear.bind(on_release=show_all)
    bar.add_widget(clear)
    bar.add_widget(Widget())
    go = Chip(search_text, filled=True)
    go.bind(on_release=search)
    bar.add_widget(go)
    sheet.body.add_widget(bar)
    sheet.search_button = go
    return sheet
