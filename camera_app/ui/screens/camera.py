"""The camera screen: the live preview under floating controls, like a phone camera.

Two layouts (``camera_layout.py``), chosen by the window's aspect and redone on every resize:
the desktop layout for landscape windows, the phone layout for portrait ones (full-screen
preview, the shutter at the bottom centre of the safe area, tap for a photo and hold for a
video, swipe the preview to change effect). The widgets only reflect the session; every
action goes through the app.
"""

from __future__ import annotations

import time
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from camera_app.app.devices import DeviceProfile, find_device
from camera_app.app.mirror import mirror_rect
from camera_app.ui import theme
from camera_app.ui.screens.base import AppScreen
from camera_app.app.session import EffectEntry
from camera_app.ui.screens.camera_layout import CameraLayout, Insets, camera_layout, intersect, overlaps
from camera_app.ui.widgets.basics import Chip, Text
from camera_app.ui.widgets.carousel import Carousel, EffectItem
from camera_app.ui.widgets.controls import RecordButton, ShutterButton
from camera_app.ui.widgets.hud import Hud
from camera_app.ui.widgets.overlays import BannerView
from camera_app.ui.widgets.preview import Preview

# The HUD's figures are re-rendered at most this often: each changed label makes a new texture,
# every frame that cost the UI thread 0.8-1.1 ms more per frame at 720p with the HUD shown
# (6.5-6.8 against 5.7 ms, two A/B runs each at load ~2).
HUD_REFRESH_S = 0.25
MAX_CLIP_S = 60.0  # a held shutter records at most this long (the ring is full then)


def badge_key(entry: EffectEntry | None) -> str:
    if entry is None or entry.category is None:
        return "unknown"
    return entry.category.value


class CameraScreen(AppScreen):
    """See the module docstring. Nothing but the HUD and the banner floats over the picture,
    and both move away from the disclosure label."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="camera", **kwargs)
        self.root = FloatLayout()
        self.add_widget(self.root)
        self._hud_refreshed_at = float("-inf")
        self.preview = Preview(on_swipe=self.app.step_effect, size_hint=(None, None))
        self.root.add_widget(self.preview)
        self._build_top()
        self._build_controls()
        self._build_deck()
        self.hud = Hud(app.messages)
        self.root.add_widget(self.hud)
        self.banner = BannerView()
        self.root.add_widget(self.banner)
        self.label_rect: tuple[int, int, int, int] | None = None
        self.device: DeviceProfile | None = find_device(app.session.settings.device)
        self.layout: CameraLayout = camera_layout(1, 1, dp(1))
        self.label_area: tuple[int, int, int, int] | None = None
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
        self.rec_label = Text("", bold=True, font_size=sp(15), color=theme.TEXT)
        self.hud_chip = Chip("HUD", height=dp(40))
        self.hud_chip.bind(on_release=lambda *_: self.app.toggle_hud())
        self.settings_chip = Chip("", height=dp(40))
        self.settings_chip.bind(on_release=lambda *_: self.app.show_settings())
        self.top_bar.add_widget(self.profile_chip)
        self.top_bar.add_widget(Widget())
        self.top_bar.add_widget(self.hud_chip)
        self.top_bar.add_widget(self.settings_chip)
        self.root.add_widget(self.top_bar)
        self.root.add_widget(self.rec_label)
        self.rec_label.bind(size=lambda *_: self._centre_status())

    def _build_controls(self) -> None:
        self.record_button = RecordButton()
        self.record_button.bind(on_release=lambda *_: self.app.toggle_recording())
        self.shutter = ShutterButton(on_photo=self.app.snapshot, on_hold=lambda: self.app.set_recording(True),
                                     on_release_hold=lambda: self.app.set_recording(False))
        self.root.add_widget(self.record_button)
        self.root.add_widget(self.shutter)

    def _build_deck(self) -> None:
        self.effect_row = BoxLayout(orientation="horizontal", size_hint=(None, None), height=dp(28), spacing=dp(10))
        self.effect_name = Text("", bold=True, font_size=sp(15))
        self.effect_badge = Chip("", height=dp(26), font_size=sp(12), min_width=dp(40))
        self.info_button = Chip(self.app.messages("camera.info"), height=dp(28), font_size=sp(12.5))
        self.info_button.bind(on_release=lambda *_: self.app.show_info())
        self.search_button = Chip(self.app.messages("search.button"), height=dp(28), font_size=sp(12.5))
        self.search_button.bind(on_release=lambda *_: self.app.show_search())
        self.search_ids: set[str] | None = None  # the effects a search found (None: every effect)
        for w in (self.effect_name, self.effect_badge, self.info_button, self.search_button):
            self.effect_row.add_widget(w)
        self.effect_row.bind(minimum_width=self.effect_row.setter("width"),
                             width=lambda *_: self._centre_effect_row())
        self.root.add_widget(self.effect_row)
        self.carousel = Carousel(self.app.pick_effect, size_hint_x=None)
        self.root.add_widget(self.carousel)

    def insets(self) -> Insets:
        """The device's safe-area insets in window pixels (its screen scaled to the window)."""
        screen = self.device.screen if self.device is not None else None
        if screen is None or self.width <= 1:
            return Insets()
        sx, sy = self.width / screen.width_px, self.height / screen.height_px
        area = screen.safe_area
        return Insets(area.top_px * sy, area.bottom_px * sy, area.left_px * sx, area.right_px * sx)

    def preview_area(self) -> tuple[float, float, float, float]:
        """Where the preview may draw (x, y, w, h)."""
        x, y, w, h = self.layout.preview
        return (self.x + x, self.y + y, w, h)

    def _place(self) -> None:
        lay = self.layout = camera_layout(self.width, self.height, dp(1), self.insets())
        self.preview.set_fill(lay.phone)
        self.preview.pos, self.preview.size = self.preview_area()[:2], lay.preview[2:]
        self.top_bar.pos, self.top_bar.size = lay.top_bar[:2], lay.top_bar[2:]
        self.shutter.pos, self.shutter.size = lay.shutter[:2], lay.shutter[2:]
        self.record_button.opacity = 0 if lay.record is None else 1
        self.record_button.disabled = lay.record is None
        record = lay.record if lay.record is not None else (-10000.0, -10000.0, 1.0, 1.0)  # off screen: no touches
        self.record_button.pos, self.record_button.size = record[:2], record[2:]
        self.carousel.pos, self.carousel.width = lay.carousel[:2], lay.carousel[2]
        self._centre_effect_row()
        self._tick_rec()
        self._centre_status()
        self._place_floating()
        self._send_label_area()

    def _centre_status(self) -> None:
        x, y, w, h = self.layout.status
        self.rec_label.pos = (x + (w - self.rec_label.width) / 2, y + (h - self.rec_label.height) / 2)

    def _centre_effect_row(self) -> None:
        x, y, w, h = self.layout.effect_row
        self.effect_row.pos = (x + (w - self.effect_row.width) / 2, y)

    def _send_label_area(self) -> None:
        """Phone layout: keep the label where the screen shows the frame, inside the safe area
        and clear of the controls (frame pixels of the frame as exported, i.e. not mirrored)."""
        area = None
        visible = intersect(self.layout.content, self.preview.picture_rect) if self.preview.frame_size != (0, 0) else None
        if self.layout.phone and visible is not None:
            x, y, w, h = visible
            fx0, fy0 = self.preview.window_to_frame(x, y + h)
            fx1, fy1 = self.preview.window_to_frame(x + w, y)
            fw, fh = self.preview.frame_size
            x0, y0 = max(0, int(fx0 + 1)), max(0, int(fy0 + 1))
            x1, y1 = min(fw, int(fx1)), min(fh, int(fy1))
            area = (x0, y0, max(1, x1 - x0), max(1, y1 - y0))
            if self.mirrored:
                area = mirror_rect(area, fw)
        if area != self.label_area:
            self.label_area = area
            self.app.set_label_area(area)

    @property
    def mirrored(self) -> bool:
        """The preview is mirrored (a phone's selfie camera)."""
        return self.device is not None and self.device.front_camera is not None

    def _label_window_rect(self) -> tuple[float, float, float, float] | None:
        if self.label_rect is None or self.preview.frame_size == (0, 0):
            return None
        lx, ly, lw, lh = self.label_rect
        x0, y1 = self.preview.frame_to_window(lx, ly)
        x1, y0 = self.preview.frame_to_window(lx + lw, ly + lh)
        return (x0, y0, x1 - x0, y1 - y0)

    def _place_floating(self) -> None:
        """The HUD in a corner of the picture (phone: of the space between the controls) that
        keeps clear of the label; the banner at that space's top or bottom edge, whichever the
        label is not near."""
        if self.layout.phone:
            px, py, pw, ph = self.layout.content
        else:
            px, py, pw, ph = self.preview.picture_rect if self.preview.frame_size != (0, 0) else self.preview_area()
        margin = dp(12)
        label = self._label_window_rect()
        self.hud.width = min(dp(270), (self.layout.content[2] if self.layout.phone else self.preview_area()[2]) - 2 * margin)
        hw, hh = self.hud.size
        corners = [
            (px + pw - hw - margin, py + ph - hh - margin),  # top-right
            (px + margin, py + margin),  # bottom-left
            (px + pw - hw - margin, py + margin),  # bottom-right
            (px + margin, py + ph - hh - margin),  # top-left
        ]
        self.hud.pos = next((c for c in corners if label is None or not overlaps((*c, hw, hh), label)), corners[0])
        label_high = label is not None and label[1] + label[3] / 2 > py + ph / 2
        bw = self.banner.width
        self.banner.x = px + (pw - bw) / 2
        self.banner.y = (py + margin) if label_high else (py + ph - self.banner.height - margin)

    def show_output(self, pixels: Any, label_rect: tuple[int, int, int, int] | None) -> float:
        """Show a processed frame; the texture upload's time in ms."""
        size = self.preview.frame_size
        upload_ms = self.preview.show(pixels)
        if self.preview.frame_size != size:
            self._send_label_area()
        if label_rect != self.label_rect:
            self.label_rect = label_rect
            self._place_floating()
        return upload_ms

    # -- reflecting the session -----------------------------------------------------------

    def refresh_all(self) -> None:
        for topic in ("profile", "effects", "active", "hud", "banner", "recording", "age", "settings"):
            self.on_topic(topic)
        self.refresh_texts()

    def refresh_texts(self) -> None:
        m = self.app.messages
        self.settings_chip.text = m("camera.settings")
        self.info_button.text = m("camera.info")
        self.search_button.text = m("search.button")
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
            self.hud.opacity = 1 if s.hud_visible else 0  # it takes no touches: the preview under it still swipes
            self.hud_chip.selected = s.hud_visible
            self._hud_refreshed_at = float("-inf")  # shown: its figures at the next frame
        elif topic == "stats":
            now = time.monotonic()
            if s.hud_visible and now - self._hud_refreshed_at >= HUD_REFRESH_S:
                self._hud_refreshed_at = now
                self.hud.show_stats(s.stats)
                self.hud.show_camera(self.device, s.source_text, self.mirrored)
        elif topic == "settings":
            device = find_device(s.settings.device)
            if device != self.device:
                self.device = device
                self._place()
        elif topic == "age":
            self.hud.show_age(s.age)
        elif topic == "banner":
            self.banner.show(s.banner, min(dp(640), self.layout.content[2] - dp(24)))
            self._place_floating()
        elif topic == "recording":
            self.record_button.recording = s.recording
            self.shutter.recording = s.recording
            if s.recording and self._rec_event is None:
                self._rec_event = Clock.schedule_interval(lambda dt: self._tick_rec(), 0.1)
            elif not s.recording and self._rec_event is not None:
                self._rec_event.cancel()
                self._rec_event = None
            self._tick_rec()

    def _tick_rec(self) -> None:
        s = self.app.session
        if s.recording_since_s is None:
            # On a phone the timer's row is empty until a recording starts.
            self.rec_label.text = "" if self.layout.phone else self.app.messages("app.title")
            self.rec_label.color = theme.TEXT_DIM
            return
        elapsed_s = time.monotonic() - s.recording_since_s
        self.shutter.progress = elapsed_s / MAX_CLIP_S
        if self.layout.phone and self.shutter.holding and elapsed_s >= MAX_CLIP_S:
            self.app.set_recording(False)
        seconds = int(elapsed_s)
        self.rec_label.text = "\u2022 " + self.app.messages("camera.recording", time=f"{seconds // 60:02d}:{seconds % 60:02d}")
        self.rec_label.color = theme.RECORD

    def _rebuild_carousel(self) -> None:
        """Update the items in place (thumbnails and badges arrive one by one); rebuild only
        when the list of effects changed."""
        s = self.app.session
        m = self.app.messages
        shown = [e for e in s.effects if self.search_ids is None or e.effect_id in self.search_ids]
        ids = [None, *(e.effect_id for e in shown)]
        if list(self.carousel.items) != ids:
            self.carousel.set_items([EffectItem(effect_id) for effect_id in ids])
        none_item = self.carousel.items[None]
        none_item.name = m("camera.none")
        none_item.thumbnail = self.app.none_thumbnail or ""
        for entry in shown:
            item = self.carousel.items[entry.effect_id]
            key = badge_key(entry)
            item.name = entry.name(s.settings.language)
            item.thumbnail = entry.thumbnail or ""
            item.badge_kind = key
            item.badge = m(f"badge.{key}").upper() if key != "unknown" else ""
        self._refresh_items()

    def set_search(self, ids: set[str] | None) -> None:
        """Show only these effects in the carousel (None: all of them)."""
        self.search_ids = ids
        self.search_button.selected = ids is not None
        self._rebuild_carousel()

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
