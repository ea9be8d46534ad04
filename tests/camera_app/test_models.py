"""The model loader: the vendored models verify; a changed or missing file is refused by name and hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from camera_app.models import MODELS_DIR, ModelError, model_path, sha256_of


def _expected(filename: str) -> str:
    for line in (MODELS_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        if name.strip().lstrip("*") == filename:
            return digest
    raise AssertionError(filename)


@pytest.mark.parametrize(("name", "filename"), [("face_landmarker", "face_landmarker.task"), ("age", "age-v1.onnx"),
                                                  ("selfie_segmentation", "selfie_segmentation.tflite")])
def test_vendored_models_verify(name: str, filename: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(f"SAFELENS_MODEL_{name.upper()}", raising=False)
    monkeypatch.delenv(f"SAFELENS_MODEL_{name.upper()}_SHA256", raising=False)
    assert model_path(name) == MODELS_DIR / filename


def test_a_model_with_one_byte_changed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "face_landmarker.task"
    shutil.copyfile(MODELS_DIR / "face_landmarker.task", copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    monkeypatch.setenv("SAFELENS_MODEL_FACE_LANDMARKER", str(copy))
    monkeypatch.delenv("SAFELENS_MODEL_FACE_LANDMARKER_SHA256", raising=False)
    expected = _expected("face_landmarker.task")
    with pytest.raises(ModelError) as info:
        model_path("face_landmarker")
    assert str(info.value) == (
        f"model 'face_landmarker': file {copy} has SHA-256 {sha256_of(copy)}, expected {expected}; "
        "the file is damaged or not the vendored model"
    )


def test_an_unchanged_copy_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "age.onnx"
    shutil.copyfile(MODELS_DIR / "age-v1.onnx", copy)
    monkeypatch.setenv("SAFELENS_MODEL_AGE", str(copy))
    assert model_path("age") == copy


def test_a_missing_model_names_the_file_and_the_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFELENS_MODEL_AGE", str(tmp_path / "nowhere.onnx"))
    with pytest.raises(ModelError) as info:
        model_path("age")
    assert str(info.value) == (
        f"model 'age': file {tmp_path / 'nowhere.onnx'} is missing (expected SHA-256 {_expected('age-v1.onnx')})"
    )


def test_an_unknown_model_name() -> None:
    with pytest.raises(ModelError, match="unknown model 'faces'; expected one of age, face_landmarker"):
        model_path("faces")
