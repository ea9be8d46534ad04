"""``--baseline FILE``: compare this run's medians with an earlier report's.

Compared, for every run id, effect stack and kernel present in both reports: the median frame
time, the median of each stage and op, each stack's median CPU time, and each kernel's Numba
median. A median regressed when it
got slower by more than the tolerance (a fraction: 0.15 = 15 %) *and* by more than
``min_delta_ms`` (so a 0.02 ms stage that becomes 0.03 ms is noise, not a regression).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.report import SCHEMA_NAME, SCHEMA_VERSION

DEFAULT_TOLERANCE = 0.15
MIN_DELTA_MS = 0.25


class BaselineError(ValueError):
    """The baseline file is missing, not JSON, or not a bench report of a known schema."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One median in both reports. ``change``: after / before - 1 (0.2 = 20 % slower)."""

    what: str
    before_ms: float
    after_ms: float
    change: float
    regressed: bool

    def describe(self) -> str:
        return f"{self.what}: {self.before_ms:.3f} -> {self.after_ms:.3f} ms ({self.change:+.0%})"


def load_report(path: Path) -> dict[str, Any]:
    """A bench report from disk, checked for its schema name and version."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_NAME:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise BaselineError(f"{path}: schema: expected {SCHEMA_NAME!r}, found {found!r}")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise BaselineError(f"{path}: schema_version: expected {SCHEMA_VERSION}, found {data.get('schema_version')!r}")
    for key in ("runs", "kernels"):
        if not isinstance(data.get(key), list):
            raise BaselineError(f"{path}: {key}: expected a list, found {type(data.get(key)).__name__}")
    return data


def medians(report: dict[str, Any]) -> dict[str, float]:
    """Every comparable median of a report, by a readable name."""
    out: dict[str, float] = {}
    # Runs on the live demo (every report before the camera-like replay source) are not compared
    # with runs on the replay: the demo's drawing competes with the pipeline for the CPUs.
    live_demo = str((report.get("settings") or {}).get("source", "")).startswith("demo")
    for run in report.get("runs", []):
        rid = run["id"] + (" on the live demo" if live_demo else "")
        _put(out, f"run {rid}: frame time", run.get("frame_ms"))
        for name, summary in run.get("stages_ms", {}).items():
            _put(out, f"run {rid}: stage {name}", summary)
        for name, summary in run.get("ops_ms", {}).items():
            _put(out, f"run {rid}: op {name}", summary)
    for stack in report.get("stacks", []):
        _put(out, f"stack {stack['effect']} @{stack['resolution']}: CPU", stack.get("apply_cpu_ms"))
    for kernel in report.get("kernels", []):
        _put(out, f"kernel {kernel['name']} @{kernel['resolution']}: numba", kernel.get("numba_ms"))
    return out


def _put(out: dict[str, float], name: str, summary: Any) -> None:
    if isinstance(summary, dict) and isinstance(summary.get("median"), (int, float)):
        out[name] = float(summary["median"])


def compare(
    baseline: dict[str, Any],
    current: dict[str, Any],
    tolerance: float = DEFAULT_TOLERANCE,
    min_delta_ms: float = MIN_DELTA_MS,
) -> list[Comparison]:
    """Every median present in both reports, in the current report's order."""
    if not 0.0 <= tolerance <= 10.0:
        raise BaselineError(f"tolerance: expected a fraction in [0, 10], found {tolerance!r}")
    before = medians(baseline)
    found = []
    for what, after in medians(current).items():
        if what not in before:
            continue
        old = before[what]
        change = after / old - 1.0 if old > 0 else 0.0
        regressed = after > old * (1.0 + tolerance) and after - old > min_delta_ms
        found.append(Comparison(what, old, after, change, regressed))
    return found


def summary_section(comparisons: list[Comparison], baseline_path: Path, tolerance: float) -> dict[str, Any]:
    """The report's ``baseline`` section."""
    regressed = [c for c in comparisons if c.regressed]
    return {
        "file": str(baseline_path),
        "tolerance": tolerance,
        "min_delta_ms": MIN_DELTA_MS,
        "compared": len(comparisons),
        "regressions": [
            {"what": c.what, "before_ms": c.before_ms, "after_ms": c.after_ms, "change": round(c.change, 4)}
            for c in regressed
        ],
    }
