"""The operating curve of an evaluation as a PNG (matplotlib, Agg: no display needed).

Imported only by ``safelens age eval --plot``; nothing else in ``age_estimation`` imports
matplotlib. Left: the shares of minors passed as adults (all minors, 13-15, 16-17) and of
adults challenged against the challenge age, each with its 95 % band. Right: minors
passed against adults challenged as the challenge age moves (the trade the policy makes),
with the band of minors passed; the current setting and the recommendation are marked.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from age_estimation.intervals import Figure  # noqa: E402
from age_estimation.operating import Recommendation  # noqa: E402
from age_estimation.scores import ALL_MINORS, Scores  # noqa: E402

SERIES = (  # (label, colour, how to read it from a curve point)
    ("all minors passed as adults", "#c0392b", lambda p: p.minors_passed[ALL_MINORS]),
    ("16-17 passed as adults", "#e67e22", lambda p: p.minors_passed["16-17"]),
    ("13-15 passed as adults", "#8e44ad", lambda p: p.minors_passed["13-15"]),
    ("adults challenged", "#2471a3", lambda p: p.adults_challenged),
)


class PlotError(ValueError):
    """The chart cannot be written (the message names the file)."""


def _arrays(figures: list[Figure]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    value = np.array([np.nan if f.value is None else 100.0 * f.value for f in figures])
    low = np.array([np.nan if f.ci95 is None else 100.0 * f.ci95[0] for f in figures])
    high = np.array([np.nan if f.ci95 is None else 100.0 * f.ci95[1] for f in figures])
    return value, low, high


def plot_operating_curve(scores: Scores, path: Path, title: str, recommendation: Recommendation | None = None) -> None:
    """Write the two-panel chart to ``path`` (PNG)."""
    ages = np.array([p.challenge_age_years for p in scores.curve])
    current = scores.current
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.0, 5.6), dpi=110)
    for label, colour, pick in SERIES:
        figures = [pick(p) for p in scores.curve]
        if all(f.value is None for f in figures):
            continue
        value, low, high = _arrays(figures)
        left.plot(ages, value, color=colour, lw=2, label=f"{label} (n={figures[0].n})")
        left.fill_between(ages, low, high, color=colour, alpha=0.15, lw=0)
    left.axvline(current.challenge_age_years, color="0.3", ls="--", lw=1)
    left.text(current.challenge_age_years + 0.2, 97, f"current {current.challenge_age_years:g}", fontsize=9, va="top")
    left.set_xlabel("challenge age (years): an estimate below it means 'possibly under 18'")
    left.set_ylabel("share of the group (%)")
    left.set_xlim(ages[0], ages[-1])
    left.set_ylim(0, 100)
    left.grid(alpha=0.3)

    minors = [p.minors_passed[ALL_MINORS] for p in scores.curve]
    adults = [p.adults_challenged for p in scores.curve]
    y, y_low, y_high = _arrays(minors)
    x, x_low, x_high = _arrays(adults)
    right.fill_between(x, y_low, y_high, color="#c0392b", alpha=0.18, lw=0, label="95% interval of minors passed")
    right.plot(x, y, color="#c0392b", lw=2, label="operating curve")
    whole = np.flatnonzero(ages == np.round(ages))
    right.plot(x[whole], y[whole], "o", color="#c0392b", ms=3)
    labelled: list[tuple[float, float]] = []
    for i in whole[::2]:
        if any(abs(x[i] - lx) < 1.5 and abs(y[i] - ly) < 2.0 for lx, ly in labelled):
            continue  # the same point as an age already labelled (small sets)
        labelled.append((x[i], y[i]))
        right.annotate(f"{ages[i]:g}", (x[i], y[i]), textcoords="offset points", xytext=(4, 4), fontsize=8, color="0.25")
    marks = [(current, "current", "*", "black")]
    if recommendation is not None and recommendation.point is not None:
        marks.append((recommendation.point, "recommended", "D", "#1e8449"))
        target = 100.0 * recommendation.target_minors_passed
        for axis in (left, right):
            axis.axhline(target, color="#1e8449", ls=":", lw=1.2)
            axis.text(0.99, target, f"target {target:g}%", transform=axis.get_yaxis_transform(), color="#1e8449",
                      fontsize=8, ha="right", va="bottom")
        age = recommendation.point.challenge_age_years
        left.axvline(age, color="#1e8449", ls="--", lw=1)
        left.text(age + 0.2, 91, f"recommended {age:g}", fontsize=9, va="top", color="#1e8449")
    for point, name, marker, colour in marks:
        i = int(np.flatnonzero(ages == point.challenge_age_years)[0])
        right.errorbar(x[i], y[i], xerr=[[x[i] - x_low[i]], [x_high[i] - x[i]]], yerr=[[y[i] - y_low[i]], [y_high[i] - y[i]]],
                       fmt=marker, color=colour, ms=9, capsize=3, zorder=5,
                       label=f"{name}: challenge age {point.challenge_age_years:g}")
    right.set_xlabel("adults challenged (%)")
    right.set_ylabel("minors passed as adults (%)")
    right.set_xlim(left=0)
    right.set_ylim(bottom=0)
    right.grid(alpha=0.3)
    left.legend(fontsize=8, loc="center right")
    right.legend(fontsize=8, loc="upper right")
    strata = f"within each {scores.strata_column}" if scores.strata_column else "one stratum"
    fig.suptitle(f"{title}\nbands: 95% intervals, {scores.options.resamples} bootstrap resamples ({strata}); "
                 f"{scores.faces} faces", fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, format="png")
    except OSError as exc:
        raise PlotError(f"{path}: cannot write the chart ({exc.strerror})") from exc
    finally:
        plt.close(fig)
