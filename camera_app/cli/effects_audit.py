"""``safelens effects audit PATH... --out DIR`` and ``safelens effects synth N --out DIR``.

The audit engine is ``camera_app.audit``; this module parses the options. Exit codes: 0 the
audit finished (bad effects are rows, not failures); 2 bad input (PATH, --out, --faces, Ray
unavailable); 130 interrupted (the finished rows and the report are kept: ``--resume``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from camera_app.cli.common import CliError, add_command, whole_number

AUDIT_EXAMPLE = ("safelens effects audit catalogue/ --out audit/ --quick --workers 2\n"
                 "  safelens effects audit catalogue/ --out audit/ --quick --ray auto --resume")


def register_audit(sub: Any) -> None:
    p = add_command(sub, "audit", "Audit a catalogue of effects: each classified as by `effects check`, on a "
                    "local process pool or a Ray cluster, into audit.sqlite, audit.jsonl and report.html.",
                    AUDIT_EXAMPLE)
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders (nested allowed) or .zip files of effects")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder for the results")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", default=True,
                      help="measure on the 12-face quick set (the default)")
    mode.add_argument("--full", action="store_true", help="measure on every reference face")
    p.add_argument("--workers", type=whole_number(1), default=None, metavar="N",
                   help="worker processes (default: the number of CPUs); with --ray and no ADDRESS, "
                        "the CPUs of the local Ray instance")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run on Ray: alone, a local instance; with ADDRESS, join that cluster "
                        "(auto, HOST:6379, ray://HOST:10001); needs pip install 'safelens[scale]'")
    p.add_argument("--resume", action="store_true",
                   help="continue an audit in DIR: skip effects already audited with the same content "
                        "hash, classifier and reference faces")
    p.add_argument("--faces", type=Path, default=None, metavar="DIR",
                   help="a folder of reference face photos (default: the bundled public-domain faces)")
    p.set_defaults(handler=run_audit_command)


def register_synth(sub: Any) -> None:
    p = add_command(sub, "synth", "Write a synthetic catalogue of N valid random effects across the op library, "
                    "each with the category its construction implies (listed in DIR/synth.json).",
                    "safelens effects synth 300 --out catalogue/ --seed 1")
    p.add_argument("count", type=whole_number(1), metavar="N", help="how many effects")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new (or empty) folder")
    p.add_argument("--seed", type=whole_number(0), default=0, metavar="S", help="the random seed (default 0)")
    p.set_defaults(handler=run_synth_command)


def run_synth_command(args: argparse.Namespace) -> int:
    from collections import Counter

    from camera_app.audit.catalogue import AuditError
    from camera_app.audit.synth import synthesize

    try:
        entries = synthesize(args.count, args.out, args.seed)
    except AuditError as exc:
        raise CliError(str(exc)) from exc
    implied = Counter(e["implied"] for e in entries)
    print(f"wrote {len(entries)} effects to {args.out} ({implied['appearance_altering']} appearance-altering, "
          f"{implied['playful']} playful by construction; see {args.out / 'synth.json'})")
    return 0


def run_audit_command(args: argparse.Namespace) -> int:
    from camera_app.audit.catalogue import AuditError
    from camera_app.audit.run import AuditInterrupted, AuditOptions, default_workers, run_audit
    from camera_app.creator.check import DEFAULT_FACES

    options = AuditOptions(
        paths=tuple(Path(p) for p in args.paths), out_dir=args.out,
        faces_dir=args.faces if args.faces is not None else DEFAULT_FACES, quick=not args.full,
        workers=args.workers or default_workers(), ray=args.ray is not None, ray_address=args.ray or None,
        resume=args.resume,
    )
    try:
        summary = run_audit(options)
    except AuditError as exc:
        raise CliError(str(exc)) from exc
    except AuditInterrupted as stop:
        s = stop.summary
        print(f"safelens effects audit: interrupted; kept {sum(s.counts[k] for k in ('audited', 'invalid', 'failed'))} "
              f"finished rows in {s.sqlite} (report: {s.report}); run again with --resume to continue",
              file=sys.stderr)
        return 130
    c = summary.counts
    print(f"audited {c['audited']} effects in {summary.seconds:.0f} s ({summary.engine.get('engine')}), "
          f"skipped {c['skipped']} already audited, {c['invalid']} invalid, {c['failed']} failed, "
          f"{c['retried']} retried")
    for path in (summary.sqlite, summary.jsonl, summary.report):
        print(f"wrote {path}")
    sys.stdout.flush()  # before Ray's exit handlers run
    return 0
