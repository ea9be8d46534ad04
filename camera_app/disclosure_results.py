"""Classifier results for the effects being used, for the label and the provenance of exports.

The label must come from measurement, not from what the creator declared, so each active
effect is classified (``effects.classify``) on the quick reference set of the bundled
public-domain faces. That takes seconds, so results are cached in the user data folder,
keyed by the effect's content hash and a fingerprint of the classifier's source code:
editing an effect or the classifier's rules invalidates the entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from camera_app.models import ASSETS_DIR
from effects.classification import Category, ClassificationFormatError, ClassificationResult
from effects.engine import build_stack
from effects.face import FaceTrack
from effects.spec import EffectSpec

REFERENCE_FACES = ASSETS_DIR / "faces"
CACHE_SCHEMA = 1

ProgressFn = Callable[[int, int], None]


class DisclosureResultsError(RuntimeError):
    """An effect could not be classified for its label, or a cache entry is unreadable."""


class SpecUnderTest:
    """One effect spec as the classifier's ``EffectUnderTest``."""

    def __init__(self, spec: EffectSpec) -> None:
        self.spec = spec
        self._stack = build_stack([spec])

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def declared(self) -> Category | None:
        return self.spec.declared_category

    def apply(self, rgb: np.ndarray, tracks: Sequence[FaceTrack]) -> np.ndarray:
        return self._stack.apply(rgb, tracks)


def classifier_fingerprint() -> str:
    """SHA-256 over the classifier's source files and the result types (changes with its rules)."""
    import effects.classify

    folder = Path(effects.classify.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), folder.parent / "classification.py"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_path(cache_dir: Path, spec: EffectSpec, quick: bool, fingerprint: str) -> Path:
    key = hashlib.sha256(f"{spec.content_hash}|{fingerprint}|{quick}".encode()).hexdigest()[:20]
    return cache_dir / f"{spec.id}-{key}.json"


def _read_cache(path: Path) -> ClassificationResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DisclosureResultsError(f"{path}: unreadable classification cache entry ({exc}); delete it") from None
    if data.get("schema") != CACHE_SCHEMA:
        return None
    try:
        return ClassificationResult.from_dict(data.get("result"), "result")
    except ClassificationFormatError as exc:
        raise DisclosureResultsError(f"{path}: bad classification cache entry ({exc}); delete it") from None


def _write_cache(path: Path, result: ClassificationResult) -> None:
    from disclosure.atomic import atomic_output

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as fh:
        fh.write(json.dumps({"schema": CACHE_SCHEMA, "result": result.to_dict()}, indent=2).encode("utf-8"))


def classify_specs(
    specs: Sequence[EffectSpec],
    detector_factory: Callable[[], Any],
    cache_dir: Path | None,
    quick: bool = True,
    progress: ProgressFn | None = None,
) -> tuple[ClassificationResult, ...]:
    """The classifier's result for each spec, from the cache when it holds one.

    ``detector_factory`` makes the landmark detector (a context manager with ``detect``),
    only when something has to be measured. ``progress(done, total)`` counts reference faces.
    """
    from effects.classify import ClassifyError, ReferenceError, assess

    fingerprint = classifier_fingerprint()
    results: list[ClassificationResult | None] = []
    todo: list[int] = []
    for i, spec in enumerate(specs):
        cached = _read_cache(_cache_path(cache_dir, spec, quick, fingerprint)) if cache_dir is not None else None
        results.append(cached)
        if cached is None:
            todo.append(i)
    if todo:
        with detector_factory() as detector:
            for n, i in enumerate(todo):
                spec = specs[i]

                def step(done: int, total: int, n: int = n) -> None:
                    if progress is not None:
                        progress(n * total + done, len(todo) * total)

                try:
                    result = assess(SpecUnderTest(spec), REFERENCE_FACES, detector, quick=quick, progress=step).result
                except (ClassifyError, ReferenceError) as exc:
                    raise DisclosureResultsError(f"effect {spec.id}: cannot be classified for its label: {exc}") from exc
                results[i] = result
                if cache_dir is not None:
                    _write_cache(_cache_path(cache_dir, spec, quick, fingerprint), result)
    return tuple(r for r in results if r is not None)
