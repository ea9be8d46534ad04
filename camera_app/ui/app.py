"""The SafeLens Kivy app: screens, keyboard, and the glue between the session, the worker
and the stores. Import only after :func:`camera_app.ui.kivy_env.prepare`.

Flow: with no profile, the app opens on the neutral age gate; otherwise on the profile
switcher (or straight on the camera with ``--profile``). The camera screen starts the
processing worker; its frames come back through the Kivy clock.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from camera_app.catalog.result_cache import result_cache
from camera_app.paths import identity_dir
from camera_app.catalog.effects import load_registry
from camera_app.policy.rules import PolicyOptions, decide
from camera_app.policy.settings import effective_options, load_settings
from camera_app.policy.gate import subject_of
from camera_app.profiles.model import Profile
from camera_app.profiles.store import ProfileStore
from camera_app.ui import theme
from camera_app.app.config import AppConfig
from camera_app.app.devices import load_devices
from camera_app.app.exports import EXPORTS_FOLDER
from camera_app.app.i18n import Messages, load_messages
from camera_app.app.results import EffectResults
from camera_app.app.session import Banner, BannerKind, EffectEntry, Session, Settings
from camera_app.app.stats import DEFAULT_BUDGET_MS
from camera_app.app.worker import EventKind, ProcessingWorker, WorkerEvent, WorkerOptions, WorkerOutput
from effects.classification import ClassificationResult
from effects.spec import EffectSpec

TOAST_S = 3.5
RECORD_WAIT_FRAMES = 1800  # --record: start anyway after this many frames without the effect


class _KeepRunning(ExceptionHandler):
    """An error in a UI callback is a bug: print it, show it, keep the app alive."""

    def __init__(self, app: SafeLensApp) -> None:
        super().__init__()
        self.app = app

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        import traceback

        traceback.print_exception(inst, file=sys.stderr)
        try:
            self.app.session.set_banner(Banner(f"{type(inst).__name__}: {inst}", BannerKind.ERROR, sticky=True))
        except Exception:  # noqa: BLE001 - showing the error must not raise another
            pass
        return ExceptionManager.PASS


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
        self.specs: dict[str, EffectSpec] = {spec.id: spec for spec in self.registry}
        self.results = EffectResults(result_cache(self.data_dir), self._measured_on_thread)
        self.worker: ProcessingWorker | None = None
        self.none_thumbnail: str | None = None
        self.last_output: WorkerOutput | None = None
        self.last_event: WorkerEvent | None = None
        self.exit_code = 0
        self.sheet: Any = None
        self._screenshot_taken = False
        self._record_started = False
        self._frames_at_start = 0
        self._shut_down = False
        self._thumbnail_thread: threading.Thread | None = None

    # -- Kivy lifecycle -------------------------------------------------------------------

    def build(self) -> ScreenManager:
        from camera_app.ui.screens.camera import CameraScreen
        from camera_app.ui.screens.gate import GateScreen
        from camera_app.ui.screens.profiles import ProfilesScreen
        from camera_app.ui.screens.settings import SettingsScreen

        theme.register_fonts()
        ExceptionManager.add_handler(_KeepRunning(self))
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
        if self.cfg.screenshot is not None:
            Clock.schedule_interval(self._check_screenshot, 0.1)
        return self.manager

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Stop every thread that holds MediaPipe or the model before the interpreter exits
        (a landmarker still running at exit aborts the process). Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.worker is not None:
            self.worker.stop()
        self.results.close(wait=True)
        if self._thumbnail_thread is not None:
            self._thumbnail_thread.join(30.0)
        self.store.close()

    def _first_screen(self) -> None:
        if self.cfg.profile is not None:
            self.use_profile(self.store.get(self.cfg.profile))
            if self.cfg.effect is not None:
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
        self._thumbnail_thread = threading.Thread(
            target=self._render_thumbnails, args=(specs,), name="safelens-thumbnails", daemon=True
        )
        self._thumbnail_thread.start()

    def _entry(self, spec: EffectSpec, thumbnail: str | None = None) -> EffectEntry:
        return EffectEntry(spec.id, dict(spec.name), self.results.category(spec), spec.declared_category, thumbnail)

    def _render_thumbnails(self, specs: list[EffectSpec]) -> None:
        from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions
        from camera_app.app.thumbnails import THUMBNAIL_FOLDER, ensure_thumbnails

        def ready(effect_id: str | None, path: Path) -> None:
            Clock.schedule_once(lambda dt: self._thumbnail_ready(effect_id, path), 0)

        try:
            ensure_thumbnails([None, *specs], self.data_dir / THUMBNAIL_FOLDER,
                              lambda: FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)), ready)
        except Exception as exc:  # noqa: BLE001 - thumbnails are decoration; the app works without them
            print(f"safelens app: thumbnails unavailable: {exc}", file=sys.stderr)

    def _thumbnail_ready(self, effect_id: str | None, path: Path) -> None:
        if effect_id is None:
            self.none_thumbnail = str(path)
            item = self.screens["camera"].carousel.items.get(None)
            if item is not None:
                item.thumbnail = str(path)
            return
        entry = next(e for e in self.session.effects if e.effect_id == effect_id)
        self.session.update_effect(replace(entry, thumbnail=str(path)))

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
        s = self.session.settings
        device = next((d for d in load_devices() if d.device_id == s.device), None)
        return WorkerOptions(
            source=s.source,
            resolution=device.resolution if device is not None else s.resolution,
            seed=self.cfg.seed,
            budget_ms=device.budget_ms if device is not None else DEFAULT_BUDGET_MS,
            policy=self.policy_options(),
            policy_record={**self.policy_settings.as_provenance(), "effective": {
                "mode": self.policy_options().mode.value,
                "challenge_age_years": float(self.policy_options().challenge_age_years)}},
            language=s.language,
            export_dir=self.cfg.export_dir or (self.data_dir / EXPORTS_FOLDER),
            identity_dir=identity_dir(self.data_dir),
            data_dir=self.data_dir,
        )

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

    def _restart_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.session.profile is not None:
            self._ensure_worker()

    def _on_output(self, output: WorkerOutput) -> None:
        self.last_output = output
        self.screens["camera"].show_output(output.pixels, output.label_rect)
        self.session.apply_update(output.update)

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
        """Why the policy blocks ``effect_id`` now, in the app's language."""
        decision = self.session.decision_for(effect_id)
        if decision is None:  # before the first frame: judge without a live signal
            profile = self.session.profile
            if profile is None:
                return ""
            spec = self.specs[effect_id]
            decision = decide(self.results.category(spec), subject_of(profile, self.store.today()), None,
                              self.policy_options())
        if self.messages.language == "en" or f"policy.{decision.code.value}" not in self.messages.texts:
            return decision.reason
        text = self.messages(f"policy.{decision.code.value}", challenge=f"{self.policy_options().challenge_age_years:g}")
        return (self.messages("policy.unmeasured") + " " + text) if not decision.measured else text

    def show_lock(self, effect_id: str) -> None:
        from camera_app.ui.widgets.overlays import lock_sheet

        self._close_sheet()
        self.sheet = lock_sheet(self.messages("lock.title"), self.lock_reason(effect_id), self.messages("lock.ok"))
        self.sheet.effect_id = effect_id
        self.sheet.open_in(Window.width)

    def show_info(self, effect_id: str | None = None) -> None:
        from camera_app.ui.widgets.overlays import info_sheet
        from disclosure.catalogue import load_catalogue
        from disclosure.labels import sheet_text

        effect_id = effect_id or self.session.active_effect_id
        if effect_id is None:
            return
        spec = self.specs[effect_id]
        entry = next(e for e in self.session.effects if e.effect_id == effect_id)
        name = entry.name(self.session.settings.language)
        result = self.results.get(spec)
        m = self.messages
        if result is None:
            self.results.request([spec])
            lines = [m("info.measuring")]
            badge, colour, title = m("badge.unknown"), theme.SURFACE_3, name
        else:
            lines = list(sheet_text(result, load_catalogue(self.session.settings.language), name))
            altering = result.category.value == "appearance_altering"
            badge = m(f"badge.{result.category.value}")
            colour = theme.APPEARANCE if altering else theme.PLAYFUL
            title = m("info.title") if altering else m("info.playful_title")
        self._close_sheet()
        self.sheet = info_sheet(title, badge, colour, lines, m("info.close"))
        self.sheet.effect_id = effect_id
        self.sheet.open_in(Window.width)

    def _close_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.dismiss(animation=False)
            self.sheet = None

    def toggle_hud(self) -> None:
        self.session.toggle_hud()

    def snapshot(self) -> None:
        if self.worker is not None and self.manager.current == "camera":
            self.worker.snapshot()

    def toggle_recording(self) -> None:
        if self.worker is not None and self.manager.current == "camera":
            self.worker.toggle_recording()

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
        if topic == "frame" and self.cfg.record and not self._record_started:
            effect_id = self.session.active_effect_id
            applied = self.last_output.applied if self.last_output is not None else ()
            waited_too_long = self.session.frames_shown >= RECORD_WAIT_FRAMES  # e.g. the effect cannot be measured
            if self.session.frames_shown >= 5 and (effect_id is None or effect_id in applied or waited_too_long):
                self._record_started = True
                self._frames_at_start = self.session.frames_shown
                self.toggle_recording()
        if topic == "frame" and self.cfg.quit_after_frames is not None and self.cfg.screenshot is None:
            if self.frames_counted() >= self.cfg.quit_after_frames:
                self.stop()

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
            if self.sheet is not None and self.sheet.parent is not None:
                self._close_sheet()
                return True
            self.manager.current_screen.go_back()
            return True
        if screen != "camera" or (self.sheet is not None and self.sheet.parent is not None):
            return False
        if key == 32:
            self.snapshot()
        elif codepoint in ("r", "R"):
            self.toggle_recording()
        elif codepoint in ("h", "H"):
            self.toggle_hud()
        elif key == 276:
            self.step_effect(-1)
        elif key == 275:
            self.step_effect(+1)
        else:
            return False
        return True

    # -- screenshots for QA ---------------------------------------------------------------

    def frames_counted(self) -> int:
        """Frames shown so far; with ``record``, frames shown since the recording started."""
        if self.cfg.record:
            return self.session.frames_shown - self._frames_at_start if self._record_started else 0
        return self.session.frames_shown

    def _check_screenshot(self, dt: float) -> bool:
        if self._screenshot_taken:
            return False
        wanted = self.cfg.quit_after_frames or 1
        on_camera = self.manager.current == "camera"
        waited = Clock.get_boottime()
        if (on_camera and self.frames_counted() >= wanted) or (not on_camera and waited > 3.0):
            self._screenshot_taken = True
            Clock.schedule_once(lambda dt: self.save_screenshot(self.cfg.screenshot), 0.05)  # type: ignore[arg-type]
            return False
        return True

    def save_screenshot(self, target: Path, then_stop: bool = True) -> Path:
        """The whole window (sheets included) as a PNG at ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        written = Window.screenshot(name=str(target))  # Kivy adds a counter before the suffix
        if written:
            os.replace(written, target)
        print(f"screenshot: {target}")
        if then_stop:
            self.stop()
        return target
