"""The app's state as a plain-Python model that the widgets observe.

Nothing here imports Kivy or touches pixels. Widgets call ``subscribe`` with a function of
one argument (the topic that changed, one of :data:`TOPICS`) and redraw what depends on it;
user actions (choose an effect, toggle the HUD, ...) are methods of the session. The
processing worker reports each frame with :meth:`Session.apply_update`, on the UI thread
(the app hops threads with the Kivy clock, tests call it directly).

Which effects are usable is the policy's business (``camera_app.policy.rules``): the worker asks
it for every effect on every frame with the live age signal and the session only shows the
answers (a lock and its reason). The engine enforces the same answers while rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from camera_app.policy.rules import Decision
from camera_app.profiles.model import Profile
from camera_app.app.stats import StatsSnapshot
from effects.classification import Category

TOPICS = (
    "profile",
    "effects",
    "active",
    "decisions",
    "stats",
    "age",
    "notices",
    "banner",
    "hud",
    "recording",
    "settings",
    "frame",
)

Listener = Callable[[str], None]


class SessionError(ValueError):
    """A session was asked for something that does not exist (an unknown effect id, topic)."""


@dataclass(frozen=True, slots=True)
class EffectEntry:
    """One effect in the carousel. ``category`` is the classifier's measured category
    (``None`` until measured; the policy then treats it as appearance-altering)."""

    effect_id: str
    names: Mapping[str, str]
    category: Category | None
    declared: Category | None = None
    thumbnail: str | None = None  # a PNG path, rendered on an adult reference face

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.effect_id


class AgeState(StrEnum):
    OFF = "off"  # no age estimation in this setup
    NO_FACE = "no_face"
    MEASURING = "measuring"  # faces in view, not enough samples yet
    ADULT = "adult"  # every face at or above the challenge age
    POSSIBLY_MINOR = "possibly_minor"  # a face below the challenge age


@dataclass(frozen=True, slots=True)
class AgeStatus:
    state: AgeState
    youngest_years: float | None = None  # the youngest face's aggregated estimate
    faces: int = 0


class BannerKind(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Banner:
    text: str
    kind: BannerKind = BannerKind.INFO
    sticky: bool = False  # stays until replaced or cleared (camera lost, bad file)


@dataclass(frozen=True, slots=True)
class Settings:
    """What the settings screen edits. ``source``: ``demo``, ``camera:N`` or a path."""

    source: str = "demo"
    resolution: str = "720p"
    device: str | None = None  # an id from assets/devices, or None
    policy_mode: str | None = None  # None: the installation's mode (a chosen one may only tighten it)
    language: str = "en"


@dataclass(frozen=True, slots=True)
class FrameUpdate:
    """What the worker reports after one frame (everything but the pixels, which go
    straight to the preview's texture)."""

    stats: StatsSnapshot
    age: AgeStatus
    decisions: Mapping[str, Decision]
    notices: tuple[str, ...] = ()
    frame_index: int = 0
    source_text: str = ""  # the source and what is done to its frames (a centre crop), for the HUD


@dataclass(slots=True)
class _State:
    profile: Profile | None = None
    effects: tuple[EffectEntry, ...] = ()
    active_effect_id: str | None = None
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    stats: StatsSnapshot | None = None
    age: AgeStatus = field(default_factory=lambda: AgeStatus(AgeState.OFF))
    notices: tuple[str, ...] = ()
    banner: Banner | None = None
    hud_visible: bool = False
    recording_since_s: float | None = None
    settings: Settings = field(default_factory=Settings)
    frames_shown: int = 0
    source_text: str = ""


class Session:
    """The observable state of one app run (see the module docstring)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._s = _State(settings=settings or Settings())
        self._listeners: list[Listener] = []

    # -- observing ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(topic)`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, *topics: str) -> None:
        for topic in topics:
            if topic not in TOPICS:
                raise SessionError(f"topic {topic!r}: expected one of {', '.join(TOPICS)}")
            for listener in list(self._listeners):
                listener(topic)

    # -- read-only views ------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        return self._s.profile

    @property
    def effects(self) -> tuple[EffectEntry, ...]:
        return self._s.effects

    @property
    def active_effect_id(self) -> str | None:
        return self._s.active_effect_id

    @property
    def active_effect(self) -> EffectEntry | None:
        return self._entry(self._s.active_effect_id) if self._s.active_effect_id else None

    @property
    def decisions(self) -> Mapping[str, Decision]:
        return self._s.decisions

    @property
    def stats(self) -> StatsSnapshot | None:
        return self._s.stats

    @property
    def age(self) -> AgeStatus:
        return self._s.age

    @property
    def notices(self) -> tuple[str, ...]:
        return self._s.notices

    @property
    def banner(self) -> Banner | None:
        return self._s.banner

    @property
    def hud_visible(self) -> bool:
        return self._s.hud_visible

    @property
    def recording(self) -> bool:
        return self._s.recording_since_s is not None

    @property
    def recording_since_s(self) -> float | None:
        return self._s.recording_since_s

    @property
    def settings(self) -> Settings:
        return self._s.settings

    @property
    def source_text(self) -> str:
        return self._s.source_text

    @property
    def frames_shown(self) -> int:
        return self._s.frames_shown

    def _entry(self, effect_id: str) -> EffectEntry:
        for entry in self._s.effects:
            if entry.effect_id == effect_id:
                return entry
        known = ", ".join(e.effect_id for e in self._s.effects) or "none loaded"
        raise SessionError(f"effect {effect_id!r}: expected one of {known}")

    def decision_for(self, effect_id: str) -> Decision | None:
        """The policy's latest answer for ``effect_id`` (None before the first frame)."""
        self._entry(effect_id)
        return self._s.decisions.get(effect_id)

    def is_locked(self, effect_id: str) -> bool:
        """Locked = the policy blocks it now. Before any answer, unmeasured and
        appearance-altering effects show as locked (the same fail-closed default)."""
        decision = self.decision_for(effect_id)
        if decision is None:
            return self._entry(effect_id).category is not Category.PLAYFUL
        return decision.blocked

    # -- actions --------------------------------------------------------------------------

    def set_profile(self, profile: Profile | None) -> None:
        """A new profile: its effect choice and the policy's answers start over."""
        self._s.profile = profile
        self._s.active_effect_id = None
        self._s.decisions = {}
        self._emit("profile", "active", "decisions")

    def set_effects(self, entries: Sequence[EffectEntry]) -> None:
        ids = [e.effect_id for e in entries]
        if len(set(ids)) != len(ids):
            raise SessionError(f"effects: ids must be unique, found {ids}")
        self._s.effects = tuple(entries)
        if self._s.active_effect_id not in ids:
            self._s.active_effect_id = None
            self._emit("active")
        self._emit("effects")

    def update_effect(self, entry: EffectEntry) -> None:
        """Replace one entry (a thumbnail or a measured category arrived)."""
        self._entry(entry.effect_id)
        self._s.effects = tuple(entry if e.effect_id == entry.effect_id else e for e in self._s.effects)
        self._emit("effects")

    def select_effect(self, effect_id: str | None) -> Decision | None:
        """Make ``effect_id`` the active effect (None: no effect). A locked effect is still
        selected: the engine renders without it and the reason shows; returns the decision."""
        if effect_id is not None:
            self._entry(effect_id)
        if effect_id != self._s.active_effect_id:
            self._s.active_effect_id = effect_id
            self._emit("active")
        return None if effect_id is None else self._s.decisions.get(effect_id)

    def step_effect(self, step: int) -> str | None:
        """Move along the carousel (``None`` = no effect sits before the first), wrapping."""
        choices: list[str | None] = [None, *(e.effect_id for e in self._s.effects)]
        index = choices.index(self._s.active_effect_id)
        chosen = choices[(index + step) % len(choices)]
        self.select_effect(chosen)
        return chosen

    def toggle_hud(self) -> bool:
        self._s.hud_visible = not self._s.hud_visible
        self._emit("hud")
        return self._s.hud_visible

    def set_banner(self, banner: Banner | None) -> None:
        if banner != self._s.banner:
            self._s.banner = banner
            self._emit("banner")

    def clear_banner(self, only_if: Banner | None = None) -> None:
        """Clear the banner (only if it is still ``only_if``, when given: a timer's banner
        must not clear a newer one)."""
        if only_if is None or self._s.banner == only_if:
            self.set_banner(None)

    def set_recording(self, since_s: float | None) -> None:
        self._s.recording_since_s = since_s
        self._emit("recording")

    def set_settings(self, settings: Settings) -> None:
        if settings != self._s.settings:
            self._s.settings = settings
            self._emit("settings")

    def update_settings(self, **changes: Any) -> Settings:
        self.set_settings(replace(self._s.settings, **changes))
        return self._s.settings

    def apply_update(self, update: FrameUpdate) -> None:
        """One processed frame's report (on the UI thread)."""
        self._s.frames_shown += 1
        self._s.stats = update.stats
        self._s.source_text = update.source_text
        topics = ["frame", "stats"]
        if update.age != self._s.age:
            self._s.age = update.age
            topics.append("age")
        if dict(update.decisions) != dict(self._s.decisions):
            self._s.decisions = dict(update.decisions)
            topics.append("decisions")
        if update.notices != self._s.notices:
            self._s.notices = update.notices
            topics.append("notices")
        self._emit(*topics)
