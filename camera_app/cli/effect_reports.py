"""``safelens effects report`` and ``safelens review reports|report-decide|report-appeal``.

A report for self-harm or suicide, hate, or harassment prints the support card for the
installation's country at once (``safelens support country CC``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.cli.common import CliError, add_command
from camera_app.cli.moderation import acting_moderator, add_moderator_options
from camera_app.policy.moderators import ModeratorError
from camera_app.policy.reports import EffectReport, ReportError, ReportQueue, ReportStatus
from camera_app.profiles import ProfileStoreError
from camera_app.support.sensitive import SUPPORT_TOPICS, ReportReason


def register_report(sub: Any) -> None:
    p = add_command(sub, "report", "Report an effect to this installation's moderators.",
                    'safelens effects report glam --reason body_image --text "makes me feel bad about my face"')
    p.add_argument("effect_id", metavar="ID", help="the effect (from `safelens effects list`)")
    p.add_argument("--reason", required=True, choices=[r.value for r in ReportReason],
                   help="self_harm (self-harm or suicide), hate, harassment (or bullying), body_image, other")
    p.add_argument("--text", default="", help="what is wrong, in your words (optional, at most 500 characters)")
    p.add_argument("--profile", metavar="NAME", help="the profile reporting (optional)")
    p.add_argument("--language", choices=("en", "fr"), default="en", help="language of the support card (default en)")
    p.add_argument("--effects-dir", action="append", default=[], metavar="DIR", help="a folder of effects besides the built-in ones")
    add_data_dir_option(p)
    p.set_defaults(handler=run_report)


def register_review(sub: Any) -> None:
    ls = add_command(sub, "reports", "List reports of effects (open ones unless --status says otherwise).",
                     "safelens review reports --status all")
    ls.add_argument("--status", choices=[*(s.value for s in ReportStatus), "all"], default="open",
                    help="which reports to list (default open)")
    ls.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    add_data_dir_option(ls)
    ls.set_defaults(handler=run_list)

    de = add_command(sub, "report-decide", "Decide an open report: keep the effect, or remove it from this "
                     "installation.", "safelens review report-decide 2 --remove --moderator Alex")
    de.add_argument("report_id", type=int, metavar="ID", help="the report's id (from review reports)")
    how = de.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", action="store_true", help="the effect stays")
    how.add_argument("--remove", action="store_true", help="the effect is removed from this installation")
    add_moderator_options(de)
    add_data_dir_option(de)
    de.set_defaults(handler=run_decide)

    ap = add_command(sub, "report-appeal", "Appeal the decision on a report (once); it goes back to the moderators.",
                     'safelens review report-appeal 2 --reason "this is a costume effect, not a beauty filter"')
    ap.add_argument("report_id", type=int, metavar="ID", help="the report's id")
    ap.add_argument("--reason", required=True, help="why the decision is wrong")
    add_data_dir_option(ap)
    ap.set_defaults(handler=run_appeal)


def _show(r: EffectReport) -> str:
    who = f"profile {r.profile_id}" if r.profile_id is not None else "no profile"
    seal = "" if r.seal_ok else "  SEAL BROKEN (counts as removed)"
    decided = f" by {r.moderator}" if r.moderator else ""
    return f"{r.report_id:>4}  {r.effect_id:<16} {r.reason.value:<11} {r.status.value}{decided}  ({who}){seal}"


def run_report(args: argparse.Namespace) -> int:
    from camera_app.catalog.effects import load_registry
    from camera_app.cli.cmd_support import print_card
    from effects.registry import UnknownEffectError
    from effects.spec import EffectSpecError

    try:
        spec = load_registry(args.effects_dir).get(args.effect_id)
    except (UnknownEffectError, EffectSpecError) as exc:
        raise CliError(f"{args.effect_id}: {exc}") from exc
    try:
        with open_store(args) as store:
            profile_id = store.get(args.profile).profile_id if args.profile else None
            report = ReportQueue(store).file(spec.id, spec.content_hash, args.reason, args.text, profile_id)
    except (ReportError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
    print(f"report {report.report_id} filed: {spec.id} ({report.reason.value}); moderators will decide "
          "(`safelens review reports`)")
    topics = SUPPORT_TOPICS.get(report.reason)
    if topics:
        print()
        return print_card(args, topics=topics)
    return 0


def run_list(args: argparse.Namespace) -> int:
    status = None if args.status == "all" else ReportStatus(args.status)
    try:
        with open_store(args) as store:
            reports = ReportQueue(store).list(status)
    except ProfileStoreError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        json.dump([{"report_id": r.report_id, "effect_id": r.effect_id, "reason": r.reason.value, "text": r.note,
                    "profile_id": r.profile_id, "status": r.status.value, "moderator": r.moderator,
                    "appeal": r.appeal, "seal_ok": r.seal_ok} for r in reports], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for r in reports:
        print(_show(r))
    print(f"{len(reports)} report(s)")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    try:
        with open_store(args) as store:
            moderator = acting_moderator(args, store)
            report = ReportQueue(store).decide(args.report_id, keep=bool(args.keep), moderator=moderator)
    except (ReportError, ModeratorError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
    what = "kept" if report.status is ReportStatus.KEPT else "removed from this installation"
    print(f"report {report.report_id}: {report.effect_id} {what} (by {report.moderator})")
    return 0


def run_appeal(args: argparse.Namespace) -> int:
    try:
        with open_store(args) as store:
            report = ReportQueue(store).appeal(args.report_id, args.reason)
    except (ReportError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
    print(f"report {report.report_id}: appealed; it is open again for a moderator")
    return 0
