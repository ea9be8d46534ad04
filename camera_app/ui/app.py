"""The SafeLens Kivy app: screens, keyboard, and the glue between the session, the worker
and the stores. Import only after :func:`camera_app.ui.kivy_env.prepare`.

Flow: with no profile, the app opens on the neutral age gate; otherwise on the profile
switcher (or straight on the camera with ``--profile``). The camera screen starts the
processing worker; its frames come back through the Kivy clock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from camera_app.catalog.result_cache import result_cache
from camera_app.catalog.effects import load_registry
from camera_app.policy.rules import PolicyOptions
from camera_app.policy.reports import ReportQueue
from camera_app.policy.settings import effective_options, load_settings
from camera_app.profiles.model import Profile
from camera_app.profiles.store import ProfileStore
from camera_app.ui import theme, thumbnails
from camera_app.ui.errors import KeepRunning
from camera_app.ui.keys import camera_action
from camera_app.ui.display_probe import DisplayProbe
from camera_app.ui.frame_pacing import finish_each_redraw_in_software
from camera_app.ui.qa import QaDriver
from camera_app.ui.sheets import EffectSheets
from camera_app.app.config import AppConfig
from camera_app.app.i18n import Messages, load_messages
from camera_app.app.results import EffectResults
from camera_app.app.session import Banner, BannerKind, EffectEntry, Session, Settings
from camera_app.app.worker import ProcessingWorker
from camera_app.app.worker_messages import EventKind, WorkerEvent, WorkerOptions, WorkerOutput, options_for_app
from effects.classification import ClassificationResult
from effects.spec import EffectSpec

TOAST_S = 3.5


class SafeLensApp(App):
    title = "SafeLens"

    def __init__(self, config: AppConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cfg = config
        self.session = Session(config.settings)
        self.messages: Messages = load_messages(config.settings.language)
        self.store = ProfileStore(config.data_dir)
        self.data_dir = self.store.data_dir
        self.policy_settings = load_settings(self.store)  # the installation's; the app may only tighten them
        self.registry = load_registry(list(config.effects_dirs))
        removed = ReportQueue(self.store).removed_effects()  # by a moderator, after a report
        self.specs: dict[str, EffectSpec] = {spec.id: spec for spec in self.registry if spec.id not in removed}
        self.removed = sorted(removed & {spec.id for spec in self.registry})
        self.results = EffectResults(result_cache(self.data_dir), self._measured_on_thread)
        self.worker: ProcessingWorker | None = None
        self.none_thumbnail: str | None = None
        self.last_output: WorkerOutput | None = None
        self.last_event: WorkerEvent | None = None
        self.exit_code = 0
        self.sheets = EffectSheets(self.session, self.specs, self.results, self.store, lambda: self.messages,
                                   self.policy_options, toast=lambda text: self.toast(text))
        self.qa = QaDriver(config, self.session, lambda: self.manager.current == "camera",
                           self.toggle_recording, self.stop)
        self.label_area: tuple[int, int, int, int] | None = None  # where the camera screen wants the label
        self.display_probe = DisplayProbe(config.display_stats) if config.display_stats is not None else None
        self._shut_down = False
        self._thumbnail_thread: threading.Thread | None = None

    # -- Kivy lifecycle -------------------------------------------------------------------

    def build(self) -> ScreenManager:
        from camera_app.ui.screens.camera import CameraScreen
        from camera_app.ui.screens.gate import GateScreen
        from camera_app.ui.screens.profiles import ProfilesScreen
        from camera_app.ui.screens.settings import SettingsScreen

        theme.register_fonts()
        ExceptionManager.add_handler(KeepRunning(self.session))
        Window.clearcolor = theme.BG
        Window.bind(on_key_down=self._on_key_down)
        self._load_effects()
        self.manager = ScreenManager(transition=FadeTransition(duration=0.12))
        self.screens = {
            "gate": GateScreen(self),
            "profiles": ProfilesScreen(self),
            "camera": CameraScreen(self),
            "settings": SettingsScreen(self),
        }
        for screen in self.screens.values():
            self.manager.add_widget(screen)
        self.session.subscribe(self._on_topic)
        if self.cfg.hud:
            self.session.toggle_hud()
        Clock.schedule_once(lambda dt: self._first_screen(), 0)
        self.qa.start()
        self.screens["camera"].preview.software_gl = finish_each_redraw_in_software()
        if self.display_probe is not None:  # after the pacing: a redraw's time then includes rendering it
            self.display_probe.start(self.screens["camera"].preview)
        return self.manager

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Stop every thread that holds MediaPipe or the model before the interpreter exits
        (a landmarker still running at exit aborts the process). Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.display_probe is not None:  # first: its CPU times end with the frames it counted
            self.display_probe.write({
                "source": self.session.settings.source, "resolution": self.session.settings.resolution,
                "effect": self.session.active_effect_id,
                "applied": list(self.last_output.applied) if self.last_output is not None else []})
        if self.worker is not None:
            self.worker.stop()
        self.results.close(wait=True)
        if self._thumbnail_thread is not None:
            self._thumbnail_thread.join(30.0)
        self.store.close()

    def _first_screen(self) -> None:
        if self.removed:
            self.toast(self.messages("app.effects_removed", effects=", ".join(self.removed)), BannerKind.WARNING)
        if self.cfg.profile is not None:
            self.use_profile(self.store.get(self.cfg.profile))
            if self.cfg.effect is not None and self.cfg.effect in self.specs:
                self.pick_effect(self.cfg.effect, explain=False)
        elif self.has_profiles():
            self.show_profiles()
        else:
            self.show_gate()

    # -- effects, thumbnails, measurements ----------------------------------------------

    def _load_effects(self) -> None:
        specs = list(self.specs.values())
        missing = self.results.load_cached(specs)
        self.session.set_effects([self._entry(spec) for spec in specs])
        if missing:
            self.results.request(missing)
        self._thumbnail_thread = thumbnails.start(self, specs)

    def _entry(self, spec: EffectSpec, thumbnail: str | None = None) -> EffectEntry:
        return EffectEntry(spec.id, dict(spec.name), self.results.category(spec), spec.declared_category, thumbnail)

    def _measured_on_thread(self, effect_id: str, result: ClassificationResult | None, error: str | None) -> None:
        Clock.schedule_once(lambda dt: self._measured(effect_id, result, error), 0)

    def _measured(self, effect_id: str, result: ClassificationResult | None, error: str | None) -> None:
        entry = next(e for e in self.session.effects if e.effect_id == effect_id)
        if result is not None:
            self.session.update_effect(replace(entry, category=result.category))
        if self.worker is not None:
            self.worker.results_changed()
        if error is not None and effect_id == self.session.active_effect_id:
            self.toast(error, BannerKind.ERROR)

    # -- navigation -----------------------------------------------------------------------

    def has_profiles(self) -> bool:
        return bool(self.store.list_profiles())

    def show_gate(self) -> None:
        self.manager.current = "gate"

    def show_profiles(self) -> None:
        self.manager.current = "profiles"

    def show_settings(self) -> None:
        self.manager.current = "settings"

    def show_camera(self) -> None:
        if self.session.profile is None:
            self.show_profiles()
            return
        self.manager.current = "camera"

    def use_profile(self, profile: Profile) -> None:
        self.session.set_profile(profile)
        self._ensure_worker()
        assert self.worker is not None
        self.worker.set_profile(profile)
        self.manager.current = "camera"

    # -- the worker -----------------------------------------------------------------------

    def policy_options(self) -> PolicyOptions:
        """The installation's policy, tightened by ``--challenge-age`` and the chosen mode."""
        return effective_options(self.policy_settings, challenge_age_years=self.cfg.challenge_age,
                                 mode=self.session.settings.policy_mode)

    def _worker_options(self) -> WorkerOptions:
        return options_for_app(self.session.settings, self.cfg, self.policy_options(),
                               self.policy_settings.as_provenance(), self.data_dir)

    def _ensure_worker(self) -> None:
        if self.worker is not None and self.worker.running:
            return
        self.set_banner(Banner(self.messages("camera.starting"), BannerKind.INFO, sticky=True))
        self.worker = ProcessingWorker(
            self._worker_options(), list(self.specs.values()), self.results,
            post=lambda fn: Clock.schedule_once(lambda dt: fn(), 0),
            on_output=self._on_output, on_event=self._on_event, profile=self.session.profile,
        ).start()
        if self.session.active_effect_id is not None:
            self.worker.set_effect(self.session.active_effect_id)
        self.worker.set_label_area(self.label_area)

    def _restart_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.session.profile is not None:
            self._ensure_worker()

    def _on_output(self, output: WorkerOutput) -> None:
        self.last_output = output
        if self.display_probe is None:
            self._show(output)
        else:
            self.display_probe.frame(lambda: self._show(output), self.worker.frames_processed if self.worker else 0)

    def _show(self, output: WorkerOutput) -> float:
        upload_ms = self.screens["camera"].show_output(output.pixels, output.label_rect)
        self.session.apply_update(output.update)
        return upload_ms

    def _on_event(self, event: WorkerEvent) -> None:
        self.last_event = event
        m = self.messages
        if event.kind is EventKind.STARTED:
            self.session.clear_banner()
        elif event.kind is EventKind.SOURCE_LOST:
            self.set_banner(Banner(m("camera.camera_lost"), BannerKind.WARNING, sticky=True))
        elif event.kind is EventKind.SOURCE_FAILED:
            self.set_banner(Banner(m("camera.source_failed", source=self.session.settings.source, error=event.text),
                                   BannerKind.ERROR, sticky=True))
        elif event.kind is EventKind.ERROR:
            self.set_banner(Banner(event.text, BannerKind.ERROR, sticky=True))
        elif event.kind is EventKind.SNAPSHOT_SAVED and event.path is not None:
            self.toast(m("camera.snapshot_saved", name=event.path.name))
        elif event.kind is EventKind.RECORDING_STARTED:
            self.session.set_recording(time.monotonic())
        elif event.kind is EventKind.RECORDING_SAVED and event.path is not None:
            self.session.set_recording(None)
            self.toast(m("camera.recording_saved", name=event.path.name))
        elif event.kind is EventKind.EXPORT_FAILED:
            self.session.set_recording(None)
            self.toast(m("camera.export_failed", error=event.text), BannerKind.ERROR)

    # -- actions --------------------------------------------------------------------------

    def set_banner(self, banner: Banner | None) -> None:
        self.session.set_banner(banner)

    def toast(self, text: str, kind: BannerKind = BannerKind.INFO) -> None:
        banner = Banner(text, kind)
        self.session.set_banner(banner)
        Clock.schedule_once(lambda dt: self.session.clear_banner(only_if=banner), TOAST_S)

    def pick_effect(self, effect_id: str | None, explain: bool = True) -> None:
        self.session.select_effect(effect_id)
        if effect_id is not None:
            self.results.request([self.specs[effect_id]], first=True)
        if self.worker is not None:
            self.worker.set_effect(effect_id)
        if explain and effect_id is not None and self.session.is_locked(effect_id):
            self.show_lock(effect_id)

    def step_effect(self, step: int) -> None:
        self.pick_effect(self.session.step_effect(step), explain=False)
        if self.session.active_effect_id is not None:
            self.pick_effect(self.session.active_effect_id, explain=False)

    def lock_reason(self, effect_id: str) -> str:
        return self.sheets.lock_reason(effect_id)

    def show_lock(self, effect_id: str) -> None:
        self.sheets.show_lock(effect_id)

    def show_info(self, effect_id: str | None = None) -> None:
        effect_id = effect_id or self.session.active_effect_id
        if effect_id is not None:
            self.sheets.show_info(effect_id)

    def show_search(self) -> None:
        self.sheets.show_search(self.screens["camera"].set_search)

    @property
    def sheet(self) -> Any:
        """The sheet open over the camera, if any."""
        return self.sheets.current

    def _close_sheet(self) -> None:
        self.sheets.close()

    def toggle_hud(self) -> None:
        self.session.toggle_hud()

    def snapshot(self) -> None:
        if self.worker is not None and self.manager.current == "camera":
            self.worker.snapshot()

    def toggle_recording(self) -> None:
        if self.worker is not None and self.manager.current == "camera":
            self.worker.toggle_recording()

    def set_recording(self, on: bool) -> None:
        """Start (or stop) a video unless one is already running (or not): the held shutter."""
        if self.worker is not None and self.manager.current == "camera":
            self.worker.set_recording(on)

    def set_label_area(self, area: tuple[int, int, int, int] | None) -> None:
        self.label_area = area
        if self.worker is not None:
            self.worker.set_label_area(area)

    def apply_settings(self, settings: Settings) -> None:
        language_changed = settings.language != self.session.settings.language
        self.session.set_settings(settings)
        if language_changed:
            self.messages = load_messages(settings.language)
            for screen in self.screens.values():
                screen.refresh_texts()
        self._restart_worker()
        self.show_camera()

    # -- observing the session ------------------------------------------------------------

    def _on_topic(self, topic: str) -> None:
        self.screens["camera"].on_topic(topic)
        if topic in ("decisions", "active", "effects"):
            self._sync_blocked_banner()
        if topic == "frame":
            self.qa.on_frame(tuple(self.last_output.applied) if self.last_output is not None else ())

    def _sync_blocked_banner(self) -> None:
        """While the chosen effect is blocked, or still being measured, say so (the preview
        shows the camera without it meanwhile)."""
        effect_id = self.session.active_effect_id
        current = self.session.banner
        blocked_kind = current is not None and current.kind is BannerKind.WARNING and current.sticky
        spec = self.specs.get(effect_id) if effect_id is not None else None
        if spec is not None and self.results.get(spec) is None and self.results.error(spec) is None:
            if current is None or blocked_kind:
                self.set_banner(Banner(self.messages("info.measuring"), BannerKind.WARNING, sticky=True))
        elif effect_id is not None and self.session.is_locked(effect_id):
            if current is None or blocked_kind:
                self.set_banner(Banner(self.lock_reason(effect_id), BannerKind.WARNING, sticky=True))
        elif blocked_kind and self.worker is not None and self.session.frames_shown > 0:
            self.session.clear_banner()

    # -- keyboard -------------------------------------------------------------------------

    def _on_key_down(self, window: Any, key: int, scancode: int, codepoint: str | None, modifiers: list[str]) -> bool:
        screen = self.manager.current
        if key == 27:  # Esc: close a sheet, else go back; never quit the app
            if self.sheets.is_open:
                self.sheets.close()
                return True
            self.manager.current_screen.go_back()
            return True
        if screen != "camera" or self.sheets.is_open:
            return False
        action = camera_action(key, codepoint)
        handlers = {"snapshot": self.snapshot, "record": self.toggle_recording, "hud": self.toggle_hud,
                    "previous": lambda: self.step_effect(-1), "next": lambda: self.step_effect(+1)}
        if action is None:
            return False
        handlers[action]()
        return True

    def save_screenshot(self, target: Path, then_stop: bool = True) -> Path:
        return self.qa.save_screenshot(target, then_stop)
