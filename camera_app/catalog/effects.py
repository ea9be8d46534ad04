"""Where the app finds effects: the built-in library plus folders the user names.

``SAFELENS_EFFECTS_PATH`` (folders separated by ``os.pathsep``) adds user folders to
the ones given on the command line (``--effects-dir``). Each folder is one effect
(it holds ``effect.toml``), or holds effect folders and ``.zip`` archives.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import effects.ops  # noqa: F401  (fills the op registry the specs name)
from camera_app.models import ASSETS_DIR
from effects.registry import EffectRegistry

BUILTIN_EFFECTS_DIR = ASSETS_DIR / "effects"
USER_EFFECTS_ENV = "SAFELENS_EFFECTS_PATH"


def user_effect_dirs(extra: Sequence[str | os.PathLike[str]] = ()) -> list[Path]:
    """The folders from ``SAFELENS_EFFECTS_PATH`` followed by ``extra``."""
    from_env = [Path(p) for p in os.environ.get(USER_EFFECTS_ENV, "").split(os.pathsep) if p.strip()]
    return from_env + [Path(p) for p in extra]


def load_registry(extra_dirs: Sequence[str | os.PathLike[str]] = (), *, strict: bool = True) -> EffectRegistry:
    """The built-in effects plus the user's; raises EffectSpecError for a bad effect when ``strict``."""
    return EffectRegistry(BUILTIN_EFFECTS_DIR, user_effect_dirs(extra_dirs), strict=strict)
