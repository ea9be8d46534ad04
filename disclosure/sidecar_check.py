"""Does a sidecar say what the signed manifest says?

The sidecar is an unsigned convenience copy; the manifest inside the file is the authority.
Someone who edits the sidecar (a category set to playful, the reasons emptied) leaves the
file's hash alone, so matching the hash is not enough: ``differences`` compares every fact the
sidecar copies from the manifest and names each one that differs.
"""

from __future__ import annotations

from typing import Any

from disclosure.verify import ProvenanceReport


def differences(document: dict[str, Any], report: ProvenanceReport) -> list[str]:
    """Each fact where the sidecar differs from the signed manifest, as ``path: sidecar ..., manifest ...``."""
    found: list[str] = []
    if document.get("c2pa_manifest") != report.manifest_label:
        found.append(_differs("c2pa_manifest", document.get("c2pa_manifest"), report.manifest_label))
    found += _compare("safelens", document.get("safelens"), report.effect_assertion)
    sidecar_actions = [(a.get("action"), a.get("description")) for a in document.get("actions") or []
                       if isinstance(a, dict)]
    signed_actions = [(a.action, a.description) for a in report.actions]
    if sidecar_actions != signed_actions or not isinstance(document.get("actions"), list):
        found.append(_differs("actions", sidecar_actions, signed_actions))
    subject = (document.get("signer") or {}).get("subject", "") if isinstance(document.get("signer"), dict) else ""
    if f"CN={report.signer}" not in str(subject).split(","):
        found.append(_differs("signer.subject", subject, f"CN={report.signer}"))
    return found


def _differs(path: str, sidecar: Any, manifest: Any) -> str:
    return f"{path}: sidecar {_short(sidecar)}, manifest {_short(manifest)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _compare(path: str, sidecar: Any, manifest: Any) -> list[str]:
    """The paths where two JSON values differ (dict keys and list items recursively)."""
    if isinstance(sidecar, dict) and isinstance(manifest, dict):
        out: list[str] = []
        for key in sorted(set(sidecar) | set(manifest), key=str):
            if key not in sidecar:
                out.append(f"{path}.{key}: missing from the sidecar, manifest {_short(manifest[key])}")
            elif key not in manifest:
                out.append(f"{path}.{key}: sidecar {_short(sidecar[key])}, not in the manifest")
            else:
                out += _compare(f"{path}.{key}", sidecar[key], manifest[key])
        return out
    if isinstance(sidecar, list) and isinstance(manifest, list):
        if len(sidecar) != len(manifest):
            return [f"{path}: sidecar has {len(sidecar)} items, manifest {len(manifest)}"]
        return [d for i, (a, b) in enumerate(zip(sidecar, manifest, strict=True)) for d in _compare(f"{path}[{i}]", a, b)]
    if isinstance(sidecar, (int, float)) and isinstance(manifest, (int, float)) and not isinstance(sidecar, bool):
        return [] if float(sidecar) == float(manifest) else [_differs(path, sidecar, manifest)]
    return [] if sidecar == manifest else [_differs(path, sidecar, manifest)]
