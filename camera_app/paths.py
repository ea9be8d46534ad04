"""Where this app's files live: the user data folder (profiles, caches, the signing identity)
and the bundled label font.

``disclosure/`` knows no repository or user paths; the app passes these in.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from camera_app.models import ASSETS_DIR

ENV_DATA_DIR = "SAFELENS_DATA_DIR"

LABEL_FONT = ASSETS_DIR / "fonts" / "Roboto-Regular.ttf"
IDENTITY_FOLDER = "provenance"
CLASSIFICATIONS_FOLDER = "classifications"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The user data folder: ``explicit`` (``--data-dir``), else ``$SAFELENS_DATA_DIR``, else the
    platform's user data folder."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DATA_DIR, "")
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("safelens"))


def identity_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The local C2PA signing identity's folder inside the user data folder
    (``--data-dir``, else ``$SAFELENS_DATA_DIR``, else the platform's user data folder)."""
    return resolve_data_dir(data_dir) / IDENTITY_FOLDER


def classification_cache_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where classifier results for labels are cached, inside the user data folder."""
    return resolve_data_dir(data_dir) / CLASSIFICATIONS_FOLDER
