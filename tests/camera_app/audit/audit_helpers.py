"""Shared set-up of the audit tests: a small synthetic catalogue with two broken effects, a
four-face reference folder (three adults, one minor) so each effect takes a second or two."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

from camera_app.audit.run import AuditOptions, AuditSummary, run_audit
from camera_app.audit.synth import synthesize

REPO = Path(__file__).resolve().parents[3]
FACES = REPO / "assets" / "faces"
SMALL_SET = (
    "us_congress_C000714.jpg",
    "us_congress_B001287.jpg",
    "us_congress_H001056.jpg",
    "fsaowi_LC-USW3-015163_schoolboy_center.jpg",
)
SEED = 7


def small_faces(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with (FACES / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in SMALL_SET]
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name in SMALL_SET:
        shutil.copy(FACES / name, folder / name)
    return folder


def catalogue(folder: Path, count: int = 8) -> tuple[Path, list[dict[str, Any]]]:
    """``count`` synthetic effects plus two broken ones: a field out of range, and a .zip that is not one."""
    entries = synthesize(count, folder, SEED)
    bad = folder / "broken" / "bad_scale"
    bad.mkdir(parents=True)
    text = (folder / entries[0]["path"] / "effect.toml").read_text(encoding="utf-8")
    (bad / "effect.toml").write_text(text.replace(f"scale = {entries[0]['ops'][0]['scale']}", "scale = 9.0"),
                                     encoding="utf-8")
    (folder / "broken" / "junk.zip").write_bytes(b"not a zip at all")
    return folder, entries


def audit(paths: list[Path], out: Path, faces: Path, on_dispatch: Any = None, **options: Any) -> AuditSummary:
    return run_audit(AuditOptions(paths=tuple(paths), out_dir=out, faces_dir=faces, quick=True, **options),
                     stream=io.StringIO(), on_dispatch=on_dispatch)


def rows(out: Path) -> dict[str, dict[str, Any]]:
    """audit.jsonl by path."""
    lines = (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["path"]: r for r in map(json.loads, lines)}


def without_machine(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The rows minus what depends on the machine and the moment (frame cost, host, timing)."""
    return {p: {k: v for k, v in r.items() if k not in ("machine", "timing")} for p, r in found.items()}
