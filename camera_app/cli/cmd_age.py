"""``safelens age estimate`` and ``safelens age eval``: the age estimator on still images."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from age_estimation.calibration import AgeCalibration, CalibrationError, fit_calibration
from age_estimation.crossval import DEFAULT_FOLDS, held_out_estimates
from age_estimation.evaluate import EvaluationRun, ImageResult, evaluate, read_rgb
from age_estimation.labels import EvaluationError, read_labels
from age_estimation.model import AgeModel, AgeModelError, AgeModelOptions
from age_estimation.operating import Recommendation, recommend
from age_estimation.report import format_report
from age_estimation.scores import DEFAULT_RESAMPLES, DEFAULT_SEED, EvalArrays, Scores, ScoringOptions, score
from age_estimation.still import estimate_faces
from camera_app.stages.age import DEFAULT_CHALLENGE_AGE_YEARS
from camera_app.progress import Progress
from camera_app.cli.common import CliError, add_command, challenge_age, whole_number
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
        "decision along the challenge ages (minors passed as adults, adults challenged), every figure with the "
        "faces behind it and a 95% bootstrap interval; per-group tables for extra label columns (source, "
        "gender ...), and a warning when a group looks like the model's training data.",
        "safelens age eval photos/ --labels photos/labels.csv --target-minors-passed 0.05 --plot curve.png",
    )
    ev.add_argument("folder", metavar="DIR", type=Path, help="folder the CSV paths are relative to")
    ev.add_argument("--labels", required=True, type=Path, metavar="CSV",
                    help="CSV with columns path,age (years) and optional group columns; a 'source' column "
                         "stratifies the bootstrap")
    ev.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    ev.add_argument("--challenge-age", type=challenge_age, default=DEFAULT_CHALLENGE_AGE_YEARS, metavar="YEARS",
                    help=f"the current setting, marked in the report and the plot (default {DEFAULT_CHALLENGE_AGE_YEARS:g})")
    ev.add_argument("--target-minors-passed", type=share, metavar="SHARE",
                    help="recommend the lowest challenge age whose upper 95%% bound of minors passed as adults "
                         "is at most SHARE (e.g. 0.05), with the share of adults it challenges")
    ev.add_argument("--plot", type=Path, metavar="PNG", help="write the operating curve with its 95%% band as a PNG")
    ev.add_argument("--group-by", type=column_list, metavar="COL[,COL]",
                    help="group columns to report (default: every extra column with at most 20 values)")
    ev.add_argument("--bootstrap", type=whole_number(100), default=DEFAULT_RESAMPLES, metavar="N",
                    help=f"bootstrap resamples for the intervals (default {DEFAULT_RESAMPLES})")
    ev.add_argument("--seed", type=whole_number(0), default=DEFAULT_SEED, metavar="N",
                    help=f"seed of the bootstrap and of the cross-validation folds (default {DEFAULT_SEED})")
    ev.add_argument("--calibration", type=Path, metavar="JSON",
                    help="evaluate with this calibration map applied (fitted on OTHER images)")
    ev.add_argument("--fit-calibration", type=Path, metavar="OUT.json",
                    help=f"fit a monotone calibration map on this set and save it; its figures are reported "
                         f"{DEFAULT_FOLDS}-fold cross-validated (held out), never in-sample")
    ev.set_defaults(handler=run_eval)


def share(text: str) -> float:
    """An argparse type: a share strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1 (e.g. 0.05 for 5%), found {text!r}")
    return value


def column_list(text: str) -> tuple[str, ...]:
    """An argparse type: comma-separated column names."""
    names = tuple(name.strip() for name in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, found {text!r}")
    return names


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
                        "box_px": list(e.box_px),
                        "age_years": p.expected_years,
                        "low_years": p.low_years,
                        "high_years": p.high_years,
                        "p_under_18": p.p_under_18,
                        "p_under_13": p.p_under_13,
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
                f"  face {i} at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}): age {shown_age(face['age_years'], challenge)} "
                f"(likely {face['low_years']:.0f}-{face['high_years']:.0f}), "
                f"P(under 18) {100 * face['p_under_18']:.0f}%, P(under 13) {100 * face['p_under_13']:.0f}%: {verdict}"
            )
    lines.append("An estimate is a signal for the policy, never proof of age.")
    return "\n".join(lines)


def shown_age(age_years: float, challenge_age_years: float) -> str:
    """The estimate rounded for reading, with as many decimals as it takes to stay on its side of the challenge age.

    24.983 with challenge age 25 reads "24.98", not "25": the verdict printed beside it uses
    the unrounded value, and so must anyone reading the number.
    """
    below = age_years < challenge_age_years
    for decimals in range(7):
        text = f"{age_years:.{decimals}f}"
        if (float(text) < challenge_age_years) == below:
            return text
    return repr(age_years)


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
        progress = stack.enter_context(Progress(len(labels.images), "evaluating"))
        unreadable: list[str] = []

        def on_image(result: ImageResult) -> None:
            if result.status == "unreadable":
                unreadable.append(result.message)
            progress.advance()

        run = evaluate(labels, detect, model, calibration, on_image=on_image)
    for message in unreadable:
        print(f"safelens age eval: warning: {message} (counted as unreadable)", file=sys.stderr)
    try:
        arrays = run.arrays(args.group_by)
    except EvaluationError as exc:
        raise CliError(str(exc)) from exc
    options = ScoringOptions(resamples=args.bootstrap, seed=args.seed, challenge_age_years=float(args.challenge_age))
    scores = score(arrays, options)
    target = args.target_minors_passed
    recommendation = None if target is None else recommend(scores, target)
    title = f"Age estimation on {len(labels.images)} labelled images from {args.labels}"
    held_out = None
    if args.fit_calibration is not None:
        held_out = _fit_and_cross_validate(run, arrays, options, args)
    if args.plot is not None and scores.faces == 0:
        print(f"safelens age eval: warning: no face was estimated, so {args.plot} was not written", file=sys.stderr)
    elif args.plot is not None:
        from age_estimation.plot import PlotError, plot_operating_curve

        try:
            plot_operating_curve(scores, args.plot, title, recommendation)
        except PlotError as exc:
            raise CliError(str(exc)) from exc
    if args.json:
        for g in scores.groups:
            if g.flagged:
                print(f"safelens age eval: warning: {g.column} {g.value!r}: {g.leakage.near} of {g.leakage.faces} "
                      "estimates within 0.1 years of their label: probably training data", file=sys.stderr)
        out: dict[str, Any] = {"report": _run_dict(run, scores, recommendation)}
        if held_out is not None:
            fitted, cv_scores = held_out
            cv_recommendation = None if target is None else recommend(cv_scores, target)
            out["calibration"] = {
                "path": str(args.fit_calibration), "samples": fitted.samples, "folds": DEFAULT_FOLDS,
                "held_out": {"scores": cv_scores.to_dict(),
                             "recommendation": None if cv_recommendation is None else cv_recommendation.to_dict()},
            }
        print(json.dumps(out, indent=2))
    else:
        print(format_report(run, scores, title, recommendation))
        if args.calibration is not None:
            print(f"(Calibrated with {args.calibration}: these figures are out-of-sample only if it was fitted on other images.)")
        if held_out is not None:
            fitted, cv_scores = held_out
            print()
            print(f"Calibration map fitted on all {fitted.samples} faces, saved to {args.fit_calibration}.")
            within = ", folds within each source" if arrays.strata_column else ""
            print(f"The report below scores each face with a map fitted WITHOUT it ({DEFAULT_FOLDS}-fold cross-validation{within}):")
            print("held-out figures. Figures of a map on the faces it was fitted on are optimistic and are not reported.")
            print("Check the saved map on another labelled set with:")
            print(f"  safelens age eval DIR --labels CSV --calibration {args.fit_calibration}")
            print()
            cv_run = dataclasses.replace(run, calibrated=True)
            cv_recommendation = None if target is None else recommend(cv_scores, target)
            print(format_report(cv_run, cv_scores, title + ", calibration held out", cv_recommendation))
    return 0 if scores.faces > 0 else 1


def _fit_and_cross_validate(
    run: EvaluationRun, arrays: EvalArrays, options: ScoringOptions, args: argparse.Namespace
) -> tuple[AgeCalibration, Scores]:
    """Fit the map on every face and save it; score held-out (cross-validated) estimates."""
    raw = run.arrays(args.group_by, raw=True).estimate_years
    strata = arrays.groups[arrays.strata_column] if arrays.strata_column else None
    found = np.isfinite(raw)
    try:
        fitted = fit_calibration(raw[found], arrays.true_years[found])
        held_out = held_out_estimates(raw, arrays.true_years, strata, DEFAULT_FOLDS, args.seed)
        fitted.save(args.fit_calibration)
    except CalibrationError as exc:
        raise CliError(str(exc)) from exc
    return fitted, score(arrays.with_estimates(held_out), options)


def _run_dict(run: EvaluationRun, scores: Scores, recommendation: Recommendation | None) -> dict[str, Any]:
    """The JSON report: counts, speed, every scored figure (unrounded), and one row per image."""
    return {
        "images": len(run.results),
        "unreadable": run.unreadable,
        "no_face": run.no_face,
        "calibrated": run.calibrated,
        "ms_per_face": run.ms_per_face,
        "ms_per_image_detection": run.ms_per_image_detection,
        "scores": scores.to_dict(),
        "recommendation": None if recommendation is None else recommendation.to_dict(),
        "results": [r.to_dict() for r in run.results],
    }
