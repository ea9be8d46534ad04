"""Where the disclosure package's files live in this app: the bundled font and the signing identity.

``disclosure/`` knows no repository or user paths; the app passes these in.
"""

from __future__ import annotations

import os
from pathlib import Path

from camera_app.models import ASSETS_DIR

LABEL_FONT = ASSETS_DIR / "fonts" / "Roboto-Regular.ttf"
IDENTITY_FOLDER = "provenance"
CLASSIFICATIONS_FOLDER = "classifications"


def identity_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The local C2PA signing identity's folder inside the user data folder
    (``--data-dir``, else ``$SAFELENS_DATA_DIR``, else the platform's user data folder)."""
    from camera_app.profiles.store import resolve_data_dir

    return resolve_data_dir(data_dir) / IDENTITY_FOLDER


def classification_cache_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where classifier results for labels are cached, inside the user data folder."""
    from camera_app.profiles.store import resolve_data_dir

    return resolve_data_dir(data_dir) / CLASSIFICATIONS_FOLDER
