"""The Markdown summary of a bench report: targets first, then devices, runs, kernels, the rest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

PLOTS = (
    ("frame_times.png", "Frame time per effect"),
    ("stage_breakdown.png", "Where a frame's time goes"),
    ("effect_costs.png", "Effect stacks alone, by op"),
    ("devices.png", "Device profiles"),
    ("kernel_ratios.png", "Numba kernels against OpenCV and NumPy"),
    ("soak.png", "Soak"),
)


def _verdict(met: bool | None, informational: bool = False) -> str:
    if met is None:
        return "not measured"
    if informational:
        return "yes" if met else "no"
    return "met" if met else "**MISSED**"


def _ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render(report: dict[str, Any], plots: Sequence[Path] = ()) -> str:
    m = report.get("machine") or {}
    lines = [
        "# SafeLens bench",
        "",
        f"{report['created_utc']} · `{' '.join(report['command'])}` · schema {report['schema']} v{report['schema_version']}",
        "",
    ]
    if m:
        load = m.get("load_average_before", [])
        lines += [
            f"Machine: {m.get('cpu_count')} CPUs, {m.get('platform')}; kernels: {m.get('kernels_backend')}; "
            f"load average before {load[0] if load else '?'}, after {m.get('load_average_after', ['?'])[0]}.",
            "",
        ]
        if load and load[0] > 0.5 * max(1, m.get("cpu_count", 1)):
            lines += [f"> Other processes were busy on this machine while it ran (load {load[0]:.1f} on "
                      f"{m.get('cpu_count')} CPUs): the times below include that contention.", ""]
    source = (report.get("settings") or {}).get("source")
    if source:
        lines += [f"Pipeline runs' source: {source}.", ""]
    lines += _targets(report) + _devices(report) + _runs(report) + _capture(report) + _display(report)
    lines += _stacks(report) + _kernels(report) + _age(report) + _overlay(report) + _landmarks(report)
    lines += _startup(report) + _memory(report) + _baseline(report) + _soak(report)
    if report.get("errors"):
        lines += ["## Errors", ""] + [f"- {e}" for e in report["errors"]] + [""]
    shown = {p.name for p in plots}
    charts = [(name, title) for name, title in PLOTS if name in shown]
    if charts:
        lines += ["## Charts", ""]
        for name, title in charts:
            lines += [f"### {title}", "", f"![{title}]({name})", ""]
    return "\n".join(lines)


def _targets(report: dict[str, Any]) -> list[str]:
    if not report.get("targets"):
        return []
    rows = []
    for t in report["targets"]:
        measured = "-" if t["measured"] is None else f"{t['measured']:g} {t['unit']}"
        miss = f" (by {t['missed_by']:g} {t['unit']})" if t.get("missed_by") else ""
        rows.append([t["text"], measured, f"{t['limit']:g} {t['unit']}", _verdict(t["met"], t["informational"]) + miss,
                     t["note"]])
    return ["## Targets", ""] + _table(["target", "measured", "limit", "verdict", "how"], rows)


def _devices(report: dict[str, Any]) -> list[str]:
    rows = [d for d in report.get("device_results", [])]
    if not rows:
        return []
    native = [d for d in rows if d["native"]]
    out = ["## Device profiles", "",
           "Pass: p95 frame time within the device's frame budget (1000 / target fps), on the device's "
           "CPU share, at its own resolution. Other resolutions are in the runs table.", ""]
    table = []
    for d in native:
        table.append([d["device"], d["effect"], d["resolution"], _ms(d["median_ms"]), _ms(d["p95_ms"]),
                      _ms(d["budget_ms"]), f"{d['frames_over_budget']}/{d['frames']}",
                      "pass" if d["pass"] else "**FAIL**"])
    return out + _table(["device", "effect", "res", "median ms", "p95 ms", "budget ms", "over budget", "verdict"], table)


def _runs(report: dict[str, Any]) -> list[str]:
    if not report.get("runs"):
        return []
    rows = []
    for r in report["runs"]:
        saving = "-" if r["pipelined_saving"] is None else f"{r['pipelined_saving']:.0%}"
        cpu = r.get("cpu_ms_per_frame", {})
        rows.append([r["id"], f"{r['fps']:.1f}", _ms(r["frame_ms"].get("median")), _ms(r["frame_ms"].get("p95")),
                     _ms(r["frame_ms"].get("p99")), _ms(r["sum_of_stages_ms"].get("median")), saving,
                     f"{_ms(cpu.get('frame_thread'))} / {_ms(cpu.get('other_threads'))}",
                     f"{r['frames_with_face']}/{r['frames']} ({r.get('landmarks_predicted_frames', 0)} predicted)",
                     r["blocked_frames"],
                     f"{max(r.get('load_1m', [0.0])):.1f}"])
    out = ["## Runs", "",
           "Frame time: wall time between two frames leaving the pipeline (capture and landmarks of the next "
           "frame run on a worker thread beside the stages of this one). Sum: the per-frame sum of every step. "
           "Saving: how much less a pipelined frame costs than that sum. CPU: CPU time per frame of the thread that runs "
           "the stages / of all other threads (capture, MediaPipe, age worker); with a free core for each, a frame "
           "cannot take less than the larger of the two. "
           "Load: the machine's 1-minute load average during the run (above the CPU count, other work competed).", ""]
    out += _table(["run", "fps", "median ms", "p95 ms", "p99 ms", "sum of steps ms", "saving", "CPU ms/frame stages / other",
                   "frames with face", "blocked", "load"], rows)
    for r in report["runs"]:
        if r["effect"] == "glam" and r["age"]:
            out += [f"Steps of `{r['id']}` (median / p95 ms):", ""]
            steps = [[name, _ms(s.get("median")), _ms(s.get("p95"))] for name, s in r["stages_ms"].items()]
            steps += [[f"op {name}", _ms(s.get("median")), _ms(s.get("p95"))] for name, s in r["ops_ms"].items()]
            out += _table(["step", "median", "p95"], steps)
    return out


def _capture(report: dict[str, Any]) -> list[str]:
    rows = [[c["resolution"], _ms(c["demo_draw_ms"].get("median")), _ms(c["demo_draw_ms"].get("p95")),
             _ms(c["demo_draw_cpu_ms"].get("median")), _ms(c["yuv_to_rgb_ms"].get("median")),
             _ms(c["yuv_to_rgb_ms"].get("p95")), _ms(c["yuv_to_rgb_cpu_ms"].get("median")),
             f"{c['replay_frames']} x {c['yuv_frame_mb']:.2f} = {c['replay_mb']:.0f} MiB"]
            for c in report.get("capture", [])]
    if not rows:
        return []
    return ["## Capture: drawing a demo frame vs converting a camera frame", "",
            "Per frame, nothing else running: the live demo feed draws each frame (on a thread of its own); a camera "
            "(and the bench's default replay source) hands over YUV 4:2:0 that is converted to RGB (NV12 here).",
            ""] + _table(["res", "demo draw median ms", "p95", "CPU median", "NV12->RGB median ms", "p95", "CPU median",
                          "replay memory"], rows)


def _display(report: dict[str, Any]) -> list[str]:
    rows = [[d["resolution"], d["effect"] or "none", f"{d['window_size'][0]}x{d['window_size'][1]}",
             f"{d['shown_fps']:.1f} / {d['feed_fps']:g}", f"{d['processed_fps']:.1f}",
             "yes" if d["keeps_up"] else "**no**", _ms(d["upload_ms"].get("median")), _ms(d["upload_ms"].get("p95")),
             _ms(d["ui_frame_ms"].get("median")), _ms(d["draw_ms"].get("median")), _ms(d["draw_ms"].get("p95")),
             _ms((d.get("cpu_ms_per_frame") or {}).get("renderer")), _ms((d.get("cpu_ms_per_frame") or {}).get("process")),
             d["draws_per_frame"], f"{d['load_1m'][0]:.1f}"]
            for d in report.get("display", [])]
    if not rows:
        return []
    return ["## The app's display path (offscreen)", "",
            "The real app on the demo feed (30 fps), offscreen, measured by the app itself (`--display-stats`). "
            "With software OpenGL the window is rendered on the CPU (the renderer's threads); the app waits for "
            "each redraw, so a redraw's time includes it.",
            ""] + _table(["res", "effect", "window", "shown fps", "worker fps", "keeps up", "upload median ms", "p95",
                          "UI work median ms", "redraw median ms", "p95", "renderer CPU ms/frame",
                          "app CPU ms/frame", "redraws/frame", "load"], rows)


def _stacks(report: dict[str, Any]) -> list[str]:
    rows = []
    for st in report.get("stacks", []):
        ops = ", ".join(f"{name} {v['median']:.2f}" for name, v in st["ops_ms"].items())
        rows.append([st["effect"], st["resolution"], _ms(st["apply_ms"].get("median")), _ms(st["apply_ms"].get("p95")),
                     _ms(st["apply_cpu_ms"].get("median")), ops])
    if not rows:
        return []
    return ["## Effect stacks alone", "",
            "Each effect applied to the same tracked demo frames with nothing else running: the kernels' own cost "
            "(in the pipeline the effect stage shares the CPUs and the GIL with capture, landmarks and the age worker).",
            ""] + _table(["effect", "res", "median ms", "p95 ms", "CPU median ms", "ops (median ms)"], rows)


def _kernels(report: dict[str, Any]) -> list[str]:
    if not report.get("kernels"):
        return []
    rows = []
    for k in report["kernels"]:
        cv = k.get("opencv_ms") or {}
        ratio = k["numba_vs_opencv"]
        flag = "" if ratio is None or ratio <= 1.0 else " **>1**"
        rows.append([k["name"], k["resolution"], _ms(k["numba_ms"].get("median")), _ms(k["numpy_ms"].get("median")),
                     _ms(cv.get("median")), ("-" if ratio is None else f"{ratio:.2f}x") + flag,
                     "-" if k["numba_vs_numpy"] is None else f"{k['numba_vs_numpy']:.3f}x", k["opencv_calls"]])
    return ["## Kernels", "", "Median ms on identical inputs; ratio = Numba / reference (below 1 = Numba faster).", ""] + \
        _table(["kernel", "res", "numba", "numpy", "opencv", "vs OpenCV", "vs NumPy", "OpenCV calls"], rows)


def _age(report: dict[str, Any]) -> list[str]:
    rows = [[a["run"], _ms(a["amortised_frame_path_ms"]), _ms(a["first_estimate_ms"]), _ms(a["first_steady_ms"]),
             _ms(a["p95_with_age_ms"]), _ms(a["p95_without_age_ms"]), f"{a['p95_delta_ms']:+.2f}"]
            for a in report.get("age", [])]
    if not rows:
        return []
    return ["## Age estimation", "",
            "Frame path: the age stage's own time per frame (it only hands the frame to the worker). First "
            "estimate / steady: ms from the first frame with a face to its first (steady) aggregated estimate.", ""] + \
        _table(["run", "frame path ms (mean)", "first estimate ms", "steady ms", "p95 with", "p95 without", "delta"],
               rows)


def _overlay(report: dict[str, Any]) -> list[str]:
    rows = [[o["resolution"], o["cores"], o["runs"], _ms(o["median_of_run_medians_ms"]), _ms(o["max_run_median_ms"])]
            for o in report.get("overlay", [])]
    if not rows:
        return []
    return ["## Disclosure label (overlay)", ""] + _table(
        ["res", "cores", "runs", "median ms", "worst run median ms"], rows)


def _landmarks(report: dict[str, Any]) -> list[str]:
    if not report.get("landmarks"):
        return []
    rows = []
    for e in report["landmarks"]:
        err, pred, added, jit = (e["error_iod_pct"], e["predicted_error_iod_pct"], e["added_error_iod_pct"],
                                 e["jitter_iod_pct"])
        met = {True: "yes", False: "**no**", None: "-"}[e["meets_accuracy_target"]]
        rows.append([e["schedule"], e["resolution"],
                     f"{e['detected_frames']} / {e['predicted_frames']} ({e.get('landmarker_runs', '-')})",
                     f"{_pct(err.get('median'))} / {_pct(err.get('p95'))}", f"{_pct(pred.get('median'))} / {_pct(pred.get('p95'))}",
                     f"{_pct(added.get('median'))} / {_pct(added.get('p95'))}", f"{_pct(jit.get('median'))} / {_pct(jit.get('p95'))}",
                     f"{_ms(e['track_ms'].get('median'))} / {_ms(e['track_ms'].get('p95'))}",
                     f"{_ms(e['tracker_cpu_ms_per_frame'])} / {_ms(e.get('loop_cpu_ms_per_frame'))}", met,
                     f"{e['load_1m']:.1f}"])
    return ["## Landmarks per schedule", "",
            "Ground truth: the demo scene's landmarks (detected once at full resolution) moved by each frame's known "
            "camera map. Error: mean landmark distance from the truth, % of the inter-ocular distance (median / p95 over "
            "frames). Added: a predicted frame's error minus detection's on the same frame. Jitter: mean landmark "
            "movement between frames of a still camera with sensor noise. Track: wall time of `track` per frame; CPU: "
            "process CPU time of `track` per frame / of the whole loop with the demo drawing (the one that holds `async`'s worker). Target: predicted frames within 1% (median) and 2.5% (p95).", ""] + \
        _table(["schedule", "res", "detected / predicted (MediaPipe runs)", "error %", "predicted error %", "added %", "jitter %",
                "track ms median / p95", "CPU ms/frame track / loop", "target", "load"], rows)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _startup(report: dict[str, Any]) -> list[str]:
    s = report.get("startup")
    if not s:
        return []
    cold, warm = s["cold"], s["warm"]
    rows = [[step, _ms(cold["steps_ms"].get(step)), _ms(warm["steps_ms"].get(step))] for step in cold["steps_ms"]]
    rows.append(["process start to first frame with every effect", _ms(cold["to_first_frame_ms"]),
                 _ms(warm["to_first_frame_ms"])])
    return ["## Start-up", "",
            f"Fresh processes, {cold['resolution']}, effects: {', '.join(cold.get('effects', []))}; cold = empty Numba cache (compiles {s['cache_files']} cache "
            f"files), warm = the cache it filled. JIT compile ≈ {s['jit_compile_ms'] / 1000:.1f} s.", ""] + \
        _table(["step", "cold ms", "warm ms"], rows)


def _memory(report: dict[str, Any]) -> list[str]:
    mem = report.get("memory")
    if not mem:
        return []
    return ["## Memory", "", f"- peak resident set of the bench process: {mem['peak_rss_mb']:.0f} MiB",
            f"- traced Python/NumPy allocations over {mem['traced_frames']} frames of {mem['traced_run']}: "
            f"peak {mem['traced_peak_mb']:.1f} MiB, {mem['traced_retained_mb']:.2f} MiB still held after", ""]


def _baseline(report: dict[str, Any]) -> list[str]:
    b = report.get("baseline")
    if not b:
        return []
    out = ["## Against the baseline", "",
           f"{b['file']}: {b['compared']} medians compared, tolerance {b['tolerance']:.0%} "
           f"(and more than {b['min_delta_ms']} ms).", ""]
    if not b["regressions"]:
        return out + ["No median regressed.", ""]
    return out + _table(["what", "before ms", "after ms", "change"],
                        [[r["what"], _ms(r["before_ms"]), _ms(r["after_ms"]), f"{r['change']:+.0%}"]
                         for r in b["regressions"]])


def _soak(report: dict[str, Any]) -> list[str]:
    s = report.get("soak")
    if not s:
        return []
    out = ["## Soak", "",
           f"- {s['duration_s']:.0f} s at {s['resolution']}, {s['target_fps']:g} fps paced, effect switched every "
           f"{s['switch_every_s']:g} s ({s['switches']} switches through {len(s['effects_cycle'])} effects)",
           f"- frames: {s['frames']}; frame rate median {_ms(s['fps_median'])}, lowest second {_ms(s['fps_min'])}",
           f"- memory: {_ms(s['rss_start_mb'])} -> {_ms(s['rss_end_mb'])} MiB, growth {s['rss_growth_mb_per_min']:+.3f} "
           f"MiB/min after warm-up{' (**suspect**)' if s['growth_suspect'] else ''}",
           f"- queues: pipeline at most {s['max_queue_depth']}, age worker backlog at most {s['max_age_pending']}",
           f"- errors: {s['errors']}; frames the tracker failed on: {s.get('tracker_failures', 0)}"]
    out += [f"  - {e['t_s']} s: {e['type']}: {e['message']}" for e in s["error_list"]]
    return out + [""]
