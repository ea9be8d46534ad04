"""The camera screen: the live preview under floating controls, like a phone camera.

Top: the profile chip, the recording timer, HUD and settings chips. Left: the HUD. Bottom:
the active effect's name with its badge and an info button, the effect carousel, the record
and shutter buttons. The widgets only reflect the session; every action goes through the app.
"""

from __future__ import annotations

import time
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from camera_app.ui import theme
from camera_app.ui.screens.base import AppScreen
from camera_app.app.session import EffectEntry
from camera_app.ui.widgets.basics import Chip, Text
from camera_app.ui.widgets.carousel import Carousel, EffectItem
from camera_app.ui.widgets.controls import RecordButton, ShutterButton
from camera_app.ui.widgets.hud import Hud
from camera_app.ui.widgets.overlays import BannerView
from camera_app.ui.widgets.preview import Preview


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def badge_key(entry: EffectEntry | None) -> str:
    if entry is None or entry.category is None:
        return "unknown"
    return entry.category.value


class CameraScreen(AppScreen):
    """Layout (landscape, like a phone camera turned sideways): a top bar, a control rail on
    the right (record, shutter), a deck at the bottom (the active effect, the carousel) and
    the preview in the space left, fitted with its aspect kept. Nothing but the HUD and the
    banner floats over the picture, and both move away from the disclosure label."""

    TOP_H = dp(60)
    RAIL_W = dp(112)
    DECK_H = dp(158)

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="camera", **kwargs)
        self.root = FloatLayout()
        self.add_widget(self.root)
        self.preview = Preview(size_hint=(None, None))
        self.root.add_widget(self.preview)
        self._build_top()
        self._build_rail()
        self._build_deck()
        self.hud = Hud(app.messages)
        self.root.add_widget(self.hud)
        self.banner = BannerView()
        self.root.add_widget(self.banner)
        self.label_rect: tuple[int, int, int, int] | None = None
        self.bind(pos=lambda *_: self._place(), size=lambda *_: self._place())
        self.hud.bind(size=lambda *_: self._place_floating())
        self._rec_event: Any = None
        self.refresh_all()

    # -- layout ---------------------------------------------------------------------------

    def _build_top(self) -> None:
        self.top_bar = BoxLayout(orientation="horizontal", size_hint=(None, None), padding=(dp(16), dp(10)),
                                 spacing=dp(10))
        self.profile_chip = Chip("", height=dp(40))
        self.profile_chip.bind(on_release=lambda *_: self.app.show_profiles())
        self.rec_label = Text("", bold=True, font_size=sp(15), color=theme.TEXT, pos_hint={"center_y": 0.5})
        self.hud_chip = Chip("HUD", height=dp(40))
        self.hud_chip.bind(on_release=lambda *_: self.app.toggle_hud())
        self.settings_chip = Chip("", height=dp(40))
        self.settings_chip.bind(on_release=lambda *_: self.app.show_settings())
        self.top_bar.add_widget(self.profile_chip)
        self.top_bar.add_widget(Widget())
        self.top_bar.add_widget(self.rec_label)
        self.top_bar.add_widget(Widget())
        self.top_bar.add_widget(self.hud_chip)
        self.top_bar.add_widget(self.settings_chip)
        self.root.add_widget(self.top_bar)

    def _build_rail(self) -> None:
        self.rail = BoxLayout(orientation="vertical", size_hint=(None, None), spacing=dp(26), padding=(0, dp(20)))
        self.record_button = RecordButton(pos_hint={"center_x": 0.5})
        self.record_button.bind(on_release=lambda *_: self.app.toggle_recording())
        self.shutter = ShutterButton(pos_hint={"center_x": 0.5})
        self.shutter.bind(on_release=lambda *_: self.app.snapshot())
        self.rail.add_widget(Widget())
        self.rail.add_widget(self.record_button)
        self.rail.add_widget(self.shutter)
        self.rail.add_widget(Widget(size_hint_y=None, height=self.record_button.height))
        self.rail.add_widget(Widget())
        self.root.add_widget(self.rail)

    def _build_deck(self) -> None:
        self.deck = BoxLayout(orientation="vertical", size_hint=(None, None), spacing=dp(6), padding=(0, dp(6), 0, dp(10)))
        self.effect_row = BoxLayout(orientation="horizontal", size_hint=(None, None), height=dp(28), spacing=dp(10),
                                    pos_hint={"center_x": 0.5})
        self.effect_name = Text("", bold=True, font_size=sp(15))
        self.effect_badge = Chip("", height=dp(24), font_size=sp(11.5), min_width=dp(40))
        self.info_button = Chip(self.app.messages("camera.info"), height=dp(26), font_size=sp(12.5))
        self.info_button.bind(on_release=lambda *_: self.app.show_info())
        for w in (self.effect_name, self.effect_badge, self.info_button):
            self.effect_row.add_widget(w)
        self.effect_row.bind(minimum_width=self.effect_row.setter("width"))
        self.deck.add_widget(self.effect_row)
        self.carousel = Carousel(self.app.pick_effect)
        self.deck.add_widget(self.carousel)
        self.root.add_widget(self.deck)

    def preview_area(self) -> tuple[float, float, float, float]:
        """Where the preview may draw: the window minus the bars (x, y, w, h)."""
        return (self.x, self.y + self.DECK_H, self.width - self.RAIL_W, self.height - self.DECK_H - self.TOP_H)

    def _place(self) -> None:
        x, y, w, h = self.preview_area()
        self.preview.pos, self.preview.size = (x, y), (max(1, w), max(1, h))
        self.top_bar.pos, self.top_bar.size = (self.x, self.top - self.TOP_H), (self.width, self.TOP_H)
        self.rail.pos, self.rail.size = (self.right - self.RAIL_W, self.y + self.DECK_H), (self.RAIL_W, max(1, h))
        self.deck.pos, self.deck.size = (self.x, self.y), (self.width, self.DECK_H)
        self._place_floating()

    def _label_window_rect(self) -> tuple[float, float, float, float] | None:
        if self.label_rect is None or self.preview.frame_size == (0, 0):
            return None
        lx, ly, lw, lh = self.label_rect
        x0, y1 = self.preview.frame_to_window(lx, ly)
        x1, y0 = self.preview.frame_to_window(lx + lw, ly + lh)
        return (x0, y0, x1 - x0, y1 - y0)

    def _place_floating(self) -> None:
        """The HUD in a corner of the picture that keeps clear of the label; the banner at the
        picture's top or bottom edge, whichever the label is not near."""
        px, py, pw, ph = self.preview.picture_rect if self.preview.frame_size != (0, 0) else self.preview_area()
        margin = dp(12)
        label = self._label_window_rect()
        hw, hh = self.hud.size
        corners = [
            (px + pw - hw - margin, py + ph - hh - margin),  # top-right
            (px + margin, py + margin),  # bottom-left
            (px + pw - hw - margin, py + margin),  # bottom-right
            (px + margin, py + ph - hh - margin),  # top-left
        ]
        self.hud.pos = next((c for c in corners if label is None or not _overlaps((*c, hw, hh), label)), corners[0])
        label_high = label is not None and label[1] + label[3] / 2 > py + ph / 2
        bw = self.banner.width
        self.banner.x = px + (pw - bw) / 2
        self.banner.y = (py + margin) if label_high else (py + ph - self.banner.height - margin)

    def show_output(self, pixels: Any, label_rect: tuple[int, int, int, int] | None) -> None:
        self.preview.show(pixels)
        if label_rect != self.label_rect:
            self.label_rect = label_rect
            self._place_floating()

    # -- reflecting the session -----------------------------------------------------------

    def refresh_all(self) -> None:
        for topic in ("profile", "effects", "active", "hud", "banner", "recording", "age"):
            self.on_topic(topic)
        self.refresh_texts()

    def refresh_texts(self) -> None:
        m = self.app.messages
        self.settings_chip.text = m("camera.settings")
        self.info_button.text = m("camera.info")
        self.hud_chip.text = m("camera.hud")
        self.hud.messages = m
        self.on_topic("effects")
        self.on_topic("active")

    def on_topic(self, topic: str) -> None:
        s = self.app.session
        if topic == "profile":
            self.profile_chip.text = f"{s.profile.name}" if s.profile is not None else ""
            self.profile_chip.avatar = s.profile.name[:1].upper() if s.profile is not None else ""
        elif topic == "effects":
            self._rebuild_carousel()
            self._refresh_effect_row()
        elif topic in ("active", "decisions"):
            self._refresh_items()
            self._refresh_effect_row()
        elif topic == "hud":
            self.hud.opacity = 1 if s.hud_visible else 0
            self.hud.disabled = not s.hud_visible
            self.hud_chip.selected = s.hud_visible
        elif topic == "stats":
            if s.hud_visible:
                self.hud.show_stats(s.stats)
        elif topic == "age":
            self.hud.show_age(s.age)
        elif topic == "banner":
            self.banner.show(s.banner, min(dp(640), self.preview.width - dp(40)))
            self._place_floating()
        elif topic == "recording":
            self.record_button.recording = s.recording
            if s.recording and self._rec_event is None:
                self._rec_event = Clock.schedule_interval(lambda dt: self._tick_rec(), 0.5)
            elif not s.recording and self._rec_event is not None:
                self._rec_event.cancel()
                self._rec_event = None
            self._tick_rec()

    def _tick_rec(self) -> None:
        s = self.app.session
        if s.recording_since_s is None:
            self.rec_label.text = self.app.messages("app.title")
            self.rec_label.color = theme.TEXT_DIM
            return
        seconds = int(time.monotonic() - s.recording_since_s)
        self.rec_label.text = "\u2022 " + self.app.messages("camera.recording", time=f"{seconds // 60:02d}:{seconds % 60:02d}")
        self.rec_label.color = theme.RECORD

    def _rebuild_carousel(self) -> None:
        """Update the items in place (thumbnails and badges arrive one by one); rebuild only
        when the list of effects changed."""
        s = self.app.session
        m = self.app.messages
        ids = [None, *(e.effect_id for e in s.effects)]
        if list(self.carousel.items) != ids:
            self.carousel.set_items([EffectItem(effect_id) for effect_id in ids])
        none_item = self.carousel.items[None]
        none_item.name = m("camera.none")
        none_item.thumbnail = self.app.none_thumbnail or ""
        for entry in s.effects:
            item = self.carousel.items[entry.effect_id]
            key = badge_key(entry)
            item.name = entry.name(s.settings.language)
            item.thumbnail = entry.thumbnail or ""
            item.badge_kind = key
            item.badge = m(f"badge.{key}").upper() if key != "unknown" else ""
        self._refresh_items()

    def _refresh_items(self) -> None:
        s = self.app.session
        for effect_id, item in self.carousel.items.items():
            item.selected = effect_id == s.active_effect_id
            item.locked = effect_id is not None and s.is_locked(effect_id)

    def _refresh_effect_row(self) -> None:
        s = self.app.session
        m = self.app.messages
        entry = s.active_effect
        if entry is None:
            self.effect_row.opacity = 0
            return
        self.effect_row.opacity = 1
        self.effect_name.text = entry.name(s.settings.language)
        key = badge_key(entry)
        self.effect_badge.text = m(f"badge.{key}")
        self.effect_badge.fill = theme.PLAYFUL if key == "playful" else (theme.APPEARANCE if key == "appearance_altering" else theme.SURFACE_3)
        self.carousel.reveal(entry.effect_id)

    def go_back(self) -> bool:
        self.app.show_profiles()
        return True
