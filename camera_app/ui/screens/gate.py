"""The neutral age gate: a name and a date of birth, nothing else.

No minimum age is mentioned, no date is pre-filled (the three pickers start empty), and the
year list covers every year from 120 years ago to this year. A refused sign-up (under 13,
or the data folder's lock) shows the same neutral "Sign-up isn't available." whatever the
cause, with no hint of an age.
"""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from camera_app.profiles.gate import BirthdateError, days_in, gate_form, validate_birthdate
from camera_app.profiles.errors import ProfileStoreError, SignUpUnavailableError
from camera_app.ui import theme
from camera_app.ui.screens.base import AppScreen, dark_input, dark_spinner
from camera_app.ui.widgets.basics import Chip, Panel, Text


class GateScreen(AppScreen):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, name="gate", **kwargs)
        self.outer = AnchorLayout(anchor_x="center", anchor_y="center", padding=dp(24))
        self.add_widget(self.outer)
        self.unavailable = False
        self.build_form()

    def on_pre_enter(self, *_: Any) -> None:
        self.build_form()

    def refresh_texts(self) -> None:
        self.build_form()

    def _card(self) -> Panel:
        card = Panel(orientation="vertical", size_hint=(None, None), width=dp(460), padding=dp(28), spacing=dp(14),
                     fill=theme.SURFACE, radius=dp(22))
        card.bind(minimum_height=card.setter("height"))
        self.fit_width("card", card, 460)
        return card

    def build_form(self) -> None:
        """A fresh, empty form (every picker unselected)."""
        m = self.app.messages
        self.unavailable = False
        self.outer.clear_widgets()
        card = self._card()
        card.add_widget(Text(m("gate.title"), bold=True, font_size=theme.TITLE_SIZE))
        card.add_widget(Text(m("gate.subtitle"), wrap=True, color=theme.TEXT_DIM))
        card.add_widget(Widget(size_hint_y=None, height=dp(4)))
        card.add_widget(Text(m("gate.name"), font_size=theme.SMALL_SIZE, color=theme.TEXT_DIM))
        self.name_input = dark_input(m("gate.name_hint"))
        card.add_widget(self.name_input)
        card.add_widget(Text(m("gate.birthdate"), font_size=theme.SMALL_SIZE, color=theme.TEXT_DIM))
        today = self.app.store.today()
        form = gate_form(today)
        self._years = list(form.years)
        self._month_names = [m.month(n) for n, _ in form.months]
        row = BoxLayout(orientation="horizontal", spacing=dp(10), size_hint_y=None, height=dp(48))
        self.day = dark_spinner(m("gate.day"), [str(d) for d in range(1, 32)], size_hint_x=0.26)
        self.month = dark_spinner(m("gate.month"), self._month_names, size_hint_x=0.42)
        self.year = dark_spinner(m("gate.year"), [str(y) for y in self._years], size_hint_x=0.32)
        self.chosen: dict[str, int | None] = {"day": None, "month": None, "year": None}
        for key, spinner in (("day", self.day), ("month", self.month), ("year", self.year)):
            spinner.bind(text=lambda sp_, text, key=key: self._picked(key, text))
            row.add_widget(spinner)
        card.add_widget(row)
        self.error = Text("", wrap=True, color=theme.APPEARANCE, font_size=theme.SMALL_SIZE)
        card.add_widget(self.error)
        buttons = BoxLayout(orientation="horizontal", spacing=dp(10), size_hint_y=None, height=dp(48))
        buttons.add_widget(Widget())
        if self.app.has_profiles():
            cancel = Chip(m("gate.cancel"), height=dp(48))
            cancel.bind(on_release=lambda *_: self.app.show_profiles())
            buttons.add_widget(cancel)
        self.continue_button = Chip(m("gate.continue"), filled=True, height=dp(48))
        self.continue_button.bind(on_release=lambda *_: self.submit())
        buttons.add_widget(self.continue_button)
        card.add_widget(buttons)
        self.outer.add_widget(card)

    def _picked(self, key: str, text: str) -> None:
        if key == "day":
            self.chosen["day"] = int(text) if text.isdigit() else None
            self.day.color = theme.TEXT
        elif key == "month":
            self.chosen["month"] = self._month_names.index(text) + 1 if text in self._month_names else None
            self.month.color = theme.TEXT
        else:
            self.chosen["year"] = int(text) if text.isdigit() else None
            self.year.color = theme.TEXT
        month, year = self.chosen["month"], self.chosen["year"]
        if month is not None:
            n_days = len(days_in(year if year is not None else 2000, month))  # 2000: leap, so 29 Feb stays possible
            self.day.values = [str(d) for d in range(1, n_days + 1)]
            if self.chosen["day"] is not None and self.chosen["day"] > n_days:
                self.chosen["day"] = None
                self.day.text = self.app.messages("gate.day")
                self.day.color = theme.TEXT_DIM
        self.error.text = ""

    def pick(self, day: int, month: int, year: int) -> None:
        """Choose a date as a person would with the three pickers (used by tests and scripts)."""
        self.month.text = self._month_names[month - 1]
        self.year.text = str(year)
        self.day.text = str(day)

    def submit(self) -> None:
        m = self.app.messages
        name = self.name_input.text.strip()
        if not name:
            self.error.text = m("gate.missing_name")
            return
        day, month, year = self.chosen["day"], self.chosen["month"], self.chosen["year"]
        if day is None or month is None or year is None:
            self.error.text = m("gate.missing_date")
            return
        try:
            birthdate = validate_birthdate(year, month, day, self.app.store.today())
            profile = self.app.store.create_profile(name, birthdate)
        except SignUpUnavailableError:
            self.show_unavailable()
            return
        except (BirthdateError, ProfileStoreError) as exc:
            self.error.text = str(exc)
            return
        self.app.use_profile(profile)

    def show_unavailable(self) -> None:
        """The same neutral message whatever the reason; OK starts over."""
        m = self.app.messages
        self.unavailable = True
        self.outer.clear_widgets()
        card = self._card()
        card.add_widget(Text(m("gate.unavailable_title"), bold=True, font_size=sp(24)))
        card.add_widget(Text(m("gate.unavailable_body"), wrap=True, color=theme.TEXT_DIM))
        buttons = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(48))
        buttons.add_widget(Widget())
        ok = Chip(m("gate.ok"), filled=True, height=dp(48))
        ok.bind(on_release=lambda *_: self._after_unavailable())
        buttons.add_widget(ok)
        card.add_widget(buttons)
        self.outer.add_widget(card)

    def _after_unavailable(self) -> None:
        if self.app.has_profiles():
            self.app.show_profiles()
        else:
            self.build_form()

    def go_back(self) -> bool:
        if self.app.has_profiles():
            self.app.show_profiles()
            return True
        return False
