"""The sheets over the camera: why the policy locks an effect, and how an effect changes appearance."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kivy.core.window import Window

from camera_app.app.i18n import Messages
from camera_app.app.results import EffectResults
from camera_app.app.session import Session
from camera_app.policy.gate import subject_of
from camera_app.policy.reports import ReportQueue
from camera_app.policy.rules import PolicyOptions, decide
from camera_app.profiles.store import ProfileStore
from camera_app.support.country import get_country
from camera_app.support.helplines import Topic, support_card
from camera_app.support.sensitive import SUPPORT_TOPICS, ReportReason, is_sensitive_search
from camera_app.catalog.search import search_effects
from camera_app.ui import theme
from effects.spec import EffectSpec


class EffectSheets:
    """Opens one sheet at a time (a new one closes the last) and says why an effect is locked."""

    def __init__(self, session: Session, specs: Mapping[str, EffectSpec], results: EffectResults,
                 store: ProfileStore, messages: Callable[[], Messages],
                 policy_options: Callable[[], PolicyOptions], toast: Callable[[str], None] | None = None) -> None:
        self._session = session
        self._specs = specs
        self._results = results
        self._store = store
        self._messages = messages
        self._policy_options = policy_options
        self._toast = toast
        self.current: Any = None

    @property
    def is_open(self) -> bool:
        return self.current is not None and self.current.parent is not None

    def lock_reason(self, effect_id: str) -> str:
        """Why the policy blocks ``effect_id`` now, in the app's language."""
        decision = self._session.decision_for(effect_id)
        if decision is None:  # before the first frame: judge without a live signal
            profile = self._session.profile
            if profile is None:
                return ""
            spec = self._specs[effect_id]
            decision = decide(self._results.category(spec), subject_of(profile, self._store.today()), None,
                              self._policy_options())
        m = self._messages()
        if m.language == "en" or f"policy.{decision.code.value}" not in m.texts:
            return decision.reason
        text = m(f"policy.{decision.code.value}", challenge=f"{self._policy_options().challenge_age_years:g}")
        return (m("policy.unmeasured") + " " + text) if not decision.measured else text

    def show_lock(self, effect_id: str) -> None:
        from camera_app.ui.widgets.overlays import lock_sheet

        m = self._messages()
        self._open(lock_sheet(m("lock.title"), self.lock_reason(effect_id), m("lock.ok")), effect_id)

    def show_info(self, effect_id: str) -> None:
        from camera_app.ui.widgets.overlays import info_sheet
        from disclosure.catalogue import load_catalogue
        from disclosure.labels import sheet_text

        spec = self._specs[effect_id]
        entry = next(e for e in self._session.effects if e.effect_id == effect_id)
        language = self._session.settings.language
        name = entry.name(language)
        result = self._results.get(spec)
        m = self._messages()
        if result is None:
            self._results.request([spec])
            lines = [m("info.measuring")]
            badge, colour, title = m("badge.unknown"), theme.SURFACE_3, name
        else:
            lines = list(sheet_text(result, load_catalogue(language), name))
            altering = result.category.value == "appearance_altering"
            badge = m(f"badge.{result.category.value}")
            colour = theme.APPEARANCE if altering else theme.PLAYFUL
            title = m("info.title") if altering else m("info.playful_title")
        report = (m("report.button"), lambda: self.show_report(effect_id))
        self._open(info_sheet(title, badge, colour, lines, m("info.close"), report=report), effect_id)

    def show_report(self, effect_id: str) -> None:
        """The reasons a person can report ``effect_id`` for; picking one files the report."""
        from camera_app.ui.widgets.overlays import choice_sheet

        m = self._messages()
        choices = [(m(f"report.{reason.value}"), lambda r=reason: self.file_report(effect_id, r))
                   for reason in ReportReason]
        self._open(choice_sheet(m("report.title"), choices, m("report.cancel")), effect_id)

    def file_report(self, effect_id: str, reason: ReportReason) -> None:
        """File the report (effect, reason, profile id: nothing else); for self-harm, hate or
        harassment, show where to find help at once."""
        spec = self._specs[effect_id]
        profile = self._session.profile
        ReportQueue(self._store).file(spec.id, spec.content_hash, reason, "",
                                      profile.profile_id if profile is not None else None)
        topics = SUPPORT_TOPICS.get(reason)
        if topics:
            self.show_support(topics, effect_id)
        elif self._toast is not None:
            self._toast(self._messages()("report.sent"))

    def show_search(self, show_only: Callable[[set[str] | None], None]) -> None:
        """Search the effects by name, description or category; a search about suicide, self-harm
        or eating disorders opens the support card instead of results."""
        from camera_app.ui.widgets.overlays import search_sheet

        m = self._messages()

        def search(text: str) -> None:
            if not text.strip():
                show_only(None)
            elif is_sensitive_search(text):
                show_only(None)
                self.show_support((Topic.SELF_HARM, Topic.EMOTIONAL))
            else:
                found = {spec.id for spec in search_effects(self._specs.values(), text)}
                show_only(found)
                if self._toast is not None:
                    self._toast(m("search.found", n=len(found), text=text.strip()) if found else m("search.none"))

        self._open(search_sheet(m("search.title"), m("search.hint"), m("search.button"), m("search.clear"),
                                search, lambda: show_only(None)), "")

    def show_support(self, topics: Sequence[Topic], effect_id: str | None = None) -> None:
        """The support card for the installation's country, in the app's language."""
        from camera_app.ui.widgets.overlays import support_sheet

        m = self._messages()
        card = support_card(get_country(self._store), m.language, topics)
        lines = [(h.number, h.name_in(card.language)) for h in (*card.lines, *card.unchecked)]
        sheet = support_sheet(card.title, card.intro, lines, card.emergency, m("info.close"))
        self._open(sheet, effect_id or "")

    def close(self) -> None:
        if self.current is not None:
            self.current.dismiss(animation=False)
            self.current = None

    def _open(self, sheet: Any, effect_id: str) -> None:
        self.close()
        sheet.effect_id = effect_id
        self.current = sheet
        sheet.open_in(Window.width)
