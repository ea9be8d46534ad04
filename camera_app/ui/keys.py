"""The camera screen's keyboard shortcuts (Esc is handled by the app: it closes or goes back)."""

from __future__ import annotations

SPACE, LEFT, RIGHT = 32, 276, 275


def camera_action(key: int, codepoint: str | None) -> str | None:
    """The action a key press asks for on the camera screen, or None for keys it ignores."""
    if key == SPACE:
        return "snapshot"
    if key == LEFT:
        return "previous"
    if key == RIGHT:
        return "next"
    return {"r": "record", "h": "hud"}.get((codepoint or "").lower())
