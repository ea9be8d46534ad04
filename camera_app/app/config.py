"""What ``safelens app`` asks of the app (no Kivy here: it is built before Kivy loads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from camera_app.app.session import Settings


@dataclass(frozen=True, slots=True)
class AppConfig:
    """What ``safelens app`` was asked for."""

    settings: Settings = field(default_factory=Settings)
    profile: str | None = None
    effect: str | None = None
    data_dir: Path | None = None
    effects_dirs: tuple[str, ...] = ()
    export_dir: Path | None = None
    screenshot: Path | None = None
    quit_after_frames: int | None = None
    window_size: tuple[int, int] = (1280, 800)
    hud: bool = False
    record: bool = False  # start a recording once the chosen effect is applied
    seed: int = 0
    challenge_age: float | None = None  # --challenge-age: may only raise the installation's
    display_stats: Path | None = None  # --display-stats: write the display path's timings here at exit
