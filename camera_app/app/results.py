"""The classifier's results for the app's effects: categories for the badges and the
policy, reasons for the label and the info sheet.

Results come from ``camera_app.catalog.classifications``: the bundled results of the built-in
effects, else the data folder's sealed cache (by the effect's content hash). An effect with neither
is measured on a background thread when it is first asked for; until then its category is
``None`` and the policy treats it as appearance-altering. Measuring one effect stops after
``MEASURE_TIME_LIMIT_S`` (a costly effect cannot keep the classifier busy for minutes); the
effect then has an error instead of a result and is never applied.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from camera_app.catalog.classifications import ClassificationCacheError, known_result, results_for
from camera_app.catalog.result_cache import ResultCache
from effects.classification import Category, ClassificationResult
from effects.spec import EffectSpec

MEASURE_TIME_LIMIT_S = 120.0

Listener = Callable[[str, ClassificationResult | None, str | None], None]  # effect id, result, error


class EffectResults:
    """Thread-safe: ``get`` from any thread; measuring runs on one background thread."""

    def __init__(self, cache: ResultCache | None, listener: Listener | None = None,
                 time_limit_s: float = MEASURE_TIME_LIMIT_S) -> None:
        self.cache = cache
        self.time_limit_s = time_limit_s
        self._listener = listener
        self._lock = threading.Lock()
        self._results: dict[tuple[str, str], ClassificationResult] = {}
        self._errors: dict[tuple[str, str], str] = {}
        self._queued: list[EffectSpec] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    def set_listener(self, listener: Listener | None) -> None:
        self._listener = listener

    def get(self, spec: EffectSpec) -> ClassificationResult | None:
        with self._lock:
            return self._results.get((spec.id, spec.content_hash))

    def result(self, specs: Sequence[EffectSpec]) -> ClassificationResult | None:
        """The chain's lookup: the app applies one effect at a time, so only single effects have
        results here (a stack of several counts as unmeasured, which fails closed)."""
        specs = tuple(specs)
        return self.get(specs[0]) if len(specs) == 1 else None

    def error(self, spec: EffectSpec) -> str | None:
        with self._lock:
            return self._errors.get((spec.id, spec.content_hash))

    def category(self, spec: EffectSpec) -> Category | None:
        result = self.get(spec)
        return None if result is None else result.category

    def put(self, spec: EffectSpec, result: ClassificationResult) -> None:
        with self._lock:
            self._results[(spec.id, spec.content_hash)] = result

    def load_cached(self, specs: Sequence[EffectSpec]) -> list[EffectSpec]:
        """Take the bundled and cached results (fast, no measuring); returns the specs still unmeasured."""
        missing = []
        for spec in specs:
            try:
                found = known_result(spec, self.cache)
            except ClassificationCacheError as exc:
                with self._lock:
                    self._errors[(spec.id, spec.content_hash)] = str(exc)
                continue
            if found is None:
                missing.append(spec)
            else:
                self.put(spec, found)
        return missing

    def request(self, specs: Sequence[EffectSpec], first: bool = False) -> None:
        """Measure these (in order, unless already known) on the background thread; ``first``
        puts them before the ones already waiting (the effect a person just chose)."""
        with self._lock:
            if self._closed:
                return
            wanted = [s for s in specs if (s.id, s.content_hash) not in self._results
                      and (s.id, s.content_hash) not in self._errors]
            if first:
                self._queued = [*wanted, *(s for s in self._queued if s not in wanted)]
            else:
                self._queued.extend(s for s in wanted if s not in self._queued)
            if self._queued and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._measure_all, name="safelens-classify", daemon=True)
                self._thread.start()

    def _measure_all(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._queued:
                    return
                spec = self._queued.pop(0)
            key = (spec.id, spec.content_hash)
            try:
                result: ClassificationResult | None = results_for([spec], self.cache, time_limit_s=self.time_limit_s)[0]
                error = None
            except ClassificationCacheError as exc:
                result, error = None, str(exc)
                print(f"safelens app: {exc}", file=sys.stderr)
            except Exception as exc:  # noqa: BLE001 - a broken effect must not stop the others or the app
                result, error = None, f"effect {spec.id}: cannot be measured: {type(exc).__name__}: {exc}"
                traceback.print_exception(exc, file=sys.stderr)
            with self._lock:
                if result is not None:
                    self._results[key] = result
                if error is not None:
                    self._errors[key] = error
            listener = self._listener
            if listener is not None:
                listener(spec.id, result, error)

    def close(self, wait: bool = False) -> None:
        """Stop measuring (the effect being measured finishes first when ``wait``)."""
        with self._lock:
            self._closed = True
            self._queued.clear()
            thread = self._thread
        if wait and thread is not None:
            thread.join()
