"""Set up Kivy's environment before the first ``import kivy`` (this module does not import it).

Kivy reads its command line, its home folder and the SDL video driver when it is first
imported, so ``safelens app`` calls :func:`prepare` first. Without a display (no
``DISPLAY`` / ``WAYLAND_DISPLAY``) SDL's ``offscreen`` driver renders through EGL into an
invisible window, which is what screenshots and tests use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from camera_app.paths import ensure_private_dir, runtime_dir

OFFSCREEN = "offscreen"


def has_display(environ: dict[str, str] | None = None) -> bool:
    """Whether a window can be shown: an X or Wayland display is named (macOS and Windows
    always have one)."""
    env = os.environ if environ is None else environ
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def forced_offscreen(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("SDL_VIDEODRIVER", "") == OFFSCREEN


def likely_software_gl(environ: dict[str, str] | None = None, dri: Path = Path("/dev/dri")) -> bool:
    """Whether OpenGL will be rendered on the CPU (Mesa's llvmpipe), known before the window
    exists: the offscreen driver (SDL renders it through EGL, software here and in the tests),
    ``LIBGL_ALWAYS_SOFTWARE`` set, or Linux without a GPU device (no ``/dev/dri``)."""
    env = os.environ if environ is None else environ
    if env.get("SDL_VIDEODRIVER", "") == OFFSCREEN or env.get("LIBGL_ALWAYS_SOFTWARE", "0") not in ("", "0", "false"):
        return True
    return sys.platform.startswith("linux") and not dri.exists()


def prepare(offscreen: bool, data_dir: str | os.PathLike[str] | None = None, density: float | None = None) -> None:
    """Kivy without its own argument parsing, a private settings folder (so a user's
    ``~/.kivy`` cannot change the app), quiet console logs, the offscreen driver when asked,
    and ``density`` window pixels per dp when given (a phone's screen scaled into a window).

    The Kivy home (its ``config.ini`` can name modules Kivy loads) is ``$KIVY_HOME`` when set, else
    ``safelens-kivy`` in the per-user runtime folder (``camera_app.paths.runtime_dir``); either
    way it must be private (``PrivateFolderError`` otherwise), so no other local user can plant
    a configuration in it."""
    home = os.environ.get("KIVY_HOME") or str(runtime_dir(data_dir) / "kivy")
    ensure_private_dir(Path(home))
    if "kivy" in sys.modules:
        return  # too late to change anything; the first caller decided
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ["KIVY_HOME"] = home
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = OFFSCREEN
    if density is not None:
        os.environ["KIVY_METRICS_DENSITY"] = f"{density:.4f}"
        os.environ["KIVY_METRICS_FONTSCALE"] = "1"
