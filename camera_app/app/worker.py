"""The processing worker: runs the chain on its own thread and hands results to the UI.

One thread owns the source, the tracker and the chain (``camera_app.runtime.chain``: age,
review watch, gated effects, label: the same builder ``safelens render`` and the bench use),
and iterates :meth:`Pipeline.run` (the pipeline itself tracks the next frame on a second
thread). After each frame it computes what the UI shows (the policy's
answer for every effect, the age status, frame-time stats), keeps the newest result in a
one-slot mailbox and asks the UI thread, through ``post``, to take it. A slow UI therefore
skips frames instead of queueing them; and the worker does not start on the next frame until
the UI has taken this one (or ``UI_WAIT_S`` has passed), so no CPU goes into frames the UI
would never show (with software OpenGL the window's rendering competes for the same cores).

Commands from the UI (profile, effect, snapshot, recording) are queued and run on the
worker thread between two frames, so stages are never reconfigured mid-frame.

Failures never end the app: a camera that cannot be opened or goes away is retried every
``retry_s`` (the UI shows a banner), a file that cannot be played is reported once, and an
unexpected error is reported, printed with its traceback on stderr, and retried.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from camera_app.app.exports import ActiveLabel, Exporter
from camera_app.app.mirror import mirrored_preview
from camera_app.app.results import EffectResults
from camera_app.app.session import FrameUpdate
from camera_app.app.stats import FrameStats
from camera_app.app.worker_messages import EventKind, WorkerEvent, WorkerOptions, WorkerOutput, age_status
from camera_app.capture import SourceError, open_source
from camera_app.frame import Frame
from camera_app.policy.gate import subject_of
from camera_app.profiles.model import Profile
from camera_app.runtime.chain import Chain, ChainOptions, ChainResources, build_chain
from camera_app.runtime.pipeline import Pipeline
from effects.spec import EffectSpec

if TYPE_CHECKING:
    from disclosure.provenance import Origin

Post = Callable[[Callable[[], None]], None]
UI_WAIT_S = 0.5  # the longest the worker waits for the UI to take a frame before going on
Factory = Callable[[], Any]  # makes a context manager (the tracker, the age model)


class ProcessingWorker:
    """See the module docstring. ``on_output`` and ``on_event`` are called through ``post``."""

    def __init__(
        self,
        options: WorkerOptions,
        specs: Sequence[EffectSpec],
        results: EffectResults,
        post: Post,
        on_output: Callable[[WorkerOutput], None],
        on_event: Callable[[WorkerEvent], None],
        profile: Profile | None = None,
        today: Callable[[], date] = date.today,
        tracker_factory: Factory | None = None,
        age_model_factory: Factory | None = None,
    ) -> None:
        """``tracker_factory`` / ``age_model_factory``: make the tracker and the age model
        (context managers; default: MediaPipe and the vendored ONNX model), so tests can give fakes."""
        self.options = options
        self._tracker_factory = tracker_factory or _real_tracker(options.max_faces)
        self._age_model_factory = age_model_factory or _real_age_model
        self._specs = {spec.id: spec for spec in specs}
        self._results = results
        self._post = post
        self._on_output = on_output
        self._on_event = on_event
        self._today = today
        self._profile = profile
        self._effect_id: str | None = None
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._slot: WorkerOutput | None = None
        self._slot_lock = threading.Lock()
        self._pending = False
        self._taken = threading.Event()  # the UI took the last frame published
        self._taken.set()
        # Built on the worker thread, per stream:
        self._chain: Chain | None = None
        self._store: object | None = None
        self._exporter: Exporter | None = None
        self._fps = 30.0
        self._label_area: tuple[int, int, int, int] | None = None
        self._tracker: Any = None
        self.frames_processed = 0

    # -- control (any thread) -----------------------------------------------------------

    def start(self) -> ProcessingWorker:
        self._thread = threading.Thread(target=self._main, name="safelens-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the current frame; a running recording is finished and saved."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_profile(self, profile: Profile | None) -> None:
        self._commands.put(lambda: self._apply_profile(profile))

    def set_effect(self, effect_id: str | None) -> None:
        if effect_id is not None and effect_id not in self._specs:
            raise KeyError(f"effect {effect_id!r}: expected one of {', '.join(self._specs)}")
        self._commands.put(lambda: self._apply_effect(effect_id))

    def snapshot(self, target: Path | None = None) -> None:
        self._commands.put(lambda: self._snapshot(target))

    def toggle_recording(self, target: Path | None = None) -> None:
        self._commands.put(lambda: self._toggle_recording(target))

    def set_recording(self, on: bool) -> None:
        """Record (or not); nothing changes when it already is so (a held shutter)."""
        self._commands.put(lambda: self._toggle_recording(None) if self._exporter is not None and
                           self._exporter.recording != on else None)

    def results_changed(self) -> None:
        """A classification arrived: re-apply the active effect (its label may now exist)."""
        self._commands.put(lambda: self._apply_effect(self._effect_id))

    # -- UI side ------------------------------------------------------------------------

    def _publish(self, output: WorkerOutput) -> None:
        with self._slot_lock:
            self._slot = output
            if self._pending:
                return
            self._pending = True
            self._taken.clear()
        self._post(self._deliver)

    def _deliver(self) -> None:
        with self._slot_lock:
            output, self._slot, self._pending = self._slot, None, False
        if output is not None:
            self._on_output(output)
        self._taken.set()

    def _event(self, kind: EventKind, text: str = "", path: Path | None = None) -> None:
        event = WorkerEvent(kind, text, path)
        self._post(lambda: self._on_event(event))

    # -- worker thread ------------------------------------------------------------------

    def _main(self) -> None:
        with ExitStack() as stack:
            try:
                tracker = stack.enter_context(self._tracker_factory())
                model = stack.enter_context(self._age_model_factory()) if self.options.age_check else None
                if self.options.data_dir is not None:  # this thread's own connection (SQLite is per thread)
                    from camera_app.profiles.store import ProfileStore

                    self._store = stack.enter_context(ProfileStore(self.options.data_dir))
            except Exception as exc:  # noqa: BLE001 - reported to the user; the app stays up
                self._report_unexpected(exc)
                return
            self._exporter = Exporter(self.options.export_dir, self.options.identity_dir, self._origin(),
                                      policy=self.options.policy_record)
            stack.callback(self._close_exporter)
            while not self._stop.is_set():
                try:
                    self._stream(tracker, model)
                except SourceError as exc:
                    self._finish_recording()
                    if self.options.source.startswith("camera:"):
                        self._event(EventKind.SOURCE_LOST, str(exc))
                        self._stop.wait(self.options.retry_s)
                    else:
                        self._event(EventKind.SOURCE_FAILED, str(exc))
                        self._stop.wait()
                except Exception as exc:  # noqa: BLE001 - reported and retried; the app stays up
                    self._finish_recording()
                    self._report_unexpected(exc)
                    self._stop.wait(self.options.retry_s)

    def _origin(self) -> Origin:
        from camera_app.output.signed import origin_for_source

        return origin_for_source(self.options.source)

    def _report_unexpected(self, exc: BaseException) -> None:
        traceback.print_exception(exc, file=sys.stderr)
        self._event(EventKind.ERROR, f"{type(exc).__name__}: {exc}")

    def _stream(self, tracker: Any, model: Any | None) -> None:
        o = self.options
        source = open_source(o.source, resolution=o.resolution, seed=o.seed, paced=True, loop=True,
                             frame_size=o.frame_size)
        with ExitStack() as stack:
            stack.enter_context(source)
            self._fps = source.fps or 30.0
            tracker.reset()
            self._tracker = tracker
            chain = self._chain = build_chain(
                ChainOptions(subject=subject_of(self._profile, self._today()), policy=o.policy, age=model is not None,
                             profile_id=self._watched_profile_id(), language=o.language, seed=o.seed,
                             frame_budget_ms=o.budget_ms),
                ChainResources(results=self._results, age_model=model, store=self._store),
                stack,
            )
            self._apply_effect(self._effect_id)
            self._apply_label_area(self._label_area)
            stats = FrameStats(o.budget_ms)
            frames = Pipeline(tracker, chain.stages).run(source)
            stack.callback(frames.close)
            started = False
            for done in frames:
                if self._stop.is_set():
                    break
                if not started:
                    self._event(EventKind.STARTED, source.description)
                    started = True
                self._run_commands()
                stats.add(time.monotonic(), done.timings_ms, _landmarks_kind(done.input))
                decisions = {spec_id: chain.decide(spec, done.output) for spec_id, spec in self._specs.items()}
                self._record(done.output.pixels, done.output.timestamp_ms)
                self.frames_processed += 1
                pixels, label_rect = self._preview(chain, done.output.pixels)
                self._publish(
                    WorkerOutput(
                        pixels=pixels,
                        update=FrameUpdate(
                            stats=stats.snapshot(),
                            age=age_status(chain.signal(done.output), model is not None, o.policy),
                            decisions=decisions,
                            notices=done.notices,
                            frame_index=done.output.index,
                            source_text=source.description,
                        ),
                        label_rect=label_rect,
                        applied=tuple(s.id for s in chain.applied),
                    )
                )
                self._taken.wait(UI_WAIT_S)
            self._finish_recording()

    def _preview(self, chain: Chain, shown: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
        """What the screen shows: the frame as exported, or (a selfie camera) mirrored with its
        label re-drawn readable; and where the label is."""
        stage = chain.label
        rect = stage.rect if stage is not None else None
        if not self.options.mirror or chain.tap.frame is None:
            return shown, rect
        label = stage.label if stage is not None else None
        if label is None or stage is None:
            return mirrored_preview(chain.tap.frame.pixels, None, lambda px, x, y: None)
        overlay = stage.inner.overlay
        return mirrored_preview(chain.tap.frame.pixels, rect, lambda px, x, y: overlay.blend_at(px, label, x, y))

    def set_label_area(self, area: tuple[int, int, int, int] | None) -> None:
        """Keep the label inside ``area`` (x, y, w, h) of the frame as exported (not mirrored)."""
        self._commands.put(lambda: self._apply_label_area(area))

    def _apply_label_area(self, area: tuple[int, int, int, int] | None) -> None:
        self._label_area = area
        if self._chain is not None and self._chain.label is not None:
            self._chain.label.set_label_area(area)

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command()

    def _watched_profile_id(self) -> int | None:
        """The profile the under-13 review watch opens entries for (needs the store)."""
        if self._profile is None or self._store is None:
            return None
        return self._profile.profile_id

    def _applied(self) -> ActiveLabel:
        chain = self._chain
        if chain is None:
            return ActiveLabel()
        return ActiveLabel(chain.applied_results, chain.applied_label)

    def _apply_profile(self, profile: Profile | None) -> None:
        self._profile = profile
        self._effect_id = None
        if self._chain is not None:
            self._chain.set_subject(subject_of(profile, self._today()), self._watched_profile_id())
        self._apply_effect(None)

    def _apply_effect(self, effect_id: str | None) -> None:
        if effect_id != self._effect_id and self._exporter is not None and self._exporter.recording:
            self._finish_recording()  # a recording keeps one effect (and one label) from start to end
        self._effect_id = effect_id
        if self._chain is None:
            return
        spec = self._specs.get(effect_id) if effect_id is not None else None
        if spec is not None and self._results.get(spec) is None:
            # Not measured yet: nothing is applied until its label can be shown.
            self._results.request([spec], first=True)
        self._chain.results_changed()
        self._chain.set_effects([spec] if spec is not None else [])
        # Expressions are scored only while the effect has an expression trigger.
        set_blendshapes = getattr(self._tracker, "set_blendshapes", None)  # test fakes may not score them
        if set_blendshapes is not None:
            set_blendshapes(spec is not None and spec.has_triggers)

    def _snapshot(self, target: Path | None) -> None:
        if self._exporter is None or self._chain is None or self._chain.tap.frame is None:
            return
        frame = self._chain.tap.frame
        try:
            signed = self._exporter.snapshot(frame.pixels, self._applied(), [t.box for t in frame.tracks], target)
        except Exception as exc:  # noqa: BLE001 - an export failure is shown, never fatal
            self._event(EventKind.EXPORT_FAILED, str(exc))
            return
        self._event(EventKind.SNAPSHOT_SAVED, str(signed.path), signed.path)

    def _toggle_recording(self, target: Path | None) -> None:
        if self._exporter is None or self._chain is None:
            return
        if self._exporter.recording:
            self._finish_recording()
            return
        try:
            path = self._exporter.start_recording(self._fps, self._applied(), target)
        except Exception as exc:  # noqa: BLE001 - an export failure is shown, never fatal
            self._event(EventKind.EXPORT_FAILED, str(exc))
            return
        self._event(EventKind.RECORDING_STARTED, str(path), path)

    def _record(self, shown: np.ndarray, timestamp_ms: int) -> None:
        if self._exporter is None or not self._exporter.recording or self._chain is None:
            return
        if self._applied() != self._exporter.recording_active:
            # The policy switched the effect on or off: this video's manifest would no longer
            # be true for the next frames, so it ends here (saved and signed as it is).
            self._finish_recording()
            return
        try:
            self._exporter.record(shown, timestamp_ms)
        except Exception as exc:  # noqa: BLE001 - an export failure is shown, never fatal
            self._exporter.abort_recording()
            self._event(EventKind.EXPORT_FAILED, str(exc))

    def _finish_recording(self) -> None:
        if self._exporter is None or not self._exporter.recording:
            return
        try:
            signed = self._exporter.stop_recording()
        except Exception as exc:  # noqa: BLE001 - an export failure is shown, never fatal
            self._event(EventKind.EXPORT_FAILED, str(exc))
            return
        if signed is not None:
            self._event(EventKind.RECORDING_SAVED, str(signed.path), signed.path)

    def _close_exporter(self) -> None:
        self._finish_recording()
        if self._exporter is not None:
            self._exporter.close()
            self._exporter = None


def _landmarks_kind(frame: Frame) -> str | None:
    """How the frame's landmarks came about, for the HUD: "detected", "predicted" or None (no face)."""
    if not frame.tracks:
        return None
    return "predicted" if frame.landmarks_predicted else "detected"


def _real_tracker(max_faces: int) -> Factory:
    def make() -> Any:
        from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions

        return FaceTracker(FaceTrackerOptions(max_faces=max_faces))

    return make


def _real_age_model() -> Any:
    from age_estimation.model import AgeModel, AgeModelOptions
    from camera_app.models import model_path

    return AgeModel(AgeModelOptions(model_path("age")))
