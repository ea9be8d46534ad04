"""Reliability tests: at the end of the run, write what every fuzz guard saw.

The summary goes to ``artifacts/reliability/run-summary.json`` (one record per fuzz target:
cases, outcomes, time, slowest case, largest traced peak) and to the terminal, so the
numbers in docs/reliability.md can be read off a run anyone repeats.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fuzz_support import DEEP, RECORDS

SUMMARY = Path(__file__).resolve().parents[2] / "artifacts" / "reliability" / "run-summary.json"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RECORDS:
        return
    records = [r.as_dict() for r in RECORDS.values()]
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    if DEEP:
        path = SUMMARY.with_name("run-summary-deep.json")
    else:
        path = SUMMARY
    # Targets of earlier runs stay (a later run of some files updates only their targets).
    merged: dict[str, dict[str, object]] = {}
    if path.exists():
        try:
            merged = {t["name"]: t for t in json.loads(path.read_text(encoding="utf-8")).get("targets", [])}
        except (ValueError, KeyError, TypeError):
            merged = {}
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for record in records:
        merged[str(record["name"])] = {**record, "run_finished": stamp}
    path.write_text(json.dumps({"finished": stamp, "deep": DEEP, "targets": list(merged.values())}, indent=2),
                    encoding="utf-8")
    terminalreporter.section("reliability: fuzz targets")
    for r in records:
        outcomes = ", ".join(f"{k} {v}" for k, v in r["outcomes"].items())  # type: ignore[union-attr]
        terminalreporter.write_line(
            f"{r['name']}: {r['cases']} cases in {r['seconds']} s (slowest {r['slowest_case_s']} s, "
            f"peak {r['peak_traced_mib']} MiB traced): {outcomes}"
        )
    terminalreporter.write_line(f"written to {path}")
