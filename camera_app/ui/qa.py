"""What ``safelens app`` does for QA without anyone at the keyboard: start a recording once the
effect shows (``--record``), quit after a number of frames, save a screenshot of the window."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window

from camera_app.app.config import AppConfig
from camera_app.app.session import Session

RECORD_WAIT_FRAMES = 1800  # --record: start anyway after this many frames without the effect


class QaDriver:
    def __init__(self, cfg: AppConfig, session: Session, on_camera: Callable[[], bool],
                 toggle_recording: Callable[[], None], stop: Callable[[], None]) -> None:
        self.cfg = cfg
        self._session = session
        self._on_camera = on_camera
        self._toggle_recording = toggle_recording
        self._stop = stop
        self._screenshot_taken = False
        self._record_started = False
        self._frames_at_start = 0

    def start(self) -> None:
        if self.cfg.screenshot is not None:
            Clock.schedule_interval(self._check_screenshot, 0.1)

    def frames_counted(self) -> int:
        """Frames shown so far; with ``record``, frames shown since the recording started."""
        if self.cfg.record:
            return self._session.frames_shown - self._frames_at_start if self._record_started else 0
        return self._session.frames_shown

    def on_frame(self, applied: tuple[str, ...]) -> None:
        """After each frame shown: start the recording, or quit, when it is time."""
        shown = self._session.frames_shown
        if self.cfg.record and not self._record_started:
            effect_id = self._session.active_effect_id
            waited_too_long = shown >= RECORD_WAIT_FRAMES  # e.g. the effect cannot be measured
            if shown >= 5 and (effect_id is None or effect_id in applied or waited_too_long):
                self._record_started = True
                self._frames_at_start = shown
                self._toggle_recording()
        if self.cfg.quit_after_frames is not None and self.cfg.screenshot is None:
            if self.frames_counted() >= self.cfg.quit_after_frames:
                self._stop()

    def _check_screenshot(self, dt: float) -> bool:
        if self._screenshot_taken:
            return False
        wanted = self.cfg.quit_after_frames or 1
        on_camera = self._on_camera()
        target = self.cfg.screenshot
        ready = (on_camera and self.frames_counted() >= wanted) or (not on_camera and Clock.get_boottime() > 3.0)
        if target is not None and ready:
            self._screenshot_taken = True
            Clock.schedule_once(lambda dt: self.save_screenshot(target), 0.05)
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
            self._stop()
        return target
