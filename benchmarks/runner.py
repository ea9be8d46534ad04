"""The whole bench: plan, measure (pipeline runs, kernels, memory, start-up, or a soak), report.

Exit codes: 0 done; 1 a median regressed against ``--baseline``, a part failed (listed
under ``errors``), or the soak saw errors. A failing kernel module or start-up probe is
recorded and the rest of the bench still runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from benchmarks import baseline as baseline_mod
from benchmarks import markdown, plots
from benchmarks.capture_bench import measure_capture
from benchmarks.devices import DeviceProfile, available_cpus, select_devices
from benchmarks.kernel_runner import kernel_modules, load_cases, time_case
from benchmarks.landmark_bench import frames_played, measure_landmarks
from benchmarks.memory import peak_rss_mb, traced_peak_mb
from benchmarks.plan import MEMORY_FRAMES, BenchOptions, effect_list, scenarios
from benchmarks.report import (
    age_comparison,
    device_entries,
    kernel_entry,
    machine_info,
    new_report,
    overlay_summary,
    run_entry,
    write_json,
)
from benchmarks.scenario import NO_EFFECT, BenchResources, Scenario, run_scenario
from benchmarks.stack_bench import measure_stacks, tracked_frames
from benchmarks.targets import REFERENCE_EFFECT, evaluate
from camera_app.progress import Progress

JSON_NAME = "bench.json"
SUMMARY_NAME = "summary.md"


def run_bench(options: BenchOptions, command: Sequence[str], out: TextIO = sys.stdout) -> int:
    from camera_app.catalog.effects import load_registry

    devices = select_devices(options.devices)
    before = baseline_mod.load_report(options.baseline) if options.baseline is not None else None
    registry = load_registry()
    effects = effect_list(options, list(registry.ids))
    cpus = available_cpus()
    report = new_report(command, _settings(options, effects, devices))
    report["devices"] = [d.to_dict() for d in devices]
    load_before = os.getloadavg()
    with ExitStack() as stack:
        res = _resources(stack, registry, effects, options.landmark_schedule)
        if options.soak_s is not None:
            _soak(report, res, options, effects, devices)
        else:
            _measure_all(report, res, options, effects, devices, cpus)
    report["machine"] = machine_info(load_before, os.getloadavg(), cpus)
    report["targets"] = evaluate(report, len(cpus)) if options.soak_s is None else []
    regressions = _baseline(report, options, before)
    _write(report, options, out)
    return 1 if regressions or report["errors"] or (report["soak"] or {}).get("errors") else 0


def _settings(options: BenchOptions, effects: list[str], devices: list[DeviceProfile]) -> dict[str, Any]:
    return {
        "quick": options.quick,
        "effects": effects,
        "resolutions": list(options.resolutions),
        "devices": [d.id for d in devices],
        "frames": options.frames_per_run,
        "warmup_frames": options.warmup_frames,
        "kernel_repeats": options.kernel_repeats,
        "stack_frames": options.stack_frames,
        "tolerance": options.tolerance,
        "soak_s": options.soak_s,
        "skip": sorted(options.skip),
        "seed": options.seed,
        "landmark_schedule": options.landmark_schedule,
        "display_s": options.display_s,
        "source": _source_text(options),
        "policy": "verified adult profile (every effect allowed; the gate still decides per frame)",
    }


def _source_text(options: BenchOptions) -> str:
    if options.soak_s is not None:
        return "demo (paced)"
    if options.source == "replay":
        return "replay (camera-like: pre-rendered demo frames as NV12, converted to RGB per frame; unpaced)"
    return "demo (drawn live on a prefetch thread; unpaced)"


def _resources(stack: ExitStack, registry: Any, effects: list[str], schedule: Any) -> BenchResources:
    """The tracker, the age model and the effects' classifier results (cached between runs)."""
    from age_estimation.model import AgeModel, AgeModelOptions
    from camera_app.catalog.classifications import results_for
    from camera_app.catalog.result_cache import result_cache
    from camera_app.models import model_path
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

    specs = {e: registry.get(e) for e in effects if e != NO_EFFECT}
    with Progress(None, "classify effects for their labels (cached)") as progress:

        def advance(done: int, total: int) -> None:
            progress.total = total
            progress.advance(done - progress.count)

        results = results_for(list(specs.values()), result_cache(None), progress=advance)
    tracker = stack.enter_context(FaceTracker(FaceTrackerOptions(max_faces=2, schedule=schedule)))
    model = AgeModel(AgeModelOptions(model_path("age")))
    stack.callback(model.close)
    store, profile_id = _bench_profile(stack)
    return BenchResources(tracker, model, specs, {r.effect_id: r for r in results}, store, profile_id)


def _bench_profile(stack: ExitStack) -> tuple[Any, int]:
    """A throwaway profile store with one verified adult: the profile the bench's chain (and its
    review watch) runs for, as the app's does."""
    import datetime
    import shutil
    import tempfile

    from camera_app.profiles.model import Assurance
    from camera_app.profiles.store import ProfileStore

    folder = tempfile.mkdtemp(prefix="safelens-bench-data-")
    stack.callback(shutil.rmtree, folder, True)
    store = stack.enter_context(ProfileStore(folder))
    profile = store.create_profile("Bench", datetime.date(store.today().year - 35, 1, 1))
    store.set_assurance(profile.profile_id, Assurance.VERIFIED_ADULT)
    return store, profile.profile_id


def _measure_all(
    report: dict[str, Any],
    res: BenchResources,
    options: BenchOptions,
    effects: list[str],
    devices: list[DeviceProfile],
    cpus: list[int],
) -> None:
    plan = scenarios(options, effects, devices) if "pipeline" not in options.skip else []
    kernel_res = options.resolutions[:1] if options.quick else options.resolutions
    total = sum(s.warmup_frames + s.frames for s in plan)
    stack_effects = [e for e in effects if e != NO_EFFECT]
    total += 0 if "stacks" in options.skip else 5 * len(stack_effects) * len(options.resolutions)
    total += 0 if "kernels" in options.skip else 10 * len(kernel_res) * len(kernel_modules())
    total += 0 if "memory" in options.skip else MEMORY_FRAMES + 1  # + the warm-up frame
    total += 0 if "startup" in options.skip else 20
    total += 0 if "landmarks" in options.skip else frames_played(options.resolutions, options.frames_per_run)
    total += 0 if "capture" in options.skip else options.frames_per_run * len(options.resolutions)
    total += 0 if "display" in options.skip else 20 * len(options.resolutions)
    with Progress(total, "bench") as progress:
        if plan:
            progress.label = "warm the JIT (every effect once)"
            _warm_jit(res, options.resolutions[0])
        for scenario in plan:
            progress.label = f"run {scenario.id:<28}"
            report["runs"].append(run_entry(run_scenario(res, scenario, progress.advance)))
        report["device_results"] = device_entries(devices, report["runs"], len(cpus))
        report["age"] = age_comparison(report["runs"])
        report["overlay"] = overlay_summary(report["runs"])
        if "stacks" not in options.skip and stack_effects:
            for resolution in options.resolutions:
                progress.label = f"effect stacks alone @{resolution}"
                frames = tracked_frames(res, resolution, options.stack_frames, options.seed)
                report["stacks"] += measure_stacks(res, stack_effects, resolution, frames,
                                                   lambda n: progress.advance(5 * n))
        if "landmarks" not in options.skip:
            progress.label = "landmark accuracy per schedule"
            report["landmarks"] = measure_landmarks(options.resolutions, options.frames_per_run, options.seed,
                                                    progress.advance)
        if "capture" not in options.skip:
            for resolution in options.resolutions:
                progress.label = f"capture: demo drawing vs YUV @{resolution}"
                report["capture"].append(measure_capture(resolution, options.frames_per_run, options.seed,
                                                         progress.advance))
        if "display" not in options.skip:
            _display(report, options, effects, progress)
        if "kernels" not in options.skip:
            _kernels(report, options, kernel_res, progress)
        if "memory" not in options.skip:
            progress.label = "memory (tracemalloc)"
            report["memory"] = _memory(res, options, effects, cpus, progress)
        if "startup" not in options.skip:
            progress.label = "start-up (cold JIT, warm)"
            probe_effects = [e for e in effects if e != NO_EFFECT] if options.quick or options.effects else []
            report["startup"] = _startup(report, options.resolutions[0], probe_effects)
            progress.advance(20)


def _warm_jit(res: BenchResources, resolution: str) -> None:
    """Apply every effect once to a tracked demo frame, so no run pays for compiling or loading kernels."""
    from camera_app.capture.demo import DemoOptions, DemoSource
    from camera_app.tracking.segmenter import image_segmenter
    from effects.engine import build_stack

    with DemoSource(DemoOptions(resolution=resolution, paced=False, max_frames=1)) as source:
        frame = source.read()
    res.tracker.reset()
    frame = res.tracker.track(frame)
    for spec in res.specs.values():
        build_stack([spec], segmenter=image_segmenter()).apply(frame.pixels, frame.tracks)
    res.tracker.reset()


def _display(report: dict[str, Any], options: BenchOptions, effects: list[str], progress: Progress) -> None:
    from benchmarks.display_bench import DisplayBenchError, measure_display

    effect = REFERENCE_EFFECT if REFERENCE_EFFECT in effects else next((e for e in effects if e != NO_EFFECT), None)
    for resolution in options.resolutions:
        progress.label = f"the app's display path @{resolution}"
        try:
            report["display"].append(measure_display(resolution, options.display_s, effect))
        except DisplayBenchError as exc:
            report["errors"].append(f"display @{resolution}: {exc}")
        progress.advance(20)


def _kernels(report: dict[str, Any], options: BenchOptions, resolutions: Sequence[str], progress: Progress) -> None:
    from camera_app.capture.base import resolution_size

    for resolution in resolutions:
        width, height = resolution_size(resolution)
        for module in kernel_modules():
            progress.label = f"kernels {module.rsplit('.', 1)[-1]} @{resolution}"
            try:
                for case in load_cases(module, height, width):
                    report["kernels"].append(kernel_entry(time_case(case, module, resolution, options.kernel_repeats)))
            except Exception as exc:  # noqa: BLE001 - one broken module must not end a long bench
                report["errors"].append(f"kernels {module} @{resolution}: {type(exc).__name__}: {exc}")
            progress.advance(10)


def _memory(
    res: BenchResources, options: BenchOptions, effects: list[str], cpus: list[int], progress: Progress
) -> dict[str, Any]:
    effect = REFERENCE_EFFECT if REFERENCE_EFFECT in effects else effects[-1]
    resolution = options.resolutions[-1]
    # The live demo: the replay's stored frames (hundreds of MB at 1080p) would hide what the pipeline allocates.
    scenario = Scenario(() if effect == NO_EFFECT else (effect,), resolution, tuple(cpus), MEMORY_FRAMES, 1,
                        seed=options.seed, source="demo")

    def body() -> None:
        run_scenario(res, scenario, progress.advance)

    peak, retained = traced_peak_mb(body)
    return {"peak_rss_mb": peak_rss_mb(), "traced_run": scenario.id, "traced_frames": MEMORY_FRAMES,
            "traced_peak_mb": peak, "traced_retained_mb": retained}


def _startup(report: dict[str, Any], resolution: str, effects: list[str]) -> dict[str, Any] | None:
    from benchmarks.startup import measure_startup

    try:
        return measure_startup(resolution, effects)
    except Exception as exc:  # noqa: BLE001 - recorded; the rest of the report still stands
        report["errors"].append(f"start-up: {type(exc).__name__}: {exc}")
        return None


def _soak(
    report: dict[str, Any], res: BenchResources, options: BenchOptions, effects: list[str],
    devices: list[DeviceProfile],
) -> None:
    from benchmarks.affinity import pinned
    from benchmarks.devices import cpu_set_for
    from benchmarks.soak import run_soak

    assert options.soak_s is not None
    device = devices[0] if options.devices else None
    resolution = device.resolution if device is not None else options.resolutions[0]
    fps = device.target_fps if device is not None else 30.0
    cpus = cpu_set_for(device) if device is not None else tuple(available_cpus())
    soak_effects = [e for e in effects if e != NO_EFFECT]
    with Progress(int(options.soak_s), f"soak {resolution} @{fps:g} fps") as progress, pinned(cpus):
        report["soak"] = run_soak(res, soak_effects, options.soak_s, resolution, fps,
                                  tick=lambda t: progress.advance(int(t) - progress.count))


def _baseline(
    report: dict[str, Any], options: BenchOptions, before: dict[str, Any] | None
) -> list[baseline_mod.Comparison]:
    if options.baseline is None or before is None:
        return []
    comparisons = baseline_mod.compare(before, report, options.tolerance)
    report["baseline"] = baseline_mod.summary_section(comparisons, options.baseline, options.tolerance)
    return [c for c in comparisons if c.regressed]


def _write(report: dict[str, Any], options: BenchOptions, out: TextIO) -> None:
    written: list[Path] = []
    if options.json_path is not None:
        write_json(report, options.json_path)
        written.append(options.json_path)
    if options.report_dir is not None:
        folder = options.report_dir
        folder.mkdir(parents=True, exist_ok=True)
        write_json(report, folder / JSON_NAME)
        charts = plots.write_all(report, folder)
        (folder / SUMMARY_NAME).write_text(markdown.render(report, charts), encoding="utf-8")
        written += [folder / JSON_NAME, folder / SUMMARY_NAME, *charts]
    _print_summary(report, out)
    for path in written:
        print(f"wrote {path}", file=out)


def _print_summary(report: dict[str, Any], out: TextIO) -> None:
    for t in report["targets"]:
        verdict = {None: "not measured", True: "ok", False: "MISSED"}[t["met"]]
        if t["informational"]:
            verdict = "info"
        measured = "-" if t["measured"] is None else f"{t['measured']:g} {t['unit']}"
        print(f"{verdict:>12}  {t['text']}: {measured}  ({t['note']})", file=out)
    for d in report["device_results"]:
        if d["native"]:
            print(f"{'pass' if d['pass'] else 'FAIL':>12}  device {d['device']}: {d['effect']} @{d['resolution']} "
                  f"p95 {d['p95_ms']:.1f} ms (budget {d['budget_ms']:.1f} ms)", file=out)
    for c in report.get("capture", []):
        print(f"{'info':>12}  capture @{c['resolution']}: drawing a demo frame {c['demo_draw_ms']['median']:.2f} ms, "
              f"NV12 -> RGB {c['yuv_to_rgb_ms']['median']:.2f} ms (medians)", file=out)
    for d in report.get("display", []):
        print(f"{'ok' if d['keeps_up'] else 'SLOW':>12}  app display @{d['resolution']}: {d['shown_fps']:.1f} frames "
              f"shown/s of {d['feed_fps']:g} (worker {d['processed_fps']:.1f}/s), upload median "
              f"{d['upload_ms'].get('median', 0):.2f} ms, redraw median {d['draw_ms'].get('median', 0):.2f} ms", file=out)
    soak = report.get("soak")
    if soak:
        print(f"soak: {soak['frames']} frames, {soak['switches']} effect switches, memory "
              f"{soak['rss_growth_mb_per_min']:+.3f} MiB/min, max queue {soak['max_queue_depth']}, "
              f"errors {soak['errors']}", file=out)
    base = report.get("baseline")
    if base:
        for r in base["regressions"]:
            print(f"REGRESSED  {r['what']}: {r['before_ms']:.3f} -> {r['after_ms']:.3f} ms ({r['change']:+.0%})",
                  file=out)
        if not base["regressions"]:
            print(f"baseline: {base['compared']} medians compared, none regressed beyond {base['tolerance']:.0%}",
                  file=out)
    for error in report["errors"]:
        print(f"error: {error}", file=out)
