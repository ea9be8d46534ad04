"""The per-group part of the text report: a table per label column, and the training-data warnings."""

from __future__ import annotations

from age_estimation.leakage import NEAR_YEARS, LeakageCheck
from age_estimation.report_cells import pct, share_cell, years_cell
from age_estimation.scores import GroupScores, Scores

VALUE_WIDTH = 16


def _name(value: str) -> str:
    shown = value or "(blank)"
    return shown if len(shown) <= VALUE_WIDTH else shown[: VALUE_WIDTH - 1] + "~"


def _near_cell(check: LeakageCheck, flagged: bool) -> str:
    if not check.faces:
        return "-"
    flag = "  TRAINING DATA?" if flagged else ""
    return f"{pct(check.near_share):>6} vs {pct(check.expected_share):>5}{flag}"


def group_tables(scores: Scores) -> list[str]:
    """One accuracy table and one decision table per group column, values in sorted order."""
    out: list[str] = []
    columns = list(dict.fromkeys(g.column for g in scores.groups))
    challenge = scores.options.challenge_age_years
    for column in columns:
        rows = [g for g in scores.groups if g.column == column]
        out.append("")
        out.append(f"By {column}: accuracy, and estimates within {NEAR_YEARS:g} years of the label vs chance")
        out.append(f"  {column[:VALUE_WIDTH]:<{VALUE_WIDTH}} images  detected  faces   MAE years            bias years             near label")
        for g in rows:
            out.append(
                f"  {_name(g.value):<{VALUE_WIDTH}} {g.detection.n:>6}  {pct(g.detection.value):>8}  {g.mae.n:>5}   "
                f"{years_cell(g.mae):<19}  {years_cell(g.bias, signed=True):<21}  {_near_cell(g.leakage, g.flagged)}"
            )
        out.append(f"By {column}: under-18 decision at challenge age {challenge:g}")
        out.append(f"  {'':<{VALUE_WIDTH}} minors passed as adults       adults challenged")
        for g in rows:
            out.append(f"  {_name(g.value):<{VALUE_WIDTH}} {share_cell(g.minors_passed, count=True):<29} {share_cell(g.adults_challenged, count=True)}")
    for column, values in scores.skipped_columns:
        out.append("")
        out.append(f"Column {column!r} has {values} distinct values: not reported per group (at most 20).")
    return out


def _warning(g: GroupScores) -> list[str]:
    check = g.leakage
    without = "" if g.mae_without_years is None else f", {g.mae_without_years:.1f} on the other faces"
    mae = "-" if g.mae.value is None else f"{g.mae.value:.1f}"
    return [
        f"WARNING: {g.column} {g.value!r}: {check.near} of {check.faces} estimates ({pct(check.near_share)}) are within "
        f"{NEAR_YEARS:g} years of their label;",
        f"  about {check.expected_near:.1f} ({pct(check.expected_share)}) would be by chance. The model has probably "
        "seen these images in training,",
        f"  so their figures are optimistic (MAE {mae} years on them{without}). Evaluate without them",
        "  (drop their rows from the labels) before choosing a challenge age.",
    ]


def leakage_warnings(scores: Scores) -> list[str]:
    """Warnings naming every flagged group; one for the whole set when no group explains it."""
    flagged = [g for g in scores.groups if g.flagged]
    lines: list[str] = []
    for g in flagged:
        lines.extend(_warning(g))
    if not flagged and scores.leakage.suspicious:
        check = scores.leakage
        lines.append(
            f"WARNING: {check.near} of {check.faces} estimates ({pct(check.near_share)}) are within {NEAR_YEARS:g} years "
            f"of their label; about {check.expected_near:.1f} would be by chance."
        )
        lines.append("  Some of these images were probably in the model's training data: the figures are optimistic.")
        lines.append("  A 'source' column in the labels would show which collection they come from.")
    return lines
