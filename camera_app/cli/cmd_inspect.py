"""``safelens inspect FILE``: the provenance of an export, and whether it holds.

Prints what the C2PA manifest says (how the file was made, which effects altered it, the
disclosure label), whether the signature is intact, and whether the signer is trusted: the
signer is trusted when it chains to this installation's local root (in the user data
folder) or to a root given with ``--trust``. Also checks the JSON sidecar when present: that it
matches the file's hash and says what the signed manifest says (every difference is listed).

Exit codes: 0 signature intact and the sidecar (if any) agrees; 1 changed after signing
(invalid), a sidecar that differs from the file or the manifest, or "manifest removed" (a
SafeLens sidecar beside a file with no manifest: it was stripped); 2 no manifest and no
sidecar, or unreadable.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from camera_app.cli.common import CliError, add_command, data_folder
from camera_app.paths import identity_dir
from disclosure.identity import ROOT_FILE
from disclosure.provenance import ProvenanceError
from disclosure.sidecar import SidecarError, file_sha256, read_sidecar, sidecar_path
from disclosure.sidecar_check import differences
from disclosure.verify import NoManifestError, ProvenanceReport, ValidationState, read_provenance


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers,
        "inspect",
        "Show the signed provenance of an exported PNG, JPEG or MP4 and whether it is intact and trusted.",
        "safelens inspect out/glam.mp4 --json",
    )
    p.add_argument("file", metavar="FILE", help="a .png, .jpg/.jpeg or .mp4 exported by SafeLens")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--trust", metavar="PEM", action="append", default=[],
                   help="also trust this root certificate (PEM); may be repeated")
    p.add_argument("--data-dir", metavar="DIR", type=data_folder,
                   help="user data folder holding the local signing identity (default: $SAFELENS_DATA_DIR "
                        "or the platform's user data folder)")
    p.set_defaults(handler=run)


def _anchors(args: argparse.Namespace) -> tuple[bytes | None, list[str]]:
    """The PEM roots to trust and where each came from."""
    pems: list[bytes] = []
    sources: list[str] = []
    local = identity_dir(args.data_dir) / ROOT_FILE
    if local.is_file():
        pems.append(local.read_bytes())
        sources.append(str(local))
    for given in args.trust:
        path = Path(given)
        try:
            pems.append(path.read_bytes())
        except OSError as exc:
            raise CliError(f"--trust {given}: cannot read the certificate ({exc.strerror})") from exc
        sources.append(str(path))
    return (b"".join(pems) if pems else None), sources


def _sidecar_status(media: Path, report: ProvenanceReport) -> dict[str, Any]:
    path = sidecar_path(media)
    if not path.exists():
        return {"path": str(path), "present": False}
    try:
        document = read_sidecar(path)
    except SidecarError as exc:
        return {"path": str(path), "present": True, "readable": False, "error": str(exc)}
    return {
        "path": str(path),
        "present": True,
        "readable": True,
        "matches_file": document.get("sha256") == file_sha256(media),
        "differences": differences(document, report),
    }


def _sidecar_agrees(sidecar: dict[str, Any]) -> bool:
    """No sidecar, or one that matches the file and the manifest (an unreadable one does not agree)."""
    if not sidecar["present"]:
        return True
    return bool(sidecar.get("readable")) and sidecar["matches_file"] and not sidecar["differences"]


def _manifest_removed(media: Path, exc: NoManifestError) -> int:
    """No manifest: exit 2, unless a SafeLens sidecar says there was one (then exit 1)."""
    path = sidecar_path(media)
    try:
        document = read_sidecar(path) if path.exists() else None
    except SidecarError:
        document = None
    if document is None:
        raise CliError(f"{exc} (not signed, or the manifest was stripped)") from exc
    print(f"manifest removed: {media} has no C2PA manifest, but its SafeLens sidecar {path} records one "
          f"({document.get('c2pa_manifest')}): the signed manifest was stripped after export, so nothing the "
          "sidecar says can be checked")
    return 1


def _was_signed(media: Path) -> bool:
    """Whether ``media`` has a sidecar or holds C2PA manifest bytes (read in chunks)."""
    if sidecar_path(media).exists():
        return True
    marker = b"c2pa"
    tail = b""
    try:
        with media.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                if marker in tail + chunk:
                    return True
                tail = chunk[-(len(marker) - 1):]
    except OSError:
        return False
    return False


def run(args: argparse.Namespace) -> int:
    media = Path(args.file)
    anchors, anchor_sources = _anchors(args)
    try:
        report = read_provenance(media, anchors)
    except NoManifestError as exc:
        return _manifest_removed(media, exc)
    except ProvenanceError as exc:
        if not _was_signed(media):
            raise CliError(str(exc)) from exc
        # A manifest is there (or a sidecar says the file was signed) but the file no longer
        # parses: bytes were cut off or appended after signing.
        print(f"file:      {media}\nsignature: INVALID: the file was changed after it was signed "
              f"(its manifest can no longer be read: {exc})")
        return 1
    sidecar = _sidecar_status(media, report)
    if args.json:
        document = report.to_json()
        document["trust_anchors"] = anchor_sources
        document["sidecar"] = sidecar
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(_text(report, anchor_sources, sidecar))
    return 0 if report.signature_valid and _sidecar_agrees(sidecar) else 1


def _verdict(report: ProvenanceReport) -> list[str]:
    if report.state is ValidationState.INVALID:
        codes = ", ".join(report.integrity_failures) or "unknown"
        return [
            "signature: INVALID: the file was changed after it was signed",
            f"  failure codes: {codes}",
            "signer:    " + ("trusted" if report.trusted else "not checked (the manifest does not hold)"),
        ]
    lines = ["signature: valid: the manifest and the file are intact"]
    if report.trusted:
        lines.append("signer:    trusted (chains to a trusted local root)")
    else:
        lines.append("signer:    NOT trusted here (valid signature from an unknown root)")
    return lines


def _text(report: ProvenanceReport, anchors: list[str], sidecar: dict[str, Any]) -> str:
    lines = [f"file:      {report.path}  ({report.mime})", *_verdict(report)]
    lines.append(f"signed by: {report.signer} (issuer: {report.issuer})")
    lines.append(f"made with: {report.claim_generator}")
    lines.append(f"manifest:  {report.manifest_label}")
    lines.append("actions:")
    for action in report.actions:
        lines.append(f"  {action.action}: {action.description}")
    altering = [e for e in report.effects if e.get("category") == "appearance_altering"]
    if not report.effects:
        lines.append("effects:   none")
    else:
        lines.append("effects:")
        for effect in report.effects:
            changes = ", ".join(dict.fromkeys(r["change"] for r in effect.get("reasons", []) if r.get("altering")))
            lines.append(f"  {effect.get('id')} {effect.get('version')}: {effect.get('category')}"
                         + (f" ({changes})" if changes else ""))
    if altering:
        names = ", ".join(str(e.get("id")) for e in altering)
        lines.append(f"altered appearance: yes, by {names}")
    else:
        lines.append("altered appearance: no appearance-altering effect recorded")
    if report.label is not None:
        burned = "burned into the pixels" if report.label.get("burned_in") else "not in the pixels"
        lines.append(f"label:     \"{report.label.get('text')}\" ({report.label.get('language')}, {burned})")
    if not sidecar["present"]:
        lines.append("sidecar:   none")
    elif not sidecar.get("readable"):
        lines.append(f"sidecar:   unreadable: {sidecar.get('error')}")
    else:
        lines.append("sidecar:   " + ("matches the file" if sidecar["matches_file"] else "does NOT match the file"))
        if sidecar["differences"]:
            lines.append(f"sidecar:   DIFFERS from the signed manifest in {len(sidecar['differences'])} places "
                         "(the manifest is the authority):")
            lines += [f"  {d}" for d in sidecar["differences"]]
        else:
            lines.append("sidecar:   says what the signed manifest says")
    lines.append("trusted roots: " + (", ".join(anchors) if anchors else "none (no local identity yet)"))
    return "\n".join(lines)
