"""Reliability tests: at the end of the run, write what every fuzz guard saw.

The summary goes to ``artifacts/reliability/run-summary.json`` (one record per fuzz target:
cases, outcomes, time, slowest case, largest traced peak) and to the terminal, so the
numbers in docs/reliability.md can be read off a run anyone repeats.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_support import DEEP, RECORDS

TMPFS_BYTES = 3 * 1024 * 1024


def _mount_tmpfs(mount_point: Path, options: str) -> None:
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); "
                    "the ENOSPC-injection tests cover the same paths")


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MiB filesystem (tmpfs), or a skip where mounting is not permitted."""
    mount_point = tmp_path / "tiny"
    _mount_tmpfs(mount_point, f"size={TMPFS_BYTES},mode=0755")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture()
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """A real read-only filesystem (a tmpfs holding ``earlier.txt``, remounted read-only)."""
    mount_point = tmp_path / "ro"
    _mount_tmpfs(mount_point, "size=1m,mode=0755")
    try:
        (mount_point / "earlier.txt").write_text("kept", encoding="utf-8")
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


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
