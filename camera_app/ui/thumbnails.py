"""The carousel's thumbnails: rendered once per effect on a thread of their own, handed to the
UI thread as each one is ready (the app works without them)."""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.clock import Clock

from effects.spec import EffectSpec


def start(app: Any, specs: list[EffectSpec]) -> threading.Thread:
    """Start rendering the thumbnails of "no effect" and ``specs`` for ``app`` (a SafeLensApp)."""
    thread = threading.Thread(target=_render, args=(app, specs), name="safelens-thumbnails", daemon=True)
    thread.start()
    return thread


def _render(app: Any, specs: list[EffectSpec]) -> None:
    from camera_app.app.thumbnails import THUMBNAIL_FOLDER, ensure_thumbnails
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

    def ready(effect_id: str | None, path: Path) -> None:
        Clock.schedule_once(lambda dt: _ready(app, effect_id, path), 0)

    try:
        ensure_thumbnails([None, *specs], app.data_dir / THUMBNAIL_FOLDER,
                          lambda: FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)), ready)
    except Exception as exc:  # noqa: BLE001 - thumbnails are decoration; the app works without them
        print(f"safelens app: thumbnails unavailable: {exc}", file=sys.stderr)


def _ready(app: Any, effect_id: str | None, path: Path) -> None:
    """On the UI thread: show one finished thumbnail."""
    if effect_id is None:
        app.none_thumbnail = str(path)
        item = app.screens["camera"].carousel.items.get(None)
        if item is not None:
            item.thumbnail = str(path)
        return
    entry = next(e for e in app.session.effects if e.effect_id == effect_id)
    app.session.update_effect(replace(entry, thumbnail=str(path)))
