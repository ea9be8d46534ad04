"""Signed provenance for exports: a C2PA manifest (c2pa-python) plus a JSON sidecar.

The manifest's actions say how the picture came to be and what was done to it: first
``c2pa.created`` (a camera capture or the generated demo feed) or ``c2pa.opened`` (a file,
recorded as the parent ingredient), then one ``c2pa.filtered`` per active effect naming the
effect, its category and its reasons. A custom assertion ``org.safelens.effect`` carries the
same facts as structured data (effect id, version, category, measured reasons) and the
disclosure label. Signing is offline: no timestamp authority, a local certificate chain
(``identity.py``).

Writes are atomic: the signed file is made under a temporary name beside the target, read
back and checked, fsynced, and only then moved into place, followed by its sidecar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import c2pa

from disclosure import atomic
from disclosure.atomic import ExportError, check_folder, commit_file, discard_temporary, temporary_path
from disclosure.identity import SigningIdentity, load_or_create_identity
from disclosure.labels import Label
from disclosure.sidecar import file_sha256, sidecar_bytes, sidecar_document, sidecar_path
from effects.classification import ClassificationResult

EFFECT_ASSERTION = "org.safelens.effect"
ASSERTION_SCHEMA = 1
DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
DIGITAL_CREATION = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"
MIME_BY_SUFFIX = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".mp4": "video/mp4"}
_PARENT_ID = "source"


class ProvenanceError(ExportError):
    """Signing failed (the message names the file); nothing was written."""


def mime_for(path: Path) -> str:
    try:
        return MIME_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise ProvenanceError(
            f"{path}: expected a .jpeg, .jpg, .mp4 or .png file, found {path.suffix or 'no suffix'!r}"
        ) from None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the pixels came from. With ``parent`` set, the export is ``c2pa.opened`` from
    that file (it becomes the parent ingredient, titled ``parent_title``); otherwise
    ``c2pa.created`` with ``digital_source_type`` (an IPTC digital source type URL).

    A file's name can say more than its pixels ("IMG_0042 me without makeup.jpg"), so it is
    recorded only when asked for (``Origin.opened(path, record_name=True)``); otherwise the
    manifest says "a local file" and the ingredient is titled by its kind ("source.jpg")."""

    digital_source_type: str = DIGITAL_CAPTURE
    parent: Path | None = None
    description: str = "camera capture"
    parent_title: str | None = None

    @classmethod
    def camera(cls) -> Origin:
        return cls(DIGITAL_CAPTURE, None, "camera capture")

    @classmethod
    def demo(cls) -> Origin:
        return cls(DIGITAL_CREATION, None, "generated demo feed")

    @classmethod
    def opened(cls, path: Path, record_name: bool = False) -> Origin:
        title = path.name if record_name else f"source{path.suffix.lower()}"
        shown = path.name if record_name else "a local file"
        return cls(DIGITAL_CAPTURE, path, f"opened from {shown}", title)


@dataclass(frozen=True, slots=True)
class ProvenanceOptions:
    """``identity_dir``: where the local signing identity lives (made on first use).
    ``thumbnails``: embed C2PA thumbnails (off: they can add more than the picture's size).
    ``verify``: read every signed file back before it replaces the target."""

    identity_dir: Path
    app_name: str = "SafeLens"
    app_version: str = "0.1.0"
    thumbnails: bool = False
    verify: bool = True
    policy: Mapping[str, Any] | None = None  # the policy settings the export was made under
    legal_mark: Mapping[str, Any] | None = None  # the label format and the law's mark drawn (disclosure.legal)


@dataclass(frozen=True, slots=True)
class SignedExport:
    path: Path
    sidecar: Path
    sha256: str
    manifest_label: str


def effect_record(result: ClassificationResult) -> dict[str, Any]:
    """One effect as plain data: id, version, category, confidence, declared and measured reasons
    (``ClassificationResult.to_dict`` with the manifest's key names, without the notes)."""
    data = result.to_dict()
    return {
        "id": data["effect_id"],
        "version": data["effect_version"],
        **{key: data[key] for key in ("category", "confidence", "declared", "reasons")},
    }


def label_record(label: Label | None, burned_in: bool) -> dict[str, Any] | None:
    if label is None:
        return None
    return {
        "kind": label.kind.value,
        "language": label.language,
        "text": label.text,
        "burned_in": burned_in,
        "info_sheet": list(label.sheet),
    }


def manifest_definition(
    title: str,
    results: Sequence[ClassificationResult],
    label: Label | None,
    label_burned_in: bool,
    origin: Origin,
    app_name: str,
    app_version: str,
    policy: Mapping[str, Any] | None = None,
    legal_mark: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest JSON handed to ``c2pa.Builder``. ``policy``: the policy settings the export
    was made under; ``legal_mark``: the label format and the mark its law asked for (both
    recorded in the SafeLens assertion when given)."""
    first: dict[str, Any]
    if origin.parent is not None:
        first = {"action": "c2pa.opened", "parameters": {"ingredientIds": [_PARENT_ID]}}
    else:
        first = {"action": "c2pa.created", "digitalSourceType": origin.digital_source_type}
    first["description"] = origin.description
    actions = [first]
    for r in results:
        changes = list(dict.fromkeys(reason.change.value for reason in r.reasons))  # once each, in order
        actions.append(
            {
                "action": "c2pa.filtered",
                "description": f"{r.category.value} effect {r.effect_id} {r.effect_version}: "
                + (", ".join(changes) if changes else "no measured change"),
                "softwareAgent": {"name": app_name, "version": app_version},
                "parameters": {
                    "effect_id": r.effect_id,
                    "effect_version": r.effect_version,
                    "category": r.category.value,
                    "reasons": changes,
                    "altering_reasons": list(dict.fromkeys(reason.change.value for reason in r.altering_reasons)),
                },
            }
        )
    return {
        "claim_generator_info": [{"name": app_name, "version": app_version}],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": actions}},
            {
                "label": EFFECT_ASSERTION,
                "data": {
                    "schema": ASSERTION_SCHEMA,
                    "effects": [effect_record(r) for r in results],
                    "label": label_record(label, label_burned_in),
                    **({"policy": dict(policy)} if policy is not None else {}),
                    **({"label_format": dict(legal_mark)} if legal_mark is not None else {}),
                },
            },
        ],
    }


class ProvenanceSigner:
    """Signs exports with the local identity. One ``c2pa.Signer`` is reused for every file."""

    def __init__(self, options: ProvenanceOptions) -> None:
        self.options = options
        self.identity: SigningIdentity = load_or_create_identity(options.identity_dir)
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, self.identity.chain_pem, self.identity.key_pem, None)
        self._signer = c2pa.Signer.from_info(info)

    def __enter__(self) -> ProvenanceSigner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._signer.close()

    def sign(
        self,
        source: BinaryIO,
        target: Path,
        results: Sequence[ClassificationResult] = (),
        label: Label | None = None,
        label_burned_in: bool = False,
        origin: Origin | None = None,
    ) -> SignedExport:
        """Sign the media in ``source`` (its format given by ``target``'s suffix) into ``target``
        and write the sidecar next to it. Atomic: on failure neither file changes."""
        mime = mime_for(target)
        check_folder(target)
        origin = origin or Origin.camera()
        manifest = manifest_definition(
            target.name, results, label, label_burned_in, origin, self.options.app_name, self.options.app_version,
            self.options.policy, self.options.legal_mark,
        )
        tmp = temporary_path(target)
        sidecar = sidecar_path(target)
        sidecar_tmp: Path | None = None
        try:
            with atomic.open_new(tmp) as dest:
                self._sign_stream(manifest, mime, source, _ErrorKeepingStream(dest), origin, target)
            manifest_label = self._check(tmp, mime, target)
            digest = file_sha256(tmp)
            document = sidecar_document(target.name, digest, manifest_label, self.identity, manifest)
            # Both files are on disk before either moves into place: a disk that fills while
            # the sidecar is written must not leave the new media beside the old sidecar.
            sidecar_tmp = atomic.prepare_file(sidecar, sidecar_bytes(document))
            commit_file(tmp, target)
            commit_file(sidecar_tmp, sidecar)
        except OSError as exc:
            raise ProvenanceError(f"{target}: writing the signed file failed: {exc}") from exc
        finally:
            discard_temporary(tmp)
            if sidecar_tmp is not None:
                discard_temporary(sidecar_tmp)
        return SignedExport(path=target, sidecar=sidecar, sha256=digest, manifest_label=manifest_label)

    def _sign_stream(
        self,
        manifest: dict[str, Any],
        mime: str,
        source: BinaryIO,
        dest: _ErrorKeepingStream,
        origin: Origin,
        target: Path,
    ) -> None:
        settings = {"builder": {"thumbnail": {"enabled": self.options.thumbnails}}}
        try:
            with c2pa.Context.from_dict(settings) as context, c2pa.Builder(manifest, context=context) as builder:
                if origin.parent is not None:
                    parent = origin.parent
                    title = origin.parent_title or f"source{parent.suffix.lower()}"
                    ingredient = {"title": title, "relationship": "parentOf", "label": _PARENT_ID}
                    with parent.open("rb") as fh:
                        builder.add_ingredient(ingredient, mime_for(parent), fh)
                builder.sign(self._signer, mime, source, dest)
        except c2pa.C2paError as exc:
            io_error = getattr(dest, "error", None)
            if io_error is not None:  # the library reports the stream's own error only vaguely
                raise ProvenanceError(f"{target}: writing the signed file failed: {io_error}") from io_error
            raise ProvenanceError(f"{target}: C2PA signing failed: {exc}") from exc
        except OSError as exc:
            raise ProvenanceError(f"{target}: writing the signed file failed: {exc}") from exc

    def _check(self, tmp: Path, mime: str, target: Path) -> str:
        """Read the signed temporary file back: it must carry a manifest that validates."""
        try:
            with open(tmp, "rb") as fh, c2pa.Reader(mime, fh) as reader:
                state = reader.get_validation_state()
                active = reader.get_active_manifest() or {}
                failures = (reader.get_validation_results() or {}).get("activeManifest", {}).get("failure", [])
        except c2pa.C2paError as exc:
            raise ProvenanceError(f"{target}: the signed file does not read back: {exc}") from exc
        if self.options.verify and state not in ("Valid", "Trusted"):
            codes = ", ".join(f["code"] for f in failures)
            raise ProvenanceError(f"{target}: the signed file does not validate ({state}: {codes})")
        return str(active.get("label", ""))


class _ErrorKeepingStream:
    """Passes a file through to the C2PA library and keeps the first OSError it raised
    (the library turns it into a generic I/O error, losing "No space left on device")."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.error: OSError | None = None

    def _keep(self, exc: OSError) -> OSError:
        if self.error is None:
            self.error = exc
        return exc

    def read(self, size: int = -1) -> bytes:
        try:
            return self._fh.read(size)
        except OSError as exc:
            raise self._keep(exc) from None

    def write(self, data: bytes) -> int:
        try:
            return self._fh.write(data)
        except OSError as exc:
            raise self._keep(exc) from None

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return self._fh.seek(offset, whence)
        except OSError as exc:
            raise self._keep(exc) from None

    def tell(self) -> int:
        return self._fh.tell()

    def flush(self) -> None:
        try:
            self._fh.flush()
        except OSError as exc:
            raise self._keep(exc) from None
