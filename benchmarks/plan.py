"""What a bench run measures, decided from the options before anything runs.

The matrix is effect x resolution x CPU share. Device profiles that share a CPU share share
the runs (flagship phone and desktop both use every core of a 2-core machine): each device
is then judged against its own frame budget. The reference effect (glam) also runs without
the age estimator on the largest CPU share, right after its run with it, for the "p95 with
and without age" figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.devices import DeviceProfile, cpu_set_for
from benchmarks.scenario import NO_EFFECT, Scenario
from benchmarks.targets import REFERENCE_EFFECT
from camera_app.tracking.schedule import DEFAULT_SCHEDULE

PARTS = ("pipeline", "stacks", "kernels", "startup", "memory", "landmarks", "capture", "display")
QUICK_EFFECTS = (REFERENCE_EFFECT, "sparkles")
# display_s: seconds the app is watched per display run, after its first frames (at 30 fps, 12 s = 360 frames)
FULL = {"frames": 240, "warmup": 30, "kernel_repeats": 25, "stack_frames": 60, "display_s": 12}
QUICK = {"frames": 50, "warmup": 12, "kernel_repeats": 5, "stack_frames": 20, "display_s": 5}
MEMORY_FRAMES = 30
WARMUP_STACK_FRAMES = 3


class PlanError(ValueError):
    """Options that cannot make a bench (unknown effect, nothing to run)."""


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """The parsed command line (see ``safelens bench --help``)."""

    quick: bool = False
    effects: tuple[str, ...] | None = None
    resolutions: tuple[str, ...] = ("720p", "1080p")
    devices: tuple[str, ...] | None = None
    frames: int | None = None
    json_path: Path | None = None
    report_dir: Path | None = None
    baseline: Path | None = None
    tolerance: float = 0.15
    soak_s: float | None = None
    skip: frozenset[str] = field(default_factory=frozenset)
    seed: int = 0
    landmark_schedule: str = DEFAULT_SCHEDULE  # FaceTrackerOptions.schedule of the pipeline runs
    source: str = "replay"

    @property
    def frames_per_run(self) -> int:
        return self.frames if self.frames is not None else (QUICK if self.quick else FULL)["frames"]

    @property
    def warmup_frames(self) -> int:
        preset = (QUICK if self.quick else FULL)["warmup"]
        return max(1, min(preset, self.frames_per_run // 2)) if self.frames is not None else preset

    @property
    def kernel_repeats(self) -> int:
        return (QUICK if self.quick else FULL)["kernel_repeats"]

    @property
    def display_s(self) -> float:
        return float((QUICK if self.quick else FULL)["display_s"])

    @property
    def stack_frames(self) -> int:
        preset = (QUICK if self.quick else FULL)["stack_frames"]
        return min(preset, max(WARMUP_STACK_FRAMES + 2, self.frames)) if self.frames is not None else preset


def effect_list(options: BenchOptions, known: list[str]) -> list[str]:
    """The effects to run, in order, with "none" (no effect: the pipeline's own cost) first."""
    if options.effects is not None:
        chosen = list(dict.fromkeys(options.effects))
    elif options.quick:
        chosen = [e for e in QUICK_EFFECTS if e in known]
    else:
        chosen = list(known)
    for effect in chosen:
        if effect != NO_EFFECT and effect not in known:
            raise PlanError(f"--effects: unknown effect {effect!r}; expected ids from `safelens effects list`")
    return [NO_EFFECT] + [e for e in chosen if e != NO_EFFECT]


def cpu_sets(devices: list[DeviceProfile]) -> list[tuple[int, ...]]:
    """The distinct CPU shares of ``devices``, largest first."""
    sets = list(dict.fromkeys(cpu_set_for(d) for d in devices))
    return sorted(sets, key=len, reverse=True)


def scenarios(options: BenchOptions, effects: list[str], devices: list[DeviceProfile]) -> list[Scenario]:
    """Every run of the matrix; the reference effect's no-age twin runs right after its run with
    age on the largest CPU share, so both see the same conditions on the machine."""
    sets = cpu_sets(devices)
    frames, warmup = options.frames_per_run, options.warmup_frames
    reference = REFERENCE_EFFECT if REFERENCE_EFFECT in effects else next((e for e in effects if e != NO_EFFECT), None)
    out = []
    for cpus in sets:
        for resolution in options.resolutions:
            for effect in effects:
                stack = () if effect == NO_EFFECT else (effect,)
                out.append(Scenario(stack, resolution, cpus, frames, warmup, seed=options.seed, source=options.source))
                if effect == reference and cpus == sets[0]:
                    out.append(Scenario(stack, resolution, cpus, frames, warmup, age=False, seed=options.seed,
                                        source=options.source))
    return out
