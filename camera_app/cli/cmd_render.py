"""``safelens render``: the headless pipeline, from a source to an MP4 or a folder of PNGs.

The stages come from the one chain builder (``camera_app.runtime.chain``), like the app's:
age, review watch, gated effects, mesh, label. Without ``--profile`` the viewer's age is
unknown, so appearance-altering effects are refused before any frame.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from disclosure.legal import LabelFormat, mark_required, provenance_record
from camera_app.catalog.classifications import ClassificationCacheError
from camera_app.cli.cmd_effects import add_effects_dir_option, specs_for
from camera_app.progress import Progress
from camera_app.cli.common import CliError, add_command, whole_number
from camera_app.cli.render_policy import (
    Viewer,
    add_policy_options,
    measure_for_chain,
    open_viewer_store,
    refuse_blocked,
    refuse_removed,
    resolve_viewer,
)
from camera_app.capture import RESOLUTIONS, SourceError, open_source
from camera_app.capture.base import BaseSource
from camera_app.frame import FrameError
from camera_app.models import ModelError
from camera_app.output.writers import WriterError, open_writer
from camera_app.policy.rules import Mode
from camera_app.tracking.schedule import DEFAULT_MAX_INTERVAL, DEFAULT_SCHEDULE, SCHEDULES
from camera_app.profiles import ProfileStoreError
from camera_app.runtime.chain import Chain, ChainOptions, ChainResources, build_chain
from camera_app.runtime.pipeline import Pipeline, PipelineError, ProcessedFrame
from disclosure.atomic import ExportError
from disclosure.catalogue import available_languages
from disclosure.identity import IdentityError
from disclosure.plate import PlateError

DEFAULT_ENDLESS_FRAMES = 90  # demo, image and camera have no end of their own
WRITE = "write"


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers,
        "render",
        "Run the pipeline without a window and write the frames to an MP4 or a folder of PNGs.",
        "safelens render --source demo --frames 90 --out demo.mp4 --landmarks",
    )
    p.add_argument("--source", required=True, metavar="SRC",
                   help="camera:N, demo (a generated hand-held selfie feed), or a video or image path")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="an .mp4 file, or a folder (ending with /) for one PNG per frame")
    p.add_argument("--frames", type=whole_number(1), metavar="N",
                   help=f"frames to write (default: the whole video; {DEFAULT_ENDLESS_FRAMES} for demo, image, camera)")
    p.add_argument("--resolution", choices=list(RESOLUTIONS), default="720p",
                   help="size of the demo feed and the size asked of a camera (default 720p); "
                        "videos and images keep their own size")
    p.add_argument("--effect", metavar="ID[,ID...]",
                   help="effects to apply, in this order (ids from `safelens effects list`)")
    add_effects_dir_option(p)
    p.add_argument("--landmarks", action="store_true", help="draw the tracked face mesh on the frames")
    p.add_argument("--record-source-name", action="store_true",
                   help="write the source file's name into the signed manifest and sidecar "
                        "(default: they say 'a local file'; a name can say more than the pixels)")
    p.add_argument("--language", choices=list(available_languages()), default="en",
                   help="language of the disclosure label drawn for appearance-altering effects (default en)")
    p.add_argument("--label-format", choices=[f.value for f in LabelFormat], default="default",
                   help="default: the SafeLens label; fr-influencer: « Images retouchées » (France, loi 2023-451 "
                        "art. 5); no-ad: the Norwegian retouched-advertising mark, top left, ~7%% of the image "
                        "(drawn where the measured changes fall under that law; recorded in the manifest)")
    p.add_argument("--seed", type=whole_number(0), default=0, help="seed of the demo feed (default 0)")
    p.add_argument("--max-faces", type=whole_number(1), default=2, metavar="N", help="faces to track (default 2)")
    p.add_argument("--landmark-schedule", choices=list(SCHEDULES), default=DEFAULT_SCHEDULE,
                   help="every: run the landmarker on every frame; predict: run it on one frame in "
                        "--detect-interval and follow the face with optical flow in between, detecting again at "
                        "once on fast motion, a poor fit or no face; async: follow every frame with optical flow "
                        "and run the landmarker on one frame in --detect-interval beside the others, its result "
                        f"brought forward by the flow (default {DEFAULT_SCHEDULE})")
    p.add_argument("--detect-interval", type=whole_number(1), default=DEFAULT_MAX_INTERVAL, metavar="N",
                   help=f"with --landmark-schedule predict or async: detect at least every N frames (default {DEFAULT_MAX_INTERVAL})")
    add_policy_options(p)
    p.set_defaults(handler=run)


def build_render_chain(args: argparse.Namespace, stack: ExitStack) -> tuple[Chain, Viewer]:
    """The chain for this render (the one builder), after the checks that stop it before any frame."""
    specs = specs_for(args.effect, args.effects_dir) if args.effect is not None else []
    store = open_viewer_store(args, stack)
    refuse_removed(specs, store)
    viewer = resolve_viewer(args, store)
    results = measure_for_chain(specs, args, "policy and label") if specs else _empty_book()
    options = ChainOptions(
        subject=viewer.subject,
        policy=viewer.policy,
        age=bool(specs) and viewer.policy.mode is Mode.ASSURED,
        profile_id=viewer.profile.profile_id if viewer.profile is not None and specs else None,
        language=args.language,
        label_format=LabelFormat(args.label_format),
        landmarks=args.landmarks,
        seed=args.seed,
    )
    chain = build_chain(options, ChainResources(results=results, store=store), stack)
    refuse_blocked(chain, specs, viewer)
    chain.set_effects(specs)
    return chain, viewer


def _empty_book() -> Any:
    from camera_app.catalog.classifications import ResultBook

    return ResultBook()


def run(args: argparse.Namespace) -> int:
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions, TrackerError

    try:
        source = open_source(args.source, resolution=args.resolution, seed=args.seed, paced=False)
        with ExitStack() as stack:
            chain, viewer = build_render_chain(args, stack)
            expressions = any(spec.has_triggers for spec in chain.effects.specs)  # scored only when an effect needs them
            tracker = stack.enter_context(FaceTracker(FaceTrackerOptions(
                max_faces=args.max_faces, blendshapes=expressions, head_pose=chain.needs_head_pose,
                schedule=args.landmark_schedule, max_interval=args.detect_interval)))
            pipeline = Pipeline(tracker, chain.stages)
            stack.enter_context(source)
            return _render(args, source, pipeline, chain, viewer)
    except (SourceError, TrackerError, ModelError, WriterError, PipelineError, FrameError,
            ClassificationCacheError, ExportError, IdentityError, PlateError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc


def _frame_limit(args: argparse.Namespace) -> int | None:
    if args.frames is not None:
        return int(args.frames)
    is_video = args.source != "demo" and not args.source.startswith("camera:") and not _is_image(args.source)
    return None if is_video else DEFAULT_ENDLESS_FRAMES


def _is_image(spec: str) -> bool:
    from camera_app.capture.base import IMAGE_SUFFIXES

    return Path(spec).suffix.lower() in IMAGE_SUFFIXES


def _render(args: argparse.Namespace, source: BaseSource, pipeline: Pipeline, chain: Chain, viewer: Viewer) -> int:
    limit = _frame_limit(args)
    total = limit if limit is not None else (getattr(source, "frame_count", 0) or None)
    writer = _open_output(args, source, chain, viewer)
    timings: dict[str, list[float]] = {}
    notices: Counter[str] = Counter()
    with_face = predicted = 0
    frames = pipeline.run(source)
    try:
        with Progress(total, "render") as progress:
            for done in _take(frames, limit):
                _record(done, timings, notices)
                with_face += bool(done.input.tracks)
                predicted += done.input.landmarks_predicted
                start = _now_ms()
                writer.write(done.output.pixels)
                timings.setdefault(WRITE, []).append(_now_ms() - start)
                progress.advance()
        writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        frames.close()
    _summary(args.out, writer.frames_written, (with_face, predicted), timings, notices, source)
    _provenance_summary(writer)
    return 0


def _open_output(args: argparse.Namespace, source: BaseSource, chain: Chain, viewer: Viewer) -> Any:
    """A signed MP4 writer for an .mp4 target (the effects asked for, their label and the policy
    settings recorded in its manifest), else the plain writer (a folder of PNGs is not signed)."""
    from camera_app.output.writers import is_folder_target

    if is_folder_target(args.out) or Path(args.out).suffix.lower() != ".mp4":
        return open_writer(args.out, source.fps)
    from camera_app.output.signed import SignedMp4Writer, origin_for_source
    from camera_app.paths import identity_dir
    from camera_app.stages.disclosure import label_for

    specs = chain.effects.specs
    results, label = label_for(specs, chain.results, args.language)
    target = Path(args.out)
    if not target.parent.is_dir():
        raise WriterError(f"output {args.out}: folder {target.parent} does not exist")
    fmt = LabelFormat(args.label_format)
    legal = provenance_record(fmt, mark_required(fmt, results))
    return SignedMp4Writer(target, source.fps, identity_dir(getattr(args, "data_dir", None)), results, label,
                           origin_for_source(args.source, record_name=args.record_source_name),
                           policy=viewer.provenance(), legal_mark=legal)


def _provenance_summary(writer: Any) -> None:
    signed = getattr(writer, "signed", None)
    if signed is None:
        return
    print(f"signed (C2PA): {signed.path}  manifest {signed.manifest_label}")
    print(f"sidecar: {signed.sidecar}")
    print(f"check it with: safelens inspect {signed.path}")


def _take(frames: Any, limit: int | None) -> Any:
    for n, done in enumerate(frames):
        if limit is not None and n >= limit:
            return
        yield done


def _now_ms() -> float:
    import time

    return time.perf_counter() * 1000.0


def _record(done: ProcessedFrame, timings: dict[str, list[float]], notices: Counter[str]) -> None:
    for stage, ms in done.timings_ms.items():
        timings.setdefault(stage, []).append(ms)
    for notice in done.notices:
        if notice not in notices:
            print(f"notice: {notice}", file=sys.stderr)
        notices[notice] += 1


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _summary(out: str, written: int, faces: tuple[int, int], timings: dict[str, list[float]],
             notices: Counter[str], source: BaseSource) -> None:
    with_face, predicted = faces
    share = 100.0 * with_face / written if written else 0.0
    print(f"wrote {written} frames to {out} ({source.description}, {source.fps:g} fps)")
    print(f"frames with a face: {with_face} of {written} ({share:.0f}%): landmarks detected on "
          f"{with_face - predicted}, predicted on {predicted}")
    print(f"{'stage':<16}{'median ms':>10}{'p95 ms':>10}")
    for stage, values in timings.items():
        print(f"{stage:<16}{statistics.median(values):>10.1f}{_p95(values):>10.1f}")
    dropped = getattr(source, "dropped_frames", None)
    if dropped:
        print(f"camera frames dropped (pipeline slower than the camera): {dropped}")
    for notice, count in notices.items():
        print(f"notice ({count} frames): {notice}")
