"""``safelens age estimate`` and ``safelens age eval``: the age estimator on still images."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from age_estimation.calibration import AgeCalibration, CalibrationError, fit_calibration
from age_estimation.evaluate import (
    EvaluationError,
    ImageResult,
    calibration_pairs,
    evaluate,
    read_labels,
    read_rgb,
    recalibrated,
)
from age_estimation.model import AgeModel, AgeModelError, AgeModelOptions
from age_estimation.report import format_report
from age_estimation.still import estimate_faces
from camera_app.stages.age import DEFAULT_CHALLENGE_AGE_YEARS
from camera_app.cli.common import CliError, Progress, add_command, challenge_age
from camera_app.models import ModelError, model_path
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions, TrackerError

DEFAULT_MAX_FACES = 4


def register(subparsers: Any) -> None:
    age = add_command(
        subparsers,
        "age",
        "Estimate ages on still images, or evaluate the estimator on a labelled folder.",
        "safelens age estimate photo.jpg --json",
    )
    commands = age.add_subparsers(dest="age_command", metavar="SUBCOMMAND", required=True)

    est = add_command(
        commands,
        "estimate",
        "Estimate the age of every face in one or more images: the age, a range, and whether the face is "
        '"possibly under 18" at the challenge age (an estimate below it).',
        "safelens age estimate assets/faces/usnavy_grace_hopper.jpg --challenge-age 25",
    )
    est.add_argument("images", nargs="+", metavar="IMAGE", type=Path, help="image files")
    est.add_argument("--json", action="store_true", help="print JSON instead of text")
    est.add_argument("--challenge-age", type=challenge_age, default=DEFAULT_CHALLENGE_AGE_YEARS, metavar="YEARS",
                     help=f'an estimate below this age means "possibly under 18" (default {DEFAULT_CHALLENGE_AGE_YEARS:g})')
    est.add_argument("--calibration", type=Path, metavar="JSON", help="a calibration map from 'age eval --fit-calibration'")
    est.set_defaults(handler=run_estimate)

    ev = add_command(
        commands,
        "eval",
        "Evaluate the estimator on a labelled folder: detection rate, error per age band, and the under-18 "
        "decision at challenge ages 18, 21, 23, 25 and 28.",
        "safelens age eval photos/ --labels photos/labels.csv --fit-calibration calibration.json",
    )
    ev.add_argument("folder", metavar="DIR", type=Path, help="folder the CSV paths are relative to")
    ev.add_argument("--labels", required=True, type=Path, metavar="CSV", help="CSV with columns path,age (years)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    ev.add_argument("--calibration", type=Path, metavar="JSON", help="evaluate with this calibration map applied")
    ev.add_argument("--fit-calibration", type=Path, metavar="OUT.json",
                    help="fit a monotone calibration map on this set, save it, and report the (in-sample) result")
    ev.set_defaults(handler=run_eval)


def _load_calibration(path: Path | None) -> AgeCalibration | None:
    if path is None:
        return None
    try:
        return AgeCalibration.load(path)
    except CalibrationError as exc:
        raise CliError(str(exc)) from exc


def _open_model_and_detector(stack: ExitStack) -> tuple[AgeModel, Callable[[np.ndarray], list[np.ndarray]]]:
    try:
        model = stack.enter_context(AgeModel(AgeModelOptions(model_path("age"))))
        tracker = stack.enter_context(FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=DEFAULT_MAX_FACES)))
    except (ModelError, AgeModelError, TrackerError) as exc:
        raise CliError(str(exc)) from exc

    def detect(rgb: np.ndarray) -> list[np.ndarray]:
        return [track.landmarks_px for track in tracker.detect(rgb)]

    return model, detect


def run_estimate(args: argparse.Namespace) -> int:
    calibration = _load_calibration(args.calibration)
    challenge = float(args.challenge_age)
    records: list[dict[str, Any]] = []
    failed = 0
    with ExitStack() as stack:
        model, detect = _open_model_and_detector(stack)
        progress = stack.enter_context(Progress(len(args.images), "estimating")) if len(args.images) > 3 else None
        for path in args.images:
            rgb, problem = read_rgb(path)
            record: dict[str, Any] = {"image": str(path)}
            if rgb is None:
                failed += 1
                print(f"safelens age estimate: error: {problem}", file=sys.stderr)
                record.update(status="unreadable", message=problem, faces=[])
            else:
                estimates = estimate_faces(rgb, detect(rgb), model, calibration)
                record.update(status="ok" if estimates else "no_face", faces=[])
                for e in estimates:
                    p = e.prediction
                    record["faces"].append({
                        "box_px": [round(v, 1) for v in e.box_px],
                        "age_years": round(p.expected_years, 1),
                        "low_years": p.low_years,
                        "high_years": p.high_years,
                        "p_under_18": round(p.p_under_18, 4),
                        "p_under_13": round(p.p_under_13, 4),
                        "challenge_age_years": challenge,
                        "possibly_under_18": p.expected_years < challenge,
                        "calibrated": p.calibrated,
                    })
            records.append(record)
            if progress is not None:
                progress.advance()
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        print(_estimate_text(records, challenge))
    return 1 if failed else 0


def _estimate_text(records: Sequence[dict[str, Any]], challenge: float) -> str:
    lines: list[str] = []
    for record in records:
        if record["status"] == "unreadable":
            lines.append(f"{record['image']}: unreadable ({record['message']})")
            continue
        faces = record["faces"]
        if not faces:
            lines.append(f"{record['image']}: no face found")
            continue
        lines.append(f"{record['image']}: {len(faces)} face{'s' if len(faces) > 1 else ''}")
        for i, face in enumerate(faces, start=1):
            x0, y0, x1, y1 = face["box_px"]
            verdict = (
                f"POSSIBLY UNDER 18 (estimate below challenge age {challenge:g})"
                if face["possibly_under_18"]
                else f"adult at challenge age {challenge:g}"
            )
            lines.append(
                f"  face {i} at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}): age {face['age_years']:.0f} "
                f"(likely {face['low_years']:.0f}-{face['high_years']:.0f}), "
                f"P(under 18) {100 * face['p_under_18']:.0f}%, P(under 13) {100 * face['p_under_13']:.0f}%: {verdict}"
            )
    lines.append("An estimate is a signal for the policy, never proof of age.")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        raise CliError(f"{args.folder}: not a folder")
    if args.calibration is not None and args.fit_calibration is not None:
        raise CliError("give either --calibration (evaluate with a map) or --fit-calibration (fit one), not both")
    calibration = _load_calibration(args.calibration)
    try:
        labels = read_labels(args.labels, args.folder)
    except EvaluationError as exc:
        raise CliError(str(exc)) from exc
    with ExitStack() as stack:
        model, detect = _open_model_and_detector(stack)
        progress = stack.enter_context(Progress(len(labels), "evaluating"))
        unreadable: list[str] = []

        def on_image(result: ImageResult) -> None:
            if result.status == "unreadable":
                unreadable.append(result.message)
            progress.advance()

        report = evaluate(labels, detect, model, calibration, on_image=on_image)
    for message in unreadable:
        print(f"safelens age eval: warning: {message} (counted as unreadable)", file=sys.stderr)
    title = f"Age estimation on {len(labels)} labelled images from {args.labels}"
    fitted = None
    fitted_report = None
    if args.fit_calibration is not None:
        raw, true = calibration_pairs(report)
        try:
            fitted = fit_calibration(raw, true)
            fitted.save(args.fit_calibration)
        except CalibrationError as exc:
            raise CliError(str(exc)) from exc
        fitted_report = recalibrated(report, fitted)
    if args.json:
        out: dict[str, Any] = {"report": report.to_dict()}
        if fitted is not None and fitted_report is not None:
            out["calibration"] = {"path": str(args.fit_calibration), "samples": fitted.samples,
                                  "in_sample_report": fitted_report.to_dict()}
        print(json.dumps(out, indent=2))
    else:
        print(format_report(report, title))
        if fitted is not None and fitted_report is not None:
            print()
            print(f"Calibration map fitted on {fitted.samples} faces, saved to {args.fit_calibration}.")
            print("The report below scores the SAME images with it (in-sample, so optimistic); check it on")
            print(f"another labelled set with: safelens age eval DIR --labels CSV --calibration {args.fit_calibration}")
            print()
            print(format_report(fitted_report, title + ", with the fitted calibration"))
    return 0 if report.faces > 0 else 1
