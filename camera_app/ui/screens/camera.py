"""The camera screen: the live preview under floating controls, like a phone camera.

Top: the profile chip, the recording timer, HUD and settings chips. Left: the HUD. Bottom:
the active effect's name with its badge and an info button, the effect carousel, the record
and shutter buttons. The widgets only reflect the session; every action goes through the app.
"""

from __future__ import annotations

import time
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from camera_app.ui import theme
from camera_app.ui.screens.base import AppScreen
from camera_app.ui.session import EffectEntry
from camera_app.ui.widgets.basics import Chip, Text
from camera_app.ui.widgets.carousel import Carousel, EffectItem
from camera_app.ui.widgets.controls import RecordButton, ShutterButton
from camera_app.ui.widgets.hud import Hud
from camera_app.ui.widgets.overlays import BannerView
from camera_app.ui.widgets.preview import Preview


class Scrim(Widget):
    """A vertical fade from transparent to dark (``up``: dark at the bottom)."""

    def __init__(self, up: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.up = up
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_: Any) -> None:
        self.canvas.clear()
        steps = 12
        with self.canvas:
            for i in range(steps):
                t = i / (steps - 1)
                alpha = 0.55 * ((1 - t) if self.up else t) ** 1.6
                Color(0, 0, 0, alpha)
                h = self.height / steps
                Rectangle(pos=(self.x, self.y + i * h), size=(self.width, h + 0.5))


def badge_key(entry: EffectEntry | None) -> str:
    if entry is None or entry.category is None:
        return "unknown"
    return entry.category.value


class CameraScreen(AppScreen):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="camera", **kwargs)
        self.root = FloatLayout()
        self.add_widget(self.root)
        self.preview = Preview(size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.root.add_widget(self.preview)
        self.root.add_widget(Scrim(up=False, size_hint=(1, None), height=dp(110), pos_hint={"top": 1}))
        self.root.add_widget(Scrim(up=True, size_hint=(1, None), height=dp(280), pos_hint={"y": 0}))
        self._build_top()
        self.hud = Hud(app.messages, pos_hint={"x": 0.0, "top": 1.0})
        self.root.add_widget(self.hud)
        self.banner = BannerView(pos_hint={"center_x": 0.5})
        self.root.add_widget(self.banner)
        self._build_bottom()
        self.bind(size=lambda *_: self._place())
        self._rec_event: Any = None
        self.refresh_all()

    # -- layout ---------------------------------------------------------------------------

    def _build_top(self) -> None:
        self.top_bar = BoxLayout(orientation="horizontal", size_hint=(1, None), height=dp(64), padding=(dp(16), dp(12)),
                                 spacing=dp(10), pos_hint={"top": 1})
        self.profile_chip = Chip("", height=dp(40))
        self.profile_chip.bind(on_release=lambda *_: self.app.show_profiles())
        self.rec_label = Text("", bold=True, font_size=sp(15), color=theme.TEXT)
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

    def _build_bottom(self) -> None:
        self.bottom = BoxLayout(orientation="vertical", size_hint=(1, None), spacing=dp(8), padding=(0, 0, 0, dp(18)),
                                pos_hint={"y": 0})
        # the active effect: name, badge, info button
        self.effect_row = BoxLayout(orientation="horizontal", size_hint=(None, None), height=dp(32), spacing=dp(8),
                                    pos_hint={"center_x": 0.5})
        self.effect_name = Text("", bold=True, font_size=sp(16))
        self.effect_badge = Chip("", height=dp(24), font_size=sp(11.5), min_width=dp(40))
        self.info_button = Chip("i", height=dp(30), min_width=dp(30), font_size=sp(15))
        self.info_button.bind(on_release=lambda *_: self.app.show_info())
        for w in (self.effect_name, self.effect_badge, self.info_button):
            self.effect_row.add_widget(w)
        self.effect_row.bind(minimum_width=self.effect_row.setter("width"))
        self.bottom.add_widget(self.effect_row)
        self.carousel = Carousel(self.app.pick_effect)
        self.bottom.add_widget(self.carousel)
        controls = BoxLayout(orientation="horizontal", size_hint=(None, None), height=dp(78), spacing=dp(34),
                             pos_hint={"center_x": 0.5})
        self.record_button = RecordButton(pos_hint={"center_y": 0.5})
        self.record_button.bind(on_release=lambda *_: self.app.toggle_recording())
        self.shutter = ShutterButton(pos_hint={"center_y": 0.5})
        self.shutter.bind(on_release=lambda *_: self.app.snapshot())
        self.flip_space = Widget(size_hint=(None, None), size=(dp(56), dp(56)))
        for w in (self.record_button, self.shutter, self.flip_space):
            controls.add_widget(w)
        controls.width = dp(56) + dp(74) + dp(56) + 2 * dp(34)
        self.bottom.add_widget(controls)
        self.bottom.height = dp(32) + self.carousel.height + dp(78) + 2 * dp(8) + dp(18)
        self.root.add_widget(self.bottom)

    def _place(self) -> None:
        self.hud.pos_hint = {"x": dp(16) / max(1, self.width), "top": 1 - dp(70) / max(1, self.height)}
        self.banner.pos_hint = {"center_x": 0.5, "top": 1 - dp(72) / max(1, self.height)}
        self.banner.show(self.banner.banner, min(dp(640), self.width - dp(40)))

    # -- reflecting the session -----------------------------------------------------------

    def refresh_all(self) -> None:
        for topic in ("profile", "effects", "active", "hud", "banner", "recording", "age"):
            self.on_topic(topic)
        self.refresh_texts()

    def refresh_texts(self) -> None:
        m = self.app.messages
        self.settings_chip.text = m("camera.settings")
        self.hud_chip.text = m("camera.hud")
        self.hud.messages = m
        self.on_topic("effects")
        self.on_topic("active")

    def on_topic(self, topic: str) -> None:
        s = self.app.session
        if topic == "profile":
            self.profile_chip.text = f"{s.profile.name}" if s.profile is not None else ""
        elif topic == "effects":
            self._rebuild_carousel()
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
            self.banner.show(s.banner, min(dp(640), self.width - dp(40)))
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
            self.rec_label.text = ""
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
            item.badge = m(f"badge.{key}") if key != "unknown" else ""
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
