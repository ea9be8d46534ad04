"""The user cache of classifier results: one sealed JSON file per effect or stack.

An entry lives in ``<data folder>/classifications`` and is keyed by the effect's content hash
(or the stack's) and the classifier's fingerprint, so editing the effect or the classifier's
rules invalidates it. Each entry carries ``seal``: an HMAC over its content with a key derived
from the installation's device secret (``camera_app.profiles.secret``). Only this installation
can write an entry that reads back: an entry edited by hand (a category set to ``playful``),
copied from elsewhere or written by an older SafeLens is ignored, and the effect is measured
again (and the entry replaced). So a result the policy or an export's provenance uses comes
from a measurement here, or from the bundled results.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.catalog.fingerprint import classifier_fingerprint
from camera_app.paths import classification_cache_dir
from camera_app.profiles.seal import canonical, mac_hex, verify_hex
from camera_app.profiles.secret import open_secret
from effects.classification import ClassificationFormatError, ClassificationResult
from effects.spec import EffectSpec

CACHE_SCHEMA = 3  # 1: keyed by quick/full too (the old label cache); 2: not sealed


class ClassificationCacheError(RuntimeError):
    """An effect could not be classified, or a stored result is unreadable; the message names
    the file (and field) or the effect."""


class MeasureTimeLimitError(ClassificationCacheError):
    """Measuring an effect took longer than its time limit (the effect is too costly)."""


@dataclass(frozen=True, slots=True)
class ResultCache:
    """Where results are cached, and the key that seals them."""

    folder: Path
    key: bytes


def result_cache(data_dir: str | os.PathLike[str] | None = None) -> ResultCache:
    """The cache of a data folder (``--data-dir``, else ``$SAFELENS_DATA_DIR``, else the user data
    folder), sealed with that folder's device secret."""
    folder = classification_cache_dir(data_dir)
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = open_secret(folder.parent)
    except OSError as exc:  # a read-only or full data folder
        raise ClassificationCacheError(
            f"{folder.parent}: cannot keep classification results here ({exc.strerror or exc}); choose a writable "
            "data folder with --data-dir or $SAFELENS_DATA_DIR") from None
    return ResultCache(folder, secret.derive("classification-cache"))


def as_stack(spec: EffectSpec | Sequence[EffectSpec]) -> tuple[EffectSpec, ...]:
    specs = (spec,) if isinstance(spec, EffectSpec) else tuple(spec)
    if not specs:
        raise ClassificationCacheError("expected at least one effect, found none")
    return specs


def cache_path(cache: ResultCache, spec: EffectSpec | Sequence[EffectSpec]) -> Path:
    """The cache file for this effect's (or this stack's) content with the current classifier."""
    specs = as_stack(spec)
    if len(specs) == 1:
        key = hashlib.sha256(f"{specs[0].content_hash}|{classifier_fingerprint()}".encode()).hexdigest()[:20]
        return cache.folder / f"{specs[0].id}-{key}.json"
    hashes = "|".join(s.content_hash for s in specs)
    key = hashlib.sha256(f"stack|{hashes}|{classifier_fingerprint()}".encode()).hexdigest()[:20]
    return cache.folder / f"stack-{key}.json"


def _sealed_content(path: Path, entry: dict[str, Any]) -> bytes:
    """What the seal covers: the file's name (effect, content and classifier) and every field but the seal."""
    return canonical([path.name, {k: v for k, v in entry.items() if k != "seal"}])


def read_cached(spec: EffectSpec | Sequence[EffectSpec], cache: ResultCache | None) -> ClassificationResult | None:
    """The cache's result for this effect or stack; None when there is none, no cache, or the entry
    is unreadable or fails its seal (then the effect is measured again and the entry replaced)."""
    if cache is None:
        return None
    path = cache_path(cache, spec)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(entry, dict) or entry.get("schema") != CACHE_SCHEMA:
        return None
    if not verify_hex(cache.key, _sealed_content(path, entry), entry.get("seal")):
        return None
    try:
        return ClassificationResult.from_dict(entry.get("result"), "result")
    except ClassificationFormatError as exc:  # sealed here, yet unreadable: a SafeLens bug, not an edit
        raise ClassificationCacheError(f"{path}: bad classification cache entry ({exc}); delete it") from None


def write_cached(spec: EffectSpec | Sequence[EffectSpec], result: ClassificationResult, cache: ResultCache,
                 reference: str) -> Path:
    """Store ``result`` (measured on the ``reference`` set: "quick" or "full") for this effect or stack, sealed."""
    from disclosure.atomic import ExportError, atomic_output

    specs = as_stack(spec)
    path = cache_path(cache, specs)
    entry: dict[str, Any] = {"schema": CACHE_SCHEMA, "effect_id": "+".join(s.id for s in specs),
                             "content_hash": "+".join(s.content_hash for s in specs), "reference": reference,
                             "result": result.to_dict()}
    entry["seal"] = mac_hex(cache.key, _sealed_content(path, entry))
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with atomic_output(path) as fh:
            fh.write(json.dumps(entry, indent=2).encode("utf-8"))
    except (OSError, ExportError) as exc:
        raise ClassificationCacheError(
            f"{path}: cannot write the classification cache ({exc}); choose a writable data folder with "
            "--data-dir or $SAFELENS_DATA_DIR"
        ) from None
    return path
