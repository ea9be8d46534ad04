"""One measured run of the real pipeline: demo feed -> tracker -> age -> effects (policy gate) -> label.

A :class:`Scenario` names the effect stack, the resolution, the CPUs the process is pinned
to, and whether the age estimator runs. :func:`run_scenario` builds the app's chain with the
one chain builder (``camera_app.runtime.chain``: age, review watch, gated effects, label) and
plays ``warmup_frames + frames`` frames of its source as fast as the pipeline takes them
(unpaced: the feed never waits, so the pipeline's own speed shows). The source is camera-like
by default (``replay``: demo frames drawn before the run, stored as NV12 and converted to RGB
per frame, as a camera's are); ``demo`` draws each frame live (its drawing then competes for
the CPUs: the bench's ``capture`` part reports that cost separately). It records, per
measured frame:

- the **frame time**: wall time between two frames leaving ``Pipeline.run`` (the pipelined
  cost of a frame: capture and landmarks of frame n+1 overlap the stages of frame n);
- the time of every step: ``capture`` and ``landmarks`` (worker thread), ``age``,
  ``effects``, ``disclosure`` (frame thread), and inside ``effects`` each op (or each
  fused warp pass) from ``EffectStack.apply(timings_ms=...)``;
- the notices (a blocked effect would show up here; the bench runs as a verified adult so
  the policy lets every effect through, and counts frames where it did not).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from age_estimation.prediction import AgePredictor
from benchmarks.affinity import pinned
from benchmarks.memory import current_rss_mb
from camera_app.capture.base import BaseSource
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.replay import ReplayOptions, ReplaySource
from camera_app.catalog.classifications import ResultBook
from camera_app.policy.rules import PolicySubject
from camera_app.profiles.model import Assurance
from camera_app.runtime.chain import Chain, ChainOptions, ChainResources, build_chain
from camera_app.runtime.pipeline import CAPTURE, LANDMARKS, Pipeline
from effects.classification import ClassificationResult
from effects.spec import EffectSpec

if TYPE_CHECKING:  # built by the chain, only read here
    from camera_app.stages.age import AgeStage
    from camera_app.stages.effects import GatedEffectStage

NO_EFFECT = "none"
SOURCES = ("replay", "demo")  # camera-like pre-rendered frames (the default), or the demo drawn live
_WORKER_STEPS = frozenset({CAPTURE, LANDMARKS})
BENCH_SUBJECT = PolicySubject(declared_age_years=35, assurance=Assurance.VERIFIED_ADULT)

FrameCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Scenario:
    """What one run measures. ``effects``: effect ids stacked in order (empty: no effect)."""

    effects: tuple[str, ...]
    resolution: str
    cpus: tuple[int, ...]
    frames: int
    warmup_frames: int
    age: bool = True
    overlay: bool = True
    seed: int = 0
    source: str = "replay"

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"Scenario.source: expected one of {', '.join(SOURCES)}, found {self.source!r}")
        if self.frames < 2:
            raise ValueError(f"Scenario.frames: expected at least 2, found {self.frames}")
        if self.warmup_frames < 1:
            raise ValueError(f"Scenario.warmup_frames: expected at least 1, found {self.warmup_frames}")
        if not self.cpus:
            raise ValueError("Scenario.cpus: expected at least one CPU")

    @property
    def effect_label(self) -> str:
        return "+".join(self.effects) if self.effects else NO_EFFECT

    @property
    def id(self) -> str:
        """Stable across machines of the same size: ``glam@720p/2cpu`` (``-noage`` without age)."""
        suffix = "" if self.age else "-noage"
        return f"{self.effect_label}@{self.resolution}/{len(self.cpus)}cpu{suffix}"


@dataclass(slots=True)
class ScenarioResult:
    """Raw per-frame measurements of one run (summaries are made by the report)."""

    scenario: Scenario
    frame_ms: list[float] = field(default_factory=list)
    stages_ms: dict[str, list[float]] = field(default_factory=dict)
    ops_ms: dict[str, list[float]] = field(default_factory=dict)
    sum_of_stages_ms: list[float] = field(default_factory=list)
    frames_with_face: int = 0
    landmarks_predicted: int = 0  # frames whose landmarks the tracker predicted (its schedule)
    blocked_frames: int = 0
    notices: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    first_estimate_ms: float | None = None
    first_steady_ms: float | None = None
    age_jobs_done: int = 0
    age_worker_ms_per_job: float | None = None
    age_latency_ms: float | None = None
    rss_mb_after: float = 0.0
    label_drawn: bool = False  # the disclosure stage drew a label on the frames (an altering effect)
    load_1m: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average before and after
    process_cpu_ms: float = 0.0  # CPU time of every thread of the process over the measured frames
    frame_thread_cpu_ms: float = 0.0  # CPU time of the thread that runs the stages, same frames


class BenchResources:
    """What every run shares: the tracker, the age model, the effect specs and their results,
    and the profile store with the bench's verified-adult profile (for the review watch)."""

    def __init__(
        self,
        tracker: Any,
        age_model: AgePredictor | None,
        specs: dict[str, EffectSpec],
        results: dict[str, ClassificationResult],
        store: Any | None = None,
        profile_id: int | None = None,
    ) -> None:
        self.tracker = tracker
        self.age_model = age_model
        self.specs = specs
        self.results = results
        self.store = store
        self.profile_id = profile_id
        self.book = ResultBook()
        for spec in specs.values():
            if spec.id in results:
                self.book.add((spec,), results[spec.id])

    def chain(self, stack: ExitStack, age: bool, label: bool = True, seed: int = 0) -> Chain:
        """The app's chain for the bench's verified adult (the one builder)."""
        options = ChainOptions(subject=BENCH_SUBJECT, age=age, label=label, seed=seed,
                               profile_id=self.profile_id if self.store is not None else None)
        return build_chain(options, ChainResources(results=self.book, age_model=self.age_model, store=self.store), stack)


def run_scenario(res: BenchResources, scenario: Scenario, on_frame: FrameCallback | None = None) -> ScenarioResult:
    """Measure one scenario; ``on_frame(1)`` is called after every frame (progress)."""
    out = ScenarioResult(scenario)
    load_before = os.getloadavg()[0]
    specs = [res.specs[e] for e in scenario.effects]
    total = scenario.warmup_frames + scenario.frames
    with pinned(scenario.cpus), ExitStack() as stack:
        res.tracker.reset()  # a new stream: timestamps start again at 0
        source = stack.enter_context(bench_source(scenario.source, scenario.resolution, scenario.seed, total))
        chain = res.chain(stack, age=scenario.age, label=scenario.overlay, seed=scenario.seed)
        chain.set_effects(specs)
        if specs:
            chain.effects.op_timings_ms = {}
        age_stage = chain.age_stage
        _measure(Pipeline(res.tracker, chain.stages), source, scenario, out, age_stage,
                 chain.effects if specs else None, on_frame)
        out.label_drawn = chain.label is not None and chain.label.rect is not None
        if age_stage is not None:
            stats = age_stage.estimator.stats
            out.age_jobs_done = stats.jobs_done
            out.age_worker_ms_per_job = stats.worker_ms / stats.jobs_done if stats.jobs_done else None
            out.age_latency_ms = stats.last_latency_ms if stats.jobs_done else None
    out.rss_mb_after = current_rss_mb()
    out.load_1m = (load_before, os.getloadavg()[0])
    return out


def bench_source(kind: str, resolution: str, seed: int, max_frames: int) -> BaseSource:
    """The unpaced feed of a run: ``replay`` (camera-like: pre-rendered demo frames converted
    from NV12 per frame, ``capture/replay.py``) or ``demo`` (drawn live on a prefetch thread)."""
    demo = DemoOptions(resolution=resolution, seed=seed, paced=False, max_frames=max_frames)
    return ReplaySource(ReplayOptions(demo)) if kind == "replay" else DemoSource(demo)


def _measure(
    pipeline: Pipeline,
    source: BaseSource,
    scenario: Scenario,
    out: ScenarioResult,
    age_stage: AgeStage | None,
    effect_stage: GatedEffectStage | None,
    on_frame: FrameCallback | None,
) -> None:
    started = time.perf_counter()
    previous: float | None = None
    first_face_s: float | None = None
    cpu_start = thread_start = 0.0
    frames = pipeline.run(source)
    try:
        for n, done in enumerate(frames):
            now = time.perf_counter()
            if n == scenario.warmup_frames - 1:
                cpu_start, thread_start = time.process_time(), time.thread_time()
            track_ids = [t.track_id for t in done.input.tracks]
            if track_ids and first_face_s is None:
                # The age stage submitted this frame when the stages started on it.
                first_face_s = now - sum(v for k, v in done.timings_ms.items() if k not in _WORKER_STEPS) / 1000.0
            if age_stage is not None and first_face_s is not None:
                _age_times(age_stage, track_ids, now - first_face_s, out)
            op_times: dict[str, float] = {}
            if effect_stage is not None and effect_stage.op_timings_ms is not None:
                op_times = dict(effect_stage.op_timings_ms)
                effect_stage.op_timings_ms.clear()
            if n >= scenario.warmup_frames and previous is not None:
                _record(out, now - previous, done.timings_ms, op_times, done.notices, bool(track_ids))
                out.landmarks_predicted += done.input.landmarks_predicted
            previous = now
            if on_frame is not None:
                on_frame(1)
    finally:
        frames.close()
    out.wall_s = time.perf_counter() - started
    out.process_cpu_ms = (time.process_time() - cpu_start) * 1000.0
    out.frame_thread_cpu_ms = (time.thread_time() - thread_start) * 1000.0


def _age_times(age_stage: AgeStage, track_ids: Sequence[int], since_face_s: float, out: ScenarioResult) -> None:
    if out.first_steady_ms is not None:
        return
    for tid in track_ids:
        signal = age_stage.latest(tid)
        if signal is None:
            continue
        if out.first_estimate_ms is None:
            out.first_estimate_ms = since_face_s * 1000.0
        if signal.steady:
            out.first_steady_ms = since_face_s * 1000.0
            return


def _record(
    out: ScenarioResult,
    frame_s: float,
    timings_ms: Any,
    op_times: dict[str, float],
    notices: Sequence[str],
    has_face: bool,
) -> None:
    out.frame_ms.append(frame_s * 1000.0)
    for name, ms in timings_ms.items():
        out.stages_ms.setdefault(name, []).append(float(ms))
    for name, ms in op_times.items():
        out.ops_ms.setdefault(name, []).append(ms)
    out.sum_of_stages_ms.append(float(sum(timings_ms.values())))
    out.frames_with_face += has_face
    if notices:
        out.blocked_frames += any("blocked" in n for n in notices)
        out.notices.update(notices)
