"""``safelens inspect``: provenance printed back, signature validity and trust, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.cli import main
from camera_app.paths import identity_dir
from disclosure.catalogue import load_catalogue
from disclosure.labels import build_label
from disclosure.provenance import ProvenanceOptions, ProvenanceSigner
from effects.classification import Category, Change, ClassificationResult, Reason

GLAM = ClassificationResult(
    "glam", "1.0.0", Category.APPEARANCE_ALTERING, 0.9,
    (Reason(Change.SMOOTHS_SKIN, 0.6, 0.5, 0.7, "share", 38, True), Reason(Change.ENLARGES_EYES, 9.0, 7.0, 11.0, "%", 38, True)),
)


def _png() -> bytes:
    y, x = np.mgrid[0:90, 0:120]
    ok, buf = cv2.imencode(".png", np.dstack([x * 2, y * 2, 100 + 0 * x]).astype(np.uint8))
    assert ok
    return buf.tobytes()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def signed(tmp_path: Path, data_dir: Path) -> Path:
    target = tmp_path / "glam.png"
    with ProvenanceSigner(ProvenanceOptions(identity_dir=identity_dir(data_dir))) as signer:
        signer.sign(io.BytesIO(_png()), target, [GLAM], build_label(GLAM, load_catalogue("en")), True)
    return target


def test_text_report_says_what_altered_it_and_that_it_is_intact(
    signed: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(signed), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "signature: valid: the manifest and the file are intact" in out
    assert "signer:    trusted (chains to a trusted local root)" in out
    assert "c2pa.filtered: appearance_altering effect glam 1.0.0: smooths_skin, enlarges_eyes" in out
    assert "altered appearance: yes, by glam" in out
    assert 'label:     "Appearance effect: smooths skin, enlarges eyes" (en, burned into the pixels)' in out
    assert "sidecar:   matches the file" in out


def test_json_report(signed: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(signed), "--json", "--data-dir", str(data_dir)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["validation_state"] == "Trusted" and doc["signature_valid"] and doc["trusted"]
    assert [a["action"] for a in doc["actions"]] == ["c2pa.created", "c2pa.filtered"]
    assert doc["effects"][0]["id"] == "glam" and doc["effects"][0]["category"] == "appearance_altering"
    assert doc["sidecar"]["matches_file"] is True
    assert doc["trust_anchors"] == [str(identity_dir(data_dir) / "root-ca.pem")]


def test_other_installation_is_valid_but_not_trusted(
    signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(signed), "--data-dir", str(tmp_path / "elsewhere")]) == 0
    out = capsys.readouterr().out
    assert "signature: valid" in out and "signer:    NOT trusted here" in out
    assert "trusted roots: none (no local identity yet)" in out
    assert not (tmp_path / "elsewhere").exists()  # inspecting never makes an identity


def test_trust_option_adds_a_root(signed: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = identity_dir(data_dir) / "root-ca.pem"
    assert main(["inspect", str(signed), "--json", "--data-dir", str(tmp_path / "x"), "--trust", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["trusted"] is True


def test_changed_file_is_invalid_exit_1(signed: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(signed.read_bytes())
    data[data.index(b"IDAT") + 30] ^= 0xFF
    signed.write_bytes(bytes(data))
    assert main(["inspect", str(signed), "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert "signature: INVALID: the file was changed after it was signed" in out
    assert "assertion.dataHash.mismatch" in out
    assert "sidecar:   does NOT match the file" in out


def test_unsigned_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plain.png"
    path.write_bytes(_png())
    assert main(["inspect", str(path), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"safelens inspect: error: {path}: no C2PA manifest (not signed, or the manifest was stripped)" in err


def test_missing_file_and_bad_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nope.png")]) == 2
    assert "nope.png: no such file" in capsys.readouterr().err
    assert main(["inspect", str(tmp_path / "clip.mov")]) == 2
    assert "clip.mov: expected a .jpeg, .jpg, .mp4 or .png file, found '.mov'" in capsys.readouterr().err


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    assert "Example:\n  safelens inspect out/glam.mp4 --json" in capsys.readouterr().out


# -- issue 14, attack 6: the sidecar edited, or the manifest stripped -------------------------------


def test_clean_sidecar_agrees_with_the_manifest(signed: Path, data_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(signed), "--json", "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["sidecar"]["differences"] == []


def test_an_edited_sidecar_is_reported_difference_by_difference(signed: Path, data_dir: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = signed.with_name(signed.name + ".provenance.json")
    document = json.loads(path.read_text())
    document["safelens"]["effects"][0]["category"] = "playful"
    document["safelens"]["effects"][0]["reasons"] = []
    path.write_text(json.dumps(document))
    assert main(["inspect", str(signed), "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert "sidecar:   matches the file" in out  # the hash alone would have passed it
    assert "sidecar:   DIFFERS from the signed manifest in 2 places (the manifest is the authority):" in out
    assert "  safelens.effects[0].category: sidecar 'playful', manifest 'appearance_altering'" in out
    assert "  safelens.effects[0].reasons: sidecar has 0 items, manifest 2" in out
    assert "altered appearance: yes, by glam" in out  # what is printed comes from the manifest


def test_a_stripped_manifest_with_its_sidecar_left_is_manifest_removed(signed: Path, data_dir: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    pixels = cv2.imread(str(signed))  # re-encoding keeps the picture and drops the manifest
    stripped = tmp_path / "glam.png"
    assert cv2.imwrite(str(stripped), pixels)
    assert main(["inspect", str(stripped), "--data-dir", str(data_dir)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"manifest removed: {stripped} has no C2PA manifest, but its SafeLens sidecar")
    assert captured.err == ""
