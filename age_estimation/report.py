"""The plain-text evaluation report: written for the person who picks the policy's challenge age.

Every figure comes with the number of faces behind it and its 95 % interval; rounding
happens here only, never in the figures or in the JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

from age_estimation.evaluate import EvaluationRun
from age_estimation.intervals import FEW_EVENTS, Figure
from age_estimation.operating import Recommendation
from age_estimation.report_cells import WIDENED_MARK, interval_words, pct, share_cell, years_cell
from age_estimation.report_groups import group_tables, leakage_warnings
from age_estimation.scores import ALL, ALL_MINORS, BANDS, MINOR_GROUPS, DecisionPoint, Scores

# Below this many faces in a group, the report warns that its shares are rough.
SMALL_GROUP = 30
# Challenge ages listed in the text table (the JSON and the plot have the whole curve).
TABLE_AGES_YEARS = tuple(float(a) for a in range(18, 31))
CELL = 21


def _header(run: EvaluationRun, scores: Scores, title: str) -> list[str]:
    scale = "calibrated" if run.calibrated else "raw model, no calibration"
    out = [f"{title} ({scale})"]
    readable = len(run.results) - run.unreadable
    out.append(
        f"  images {len(run.results)}: readable {readable}, unreadable {run.unreadable}, no face found {run.no_face}; "
        f"detection rate {interval_words(scores.detection).lstrip()}"
    )
    speed = []
    if run.ms_per_face is not None:
        speed.append(f"{run.ms_per_face:.1f} ms per face (alignment + model)")
    if run.ms_per_image_detection is not None:
        speed.append(f"{run.ms_per_image_detection:.1f} ms per image for face detection")
    if speed:
        out.append("  speed: " + ", ".join(speed))
    return out


def interval_note(scores: Scores) -> list[str]:
    strata = f"within each {scores.strata_column}" if scores.strata_column else "(no 'source' column: one stratum)"
    return [
        f"95% intervals: bootstrap percentiles over {scores.options.resamples} resamples of the images {strata}, "
        f"seed {scores.options.seed};",
        f"for a share with fewer than {FEW_EVENTS} faces on one side, joined with Wilson's score interval "
        f"({WIDENED_MARK}: Wilson's was wider).",
    ]


def _accuracy(scores: Scores) -> list[str]:
    out = ["Accuracy per age band (error = estimate - true age; positive bias = over-estimates)"]
    out.append("  band     faces   MAE years (95%)       bias years (95%)")
    for name in [b[0] for b in BANDS] + [ALL]:
        mae, bias = scores.mae[name], scores.bias[name]
        out.append(f"  {name:<7} {mae.n:>6}   {years_cell(mae):<20}  {years_cell(bias, signed=True)}")
    return out


def _decision_rows(scores: Scores, marks: dict[float, str]) -> list[str]:
    first = scores.curve[0]
    heads = [f"{name} (n={first.minors_passed[name].n})" for name, _, _ in MINOR_GROUPS]
    out = ['Under-18 decision: a face is "possibly under 18" when its estimate is below the challenge age']
    out.append(f"  challenge   minors passed as adults: share and 95% interval (%){'':<22}adults challenged")
    out.append("        age   " + "".join(f"{h:<{CELL}}" for h in heads) + f"(n={first.adults_challenged.n})")
    for point in scores.curve:
        age = point.challenge_age_years
        if age not in TABLE_AGES_YEARS and age not in marks:
            continue
        cells = "".join(f"{share_cell(point.minors_passed[name]):<{CELL}}" for name, _, _ in MINOR_GROUPS)
        mark = f"  <- {marks[age]}" if age in marks else ""
        out.append(f"  {age:>9g}   {cells}{share_cell(point.adults_challenged)}{mark}")
    return out


def _figure_line(name: str, figure: Figure) -> str:
    return f"      {name:<24} {interval_words(figure)}"


def _point_lines(point: DecisionPoint) -> list[str]:
    lines = [_figure_line("minors passed as adults", point.minors_passed[ALL_MINORS])]
    lines.extend(_figure_line(f"  aged {name}", point.minors_passed[name]) for name, _, _ in MINOR_GROUPS[1:])
    lines.append(_figure_line("adults challenged", point.adults_challenged))
    return lines


def _advice(scores: Scores, recommendation: Recommendation | None) -> list[str]:
    if scores.faces == 0:
        return ["  No face was estimated: nothing to decide on."]
    current = scores.current
    out = [f"  - At the current challenge age {current.challenge_age_years:g}:"]
    out.extend(_point_lines(current))
    if recommendation is None:
        out.append("  - To choose a challenge age, give --target-minors-passed SHARE (e.g. 0.05): the lowest age whose")
        out.append("    upper 95% bound of minors passed meets it, and the share of adults that costs.")
    elif recommendation.point is None:
        out.append(f"  - No challenge age meets the target of at most {pct(recommendation.target_minors_passed)} minors passed:")
        out.append(f"    {recommendation.reason}.")
    else:
        point = recommendation.point
        out.append(f"  - Target: at most {pct(recommendation.target_minors_passed)} of minors passed as adults, judged by "
                   "the upper end of the 95% interval.")
        out.append(f"    The lowest challenge age meeting it is {point.challenge_age_years:g}:")
        out.extend(_point_lines(point))
    for name in ("13-15", "16-17"):
        bias = scores.bias[name]
        if bias.value is not None and bias.value > 2.0:
            faces = f"{bias.n} face{'s' if bias.n != 1 else ''}"
            out.append(f"  - {name}-year-olds are over-estimated by {bias.value:.1f} years on average ({faces}):")
            out.append("    a plain 'estimate < 18' test lets most of them through.")
    for g in scores.groups:
        if g.flagged:
            out.append(f"  - These figures include {g.column} {g.value!r}, which looks like training data (see the warning).")
    minors, adults = current.minors_passed[ALL_MINORS].n, current.adults_challenged.n
    if minors < SMALL_GROUP or adults < SMALL_GROUP:
        out.append(f"  - Small set ({minors} minors, {adults} adults): the intervals are wide.")
        out.append("    Evaluate on hundreds of labelled faces per band before fixing a policy.")
    out.append("  - An estimate is a signal for the policy, never proof of age.")
    return out


def format_report(
    run: EvaluationRun, scores: Scores, title: str, recommendation: Recommendation | None = None
) -> str:
    """The whole report as text (no trailing newline)."""
    out = _header(run, scores, title)
    out.extend("  " + line for line in interval_note(scores))
    warnings = leakage_warnings(scores)
    if warnings:
        out.append("")
        out.extend(warnings)
    out.append("")
    out.extend(_accuracy(scores))
    out.append("")
    marks = {scores.options.challenge_age_years: "current"}
    if recommendation is not None and recommendation.point is not None:
        age = recommendation.point.challenge_age_years
        marks[age] = "current, recommended" if age in marks else "recommended"
    out.extend(_decision_rows(scores, marks))
    out.extend(group_tables(scores))
    out.append("")
    out.append("What this means on this set")
    out.extend(_advice(scores, recommendation))
    out.extend(_problems(run))
    return "\n".join(line.rstrip() for line in out)


def _problems(run: EvaluationRun) -> Sequence[str]:
    problems = [r for r in run.results if r.status != "ok"]
    if not problems:
        return []
    return ["", f"Images without an estimate ({len(problems)})", *(f"  {r.status:<10} {r.message}" for r in problems)]
