"""The dose-response chart: one panel per sweep, adults and children, the rule's line.

Each panel plots the measured change (median, with the 10th-90th percentile band) against
the swept parameter, for adults and for children apart, with the line the rule uses for
that measure (``effects.classify.rules.line_for``) and, as tick marks on the x axis, the
first value each group's verdict is appearance-altering.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from effects.classify.rules import line_for  # noqa: E402

_COLOURS = {"adults": "#1f5fa8", "children": "#c2452d"}


def write_chart(data: dict[str, Any], path: Path) -> Path:
    """Write the chart of ``data`` (``dose_response.build``) as a PNG; returns ``path``."""
    sweeps = data["sweeps"]
    cols = 4
    rows = math.ceil(len(sweeps) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, sweep in zip(axes.flat, sweeps, strict=False):
        scale = 100.0 if sweep["unit"] == "%" else 1.0
        xs = [p["value"] for p in sweep["points"]]
        for group, colour in _COLOURS.items():
            med = [_num(p[group]["median"], scale) for p in sweep["points"]]
            lo = [_num(p[group]["p10"], scale) for p in sweep["points"]]
            hi = [_num(p[group]["p90"], scale) for p in sweep["points"]]
            n = sweep["points"][0][group]["n"]
            ax.plot(xs, med, "o-", color=colour, ms=3, lw=1.5, label=f"{group} (n={n})")
            ax.fill_between(xs, lo, hi, color=colour, alpha=0.12, lw=0)
            turn = sweep["altering_from"][group]
            if turn is not None:
                ax.axvline(turn, color=colour, lw=0.8, ls=":")
        line = line_for(sweep["metric"])
        if line is not None:
            sign = -1.0 if sweep["metric"].startswith("geometry.") and _falls(sweep) else 1.0
            ax.axhline(sign * line * scale, color="black", lw=1.0, ls="--", label="rule's line")
        noise = data["noise"].get(sweep["metric"], {}).get("max_median")
        if noise:
            ax.axhline(noise * scale, color="grey", lw=0.8, ls="-.", label="noise floor (other ops)")
        unit = "%" if sweep["unit"] == "%" else "dE00"
        ax.set_title(f"{sweep['key']}: {sweep['op']}.{sweep['param']}", fontsize=9)
        ax.set_xlabel(sweep["param"], fontsize=8)
        ax.set_ylabel(f"{sweep['label']} ({unit})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(sweeps):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower right", fontsize=9)
    fig.suptitle(f"Dose-response on the reference faces ({data['faces']['adults']} adults, "
                 f"{data['faces']['children']} children); dotted: first value judged altering", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _num(v: float | None, scale: float) -> float:
    return math.nan if v is None else v * scale


def _falls(sweep: dict[str, Any]) -> bool:
    last = sweep["points"][-1]["adults"]["median"]
    return last is not None and last < 0
