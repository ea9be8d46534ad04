"""``python -m benchmarks [options]``: what ``safelens bench`` runs (same options)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _quiet_native_logs() -> Path:
    """Send what native libraries write to file descriptor 2 (MediaPipe's and TensorFlow Lite's
    log lines) to a log file, so the progress bar and messages on stderr stay readable."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    log = Path(tempfile.gettempdir()) / f"safelens-bench-native-{os.getpid()}.log"
    sys.stderr.flush()
    terminal = os.dup(2)
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace")
    with log.open("wb") as fh:
        os.dup2(fh.fileno(), 2)
    return log


def main(argv: Sequence[str] | None = None) -> int:
    native_log = _quiet_native_logs()
    from benchmarks.baseline import BaselineError
    from benchmarks.devices import DeviceProfileError
    from benchmarks.plan import BenchOptions, PlanError
    from benchmarks.runner import run_bench
    from camera_app.cli.cmd_bench import add_arguments
    from camera_app.catalog.classifications import ClassificationCacheError

    parser = argparse.ArgumentParser(prog="safelens bench", description="SafeLens frame-rate benchmarks.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    options = BenchOptions(
        quick=args.quick,
        effects=args.effects,
        resolutions=tuple(args.resolutions),
        devices=args.device,
        frames=args.frames,
        json_path=args.json,
        report_dir=args.report,
        baseline=Path(args.baseline) if args.baseline else None,
        tolerance=float(args.tolerance),
        soak_s=args.soak,
        skip=frozenset(args.skip),
        seed=int(args.seed),
        landmark_schedule=args.landmark_schedule,
        source=args.source,
    )
    if args.audit is not None:
        return _audit(args)
    if options.baseline is not None and not options.baseline.is_file():
        print(f"safelens bench: error: --baseline {options.baseline}: no such file", file=sys.stderr)
        return 2
    try:
        return run_bench(options, ["safelens", "bench", *(argv if argv is not None else sys.argv[1:])])
    except (DeviceProfileError, PlanError, BaselineError, ClassificationCacheError) as exc:
        print(f"safelens bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("safelens bench: interrupted", file=sys.stderr)
        return 130
    except BaseException:
        print(f"safelens bench: native libraries' log: {native_log}", file=sys.stderr)
        raise


def _audit(args: argparse.Namespace) -> int:
    from benchmarks.audit_bench import markdown, run_audit_bench, write
    from camera_app.audit.catalogue import AuditError

    try:
        report = run_audit_bench(int(args.audit), seed=int(args.seed), stream=sys.stderr)
    except AuditError as exc:
        print(f"safelens bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("safelens bench: interrupted", file=sys.stderr)
        return 130
    print(markdown(report))
    for path in write(report, args.json, args.report):
        print(f"wrote {path}")
    return 0 if report["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
