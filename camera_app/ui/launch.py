"""Start the app: Kivy's window settings must be in its Config before the window module is
first imported, so this module sets them and only then imports the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from camera_app.app.config import AppConfig


def configure_window(width: int, height: int) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "minimum_width", "320")  # phone-shaped windows get the phone layout
    Config.set("graphics", "minimum_height", "400")
    Config.set("kivy", "exit_on_escape", "0")  # Esc goes back; it never quits the app
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red dots on right click


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
