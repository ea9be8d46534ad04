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


def _soak_report(rss: list[float], errors: int = 0, queue: int = 0, age: int = 0) -> dict:
    samples = [{"t_s": float(t), "rss_mb": m, "fps": 30.0, "queue_depth": queue if t == 50 else 0,
                "age_pending": age if t == 60 else 0} for t, m in enumerate(rss, start=1)]
    return {"samples": samples, "switch_every_s": 5.0, "effects_cycle": ["glam", "none"], "duration_s": len(rss),
            "errors": errors, "blocked_frames": 0, "switches": len(rss) // 5, "frames": 30 * len(rss),
            "rss_max_mb": max(rss), "rss_growth_mb_per_min": 0.0, "fps_median": 30.0, "fps_min": 30.0}


def test_the_soak_verdict_catches_growth_errors_and_queues() -> None:
    flat = [400.0] * 120
    assert verdict(_soak_report(flat))["passed"]
    growing = [400.0 + 0.5 * t for t in range(120)]  # +15% over the run
    result = verdict(_soak_report(growing))
    assert not result["passed"] and not result["checks"]["memory growth under 5%"]
    assert not verdict(_soak_report(flat, errors=1))["checks"]["no errors"]
    assert not verdict(_soak_report(flat, queue=3))["checks"]["pipeline queue within 2"]
    assert not verdict(_soak_report(flat, age=5))["checks"]["age backlog within 2"]
