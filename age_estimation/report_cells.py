"""Table cells of the text report: one figure with its 95 % interval, rounded for reading only."""

from __future__ import annotations

from age_estimation.intervals import Figure

WIDENED_MARK = "*"  # a share whose interval was widened to Wilson's


def pct(share: float | None) -> str:
    return "-" if share is None else f"{100.0 * share:.1f}%"


def share_cell(figure: Figure, count: bool = False) -> str:
    """``26.7%  15-39`` (the interval in percent), ``*`` when Wilson's interval widened it; ``-`` without data."""
    if figure.value is None:
        return "-"
    text = f"{100.0 * figure.value:5.1f}%"
    if count:
        text = f"{figure.count:>3}/{figure.n:<4}" + text
    interval = figure.ci95
    if interval is not None:
        text += f" {100.0 * interval[0]:>3.0f}-{100.0 * interval[1]:<3.0f}"
        text += WIDENED_MARK if figure.widened else " "
    return text


def years_cell(figure: Figure, signed: bool = False) -> str:
    """``6.3 (6.0 to 6.6)`` in years; signed values carry their sign."""
    if figure.value is None:
        return "-"
    form = "{:+.1f}" if signed else "{:.1f}"
    text = form.format(figure.value)
    interval = figure.bootstrap_ci95
    if interval is not None:
        text += f" ({form.format(interval[0])} to {form.format(interval[1])})"
    return text


def interval_words(figure: Figure) -> str:
    """``26.7%  (95% interval 15.0-39.1%; 16 of 60)`` for sentences."""
    if figure.value is None or figure.count is None:
        return f"- ({figure.n} face{'s' if figure.n != 1 else ''})"
    interval = figure.ci95
    bounds = "" if interval is None else f"95% interval {100.0 * interval[0]:.1f}-{100.0 * interval[1]:.1f}%; "
    return f"{pct(figure.value):>6}  ({bounds}{figure.count} of {figure.n})"
