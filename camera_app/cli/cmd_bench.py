"""``safelens bench``: frame-rate benchmarks of the real pipeline, per effect, resolution and device.

The app never imports ``benchmarks/`` (DESIGN.md), so this command only defines the options
and runs ``python -m benchmarks`` with them in a fresh process (which also keeps the bench's
memory figures and CPU pinning free of anything this process loaded).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from camera_app.cli.common import add_command
from camera_app.capture.base import RESOLUTIONS
from camera_app.tracking.schedule import DEFAULT_SCHEDULE, SCHEDULES

PARTS = ("pipeline", "stacks", "kernels", "startup", "memory", "landmarks", "capture", "display")
SOURCES = ("replay", "demo")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _csv(kind: str, allowed: tuple[str, ...] | None = None) -> Any:
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(i.strip() for i in text.split(",") if i.strip())
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {kind}, found {text!r}")
        if allowed is not None:
            bad = [i for i in items if i not in allowed]
            if bad:
                raise argparse.ArgumentTypeError(f"expected {kind} from {', '.join(allowed)}, found {bad[0]!r}")
        return items

    return parse


def _number(low: float, high: float, integer: bool = False) -> Any:
    def parse(text: str) -> float | int:
        try:
            value: float | int = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if integer else 'a number'} in [{low:g}, {high:g}], found {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number in [{low:g}, {high:g}], found {text!r}")
        return value

    return parse


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``safelens bench`` (shared with ``python -m benchmarks``)."""
    p.add_argument("--quick", action="store_true",
                   help="fewer frames, repeats and effects (glam, sparkles): under two minutes")
    p.add_argument("--effects", type=_csv("effect ids"), metavar="IDS",
                   help="comma-separated effect ids (default: every built-in effect; --quick: glam,sparkles)")
    p.add_argument("--resolutions", type=_csv("resolutions", tuple(RESOLUTIONS)), default=("720p", "1080p"),
                   metavar="LIST", help="comma-separated, from " + ", ".join(RESOLUTIONS) + " (default 720p,1080p)")
    p.add_argument("--device", type=_csv("device ids"), metavar="NAME",
                   help="device profiles from assets/devices (comma-separated; default: all)")
    p.add_argument("--frames", type=_number(2, 100000, integer=True), metavar="N",
                   help="measured frames per run (default 240; --quick 50)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the JSON report here")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write bench.json, summary.md and the PNG charts into this folder")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="an earlier JSON report: exit 1 naming every median that got slower than --tolerance")
    p.add_argument("--tolerance", type=_number(0.0, 10.0), default=0.15, metavar="FRACTION",
                   help="allowed slow-down against --baseline (default 0.15 = 15%%)")
    p.add_argument("--soak", type=_number(1.0, 7 * 24 * 3600.0), metavar="SECONDS",
                   help="instead of the matrix: run the live pipeline this long, switching effects every 5 s, "
                        "and report memory growth, queue sizes and errors")
    p.add_argument("--audit", type=_number(1, 1_000_000, integer=True), metavar="N",
                   help="instead of the matrix: audit N synthetic effects with 1 worker, 2 workers and a local "
                        "Ray instance (quick mode) and report effects per minute and a 1,000,000-effect projection")
    p.add_argument("--skip", type=_csv("parts", PARTS), default=(), metavar="PARTS",
                   help="leave out parts of the bench: " + ", ".join(PARTS))
    p.add_argument("--seed", type=_number(0, 2**31, integer=True), default=0, help="seed of the demo feed")
    p.add_argument("--landmark-schedule", choices=list(SCHEDULES), default=DEFAULT_SCHEDULE,
                   help=f"the tracker's landmark schedule in the pipeline runs (default {DEFAULT_SCHEDULE}; the "
                        "landmarks part measures every schedule anyway)")
    p.add_argument("--source", choices=SOURCES, default="replay",
                   help="the pipeline runs' feed: replay (default; camera-like: demo frames drawn before the run, "
                        "stored as NV12 and converted to RGB per frame) or demo (each frame drawn live)")


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers,
        "bench",
        "Frame-rate benchmarks of the real pipeline per effect, resolution and device profile, "
        "with kernel comparisons, start-up, memory, reports and a regression gate.",
        "safelens bench --quick --report out/bench",
    )
    add_arguments(p)
    p.set_defaults(handler=run)


def to_argv(args: argparse.Namespace) -> list[str]:
    """The parsed options as command-line arguments again (for ``python -m benchmarks``)."""
    argv: list[str] = []
    if args.quick:
        argv.append("--quick")
    for flag, value in (("--effects", args.effects), ("--resolutions", args.resolutions), ("--device", args.device),
                        ("--skip", args.skip)):
        if value:
            argv += [flag, ",".join(value)]
    for flag, value in (("--frames", args.frames), ("--json", args.json), ("--report", args.report),
                        ("--baseline", args.baseline), ("--soak", args.soak), ("--audit", args.audit)):
        if value is not None:
            argv += [flag, str(value)]
    argv += ["--tolerance", repr(float(args.tolerance)), "--seed", str(args.seed), "--source", args.source]
    if args.landmark_schedule != DEFAULT_SCHEDULE:
        argv += ["--landmark-schedule", args.landmark_schedule]
    return argv


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-m", "benchmarks", *to_argv(args)], env=env, check=False)
    return proc.returncode
