"""disclosure.identity/provenance/verify/sidecar: local chain, signed manifests that read back,
validate and catch tampering, and atomic writes that leave nothing behind on failure."""

from __future__ import annotations

import errno
import io
import json
import stat
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from disclosure_factories import glam, puppy

import disclosure.atomic as atomic
from disclosure.catalogue import load_catalogue
from disclosure.identity import IdentityError, load_identity, load_or_create_identity
from disclosure.labels import build_label
from disclosure.provenance import EFFECT_ASSERTION, Origin, ProvenanceError, ProvenanceOptions, ProvenanceSigner
from disclosure.sidecar import file_sha256, read_sidecar, sidecar_path
from disclosure.verify import NoManifestError, ValidationState, read_provenance

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> ProvenanceSigner:
    folder = tmp_path_factory.mktemp("user-data") / "provenance"
    with ProvenanceSigner(ProvenanceOptions(identity_dir=folder)) as s:
        yield s


def _picture() -> np.ndarray:
    y, x = np.mgrid[0:120, 0:160]
    return np.dstack([x * 1.5, y * 2.0, 128 + 0 * x]).astype(np.uint8)


def _encoded(suffix: str) -> bytes:
    ok, buf = cv2.imencode(suffix, _picture())
    assert ok
    return buf.tobytes()


def _mp4(path: Path, frames: int = 8) -> bytes:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (160, 120))
    for i in range(frames):
        writer.write(np.roll(_picture(), 4 * i, axis=1))
    writer.release()
    data = path.read_bytes()
    path.unlink()
    return data


def _media(suffix: str, tmp_path: Path) -> bytes:
    return _mp4(tmp_path / "raw.mp4") if suffix == ".mp4" else _encoded(suffix)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


# --- the local identity ---------------------------------------------------------------------


def test_identity_is_a_root_and_an_es256_leaf(tmp_path: Path) -> None:
    identity = load_or_create_identity(tmp_path / "id")
    chain = x509.load_pem_x509_certificates(identity.chain_pem)
    assert len(chain) == 1  # the leaf; the root is not part of the chain
    leaf = chain[0]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert identity.root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    leaf.verify_directly_issued_by(identity.root)
    assert stat.S_IMODE((tmp_path / "id" / "signer-key.pem").stat().st_mode) == 0o600
    again = load_or_create_identity(tmp_path / "id")
    assert again.chain_pem == identity.chain_pem and again.root_pem == identity.root_pem


def test_incomplete_identity_names_the_missing_file(tmp_path: Path) -> None:
    load_or_create_identity(tmp_path / "id")
    (tmp_path / "id" / "signer-key.pem").unlink()
    with pytest.raises(IdentityError, match=r"id/signer-key.pem: missing; the identity folder .* is incomplete"):
        load_identity(tmp_path / "id")


def test_identity_files_must_belong_together(tmp_path: Path) -> None:
    load_or_create_identity(tmp_path / "a")
    load_or_create_identity(tmp_path / "b")
    (tmp_path / "a" / "root-ca.pem").write_bytes((tmp_path / "b" / "root-ca.pem").read_bytes())
    with pytest.raises(IdentityError, match=r"a/signer-chain.pem: the chain was not issued by .*a/root-ca.pem"):
        load_identity(tmp_path / "a")


# --- signing and reading back -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".mp4"])
def test_manifest_reads_back_and_validates(signer: ProvenanceSigner, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"export{suffix}"
    label = build_label(glam(), load_catalogue("en"))
    signed = signer.sign(io.BytesIO(_media(suffix, tmp_path)), target, [glam()], label, True, Origin.camera())
    assert signed.path == target and target.is_file()

    untrusted = read_provenance(target)
    assert untrusted.state is ValidationState.VALID and untrusted.signature_valid and not untrusted.trusted
    assert untrusted.failure_codes == ("signingCredential.untrusted",) and untrusted.integrity_failures == ()

    report = read_provenance(target, signer.identity.root_pem)
    assert report.state is ValidationState.TRUSTED and report.trusted and report.failure_codes == ()
    assert report.manifest_label == signed.manifest_label
    assert [a.action for a in report.actions] == ["c2pa.created", "c2pa.filtered"]
    filtered = report.actions[1].parameters
    assert filtered["effect_id"] == "glam" and filtered["category"] == "appearance_altering"
    assert filtered["altering_reasons"] == ["enlarges_eyes", "slims_face", "smooths_skin"]
    (effect,) = report.effects
    assert (effect["id"], effect["version"], effect["category"]) == ("glam", "1.2.0", "appearance_altering")
    assert effect["reasons"][0] == {
        "change": "enlarges_eyes", "median": 12.0, "low": 10.0, "high": 14.0, "unit": "%", "n_faces": 38, "altering": True,
    }
    assert report.label is not None and report.label["text"] == label.text and report.label["burned_in"] is True
    assert report.signer == "SafeLens export signer"

    sidecar = read_sidecar(sidecar_path(target))
    assert sidecar["sha256"] == file_sha256(target) == signed.sha256
    assert sidecar["c2pa_manifest"] == signed.manifest_label
    assert sidecar["safelens"]["effects"][0]["id"] == "glam"
    assert sidecar["signer"]["root_sha256"] == signer.identity.root_sha256
    assert _leftovers(tmp_path) == []


def _tamper(data: bytes, suffix: str) -> bytes:
    out = bytearray(data)
    if suffix == ".png":
        at = out.index(b"IDAT") + 40  # inside the compressed pixels
    elif suffix == ".jpg":
        at = len(out) - 200  # inside the entropy-coded scan, before the end marker
    else:
        at = out.index(b"mdat") + 200  # inside the video samples
    out[at] ^= 0x5A
    return bytes(out)


@pytest.mark.parametrize(
    ("suffix", "code"),
    [(".png", "assertion.dataHash.mismatch"), (".jpg", "assertion.dataHash.mismatch"), (".mp4", "assertion.bmffHash.mismatch")],
)
def test_changed_bytes_are_detected(signer: ProvenanceSigner, tmp_path: Path, suffix: str, code: str) -> None:
    target = tmp_path / f"export{suffix}"
    signer.sign(io.BytesIO(_media(suffix, tmp_path)), target, [glam()])
    target.write_bytes(_tamper(target.read_bytes(), suffix))
    report = read_provenance(target, signer.identity.root_pem)
    assert report.state is ValidationState.INVALID and not report.signature_valid and not report.trusted
    assert code in report.failure_codes
    assert read_sidecar(sidecar_path(target))["sha256"] != file_sha256(target)


def test_opened_file_is_the_parent_ingredient(signer: ProvenanceSigner, tmp_path: Path) -> None:
    parent = REPO / "assets" / "faces" / "usnavy_grace_hopper.jpg"
    target = tmp_path / "out.png"
    signer.sign(io.BytesIO(_encoded(".png")), target, [puppy()], origin=Origin.opened(parent, record_name=True))
    report = read_provenance(target, signer.identity.root_pem)
    assert report.trusted
    assert [a.action for a in report.actions] == ["c2pa.opened", "c2pa.filtered"]
    assert report.actions[0].description == "opened from usnavy_grace_hopper.jpg"
    assert report.actions[1].parameters["category"] == "playful"


def test_the_parent_file_name_is_not_recorded_unless_asked(signer: ProvenanceSigner, tmp_path: Path) -> None:
    """Issue 15: "IMG_0042 me without makeup.jpg" must not travel inside every export made from it."""
    parent = tmp_path / "IMG_0042 me without makeup.jpg"
    parent.write_bytes((REPO / "assets" / "faces" / "usnavy_grace_hopper.jpg").read_bytes())
    target = tmp_path / "out.png"
    signer.sign(io.BytesIO(_encoded(".png")), target, [puppy()], origin=Origin.opened(parent))
    report = read_provenance(target, signer.identity.root_pem)
    assert report.actions[0].description == "opened from a local file"
    for written in (target, sidecar_path(target)):
        data = written.read_bytes()
        assert b"makeup" not in data and b"IMG_0042" not in data, written


def test_no_effect_is_just_created(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "plain.jpg"
    signer.sign(io.BytesIO(_encoded(".jpg")), target, origin=Origin.demo())
    report = read_provenance(target)
    assert [a.action for a in report.actions] == ["c2pa.created"] and report.effects == () and report.label is None


def test_unsigned_file_has_no_manifest(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    path.write_bytes(_encoded(".png"))
    with pytest.raises(NoManifestError, match=r"plain.png: no C2PA manifest"):
        read_provenance(path)


def test_custom_assertion_label() -> None:
    assert EFFECT_ASSERTION == "org.safelens.effect"


# --- atomic writes ----------------------------------------------------------------------------


class _FullDisk(io.FileIO):
    """A file that accepts ``budget`` bytes and then fails like a full disk."""

    budget = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if _FullDisk.budget < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        _FullDisk.budget -= len(data)
        return super().write(data)


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    _FullDisk.budget = budget

    def open_new(path: Path) -> BinaryIO:
        return _FullDisk(path, "x+")  # type: ignore[return-value]

    monkeypatch.setattr(atomic, "open_new", open_new)


@pytest.mark.parametrize("suffix", [".png", ".mp4"])
def test_disk_full_while_signing_leaves_nothing_and_keeps_earlier_files(
    signer: ProvenanceSigner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    media = _media(suffix, tmp_path)
    target = tmp_path / f"export{suffix}"
    signer.sign(io.BytesIO(media), target, [glam()])
    before = target.read_bytes()
    sidecar_before = sidecar_path(target).read_bytes()
    _full_disk_after(monkeypatch, budget=len(media) // 2)
    with pytest.raises(ProvenanceError, match=rf"export{suffix}: writing the signed file failed: .*No space left on device"):
        signer.sign(io.BytesIO(media), target, [puppy()])
    assert target.read_bytes() == before and sidecar_path(target).read_bytes() == sidecar_before
    assert _leftovers(tmp_path) == []
    with pytest.raises(ProvenanceError):
        signer.sign(io.BytesIO(media), tmp_path / f"new{suffix}", [puppy()])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, sidecar_path(target).name])


def test_failing_signer_leaves_nothing(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "wrong.jpg"
    with pytest.raises(ProvenanceError, match=r"wrong.jpg: C2PA signing failed"):
        signer.sign(io.BytesIO(_encoded(".png")), target, [glam()])  # PNG bytes named .jpg
    assert list(tmp_path.iterdir()) == []


def test_unsupported_suffix_is_refused(signer: ProvenanceSigner, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match=r"x.gif: expected a .jpeg, .jpg, .mp4 or .png file, found '.gif'"):
        signer.sign(io.BytesIO(b"GIF89a"), tmp_path / "x.gif")


def test_sidecar_is_json_with_the_actions(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "s.png"
    signer.sign(io.BytesIO(_encoded(".png")), target, [glam()])
    document = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    assert document["format"] == "safelens-provenance" and document["file"] == "s.png"
    assert [a["action"] for a in document["actions"]] == ["c2pa.created", "c2pa.filtered"]
