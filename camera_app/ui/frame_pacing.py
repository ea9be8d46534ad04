"""Drop frames rather than queue them in a software renderer.

With software OpenGL (Mesa's llvmpipe or softpipe, as on a machine without a GPU and in the
offscreen runs) the buffer swap returns at once and the window is rendered afterwards on the
renderer's own threads. When a redraw takes longer than a frame (a loaded machine), redraws
pile up in the renderer: the UI keeps handing it frames it will draw late, and the next copy
into a texture a queued redraw still reads waits for all of them (hundreds of ms). Finishing
each redraw right after its swap keeps at most one in the renderer: the UI thread waits there,
and the worker's one-slot mailbox meanwhile keeps only the newest frame, so late frames are
skipped instead of shown late. A hardware driver bounds its own queue: nothing changes there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

from kivy.core.window import Window
from kivy.graphics.opengl import GL_RENDERER, glFinish, glGetString

SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software")


def is_software(renderer: str) -> bool:
    return any(name in renderer.lower() for name in SOFTWARE_RENDERERS)


def finish_each_redraw_in_software() -> bool:
    """Make every buffer swap wait for its redraw when the renderer is software; whether it does."""
    raw = glGetString(GL_RENDERER)
    renderer = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw or "")
    if not is_software(renderer):
        return False
    flip = Window.flip
    finish = _finish_without_the_gil()

    def flip_and_finish() -> None:
        flip()
        finish()

    Window.flip = flip_and_finish
    return True


def _finish_without_the_gil() -> Callable[[], None]:
    """``glFinish`` called through ctypes, which lets other Python threads (the worker, the
    tracker) run while the UI thread waits for the renderer; Kivy's own holds the GIL. Kivy's
    where the GL library cannot be found by name."""
    for name in ("GL", "GLESv2"):
        path = ctypes.util.find_library(name)
        if path is None:
            continue
        try:
            function = ctypes.CDLL(path).glFinish
        except (OSError, AttributeError):
            continue
        function.restype, function.argtypes = None, []
        return function
    return glFinish
