"""The verdict on a soak report (``safelens bench --soak SECONDS --json OUT``).

Passes when the soak saw no error, no frame blocked by the policy (the bench profile is a
verified adult), resident memory at the end within ``MAX_GROWTH_PCT`` of memory once every
effect has been shown (after the first full cycle of switches: JIT, assets and caches are
loaded by then), and no growing queue: the pipeline's queue never above its bound, and the
age worker's backlog never above ``MAX_AGE_PENDING``.

Run it on a report anyone produced::

    .venv/bin/python tests/reliability/soak_check.py out/soak.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

MAX_GROWTH_PCT = 5.0
PIPELINE_QUEUE_BOUND = 2  # PipelineOptions.queue_size
MAX_AGE_PENDING = 2  # one slot per face of the two the tracker follows


def verdict(soak: dict[str, Any]) -> dict[str, Any]:
    samples = soak["samples"]
    cycle_s = soak["switch_every_s"] * len(soak["effects_cycle"])
    after_cycle = [s for s in samples if s["t_s"] >= cycle_s] or samples
    first = [s["rss_mb"] for s in after_cycle if s["t_s"] < cycle_s * 2] or [after_cycle[0]["rss_mb"]]
    last_from = samples[-1]["t_s"] - cycle_s
    last = [s["rss_mb"] for s in samples if s["t_s"] >= last_from]
    base, end = statistics.median(first), statistics.median(last)
    growth_pct = 100.0 * (end - base) / base
    queue_max = max((s["queue_depth"] for s in samples), default=0)
    age_max = max((s["age_pending"] for s in samples), default=0)
    third = max(1, len(samples) // 3)
    queue_first = statistics.mean(s["queue_depth"] for s in samples[:third])
    queue_last = statistics.mean(s["queue_depth"] for s in samples[-third:])
    checks = {
        "no errors": soak["errors"] == 0,
        "no blocked frames": soak["blocked_frames"] == 0,
        f"memory growth under {MAX_GROWTH_PCT:g}%": growth_pct < MAX_GROWTH_PCT,
        f"pipeline queue within {PIPELINE_QUEUE_BOUND}": queue_max <= PIPELINE_QUEUE_BOUND,
        f"age backlog within {MAX_AGE_PENDING}": age_max <= MAX_AGE_PENDING,
        "switched effects": soak["switches"] >= min(len(soak["effects_cycle"]), 2),
    }
    return {
        "passed": all(checks.values()),
        "checks": checks,
        "duration_s": soak["duration_s"],
        "frames": soak["frames"],
        "switches": soak["switches"],
        "errors": soak["errors"],
        "tracker_failures": soak.get("tracker_failures", 0),
        "rss_after_first_cycle_mb": round(base, 1),
        "rss_last_cycle_mb": round(end, 1),
        "rss_max_mb": soak["rss_max_mb"],
        "memory_growth_pct": round(growth_pct, 2),
        "rss_slope_mb_per_min": soak["rss_growth_mb_per_min"],
        "max_queue_depth": queue_max,
        "mean_queue_depth_first_third": round(queue_first, 2),
        "mean_queue_depth_last_third": round(queue_last, 2),
        "max_age_pending": age_max,
        "fps_median": soak["fps_median"],
        "fps_min": soak["fps_min"],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: soak_check.py REPORT.json", file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = verdict(report["soak"])
    print(json.dumps(result, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
