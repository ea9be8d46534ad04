"""The plain-text evaluation report: written for the person who picks the policy's challenge age."""

from __future__ import annotations

from age_estimation.evaluate import EvaluationReport, ThresholdStats, wilson_interval

# Below this many faces in a group, the report warns that its shares are rough.
SMALL_GROUP = 30


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100.0 * share:5.1f}%"


def _ci(k: int, n: int) -> str:
    interval = wilson_interval(k, n)
    if interval is None:
        return "-"
    return f"{100.0 * interval[0]:.0f}-{100.0 * interval[1]:.0f}%"


def _years(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _threshold_row(t: ThresholdStats) -> str:
    minors = f"{_pct(t.minors_passed_share)}  {t.minors_passed:>3}/{t.minors:<3}  {_ci(t.minors_passed, t.minors):>8}"
    adults = f"{_pct(t.adults_flagged_share)}  {t.adults_flagged:>3}/{t.adults:<3}  {_ci(t.adults_flagged, t.adults):>8}"
    return f"  {t.challenge_age_years:>9}   {minors}      {adults}"


def _advice(report: EvaluationReport) -> list[str]:
    lines: list[str] = []
    thresholds = report.thresholds
    if not thresholds or report.faces == 0:
        return ["  No face was estimated: nothing to decide on."]
    minors, adults = thresholds[0].minors, thresholds[0].adults
    for t in thresholds:
        if t.challenge_age_years == 25 and minors and adults:
            lines.append(
                f"  - At challenge age 25: {t.minors_passed} of {t.minors} minors would be treated as adults, "
                f"and {t.adults_flagged} of {t.adults} adults would be asked for another check."
            )
    safe = [t for t in thresholds if t.minors and t.minors_passed == 0]
    if not minors:
        lines.append("  - The set has no minors, so it says nothing about minors passing as adults.")
    elif safe:
        best = safe[0]
        lines.append(
            f"  - The lowest challenge age that passed no minor here is {best.challenge_age_years}; "
            f"it flags {best.adults_flagged} of {best.adults} adults ({_pct(best.adults_flagged_share).strip()})."
        )
        upper = wilson_interval(0, best.minors)
        if upper is not None:
            lines.append(
                f"    With {best.minors} minors, 0 passed is still compatible with up to "
                f"{100.0 * upper[1]:.0f}% passing in general (95% interval)."
            )
    else:
        last = thresholds[-1]
        lines.append(
            f"  - Even at challenge age {last.challenge_age_years}, {last.minors_passed} of {last.minors} minors "
            "were estimated at or above it: no listed challenge age keeps every minor out on this set."
        )
    teen = next((b for b in report.bands if b.band == "13-17"), None)
    if teen is not None and teen.bias_years is not None and teen.bias_years > 2.0:
        lines.append(
            f"  - Teenagers (13-17) are over-estimated by {teen.bias_years:.1f} years on average: "
            "a plain 'estimate < 18' test lets most of them through."
        )
    if minors < SMALL_GROUP or adults < SMALL_GROUP:
        lines.append(
            f"  - Small set ({minors} minors, {adults} adults): shares move a lot with one face. "
            "Evaluate on hundreds of labelled faces per band before fixing a policy."
        )
    lines.append("  - An estimate is a signal for the policy, never proof of age.")
    return lines


def format_report(report: EvaluationReport, title: str) -> str:
    """The whole report as text (no trailing newline)."""
    scale = "calibrated" if report.calibrated else "raw model, no calibration"
    out = [f"{title} ({scale})"]
    readable = report.images - report.unreadable
    out.append(
        f"  images {report.images}: readable {readable}, unreadable {report.unreadable}, "
        f"no face found {report.no_face}; detection rate {_pct(report.detection_rate).strip()}"
    )
    speed = []
    if report.ms_per_face is not None:
        speed.append(f"{report.ms_per_face:.1f} ms per face (alignment + model)")
    if report.ms_per_image_detection is not None:
        speed.append(f"{report.ms_per_image_detection:.1f} ms per image for face detection")
    if speed:
        out.append("  speed: " + ", ".join(speed))
    out.append("")
    out.append("Accuracy per age band (error = estimate - true age; positive bias = over-estimates)")
    out.append("  band     faces   MAE years   bias years")
    for band in report.bands:
        out.append(f"  {band.band:<7} {band.faces:>6}   {_years(band.mae_years):>9}   {_years(band.bias_years, True):>10}")
    out.append(f"  {'all':<7} {report.faces:>6}   {_years(report.mae_years):>9}   {_years(report.bias_years, True):>10}")
    out.append("")
    out.append('Under-18 decision: a face is "possibly under 18" when its estimate is below the challenge age')
    out.append("  challenge   minors passed as adults          adults flagged as possibly under 18")
    out.append("        age    share  count       95% CI         share  count       95% CI")
    out.extend(_threshold_row(t) for t in report.thresholds)
    out.append("")
    out.append("What this means on this set")
    out.extend(_advice(report))
    problems = [r for r in report.results if r.status != "ok"]
    if problems:
        out.append("")
        out.append(f"Images without an estimate ({len(problems)})")
        out.extend(f"  {r.status:<10} {r.message}" for r in problems)
    return "\n".join(out)
