"""What a bench measures, decided from the options: effects, CPU shares, runs, no-age twins."""

from __future__ import annotations

import pytest

from benchmarks.devices import DeviceProfile
from benchmarks.plan import BenchOptions, PlanError, effect_list, scenarios

KNOWN = ["comic", "glam", "sparkles"]


def _device(ident: str, cores: int | None) -> DeviceProfile:
    return DeviceProfile(ident, ident, "", "720p", 30.0, cores)


def test_effects_default_quick_explicit_and_unknown() -> None:
    assert effect_list(BenchOptions(), KNOWN) == ["none", "comic", "glam", "sparkles"]
    assert effect_list(BenchOptions(quick=True), KNOWN) == ["none", "glam", "sparkles"]
    assert effect_list(BenchOptions(effects=("glam", "glam", "none")), KNOWN) == ["none", "glam"]
    with pytest.raises(PlanError) as info:
        effect_list(BenchOptions(effects=("glitter",)), KNOWN)
    assert str(info.value) == "--effects: unknown effect 'glitter'; expected ids from `safelens effects list`"


def test_devices_sharing_a_cpu_share_share_their_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("benchmarks.devices.available_cpus", lambda: [0, 1])
    devices = [_device("entry", 1), _device("flagship", 2), _device("desktop", None)]
    plan = scenarios(BenchOptions(resolutions=("720p", "1080p"), frames=10), ["none", "glam"], devices)
    ids = [s.id for s in plan]
    assert ids == [
        "none@720p/2cpu", "glam@720p/2cpu", "glam@720p/2cpu-noage", "none@1080p/2cpu", "glam@1080p/2cpu",
        "glam@1080p/2cpu-noage", "none@720p/1cpu", "glam@720p/1cpu", "none@1080p/1cpu", "glam@1080p/1cpu",
    ]
    assert plan[0].cpus == (0, 1) and plan[6].cpus == (0,)
    assert all(s.frames == 10 and s.warmup_frames == 5 for s in plan)


def test_frame_counts_of_the_presets_and_a_small_explicit_count() -> None:
    assert (BenchOptions().frames_per_run, BenchOptions().warmup_frames) == (240, 30)
    assert (BenchOptions(quick=True).frames_per_run, BenchOptions(quick=True).warmup_frames) == (50, 12)
    assert (BenchOptions(frames=3).frames_per_run, BenchOptions(frames=3).warmup_frames) == (3, 1)


def test_the_runs_play_the_camera_like_replay_unless_the_live_demo_is_asked_for() -> None:
    from benchmarks.scenario import Scenario

    devices = [_device("desktop", None)]
    assert {s.source for s in scenarios(BenchOptions(frames=10), ["none", "glam"], devices)} == {"replay"}
    assert {s.source for s in scenarios(BenchOptions(frames=10, source="demo"), ["none", "glam"], devices)} == {"demo"}
    with pytest.raises(ValueError, match="Scenario.source: expected one of replay, demo, found 'camera'"):
        Scenario((), "720p", (0,), 10, 1, source="camera")
    assert (BenchOptions().display_s, BenchOptions(quick=True).display_s) == (12.0, 5.0)
