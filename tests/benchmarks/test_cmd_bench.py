"""``safelens bench``: options, and a tiny real run of the whole pipeline (few frames; no time is asserted)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from camera_app.cli import cmd_bench
from camera_app.cli.cmd_bench import to_argv


def _parse(*argv: str) -> argparse.Namespace:
    # Only this command's parser: the test does not depend on the other subcommands.
    parser = argparse.ArgumentParser(prog="safelens")
    cmd_bench.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["bench", *argv])


def main(argv: list[str]) -> int:
    args = _parse(*argv[1:])
    return int(args.handler(args))


def test_options_survive_the_hand_over_to_the_bench_process() -> None:
    args = _parse("--quick", "--effects", "glam,comic", "--resolutions", "720p", "--device", "desktop",
                  "--frames", "12", "--json", "out.json", "--report", "rep", "--baseline", "old.json",
                  "--tolerance", "0.2", "--soak", "30", "--skip", "startup,kernels,display", "--seed", "3", "--audit", "40",
                  "--landmark-schedule", "every", "--source", "demo")
    again = _parse(*to_argv(args))
    assert vars(again) == vars(args)
    assert to_argv(_parse()) == ["--resolutions", "720p,1080p", "--tolerance", "0.15", "--seed", "0",
                                 "--source", "replay"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--resolutions", "4k"], "expected resolutions from 480p, 720p, 1080p, found '4k'"),
        (["--frames", "1"], "expected a number in [2, 100000], found '1'"),
        (["--skip", "everything"],
         "expected parts from pipeline, stacks, kernels, startup, memory, landmarks, capture, display, found 'everything'"),
        (["--source", "camera:0"], "argument --source: invalid choice: 'camera:0' (choose from 'replay', 'demo')"),
        (["--tolerance", "fast"], "expected a number in [0, 10], found 'fast'"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        _parse(*argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unknown_device_is_an_error_naming_the_known_ones(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--device", "tablet", "--skip", "pipeline,kernels,startup,memory"]) == 2
    assert "device 'tablet': expected one of entry_phone, flagship_phone, desktop" in capfd.readouterr().err


@pytest.mark.slow
def test_a_tiny_run_writes_the_reports_and_the_baseline_gate_names_what_regressed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "data"))
    report_dir = tmp_path / "report"
    common = ["bench", "--effects", "glam", "--resolutions", "480p", "--device", "desktop", "--frames", "4",
              "--skip", "startup,kernels,memory,display"]
    assert main([*common, "--report", str(report_dir)]) == 0
    out = capfd.readouterr().out
    report = json.loads((report_dir / "bench.json").read_text(encoding="utf-8"))
    cores = len(os.sched_getaffinity(0))
    assert report["schema"] == "safelens-bench" and report["schema_version"] == 1
    assert [r["id"] for r in report["runs"]] == [f"none@480p/{cores}cpu", f"glam@480p/{cores}cpu",
                                                 f"glam@480p/{cores}cpu-noage"]  # the twin right after
    glam = report["runs"][1]
    assert glam["frames"] == 4 and glam["frames_with_face"] == 4 and glam["blocked_frames"] == 0
    assert glam["label_drawn"] and set(glam["stages_ms"]) == {"capture", "landmarks", "age", "review_watch", "effects", "tap", "disclosure"}
    assert "smooth_skin" in glam["ops_ms"] and any(k.startswith("warp:") for k in glam["ops_ms"])
    assert [(d["device"], d["effect"]) for d in report["device_results"]] == [("desktop", "none"), ("desktop", "glam")]
    [stack] = report["stacks"]
    assert (stack["effect"], stack["resolution"], stack["frames"]) == ("glam", "480p", 5)
    assert "smooth_skin" in stack["ops_ms"]
    assert report["settings"]["source"].startswith("replay (camera-like")  # the default source
    [capture] = report["capture"]
    assert (capture["resolution"], capture["frames"], capture["layout"]) == ("480p", 4, "nv12")
    assert capture["demo_draw_ms"]["n"] == capture["yuv_to_rgb_ms"]["n"] == 4
    assert capture["yuv_frame_mb"] == round(854 * 480 * 1.5 / 2**20, 3)
    assert report["display"] == []  # skipped
    assert "## Capture: drawing a demo frame vs converting a camera frame" in (report_dir / "summary.md").read_text()
    assert {p.name for p in report_dir.iterdir()} == {"bench.json", "summary.md", "frame_times.png",
                                                      "stage_breakdown.png", "effect_costs.png"}
    assert not any(d["native"] for d in report["device_results"])  # the desktop's own size is 1080p
    schedules = {e["schedule"]: e for e in report["landmarks"]}
    assert set(schedules) == {"every", "every+head-pose", "predict/3", "predict/6", "async/3"}
    assert schedules["every"]["predicted_frames"] == 0 and schedules["predict/3"]["predicted_frames"] > 0
    assert "not measured  720p glam + label + age: p95 frame time <= 11.1 ms (90 fps)" in out

    # The same run against a baseline that was 100 times faster: exit 1, naming the medians.
    for run in report["runs"]:
        run["frame_ms"]["median"] /= 100.0
    baseline = tmp_path / "fast.json"
    baseline.write_text(json.dumps(report), encoding="utf-8")
    assert main([*common, "--json", str(tmp_path / "again.json"), "--baseline", str(baseline)]) == 1
    out = capfd.readouterr().out
    assert f"REGRESSED  run glam@480p/{cores}cpu: frame time:" in out
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert {r["what"] for r in again["baseline"]["regressions"]} >= {f"run glam@480p/{cores}cpu: frame time"}


@pytest.mark.slow
def test_the_display_part_runs_the_app_offscreen_and_reports_its_display_path(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "data"))
    out_json = tmp_path / "display.json"
    assert main(["bench", "--quick", "--effects", "glam", "--resolutions", "480p", "--json", str(out_json),
                 "--skip", "pipeline,stacks,kernels,startup,memory,capture"]) == 0
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["runs"] == [] and report["capture"] == [] and report["errors"] == []
    [display] = report["display"]
    assert (display["resolution"], display["frame_size"], display["source"]) == ("480p", [854, 480], "demo")
    assert display["effect"] == "glam" and display["textures_created"] == 1  # one ring of textures, reused
    assert display["frames_shown"] >= 2 and display["frames_processed"] >= display["frames_shown"]
    assert display["upload_ms"]["n"] == display["ui_frame_ms"]["n"] == display["frames_shown"]
    assert display["draws"] >= 1 and display["draw_ms"]["n"] == display["draws"]
    assert display["shown_fps"] > 0 and isinstance(display["keeps_up"], bool)
    assert set(display["cpu_ms_per_frame"]) == {"ui", "renderer", "other", "process"}
    assert display["cpu_ms_per_frame"]["process"] > 0
    assert "app display @480p: " in capfd.readouterr().out


@pytest.mark.slow
def test_a_short_soak_switches_effects_and_reports_memory_queues_and_errors(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "data"))
    out_json = tmp_path / "soak.json"
    assert main(["bench", "--soak", "7", "--effects", "sparkles", "--resolutions", "480p", "--json", str(out_json)]) == 0
    soak = json.loads(out_json.read_text(encoding="utf-8"))["soak"]
    assert soak["effects_cycle"] == ["sparkles", "none"]
    assert soak["switches"] >= 2 and soak["errors"] == 0 and soak["error_list"] == []
    assert soak["frames"] > 0 and len(soak["samples"]) >= 3
    assert {"rss_mb", "fps", "queue_depth", "age_pending"} <= set(soak["samples"][0])
    assert soak["max_queue_depth"] <= 2  # the pipeline's queue is bounded
    assert "soak: " in capfd.readouterr().out
