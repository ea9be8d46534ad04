"""An MP4 frame writer that signs its file on close: ``safelens render``'s provenance step.

It has the same shape as the writers in ``camera_app.output.writers`` (``write``, ``close``,
``abort``, ``path``, ``frames_written``) and wraps :class:`disclosure.export.Mp4Recorder`.
The frames it gets already carry the disclosure label (the chain's label stage
drew it), so it only records, then signs with the local identity and writes the sidecar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from disclosure.export import Mp4Recorder, Mp4RecorderOptions
from disclosure.labels import Label
from disclosure.provenance import MIME_BY_SUFFIX, Origin, ProvenanceOptions, ProvenanceSigner, SignedExport
from effects.classification import ClassificationResult


def origin_for_source(spec: str, record_name: bool = False) -> Origin:
    """``camera:N`` is a capture, ``demo`` is generated; a file the C2PA library reads
    becomes the parent ingredient (``c2pa.opened``). The file's name goes into the manifest
    only with ``record_name`` (``safelens render --record-source-name``)."""
    if spec.startswith("camera:"):
        return Origin.camera()
    if spec == "demo":
        return Origin.demo()
    path = Path(spec)
    if path.suffix.lower() in MIME_BY_SUFFIX and path.is_file():
        return Origin.opened(path, record_name=record_name)
    return Origin(description=f"decoded from {path.name if record_name else 'a local file'}")


class SignedMp4Writer:
    """Records to ``path`` and signs it on ``close`` (atomic: ``abort`` leaves nothing)."""

    def __init__(
        self,
        path: Path,
        fps: float,
        identity_dir: Path,
        results: Sequence[ClassificationResult],
        label: Label | None,
        origin: Origin,
        app_version: str = "0.1.0",
        policy: Mapping[str, Any] | None = None,
        legal_mark: Mapping[str, Any] | None = None,
    ) -> None:
        """``policy``: the policy settings the video is made under; ``legal_mark``: the label
        format and the mark drawn (both recorded in its manifest)."""
        self.path = path
        self._signer = ProvenanceSigner(ProvenanceOptions(identity_dir=identity_dir, app_version=app_version,
                                                          policy=policy, legal_mark=legal_mark))
        options = Mp4RecorderOptions(
            target=path, fps=fps, results=tuple(results), label=label, origin=origin, label_drawn_upstream=True
        )
        self._recorder = Mp4Recorder(options, self._signer, overlay=None)
        self.signed: SignedExport | None = None

    @property
    def frames_written(self) -> int:
        return self._recorder.frames_written

    def write(self, rgb: np.ndarray) -> None:
        self._recorder.write(rgb)

    def close(self) -> None:
        try:
            self.signed = self._recorder.close()
        finally:
            self._signer.close()

    def abort(self) -> None:
        try:
            self._recorder.abort()
        finally:
            self._signer.close()
