"""The JSON sidecar: the provenance facts for tools that do not read C2PA.

``clip.mp4`` gets ``clip.mp4.provenance.json`` with the file's SHA-256 (of the signed file,
so a changed file no longer matches), the C2PA manifest's label, the signer, the actions
and the ``org.safelens.effect`` data. It is a convenience copy: the signed manifest inside
the file is the authority.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes

from disclosure.atomic import atomic_output
from disclosure.identity import SigningIdentity

SIDECAR_SUFFIX = ".provenance.json"
SIDECAR_FORMAT = "safelens-provenance"
SIDECAR_VERSION = 1


class SidecarError(ValueError):
    """A sidecar file is unreadable or not a SafeLens sidecar; the message names the file."""


def sidecar_path(media: Path) -> Path:
    return media.with_name(media.name + SIDECAR_SUFFIX)


def sidecar_document(
    file_name: str, sha256: str, manifest_label: str, identity: SigningIdentity, manifest: dict[str, Any]
) -> dict[str, Any]:
    leaf = identity.leaf
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    return {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "file": file_name,
        "sha256": sha256,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "c2pa_manifest": manifest_label,
        "claim_generator": manifest["claim_generator_info"],
        "signer": {
            "subject": leaf.subject.rfc4514_string(),
            "issuer": leaf.issuer.rfc4514_string(),
            "certificate_sha256": leaf.fingerprint(hashes.SHA256()).hex(),
            "root_sha256": identity.root_sha256,
        },
        "actions": assertions["c2pa.actions"]["actions"],
        "safelens": assertions["org.safelens.effect"],
    }


def sidecar_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def write_sidecar(path: Path, document: dict[str, Any]) -> Path:
    with atomic_output(path) as fh:
        fh.write(sidecar_bytes(document))
    return path


def read_sidecar(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SidecarError(f"{path}: cannot read the sidecar ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != SIDECAR_FORMAT:
        raise SidecarError(f"{path}: expected 'format': {SIDECAR_FORMAT!r}, found {document.get('format') if isinstance(document, dict) else type(document).__name__!r}")
    return document


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
