"""Vendored model files: resolved by name, checked against their SHA-256 before use.

``SAFELENS_MODEL_<NAME>`` (e.g. ``SAFELENS_MODEL_AGE``) in the environment points a
model at another file; such a file is still hashed and must match the expected
hash unless ``SAFELENS_MODEL_<NAME>_SHA256`` gives the hash it should have.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
MODELS_DIR = ASSETS_DIR / "models"


class ModelError(RuntimeError):
    """A model file is missing, unreadable or not the file it should be."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    filename: str


MODELS: dict[str, ModelSpec] = {
    "face_landmarker": ModelSpec("face_landmarker", "face_landmarker.task"),
    "age": ModelSpec("age", "age-v1.onnx"),
    "selfie_segmentation": ModelSpec("selfie_segmentation", "selfie_segmentation.tflite"),
}


def _expected_hashes() -> dict[str, str]:
    sums = MODELS_DIR / "SHA256SUMS"
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ModelError(f"{sums}: cannot read the model checksums ({exc.strerror})") from exc
    hashes: dict[str, str] = {}
    for line in lines:
        if line.strip():
            digest, filename = line.split(maxsplit=1)
            hashes[filename.strip().lstrip("*")] = digest.lower()
    return hashes


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(name: str) -> Path:
    """The verified path of model ``name``; raises ModelError naming the file and expected hash."""
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; expected one of {', '.join(sorted(MODELS))}")
    spec = MODELS[name]
    env_key = f"SAFELENS_MODEL_{name.upper()}"
    override = os.environ.get(env_key)
    path = Path(override) if override else MODELS_DIR / spec.filename
    expected = os.environ.get(f"{env_key}_SHA256", "").lower() or _expected_hashes().get(spec.filename)
    if expected is None:
        raise ModelError(f"{MODELS_DIR / 'SHA256SUMS'}: no checksum listed for {spec.filename}")
    if not path.is_file():
        raise ModelError(f"model {name!r}: file {path} is missing (expected SHA-256 {expected})")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelError(
            f"model {name!r}: file {path} has SHA-256 {actual}, expected {expected}; "
            "the file is damaged or not the vendored model"
        )
    return path
