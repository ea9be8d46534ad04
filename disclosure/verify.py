"""Reading provenance back: the manifest summary and whether it holds.

The validation state comes from the C2PA library:

- ``Trusted``: the signature is intact and chains to a trust anchor we gave the reader (the
  local root of this installation);
- ``Valid``: the signature and every hash are intact, but the signer is not trusted here
  (failure code ``signingCredential.untrusted``, expected for another installation's root);
- ``Invalid``: something was changed after signing; the failure codes say what
  (``assertion.dataHash.mismatch`` for image bytes, ``assertion.bmffHash.mismatch`` for MP4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import c2pa

from disclosure.provenance import EFFECT_ASSERTION, ProvenanceError, mime_for

UNTRUSTED = "signingCredential.untrusted"


class NoManifestError(ProvenanceError):
    """The file carries no C2PA manifest."""


class ValidationState(StrEnum):
    TRUSTED = "Trusted"
    VALID = "Valid"
    INVALID = "Invalid"


@dataclass(frozen=True, slots=True)
class ActionSummary:
    action: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProvenanceReport:
    """What a file's active manifest says and whether it validates."""

    path: Path
    mime: str
    state: ValidationState
    failure_codes: tuple[str, ...]
    manifest_label: str
    title: str
    claim_generator: str
    signer: str
    issuer: str
    actions: tuple[ActionSummary, ...]
    effects: tuple[dict[str, Any], ...]
    label: dict[str, Any] | None
    effect_assertion: dict[str, Any] = field(default_factory=dict)  # the whole org.safelens.effect data

    @property
    def signature_valid(self) -> bool:
        """The signature and every hash check out (whoever the signer is)."""
        return self.state is not ValidationState.INVALID

    @property
    def trusted(self) -> bool:
        """The signer chains to a trust anchor given to the reader."""
        return self.state is ValidationState.TRUSTED

    @property
    def integrity_failures(self) -> tuple[str, ...]:
        """Failure codes other than "the signer is unknown here"."""
        return tuple(c for c in self.failure_codes if c != UNTRUSTED)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "format": self.mime,
            "validation_state": self.state.value,
            "signature_valid": self.signature_valid,
            "trusted": self.trusted,
            "failure_codes": list(self.failure_codes),
            "manifest": self.manifest_label,
            "title": self.title,
            "claim_generator": self.claim_generator,
            "signer": self.signer,
            "issuer": self.issuer,
            "actions": [
                {"action": a.action, "description": a.description, "parameters": a.parameters} for a in self.actions
            ],
            "effects": list(self.effects),
            "label": self.label,
        }


def read_provenance(path: Path, trust_anchors_pem: bytes | None = None) -> ProvenanceReport:
    """Read and validate ``path``'s C2PA manifest. ``trust_anchors_pem``: root certificates
    to trust (the local root), or None to trust no one."""
    mime = mime_for(path)
    if not path.is_file():
        raise ProvenanceError(f"{path}: no such file")
    settings: dict[str, Any] = {}
    if trust_anchors_pem is not None:
        settings["trust"] = {"user_anchors": trust_anchors_pem.decode("ascii")}
    try:
        with c2pa.Context.from_dict(settings) as context, open(path, "rb") as fh:
            reader = c2pa.Reader.try_create(mime, fh, None, context)
            if reader is None:
                raise NoManifestError(f"{path}: no C2PA manifest")
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        raise ProvenanceError(f"{path}: cannot read the C2PA manifest: {exc}") from exc
    return _report(path, mime, store)


def _report(path: Path, mime: str, store: dict[str, Any]) -> ProvenanceReport:
    label = store.get("active_manifest", "")
    manifest = store.get("manifests", {}).get(label, {})
    state_text = store.get("validation_state", "Invalid")
    try:
        state = ValidationState(state_text)
    except ValueError:
        raise ProvenanceError(f"{path}: unknown validation state {state_text!r}") from None
    results = store.get("validation_results", {}).get("activeManifest", {})
    failures = tuple(f.get("code", "") for f in results.get("failure", []))
    assertions = {a.get("label"): a.get("data", {}) for a in manifest.get("assertions", [])}
    actions_data = assertions.get("c2pa.actions.v2", assertions.get("c2pa.actions", {}))
    actions = tuple(
        ActionSummary(a.get("action", ""), a.get("description", ""), dict(a.get("parameters", {})))
        for a in actions_data.get("actions", [])
    )
    effect_data = assertions.get(EFFECT_ASSERTION, {})
    generator = manifest.get("claim_generator_info", [{}])[0]
    signature = manifest.get("signature_info", {})
    return ProvenanceReport(
        path=path,
        mime=mime,
        state=state,
        failure_codes=failures,
        manifest_label=label,
        title=manifest.get("title", ""),
        claim_generator=f"{generator.get('name', '')} {generator.get('version', '')}".strip(),
        signer=signature.get("common_name", ""),
        issuer=signature.get("issuer", ""),
        actions=actions,
        effects=tuple(effect_data.get("effects", [])),
        label=effect_data.get("label"),
        effect_assertion=dict(effect_data),
    )
