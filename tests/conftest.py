"""Test-wide setup: headless Kivy, no console noise, shared fixtures for the public-domain faces."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="safelens-kivy-"))
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
# Tests never touch the real user data folder (profiles, the signing identity, caches), nor the
# user's OS keystore: the device secret lives in a key file in the (temporary) data folder.
os.environ["SAFELENS_KEYSTORE"] = "file"
os.environ.setdefault("SAFELENS_DATA_DIR", tempfile.mkdtemp(prefix="safelens-data-"))

# Property and fuzz tests draw the same examples on every ordinary run, so a suite that passed
# passes again (CI never fails on a newly drawn case); SAFELENS_DEEP_TESTS=1 explores at random
# with many more examples (docs/reliability.md), and what it finds becomes a regression test.
settings.register_profile("safelens", derandomize=os.environ.get("SAFELENS_DEEP_TESTS", "") != "1")
settings.load_profile("safelens")

REPO = Path(__file__).resolve().parent.parent
FACES_DIR = REPO / "assets" / "faces"
ARTIFACTS = REPO / "artifacts"

# Faces of minors in the reference set (by caption or appearance, see assets/faces/LICENSE.md).
MINOR_FACES = frozenset(
    {
        "fsaowi_LC-USW3-015163_schoolboy_center.jpg",
        "fsaowi_LC-USW3-015163_schoolboy_left.jpg",
        "fsaowi_LC-USW3-015163_schoolboy_right.jpg",
        "fsaowi_LC-USF34-029514_4h_youth.jpg",
        "documerica_543863_child.jpg",
    }
)


def face_files() -> list[Path]:
    with (FACES_DIR / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return [FACES_DIR / row["file"] for row in csv.DictReader(fh)]


def load_rgb(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr is not None, path
    return np.ascontiguousarray(bgr[:, :, ::-1])


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep pictures for a person to look at (screenshots, sheets)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

