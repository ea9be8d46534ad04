"""A two-minute soak in CI: ``safelens bench --soak`` on the demo feed, switching effects every 5 s.

The 30-minute version is the same command with ``--soak 1800`` (see docs/reliability.md);
its verdict comes from the same check (soak_check.py): no error, memory growth under 5%
after the first full cycle of effects, no queue that grows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from soak_check import verdict

from camera_app.cli import main

SOAK_S = 95  # plus ~20-30 s of set-up (models, labels, JIT warm-up): about two minutes in all
EFFECTS = "glam,bunny_ears,comic,vintage_film"


@pytest.mark.slow
def test_two_minute_soak_has_no_error_no_growth_and_no_growing_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "data"))
    report_path = tmp_path / "soak.json"
    code = main(["bench", "--soak", str(SOAK_S), "--effects", EFFECTS, "--resolutions", "480p",
                 "--json", str(report_path)])
    out = capfd.readouterr()
    assert code == 0, out.err[-2000:]
    soak = json.loads(report_path.read_text(encoding="utf-8"))["soak"]
    result = verdict(soak)
    summary = Path(__file__).resolve().parents[2] / "artifacts" / "reliability" / "soak-ci.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps(result, indent=2), encoding="utf-8")
    assert soak["effects_cycle"] == [*EFFECTS.split(","), "none"]
    assert result["checks"] == {name: True for name in result["checks"]}, result
