"""The classifier's result for any effect, found the cheapest way it can be: the one mechanism
behind ``safelens render``, the app, the policy's categories, disclosure labels and
``safelens effects check``.

For each effect spec, ``results_for`` takes, in order:

1. the **bundled** result: the built-in effects are measured once on all reference faces
   and committed as ``assets/effects/classifications.json``, keyed by effect id and content
   hash (``python -m camera_app.cli.bundled_results`` regenerates the file and the SHA-256
   of it kept in ``bundled_digest.py``; ``--check`` only says whether it is current, and a
   test does too). A bundled file whose hash differs from the package's is not used;
2. the **user cache** (``result_cache.py``): one sealed JSON file per effect in the user data
   folder, keyed by the effect's content hash and a fingerprint of the classifier's source;
   an entry that fails its seal is ignored;
3. a **measurement**: the effect (``effects.classify.adapters.SpecEffect``, so each op of a
   stack is measured too: a stack is altering if any part is) on the quick reference set,
   then stored in the user cache.

``known_result`` does 1 and 2 only (never measures). An effect with no result yet is
*unmeasured*; the policy treats it as appearance-altering.

A **stack** of two or more effects is classified as one effect, in order (``stack_result_for``:
cached under the stack's content hashes, measured when not cached; there are no bundled
stacks). ``ResultBook`` holds the results a chain needs (each effect, and the stacks the
policy may judge) and answers the gate and the label.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from camera_app.catalog.fingerprint import classifier_fingerprint
from camera_app.catalog.result_cache import (  # CACHE_SCHEMA, the error and the cache type are used through here
    CACHE_SCHEMA,
    ClassificationCacheError,
    MeasureTimeLimitError,
    ResultCache,
    as_stack,
    read_cached,
    write_cached,
)
from camera_app.models import ASSETS_DIR
from effects.classification import Category, ClassificationFormatError, ClassificationResult
from effects.spec import EffectSpec

BUILTIN_RESULTS = ASSETS_DIR / "effects" / "classifications.json"
REFERENCE_FACES = ASSETS_DIR / "faces"
SCHEMA = 1  # of the bundled file

ProgressFn = Callable[[int, int], None]


# --- 1. bundled results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BundledResults:
    """The contents of classifications.json."""

    path: Path
    fingerprint: str
    n_faces: int
    entries: dict[str, tuple[str, ClassificationResult]]  # id -> (content hash, result)
    intact: bool = True  # False: the package's file does not hash to bundled_digest.py (not used)

    def get(self, spec: EffectSpec) -> ClassificationResult | None:
        """The bundled result for exactly this effect (same id and content hash), else None."""
        entry = self.entries.get(spec.id)
        if entry is None or entry[0] != spec.content_hash:
            return None
        return entry[1]


def load_bundled(path: Path = BUILTIN_RESULTS) -> BundledResults:
    """Read the bundled results (once per file version); a missing file is an empty set, a
    malformed one an error."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return BundledResults(path, "", 0, {})
    return _load_bundled(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_bundled(path: Path, mtime_ns: int, size: int) -> BundledResults:
    from camera_app.catalog.bundled_digest import BUNDLED_SHA256

    try:
        raw = path.read_bytes()
        if path.resolve() == BUILTIN_RESULTS.resolve() and hashlib.sha256(raw).hexdigest() != BUNDLED_SHA256:
            return BundledResults(path, "", 0, {}, intact=False)  # edited after shipping: measure instead
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ClassificationCacheError(f"{path}: unreadable ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ClassificationCacheError(f"{path}: schema: expected {SCHEMA}, found {found!r}")
    entries: dict[str, tuple[str, ClassificationResult]] = {}
    for effect_id, entry in (data.get("effects") or {}).items():
        try:
            entries[effect_id] = (str(entry["content_hash"]), ClassificationResult.from_dict(entry["result"], "result"))
        except (KeyError, TypeError) as exc:
            raise ClassificationCacheError(f"{path}: effects.{effect_id}: malformed entry ({exc!r})") from None
        except ClassificationFormatError as exc:
            raise ClassificationCacheError(f"{path}: effects.{effect_id}: malformed entry ({exc})") from None
    return BundledResults(path, str(data.get("classifier_fingerprint", "")), int(data.get("faces", 0)), entries)


# --- 2. the user cache: sealed entries in the data folder (result_cache.py) ------------------------


def known_result(spec: EffectSpec, cache: ResultCache | None,
                 bundled: BundledResults | None = None) -> ClassificationResult | None:
    """The bundled result, else the user cache's; None when the effect would have to be measured."""
    found = (bundled if bundled is not None else load_bundled()).get(spec)
    return found if found is not None else read_cached(spec, cache)


# --- 3. measuring ------------------------------------------------------------------------------


def image_detector() -> Any:
    """The landmark detector measurements use (a still-image MediaPipe landmarker, one face)."""
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

    return FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1))


def measure(spec: EffectSpec | Sequence[EffectSpec], detector: Any, quick: bool = True,
            progress: ProgressFn | None = None) -> ClassificationResult:
    """Classify one effect, or a stack as one effect, on the reference faces (quick: the fixed 12-face set)."""
    from effects.classify import ClassifyError, ReferenceError, assess
    from camera_app.tracking.segmenter import image_segmenter
    from effects.classify.adapters import SpecEffect

    specs = as_stack(spec)
    try:
        return assess(SpecEffect(specs, segmenter=image_segmenter()), REFERENCE_FACES, detector, quick=quick, progress=progress).result
    except (ClassifyError, ReferenceError) as exc:
        raise ClassificationCacheError(f"effect {'+'.join(s.id for s in specs)}: cannot be classified: {exc}") from exc


def results_for(
    specs: Sequence[EffectSpec],
    cache: ResultCache | None,
    *,
    detector_factory: Callable[[], Any] = image_detector,
    quick: bool = True,
    progress: ProgressFn | None = None,
    bundled: BundledResults | None = None,
    time_limit_s: float | None = None,
) -> tuple[ClassificationResult, ...]:
    """A result for each spec, in order: bundled, else cached, else measured and cached.

    ``detector_factory`` makes the landmark detector (a context manager with ``detect``), only
    when something has to be measured. ``progress(done, total)`` counts reference faces over
    the effects being measured. ``time_limit_s``: measuring one effect stops with a
    ``MeasureTimeLimitError`` once it has taken longer (checked after each reference face).
    """
    bundled = bundled if bundled is not None else load_bundled()
    found = [known_result(spec, cache, bundled) for spec in specs]
    todo = [i for i, r in enumerate(found) if r is None]
    if todo:
        with detector_factory() as detector:
            for n, i in enumerate(todo):

                started = time.monotonic()

                def step(done: int, total: int, n: int = n, i: int = i, started: float = started) -> None:
                    if time_limit_s is not None and time.monotonic() - started > time_limit_s:
                        raise MeasureTimeLimitError(
                            f"effect {specs[i].id}: measuring it took longer than {time_limit_s:g} s "
                            f"({done} of {total} reference faces); it is too costly to use here")
                    if progress is not None:
                        progress(n * total + done, len(todo) * total)

                result = measure(specs[i], detector, quick=quick, progress=step)
                if cache is not None:
                    write_cached(specs[i], result, cache, "quick" if quick else "full")
                found[i] = result
    return tuple(r for r in found if r is not None)


def stack_result_for(
    specs: Sequence[EffectSpec],
    cache: ResultCache | None,
    *,
    detector_factory: Callable[[], Any] = image_detector,
    quick: bool = True,
    progress: ProgressFn | None = None,
) -> ClassificationResult:
    """The result of a stack of two or more effects measured as one effect, in order: cached
    under the stack's content hashes, else measured (and cached)."""
    stack = as_stack(specs)
    if len(stack) < 2:
        raise ClassificationCacheError(f"stack_result_for: expected two or more effects, found {len(stack)}")
    found = read_cached(stack, cache)
    if found is not None:
        return found
    with detector_factory() as detector:
        result = measure(stack, detector, quick=quick, progress=progress)
    if cache is not None:
        write_cached(stack, result, cache, "quick" if quick else "full")
    return result


class ResultBook:
    """Known results, by effect or by stack (specs in order); what the gate and the label read.
    Thread-safe for reading once filled (dict lookups)."""

    def __init__(self) -> None:
        self._results: dict[tuple[tuple[str, str], ...], ClassificationResult] = {}

    @staticmethod
    def key(specs: Sequence[EffectSpec]) -> tuple[tuple[str, str], ...]:
        return tuple((s.id, s.content_hash) for s in specs)

    def add(self, specs: Sequence[EffectSpec], result: ClassificationResult) -> None:
        self._results[self.key(specs)] = result

    def result(self, specs: Sequence[EffectSpec]) -> ClassificationResult | None:
        return self._results.get(self.key(specs))

    def category(self, spec: EffectSpec) -> Category | None:
        found = self.result((spec,))
        return None if found is None else found.category

    def stack_category(self, specs: tuple[EffectSpec, ...]) -> Category | None:
        found = self.result(specs)
        return None if found is None else found.category


def stacks_to_judge(specs: Sequence[EffectSpec], book: ResultBook) -> list[tuple[EffectSpec, ...]]:
    """The stacks the gate may judge on some frame: the whole stack, and the playful effects
    alone (what remains when the altering ones are blocked), each when it has two or more."""
    whole = tuple(specs)
    playful = tuple(s for s in whole if book.category(s) is Category.PLAYFUL)
    wanted = [whole] if len(whole) >= 2 else []
    if len(playful) >= 2 and playful != whole:
        wanted.append(playful)
    return wanted


def result_book(
    specs: Sequence[EffectSpec],
    cache: ResultCache | None,
    *,
    detector_factory: Callable[[], Any] = image_detector,
    progress: ProgressFn | None = None,
) -> ResultBook:
    """Every result a chain with these effects needs: each effect (bundled, cached or measured),
    then each stack the gate may judge (cached or measured)."""
    book = ResultBook()
    for spec, result in zip(specs, results_for(specs, cache, detector_factory=detector_factory, progress=progress),
                            strict=True):
        book.add((spec,), result)
    for stack in stacks_to_judge(specs, book):
        book.add(stack, stack_result_for(stack, cache, detector_factory=detector_factory, progress=progress))
    return book


# --- the bundled file's upkeep -----------------------------------------------------------------


def stale_entries(specs: Sequence[EffectSpec], bundled: BundledResults) -> list[str]:
    """Why the bundled file does not match ``specs`` and the classifier (empty when current)."""
    problems = []
    if not bundled.intact:
        problems.append("its SHA-256 differs from camera_app/catalog/bundled_digest.py (edited after it was written)")
    elif bundled.fingerprint != classifier_fingerprint():
        problems.append("the classifier changed since the results were measured")
    for spec in specs:
        entry = bundled.entries.get(spec.id)
        if entry is None:
            problems.append(f"{spec.id}: no result")
        elif entry[0] != spec.content_hash:
            problems.append(f"{spec.id}: the effect changed since it was measured")
    extra = sorted(set(bundled.entries) - {s.id for s in specs})
    problems += [f"{i}: not a built-in effect any more" for i in extra]
    return problems


def regenerate(
    specs: Sequence[EffectSpec], detector: Any, faces_dir: Path = REFERENCE_FACES, path: Path = BUILTIN_RESULTS,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Measure every spec on all reference faces and write the bundled file (deterministic JSON)."""
    from effects.classify import assess, load_reference
    from camera_app.tracking.segmenter import image_segmenter
    from effects.classify.adapters import SpecEffect

    reference = load_reference(faces_dir, detector)
    effects: dict[str, Any] = {}
    for spec in sorted(specs, key=lambda s: s.id):

        def step(done: int, total: int, spec_id: str = spec.id) -> None:
            if progress is not None:
                progress(spec_id, done, total)

        result = assess(SpecEffect(spec, segmenter=image_segmenter()), reference, detector, quick=False, progress=step).result
        effects[spec.id] = {"version": spec.version, "content_hash": spec.content_hash, "result": result.to_dict()}
    data = {"schema": SCHEMA, "classifier_fingerprint": classifier_fingerprint(), "faces": len(reference),
            "effects": effects}
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    if path.resolve() == BUILTIN_RESULTS.resolve():
        _write_digest(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return data


def _write_digest(sha256: str) -> None:
    """Record the bundled file's hash in the package (``bundled_digest.py``)."""
    module = Path(__file__).with_name("bundled_digest.py")
    text = module.read_text(encoding="utf-8")
    start = text.index('BUNDLED_SHA256 = "') + len('BUNDLED_SHA256 = "')
    module.write_text(text[:start] + sha256 + text[start + 64:], encoding="utf-8")
