"""``safelens bench --audit N``: catalogue-audit throughput, in one run, on this machine.

A synthetic catalogue of N effects (``camera_app.audit.synth``) is audited three times on the
bundled reference faces in quick mode: 1 local worker, 2 local workers, and a local Ray
instance with 2 CPUs. For each: wall time (including starting the workers), effects per
minute, the ratio to the single worker, the machine's load average before and after (other
people's work on a shared machine slows every figure), and the seconds each task took inside
its worker. The three engines must give the same rows (``identical``). Ray runs its task
workers at nice 15 by default; the bench starts its Ray instance with ``RAY_worker_niceness=0``
(unless set), so on a busy machine Ray's workers compete on the same terms as the pool's.

The projection for a catalogue of 1,000,000 effects uses the median CPU time of a task (all
threads of the worker process, so it counts what a task costs a core, not how long it waited
for one on a busy machine). Tasks are independent and carry their own bytes, so a cluster of
dedicated cores runs them in parallel with only the per-task scheduling overhead (milliseconds
against seconds); worker start-up (seconds per worker) is amortised over its tasks. It is
arithmetic on measured numbers, not a measurement on a cluster.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from camera_app.audit.run import AuditOptions, run_audit
from camera_app.audit.synth import synthesize
from camera_app.creator.check import DEFAULT_FACES

ENGINES = (("1 worker", 1, False), ("2 workers", 2, False), ("Ray, 2 CPUs", 2, True))
CATALOGUE = 1_000_000


def _rows(out: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["path"]: r for r in rows}


def _same(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> bool:
    def strip(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {p: {k: v for k, v in r.items() if k not in ("machine", "timing")} for p, r in rows.items()}

    return strip(a) == strip(b)


def projection(cpu_s: float) -> dict[str, Any]:
    """Core-hours for CATALOGUE effects and the wall time on clusters of a few sizes."""
    core_hours = CATALOGUE * cpu_s / 3600.0
    return {
        "effects": CATALOGUE,
        "cpu_seconds_per_effect": round(cpu_s, 3),
        "core_hours": round(core_hours),
        "hours_on": {str(cores): round(core_hours / cores, 1) for cores in (1, 64, 256, 1024)},
        "cores_for_24_hours": int(-(-core_hours // 24)),
        "cores_for_8_hours": int(-(-core_hours // 8)),
    }


def run_audit_bench(count: int, seed: int = 0, stream: Any = None) -> dict[str, Any]:
    os.environ.setdefault("RAY_worker_niceness", "0")  # read by the raylet the Ray engine starts
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="safelens-audit-bench-") as tmp:
        root = Path(tmp)
        synthesize(count, root / "catalogue", seed)
        outputs: list[Path] = []
        for label, workers, ray in ENGINES:
            out = root / f"out-{len(outputs)}"
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            summary = run_audit(AuditOptions(paths=(root / "catalogue",), out_dir=out, faces_dir=DEFAULT_FACES,
                                             quick=True, workers=workers, ray=ray, report=False),
                                stream=stream if stream is not None else io.StringIO())
            wall = time.perf_counter() - start
            rows = _rows(out)
            tasks = [r["timing"]["seconds"] for r in rows.values() if r["status"] == "ok"]
            cpu = [r["timing"]["cpu_seconds"] for r in rows.values() if r["status"] == "ok"]
            results.append({
                "engine": label, "workers": workers, "ray": ray, "effects": len(rows),
                "audited": summary.counts["audited"], "failed": summary.counts["failed"],
                "wall_s": round(wall, 1), "effects_per_min": round(60.0 * len(rows) / wall, 2),
                "task_s_median": round(statistics.median(tasks), 3) if tasks else None,
                "task_s_mean": round(statistics.fmean(tasks), 3) if tasks else None,
                "task_cpu_s_median": round(statistics.median(cpu), 3) if cpu else None,
                "load_1m_before": round(load_before, 2), "load_1m_after": round(os.getloadavg()[0], 2),
            })
            outputs.append(out)
        first = _rows(outputs[0])
        identical = all(_same(first, _rows(o)) for o in outputs[1:])
    base = results[0]["effects_per_min"]
    for r in results:
        r["ratio_to_1_worker"] = round(r["effects_per_min"] / base, 2) if base else None
    cpu_s = results[0]["task_cpu_s_median"] or 0.0
    return {
        "count": count, "seed": seed, "quick": True, "faces": "bundled (12-face quick set)",
        "machine": {"node": platform.node(), "cpus": len(os.sched_getaffinity(0)), "processor": platform.processor()},
        "ray_worker_niceness": os.environ.get("RAY_worker_niceness"), "engines": results, "identical": identical, "projection": projection(cpu_s),
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Catalogue audit throughput ({report['count']} synthetic effects, quick mode)", "",
             "| engine | wall s | effects/min | x 1 worker | task s (median) | task CPU s (median) | load 1m before -> after |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in report["engines"]:
        lines.append(f"| {r['engine']} | {r['wall_s']} | {r['effects_per_min']} | {r['ratio_to_1_worker']} | "
                     f"{r['task_s_median']} | {r['task_cpu_s_median']} | {r['load_1m_before']} -> {r['load_1m_after']} |")
    p = report["projection"]
    lines += ["", f"Same rows from every engine: {'yes' if report['identical'] else 'NO'}.", "",
              f"Projection for {p['effects']:,} effects: {p['cpu_seconds_per_effect']} CPU s per effect "
              f"-> {p['core_hours']:,} core-hours; "
              + ", ".join(f"{h} h on {c} cores" for c, h in p["hours_on"].items())
              + f"; {p['cores_for_24_hours']:,} cores to finish in 24 h, {p['cores_for_8_hours']:,} in 8 h.", ""]
    return "\n".join(lines)


def write(report: dict[str, Any], json_path: Path | None, report_dir: Path | None) -> list[Path]:
    written = []
    text = json.dumps(report, indent=2) + "\n"
    if json_path is not None:
        json_path.write_text(text, encoding="utf-8")
        written.append(json_path)
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "audit_bench.json").write_text(text, encoding="utf-8")
        (report_dir / "audit_bench.md").write_text(markdown(report), encoding="utf-8")
        written += [report_dir / "audit_bench.json", report_dir / "audit_bench.md"]
    return written
