"""The look: a dark camera UI, Roboto from assets/fonts, rounded chips, one accent colour.

Colours are RGBA tuples in [0, 1]; sizes go through ``dp``/``sp`` so the app scales with
the screen's density.
"""

from __future__ import annotations

from kivy.core.text import LabelBase
from kivy.metrics import dp, sp

from camera_app.models import ASSETS_DIR

FONT = "SafeLensRoboto"
FONT_BOLD = "SafeLensRobotoBold"

BG = (0.043, 0.043, 0.051, 1.0)
SURFACE = (0.102, 0.102, 0.118, 1.0)
SURFACE_2 = (0.153, 0.153, 0.176, 1.0)
SURFACE_3 = (0.216, 0.216, 0.247, 1.0)
SCRIM = (0.0, 0.0, 0.0, 0.45)
TEXT = (0.973, 0.973, 0.980, 1.0)
TEXT_DIM = (0.651, 0.655, 0.702, 1.0)
ACCENT = (1.0, 0.784, 0.239, 1.0)  # camera yellow
ACCENT_TEXT = (0.09, 0.07, 0.0, 1.0)
PLAYFUL = (0.208, 0.761, 0.690, 1.0)  # teal
APPEARANCE = (1.0, 0.478, 0.349, 1.0)  # coral
RECORD = (1.0, 0.231, 0.188, 1.0)
GOOD = (0.298, 0.851, 0.392, 1.0)
WARN = (1.0, 0.741, 0.180, 1.0)
BAD = (1.0, 0.271, 0.227, 1.0)

RADIUS = dp(14)
CHIP_RADIUS = dp(18)
PAD = dp(16)
GAP = dp(10)

TITLE_SIZE = sp(26)
BODY_SIZE = sp(15)
SMALL_SIZE = sp(12.5)

_registered = False


def register_fonts() -> None:
    """Register the bundled Roboto (regular and bold) under the app's font names."""
    global _registered
    if _registered:
        return
    regular = str(ASSETS_DIR / "fonts" / "Roboto-Regular.ttf")
    bold = str(ASSETS_DIR / "fonts" / "Roboto-Bold.ttf")
    LabelBase.register(FONT, fn_regular=regular, fn_bold=bold)
    LabelBase.register(FONT_BOLD, fn_regular=bold)
    _registered = True


def with_alpha(rgba: tuple[float, float, float, float], alpha: float) -> tuple[float, float, float, float]:
    return (rgba[0], rgba[1], rgba[2], alpha)
