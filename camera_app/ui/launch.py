"""Start the app: Kivy's window settings must be in its Config before the window module is
first imported, so this module sets them and only then imports the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from camera_app.app.config import AppConfig


def configure_window(width: int, height: int) -> None:
    from kivy.config import Config

    from camera_app.ui.kivy_env import likely_software_gl

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "minimum_width", "320")  # phone-shaped windows get the phone layout
    Config.set("graphics", "minimum_height", "400")
    Config.set("kivy", "exit_on_escape", "0")  # Esc goes back; it never quits the app
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red dots on right click
    if likely_software_gl():
        # Kivy's default 2x multisampling doubles what llvmpipe renders: without it the renderer's
        # CPU per frame shown fell from 31.9 to 15.2 ms at 720p (glam, 1280x800 window, load ~5)
        # and the app went from 17.5 to 31.2 fps. Only the edges of rounded shapes lose their
        # smoothing; with a GPU multisampling is nearly free and is kept.
        Config.set("graphics", "multisamples", "0")


def launch(config: AppConfig) -> int:
    """Run the app until its window closes (or the QA screenshot is taken); the exit code."""
    configure_window(*config.window_size)
    from camera_app.ui.app import SafeLensApp

    app = SafeLensApp(config)
    try:
        app.run()
    finally:
        app.shutdown()
    return app.exit_code
