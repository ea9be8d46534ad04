"""The step runner both app scenarios use (``app_scenario.py``, ``phone_scenario.py``): steps run
one after another on the Kivy clock, each (name, action, condition to wait for); a step that
waits longer than ``timeout_s`` or raises ends the run with an error in the report."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Script:
    def __init__(self, app: Any, out: Path, shot_name: Callable[[str], str], timeout_s: float,
                 report: dict[str, Any] | None = None) -> None:
        self.app = app
        self.out = out
        self.shot_name = shot_name
        self.timeout_s = timeout_s
        self.report: dict[str, Any] = {"steps": [], "errors": [], "screenshots": {}, **(report or {})}
        self.steps: list[tuple[str, Callable[[], Any], Callable[[], bool]]] = []
        self.index = 0
        self.started = time.monotonic()
        self.waiting_since = time.monotonic()
        self.acted = False

    def add(self, name: str, action: Callable[[], Any], until: Callable[[], bool] = lambda: True) -> None:
        self.steps.append((name, action, until))

    def tick(self, dt: float) -> bool:
        if self.index >= len(self.steps):
            self.finish()
            return False
        name, action, until = self.steps[self.index]
        try:
            if not self.acted:
                action()
                self.acted = True
                self.waiting_since = time.monotonic()
                return True
            if until():
                self.report["steps"].append({"step": name, "s": round(time.monotonic() - self.started, 2)})
                self.index += 1
                self.acted = False
            elif time.monotonic() - self.waiting_since > self.timeout_s:
                self.report["errors"].append(f"step {name!r}: timed out")
                self.finish()
                return False
        except Exception as exc:  # noqa: BLE001 - recorded for the test to show
            self.report["errors"].append(f"step {name!r}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            self.finish()
            return False
        return True

    def shot(self, name: str) -> None:
        path = self.out / f"{self.shot_name(name)}.png"
        self.app.save_screenshot(path, then_stop=False)
        self.report["screenshots"][name] = str(path)

    def finish(self) -> None:
        (self.out / "report.json").write_text(json.dumps(self.report, indent=2, default=str))
        self.app.stop()
