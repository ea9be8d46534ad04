"""Settings: the source (demo, a camera, a file), the resolution, the device profile (its
frame budget), the policy mode and the language. Apply restarts the pipeline with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from camera_app.capture.base import RESOLUTIONS
from camera_app.ui import theme
from camera_app.app.devices import load_devices
from camera_app.app.i18n import available_languages, load_messages
from camera_app.ui.screens.base import AppScreen, dark_input, dark_spinner
from camera_app.app.session import Settings
from camera_app.ui.widgets.basics import Chip, Panel, Text


class Segmented(BoxLayout):
    """A row of chips, one selected (``value``)."""

    def __init__(self, options: list[tuple[str, str]], value: str, on_change: Any = None, **kwargs: Any) -> None:
        super().__init__(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=dp(40), **kwargs)
        self.value = value
        self.on_change = on_change
        self.chips: dict[str, Chip] = {}
        for tag, text in options:
            chip = Chip(text, tag=tag, selected=tag == value)
            chip.bind(on_release=lambda c: self.select(c.tag))
            self.chips[tag] = chip
            self.add_widget(chip)
        self.add_widget(Widget())

    def select(self, tag: str) -> None:
        self.value = tag
        for t, chip in self.chips.items():
            chip.selected = t == tag
        if self.on_change is not None:
            self.on_change(tag)


class SettingsScreen(AppScreen):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="settings", **kwargs)
        self.outer = AnchorLayout(anchor_x="center", anchor_y="center", padding=dp(20))
        self.add_widget(self.outer)

    def on_pre_enter(self, *_: Any) -> None:
        self.build()

    def refresh_texts(self) -> None:
        self.build()

    def _section(self, card: BoxLayout, title: str) -> None:
        card.add_widget(Text(title, font_size=theme.SMALL_SIZE, color=theme.TEXT_DIM))

    def build(self) -> None:
        m = self.app.messages
        s: Settings = self.app.session.settings
        self.outer.clear_widgets()
        scroll = ScrollView(do_scroll_x=False, size_hint=(None, None), width=dp(620), bar_width=dp(3))
        self.fit_width("form", scroll, 620)
        card = Panel(orientation="vertical", size_hint=(1, None), padding=dp(26), spacing=dp(12), radius=dp(22))
        card.bind(minimum_height=card.setter("height"))
        fit = lambda *_: setattr(scroll, "height", min(card.height, self.height - dp(40)))  # noqa: E731
        card.bind(height=fit)
        self.bind(height=fit)
        card.add_widget(Text(m("settings.title"), bold=True, font_size=theme.TITLE_SIZE))
        # source
        self._section(card, m("settings.source"))
        kind = "demo" if s.source == "demo" else ("camera" if s.source.startswith("camera:") else "file")
        self.source_kind = Segmented(
            [("demo", m("settings.demo")), ("camera", m("settings.camera")), ("file", m("settings.file"))], kind,
            on_change=lambda tag: self._show_source_fields(),
        )
        card.add_widget(self.source_kind)
        self.camera_index = dark_input(m("settings.camera_index"),
                                       text=s.source.removeprefix("camera:") if kind == "camera" else "0")
        self.file_path = dark_input(m("settings.file_path"), text=s.source if kind == "file" else "")
        self.source_fields = BoxLayout(orientation="vertical", size_hint_y=None, height=dp(48))
        card.add_widget(self.source_fields)
        self._show_source_fields()
        # resolution
        self._section(card, m("settings.resolution"))
        self.resolution = Segmented([(r, r) for r in RESOLUTIONS], s.resolution)
        card.add_widget(self.resolution)
        # device
        self._section(card, m("settings.device"))
        self.devices = load_devices()
        names = [m("settings.device_none")] + [d.name for d in self.devices]
        current = next((d.name for d in self.devices if d.device_id == s.device), names[0])
        self.device = dark_spinner(current, names)
        self.device.color = theme.TEXT
        card.add_widget(self.device)
        # policy
        self._section(card, m("settings.policy"))
        # Only the installation may loosen the policy (`safelens policy set`): declared-age mode
        # is offered only where the installation is set to it.
        modes = [("assured", m("settings.policy_assured"))]
        if self.app.policy_settings.mode.value == "declared":
            modes.append(("declared", m("settings.policy_declared")))
        self.policy = Segmented(modes, s.policy_mode or self.app.policy_settings.mode.value)
        card.add_widget(self.policy)
        # language
        self._section(card, m("settings.language"))
        self.language = Segmented([(code, load_messages(code).name) for code in available_languages()], s.language)
        card.add_widget(self.language)
        self.error = Text("", wrap=True, color=theme.APPEARANCE, font_size=theme.SMALL_SIZE)
        card.add_widget(self.error)
        buttons = BoxLayout(orientation="horizontal", spacing=dp(10), size_hint_y=None, height=dp(48))
        buttons.add_widget(Widget())
        back = Chip(m("settings.back"), height=dp(48))
        back.bind(on_release=lambda *_: self.app.show_camera())
        apply = Chip(m("settings.apply"), filled=True, height=dp(48))
        apply.bind(on_release=lambda *_: self.apply())
        buttons.add_widget(back)
        buttons.add_widget(apply)
        card.add_widget(buttons)
        scroll.add_widget(card)
        self.outer.add_widget(scroll)

    def _show_source_fields(self) -> None:
        self.source_fields.clear_widgets()
        kind = self.source_kind.value
        if kind == "camera":
            self.source_fields.add_widget(self.camera_index)
        elif kind == "file":
            self.source_fields.add_widget(self.file_path)
        self.source_fields.height = dp(48) if kind != "demo" else 0

    def chosen(self) -> Settings:
        """The settings as the form shows them; ValueError (a message for people) when invalid."""
        m = self.app.messages
        kind = self.source_kind.value
        if kind == "demo":
            source = "demo"
        elif kind == "camera":
            text = self.camera_index.text.strip()
            if not text.isdigit():
                raise ValueError(m("settings.bad_camera_index", text=repr(text)))
            source = f"camera:{int(text)}"
        else:
            path = Path(self.file_path.text.strip()).expanduser()
            if not path.is_file():
                raise ValueError(m("settings.missing_file", path=str(path)))
            source = str(path)
        device = next((d.device_id for d in self.devices if d.name == self.device.text), None)
        return Settings(source=source, resolution=self.resolution.value, device=device,
                        policy_mode=self.policy.value, language=self.language.value)

    def apply(self) -> None:
        try:
            settings = self.chosen()
        except ValueError as exc:
            self.error.text = str(exc)
            return
        self.app.apply_settings(settings)

    def go_back(self) -> bool:
        self.app.show_camera()
        return True
