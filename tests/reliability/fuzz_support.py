"""Shared machinery of the reliability tests: deep mode, per-case guards and the run record.

``SAFELENS_DEEP_TESTS=1`` switches every fuzz and stress test from its CI example count
to its deep count (at least 10,000 generated cases per input kind). Each generated case
runs inside :meth:`Guard.case`, which

- arms a watchdog (``SIGALRM``) that turns a hang into a :class:`CaseTimeout`,
- measures the traced allocation peak (``tracemalloc``: Python objects and NumPy arrays),
- sorts the outcome into "accepted" or the name of the typed error that came out, and
- lets anything that is not one of the allowed typed errors fail the test (hypothesis
  then shrinks it to a minimal input).

The watchdog and the memory bound are safety nets with generous limits, not timing
assertions. What every guard saw (cases, outcomes, slowest case, largest peak) is kept
in :data:`RECORDS` and written by ``tests/reliability/conftest.py`` at the end of the run
(``artifacts/reliability/run-summary.json``), which is where docs/reliability.md takes its
numbers from.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("SAFELENS_DEEP_TESTS", "") == "1"
DEEP_EXAMPLES = 10_000
CASE_TIMEOUT_S = 30.0  # a hang detector: generous enough for a loaded 2-core CI machine
MIB = 1024 * 1024


def examples(ci: int, deep: int = DEEP_EXAMPLES) -> int:
    """The example count of a test: ``ci`` normally, ``deep`` with SAFELENS_DEEP_TESTS=1."""
    return deep if DEEP else ci


def fuzz_settings(ci: int, deep: int = DEEP_EXAMPLES) -> settings:
    """Hypothesis settings for a fuzz test (no deadline: the guard's watchdog catches hangs)."""
    return settings(
        max_examples=examples(ci, deep),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example, HealthCheck.function_scoped_fixture],
        print_blob=True,
    )


class CaseTimeout(BaseException):
    """A case ran past the watchdog (BaseException: code under test must not swallow it)."""


@dataclass
class GuardRecord:
    name: str
    allowed: tuple[str, ...]
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    slowest_case_s: float = 0.0
    peak_traced_mib: float = 0.0
    max_rss_mib_after: float = 0.0
    examples_setting: int = 0
    deep: bool = DEEP

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "deep": self.deep,
            "examples_setting": self.examples_setting,
            "cases": self.cases,
            "outcomes": dict(self.outcomes.most_common()),
            "allowed_errors": list(self.allowed),
            "seconds": round(self.seconds, 2),
            "slowest_case_s": round(self.slowest_case_s, 4),
            "peak_traced_mib": round(self.peak_traced_mib, 2),
            "max_rss_mib_after": round(self.max_rss_mib_after, 1),
        }


RECORDS: dict[str, GuardRecord] = {}


def max_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Guard:
    """Runs cases of one fuzz target; see the module docstring.

    ``allowed``: the typed errors the target may raise. ``peak_limit_mib``: the largest
    traced allocation peak a single case may reach (derived from the target's own limits).
    """

    def __init__(self, name: str, allowed: tuple[type[BaseException], ...], peak_limit_mib: float,
                 examples_setting: int = 0, timeout_s: float = CASE_TIMEOUT_S) -> None:
        self.allowed = allowed
        self.peak_limit_mib = peak_limit_mib
        self.timeout_s = timeout_s
        self.record = RECORDS.setdefault(name, GuardRecord(name, tuple(e.__name__ for e in allowed)))
        self.record.examples_setting = examples_setting

    @contextmanager
    def case(self, reraise: bool = False) -> Iterator[None]:
        """One case: allowed typed errors are recorded and swallowed (or re-raised with
        ``reraise``, for a test that checks the message); anything else, a hang or an
        allocation peak over the limit fails."""
        rec = self.record
        watchdog = threading.current_thread() is threading.main_thread()
        previous = None
        if watchdog:
            def on_alarm(signum: int, frame: object) -> None:
                raise CaseTimeout(f"{rec.name}: a case ran longer than {self.timeout_s:g} s (a hang?)")

            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        started_tracing = not tracemalloc.is_tracing()
        if started_tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        start = time.perf_counter()
        outcome = "accepted"
        typed: BaseException | None = None
        try:
            yield
        except self.allowed as exc:
            outcome = type(exc).__name__
            typed = exc
        except BaseException as exc:
            outcome = f"UNEXPECTED {type(exc).__name__}"
            raise
        finally:
            elapsed = time.perf_counter() - start
            if watchdog:
                signal.setitimer(signal.ITIMER_REAL, 0.0)
                signal.signal(signal.SIGALRM, previous)
            _, peak = tracemalloc.get_traced_memory()
            if started_tracing:
                tracemalloc.stop()
            peak_mib = (peak - base) / MIB
            rec.cases += 1
            rec.seconds += elapsed
            rec.slowest_case_s = max(rec.slowest_case_s, elapsed)
            rec.peak_traced_mib = max(rec.peak_traced_mib, peak_mib)
            rec.max_rss_mib_after = max(rec.max_rss_mib_after, max_rss_mib())
            rec.outcomes[outcome] += 1
        assert peak_mib <= self.peak_limit_mib, (
            f"{rec.name}: one case allocated a peak of {peak_mib:.1f} MiB, over the {self.peak_limit_mib:g} MiB bound"
        )
        if reraise and typed is not None:
            raise typed
