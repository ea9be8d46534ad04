"""PNG charts of a bench report (matplotlib, Agg: no display needed).

- ``frame_times.png``: the distribution of frame times per effect, one panel per resolution
  and CPU share, against the 60 fps and 30 fps budgets.
- ``stage_breakdown.png``: where a frame's time goes, stacked per effect (capture,
  landmarks, age, each op, label), with the pipelined frame time marked on each bar.
- ``effect_costs.png``: each effect stack alone (no pipeline around it), stacked by op.
- ``kernel_ratios.png``: each Numba kernel's time as a multiple of OpenCV's and NumPy's
  (log scale, the 1.0 line is "as fast as").
- ``devices.png``: pass or fail per device profile and effect (p95 against the budget).
- ``soak.png``: memory, frame rate and queue depth over a soak run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

GOOD = "#2e9d5b"
BAD = "#d1495b"
INK = "#222222"
MUTED = "#8a8a8a"
BUDGETS = ((16.7, "60 fps"), (33.3, "30 fps"))
STAGE_COLOURS = {"capture": "#b8b8b8", "landmarks": "#4f81bd", "age": "#8064a2", "disclosure": "#2e9d5b"}
OP_PALETTE = ("#f2a541", "#e4572e", "#7a9e3b", "#f3c677", "#b5651d", "#ff8c61", "#a23b72", "#3d9fd1",
              "#6b3e26", "#ffd23f", "#2a9d8f", "#e76f51", "#9c89b8", "#c9184a", "#588157", "#f4a261")

plt.rcParams.update({
    "font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25, "figure.dpi": 110,
})


def _name(effect: str) -> str:
    return "(no effect)" if effect == "none" else effect


def _panels(runs: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    keys = sorted({(r["resolution"], r["cores"]) for r in runs if r["age"]},
                  key=lambda k: (-k[1], int(k[0].rstrip("p"))))
    return keys


def _budget_lines(ax: Any, top: float) -> None:
    # 60 fps labelled left of its line, 30 fps right of its own: they never overlap.
    for (ms, label), side in zip(BUDGETS, ("right", "left")):
        if ms <= top * 1.05:
            ax.axvline(ms, color=INK, lw=1, ls="--", alpha=0.6, zorder=1)
            text = f"{label} \n{ms:g} ms " if side == "right" else f" {label}\n {ms:g} ms"
            ax.text(ms, 1.0, text, transform=ax.get_xaxis_transform(), va="bottom", ha=side, fontsize=8, color=INK)


def frame_times(report: dict[str, Any], path: Path) -> Path:
    runs = [r for r in report["runs"] if r["age"] and r["frame_ms_samples"]]
    panels = _panels(runs)
    n = max(1, len(panels))
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    effects_per_panel = max((sum(1 for r in runs if (r["resolution"], r["cores"]) == p) for p in panels), default=1)
    fig, axes = plt.subplots(rows, cols, figsize=(max(11.0, 7.2 * cols), 1.6 + (0.34 * effects_per_panel + 1.1) * rows),
                             squeeze=False, layout="constrained")
    for ax, (res, cores) in zip(axes.flat, panels):
        chosen = sorted((r for r in runs if (r["resolution"], r["cores"]) == (res, cores)),
                        key=lambda r: r["frame_ms"]["median"])
        data = [r["frame_ms_samples"] for r in chosen]
        pos = list(range(len(chosen)))
        box = ax.boxplot(data, positions=pos, orientation="horizontal", whis=(5, 95), showfliers=False, widths=0.6,
                         patch_artist=True, medianprops={"color": INK, "lw": 1.6})
        top = 1.0
        for patch, run in zip(box["boxes"], chosen):
            ok = run["frame_ms"]["p95"] <= (16.7 if cores > 1 else 33.3)
            patch.set_facecolor(GOOD if ok else BAD)
            patch.set_alpha(0.55)
        p99 = [r["frame_ms"]["p99"] for r in chosen]
        ax.scatter(p99, pos, marker="x", s=30, color=INK, zorder=3, label="p99")
        for y, run in zip(pos, chosen):
            ax.text(run["frame_ms"]["p99"], y - 0.32, f" median {run['frame_ms']['median']:.1f}, "
                    f"p95 {run['frame_ms']['p95']:.1f}", fontsize=7.5, color=INK, va="center")
        ax.set_yticks(pos, [_name(r["effect"]) for r in chosen])
        ax.invert_yaxis()
        top = max(top, max(p99, default=0.0), 34.0)  # p99, not the single worst frame, sets the scale
        ax.set_xlim(0, top * 1.3)
        _budget_lines(ax, top * 1.3)
        ax.set_title(f"{res} on {cores} core{'s' if cores > 1 else ''}", pad=26)
        ax.set_xlabel("frame time (ms): box = middle half, whiskers = 5th-95th percentile, x = p99")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("Frame time per effect (lower is better)", fontsize=14, fontweight="bold")
    fig.supxlabel("green box: p95 within the 60 fps budget on 2 cores (30 fps on 1 core); red: over it",
                  fontsize=9.5, color=MUTED)
    fig.savefig(path)
    plt.close(fig)
    return path


def _op_colours(runs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """A distinct colour per op name (warm tab20 hues first), the same in every chart of a report."""
    names = sorted({name for run in runs for name in run["ops_ms"]})
    palette = list(OP_PALETTE) + [matplotlib.colors.to_hex(c) for c in plt.get_cmap("tab20").colors]
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def stage_breakdown(report: dict[str, Any], path: Path) -> Path:
    runs = [r for r in report["runs"] if r["age"]]
    cores = max((r["cores"] for r in runs), default=1)
    resolutions = sorted({r["resolution"] for r in runs if r["cores"] == cores}, key=lambda s: int(s.rstrip("p")))
    colours = _op_colours(runs)
    most = max((sum(1 for r in runs if r["cores"] == cores and r["resolution"] == res) for res in resolutions), default=1)
    fig, axes = plt.subplots(1, max(1, len(resolutions)), figsize=(max(11.0, 7.5 * len(resolutions)), 3.0 + 0.6 * most),
                             squeeze=False, layout="constrained")
    for ax, res in zip(axes.flat, resolutions):
        chosen = [r for r in runs if r["cores"] == cores and r["resolution"] == res]
        chosen.sort(key=lambda r: r["sum_of_stages_ms"].get("median", 0.0))
        top = max((max(_median(r, "capture") + _median(r, "landmarks"), r["frame_ms"]["median"],
                       sum(_median(r, n) for n, _ in _segments(r, colours)[2:])) for r in chosen), default=1.0)
        for y, run in enumerate(chosen):
            ends = []
            for row, segments in ((y - 0.19, _segments(run, colours)[:2]), (y + 0.19, _segments(run, colours)[2:])):
                left = 0.0
                for name, colour in segments:
                    width = _median(run, name)
                    if width > 0:
                        ax.barh(row, width, left=left, color=colour, edgecolor="white", lw=0.5, height=0.36)
                        left += width
                ends.append(left)
            frame = run["frame_ms"]["median"]
            ax.plot([frame, frame], [y - 0.42, y + 0.42], color=INK, lw=2.2, zorder=4)
            saving = run["pipelined_saving"]
            if saving is not None:
                text = f"{frame:.1f} ms, {saving:.0%} under the sum" if saving >= 0.01 else f"{frame:.1f} ms, about the sum"
                ax.text(max(max(ends), frame) + 0.015 * top, y, text, va="center", fontsize=8.5, color=INK)
        ax.set_yticks(range(len(chosen)), [_name(r["effect"]) for r in chosen])
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.5)
        _budget_lines(ax, top * 1.5)
        ax.set_title(f"{res} on {cores} cores: median ms per step", pad=26)
        ax.set_xlabel("upper bar: the worker thread (capture, landmarks of the next frame); lower bar: the stages of\n"
                      "this frame (age, each op, label); they run side by side. Black tick: the frame time (median)")
    handles = [Patch(color=STAGE_COLOURS["capture"], label="capture (worker thread)"),
               Patch(color=STAGE_COLOURS["landmarks"], label="landmarks (worker thread)"),
               Patch(color=STAGE_COLOURS["age"], label="age (submit only)")]
    handles += [Patch(color=c, label=f"op {name}") for name, c in colours.items()]
    handles += [Patch(color=STAGE_COLOURS["disclosure"], label="disclosure label")]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), frameon=False, fontsize=8.5)
    fig.suptitle("Where a frame's time goes", fontsize=14, fontweight="bold")
    fig.savefig(path)
    plt.close(fig)
    return path


def _segments(run: dict[str, Any], colours: dict[str, str]) -> list[tuple[str, str]]:
    out = [("capture", STAGE_COLOURS["capture"]), ("landmarks", STAGE_COLOURS["landmarks"]),
           ("age", STAGE_COLOURS["age"])]
    if run["ops_ms"]:
        out += [(f"op:{name}", colours[name]) for name in run["ops_ms"]]
    elif "effects" in run["stages_ms"]:
        out.append(("effects", OP_PALETTE[0]))
    out.append(("disclosure", STAGE_COLOURS["disclosure"]))
    return out


def _median(run: dict[str, Any], name: str) -> float:
    if name.startswith("op:"):
        summary = run["ops_ms"].get(name[3:], {})
    else:
        summary = run["stages_ms"].get(name, {})
    return float(summary.get("median", 0.0)) if summary.get("n") else 0.0


def effect_costs(report: dict[str, Any], path: Path) -> Path:
    stacks = report["stacks"]
    resolutions = sorted({st["resolution"] for st in stacks}, key=lambda r: int(r.rstrip("p")))
    colours = _op_colours(stacks)
    most = max((sum(1 for st in stacks if st["resolution"] == res) for res in resolutions), default=1)
    fig, axes = plt.subplots(1, max(1, len(resolutions)), figsize=(max(11.0, 7.0 * len(resolutions)), 2.6 + 0.38 * most),
                             squeeze=False, layout="constrained")
    for ax, res in zip(axes.flat, resolutions):
        chosen = sorted((st for st in stacks if st["resolution"] == res), key=lambda st: st["apply_ms"]["median"])
        for y, st in enumerate(chosen):
            left = 0.0
            for name, summary in st["ops_ms"].items():
                width = float(summary.get("median", 0.0))
                ax.barh(y, width, left=left, color=colours[name], edgecolor="white", lw=0.5, height=0.66)
                left += width
            cpu = st["apply_cpu_ms"]["median"]
            ax.plot([cpu, cpu], [y - 0.4, y + 0.4], color=INK, lw=2, zorder=4)
            ax.text(max(left, cpu) * 1.02 + 0.05, y, f"CPU {cpu:.2f} ms; wall {st['apply_ms']['median']:.2f}, "
                    f"p95 {st['apply_ms']['p95']:.2f}", va="center", fontsize=8, color=INK)
        ax.set_yticks(range(len(chosen)), [st["effect"] for st in chosen])
        ax.invert_yaxis()
        top = max((max(st["apply_cpu_ms"]["median"], sum(v["median"] for v in st["ops_ms"].values())) for st in chosen),
                  default=1.0)
        ax.set_xlim(0, top * 1.6)
        if res == "720p":
            ax.axvline(5.0, color=INK, ls="--", lw=1, alpha=0.6)
            ax.text(5.0, 1.0, " glam target\n 5 ms", transform=ax.get_xaxis_transform(), va="bottom", fontsize=8)
        ax.set_title(f"{res}: median ms per op (one face)", pad=22)
        ax.set_xlabel("ms per frame: bars = each op's median wall time; the effect alone")
    handles = [Patch(color=c, label=name) for name, c in colours.items()]
    handles.append(plt.Line2D([], [], color=INK, lw=2, label="CPU time of the whole stack (median)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), frameon=False, fontsize=8.5)
    fig.suptitle("What each effect costs by itself", fontsize=14, fontweight="bold")
    fig.savefig(path)
    plt.close(fig)
    return path


def kernel_ratios(report: dict[str, Any], path: Path) -> Path:
    kernels = [k for k in report["kernels"] if k.get("numba_vs_numpy") is not None]
    kernels.sort(key=lambda k: (k["resolution"], -(k["numba_vs_opencv"] or 0.0)))
    values = [v for k in kernels for v in (k["numba_vs_opencv"], k["numba_vs_numpy"]) if v]
    low = min([0.5, *values]) / 1.6
    high = max([2.0, *values]) * 1.6
    fig, ax = plt.subplots(figsize=(13.0, 2.2 + 0.42 * max(1, len(kernels))), layout="constrained")
    ys = list(range(len(kernels)))
    for y, k in zip(ys, kernels):
        ratio = k["numba_vs_opencv"]
        if ratio is not None:
            ax.barh(y, ratio, left=0, color=GOOD if ratio <= 1.0 else BAD, height=0.62, alpha=0.85)
            ax.text(1.01, y, f"{ratio:.2f}x   {k['numba_ms']['median']:.2f} vs {k['opencv_ms']['median']:.2f} ms",
                    transform=ax.get_yaxis_transform(), va="center", fontsize=8.5,
                    color=INK if ratio <= 1.0 else BAD, fontweight="normal" if ratio <= 1.0 else "bold")
        else:
            ax.text(1.01, y, "no OpenCV counterpart", transform=ax.get_yaxis_transform(), va="center", fontsize=8.5,
                    color=MUTED)
        ax.scatter([k["numba_vs_numpy"]], [y], marker="D", s=26, color="#4f81bd", zorder=3)
    ax.set_xscale("log")
    ax.set_yticks(ys, [f"{k['name']} @{k['resolution']}" for k in kernels])
    ax.invert_yaxis()
    ax.axvline(1.0, color=INK, lw=1.6)
    ax.set_xlim(low, high)
    ax.set_xlabel("Numba time / reference time (log scale; left of the line = Numba is faster)")
    fig.legend(handles=[Patch(color=GOOD, label="vs OpenCV: Numba as fast or faster"),
                        Patch(color=BAD, label="vs OpenCV: Numba slower"),
                        plt.Line2D([], [], marker="D", ls="", color="#4f81bd", label="vs the NumPy reference"),
                        plt.Line2D([], [], color=INK, lw=1.6, label="1.0 = as fast as the reference")],
               loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    ax.text(1.01, 1.0, "ratio    Numba vs OpenCV median", transform=ax.transAxes, va="bottom", fontsize=8.5,
            fontweight="bold")
    fig.suptitle("Numba kernels against OpenCV and NumPy (median times, same inputs, same run)", fontsize=13,
                 fontweight="bold")
    fig.savefig(path)
    plt.close(fig)
    return path


def devices(report: dict[str, Any], path: Path) -> Path:
    rows = [d for d in report["device_results"] if d["native"]]
    device_ids = list(dict.fromkeys(d["device"] for d in rows))
    effects = sorted({d["effect"] for d in rows})
    fig, ax = plt.subplots(figsize=(max(8.0, 2.6 + 2.6 * len(device_ids)), 1.8 + 0.34 * max(1, len(effects))),
                           layout="constrained")
    for x, dev in enumerate(device_ids):
        for y, eff in enumerate(effects):
            cell = next((d for d in rows if d["device"] == dev and d["effect"] == eff), None)
            if cell is None:
                continue
            colour = GOOD if cell["pass"] else BAD
            ax.add_patch(plt.Rectangle((x - 0.47, y - 0.44), 0.94, 0.88, color=colour, alpha=0.25 + 0.5 * min(
                1.0, cell["p95_ms"] / cell["budget_ms"] / 2)))
            share = cell["p95_ms"] / cell["budget_ms"]
            ax.text(x, y, f"{'pass' if cell['pass'] else 'FAIL'}  p95 {cell['p95_ms']:.1f} ms ({share:.0%} of budget)",
                    ha="center",
                    va="center", fontsize=8.5, color=INK)
    labels = []
    for dev in device_ids:
        first = next(d for d in rows if d["device"] == dev)
        labels.append(f"{dev}\n{first['resolution']}, budget {first['budget_ms']:.1f} ms")
    ax.set_xticks(range(len(device_ids)), labels)
    ax.set_yticks(range(len(effects)), [_name(e) for e in effects])
    ax.set_xlim(-0.5, len(device_ids) - 0.5)
    ax.set_ylim(len(effects) - 0.5, -0.5)
    ax.grid(False)
    ax.xaxis.tick_top()
    ax.set_title("Device profiles: p95 frame time against each device's frame budget", pad=12)
    fig.savefig(path)
    plt.close(fig)
    return path


def soak(report: dict[str, Any], path: Path) -> Path:
    section = report["soak"]
    samples = section["samples"]
    minutes = section["duration_s"] >= 180
    scale, unit = (60.0, "minutes") if minutes else (1.0, "seconds")
    t = [s["t_s"] / scale for s in samples]
    fig, axes = plt.subplots(3, 1, figsize=(11, 7.5), sharex=True, layout="constrained")
    rss = [s["rss_mb"] for s in samples]
    axes[0].plot(t, rss, color="#4f81bd", lw=1.6)
    if rss:  # at least +-25 MiB around the middle, so noise does not look like a leak
        mid = (max(rss) + min(rss)) / 2.0
        half = max(25.0, (max(rss) - min(rss)) / 2.0 * 1.2)
        axes[0].set_ylim(mid - half, mid + half)
    axes[0].set_ylabel("resident memory (MiB)")
    axes[1].plot(t, [s["fps"] for s in samples], color=GOOD, lw=1.6)
    axes[1].axhline(section["target_fps"], color=INK, ls="--", lw=1, alpha=0.6)
    axes[1].set_ylabel("frames per second")
    axes[1].set_ylim(bottom=0)
    axes[2].step(t, [s["queue_depth"] for s in samples], where="post", color="#8064a2", label="pipeline queue")
    axes[2].step(t, [s["age_pending"] for s in samples], where="post", color="#f2a541", label="age jobs waiting")
    axes[2].set_ylabel("queued")
    axes[2].set_ylim(bottom=-0.1)
    axes[2].legend(loc="upper right", fontsize=8.5)
    axes[2].set_xlabel(unit)
    cycle = section.get("effects_cycle", [])
    switches = section.get("switch_times_s", [])
    for i, when in enumerate(switches):
        for ax in axes:
            ax.axvline(when / scale, color=MUTED, lw=0.8, ls=":", alpha=0.8)
        if cycle and len(switches) <= 40:
            axes[0].text(when / scale, 1.0, f" {cycle[i % len(cycle)]}", transform=axes[0].get_xaxis_transform(),
                         rotation=45, fontsize=7.5, color=INK, va="bottom", ha="left")
    growth = section["rss_growth_mb_per_min"]
    fig.suptitle(f"Soak: {section['duration_s']:.0f} s at {section['resolution']}, {section['target_fps']:g} fps; effect "
                 f"switched every {section['switch_every_s']:g} s (dotted lines); memory {growth:+.2f} MiB/min, "
                 f"errors {section['errors']}", fontsize=12, fontweight="bold")
    fig.savefig(path)
    plt.close(fig)
    return path


def write_all(report: dict[str, Any], folder: Path) -> list[Path]:
    """Every chart the report has data for, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if any(r["age"] for r in report["runs"]):
        written.append(frame_times(report, folder / "frame_times.png"))
        written.append(stage_breakdown(report, folder / "stage_breakdown.png"))
    if report.get("stacks"):
        written.append(effect_costs(report, folder / "effect_costs.png"))
    if report["kernels"]:
        written.append(kernel_ratios(report, folder / "kernel_ratios.png"))
    if any(d["native"] for d in report["device_results"]):
        written.append(devices(report, folder / "devices.png"))
    if report.get("soak"):
        written.append(soak(report, folder / "soak.png"))
    return written
