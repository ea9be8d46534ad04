"""``safelens review list|check|request|decide|verify|appeal|log``: the under-13 review queue.

The flag rule is ``camera_app.policy.review.ReviewRule``: >= 4 samples, P(age < 13) >= 0.8 and
estimate + spread < 13 years, for the profile's face alone in view.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.progress import Progress
from camera_app.cli.common import CliError, add_command
from camera_app.cli.moderation import acting_moderator, add_moderator_options
from camera_app.policy.moderators import ModeratorError
from camera_app.policy.rules import FaceAge, FacesInView
from camera_app.profiles import ProfileStore, ProfileStoreError
from camera_app.policy.review import Outcome, ReviewEntry, ReviewError, ReviewQueue, ReviewRule, ReviewStatus


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "review", "The review queue for profiles suspected to be under 13, and adult checks.",
                    "safelens review list")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = add_command(sub, "list", "List review entries (open ones unless --status says otherwise).",
                     "safelens review list --status all --json")
    ls.add_argument("--status", choices=[*(s.value for s in ReviewStatus), "all"], default="open",
                    help="which entries to list (default open)")
    ls.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    add_data_dir_option(ls)
    ls.set_defaults(handler=run_list)

    ck = add_command(sub, "check",
                     "Estimate the age of a profile's face from still frames (one face each) and open a review "
                     "entry when the under-13 rule holds (>= 4 frames, P(under 13) >= 0.8, estimate + spread < 13).",
                     "safelens review check --profile Sam frame1.png frame2.png frame3.png frame4.png frame5.png")
    ck.add_argument("--profile", required=True, metavar="NAME", help="the profile these frames show")
    ck.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="frames of the profile's face")
    add_data_dir_option(ck)
    ck.set_defaults(handler=run_check)

    rq = add_command(sub, "request", "Ask for an adult check (for an adult the live age estimate holds back).",
                     "safelens review request --profile Sam")
    rq.add_argument("--profile", required=True, metavar="NAME", help="the profile to verify")
    add_data_dir_option(rq)
    rq.set_defaults(handler=run_request)

    de = add_command(sub, "decide", "Decide an open entry: keep the profile, or remove it (deletes the profile).",
                     "safelens review decide 3 --keep --moderator Alex")
    de.add_argument("entry_id", type=int, metavar="ID", help="the entry's id (from review list)")
    how = de.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", action="store_true", help="the profile stays")
    how.add_argument("--remove", action="store_true", help="delete the profile")
    add_moderator_options(de)
    add_data_dir_option(de)
    de.set_defaults(handler=run_decide)

    ve = add_command(sub, "verify", "Decide an open entry: the person is a verified adult.",
                     "safelens review verify 3 --moderator Alex")
    ve.add_argument("entry_id", type=int, metavar="ID", help="the entry's id (from review list)")
    add_moderator_options(ve)
    add_data_dir_option(ve)
    ve.set_defaults(handler=run_verify)

    from camera_app.cli.effect_reports import register_review

    register_review(sub)

    ap = add_command(sub, "appeal", "Appeal the decision on an entry (once per decision); reopens it.",
                     'safelens review appeal 3 --reason "I am 14, this is my account"')
    ap.add_argument("entry_id", type=int, metavar="ID", help="the entry's id (from review list)")
    ap.add_argument("--reason", required=True, help="why the decision is wrong")
    add_data_dir_option(ap)
    ap.set_defaults(handler=run_appeal)

    lg = add_command(sub, "log", "Print the audit log (every review action and profile change); exit 1 when its "
                     "hash chain is broken.", "safelens review log --verify")
    lg.add_argument("entry_id", type=int, nargs="?", metavar="ID", help="only this entry's events")
    lg.add_argument("--json", action="store_true", help="print a JSON array instead of lines")
    lg.add_argument("--verify", action="store_true",
                    help="only check the chain: every entry's link and MAC (exit 1 naming the first bad entry)")
    add_data_dir_option(lg)
    lg.set_defaults(handler=run_log)


def _entry_dict(e: ReviewEntry) -> dict[str, Any]:
    return {
        "id": e.entry_id,
        "kind": e.kind.value,
        "status": e.status.value,
        "profile_id": e.profile_id,
        "profile": e.profile_name,
        "estimate": None if e.summary is None else {
            "estimate_years": round(e.summary.estimate_years, 1),
            "spread_years": round(e.summary.spread_years, 1),
            "p_under_13": None if e.summary.p_under_13 is None else round(e.summary.p_under_13, 3),
            "samples": e.summary.samples,
        },
        "created_utc": e.created_utc.isoformat(timespec="seconds"),
        "decisions": [
            {"outcome": d.outcome.value, "decided_utc": d.decided_utc.isoformat(timespec="seconds"),
             "moderator": d.moderator, "appeal": d.appeal_reason}
            for d in e.decisions
        ],
        "can_appeal": e.can_appeal,
        "sealed": e.sealed,
    }


def _estimate_text(e: ReviewEntry) -> str:
    s = e.summary
    if s is None:
        return "-"
    p13 = "" if s.p_under_13 is None else f", P(<13) {s.p_under_13:.2f}"
    return f"{s.estimate_years:.1f} y +/- {s.spread_years:.1f}{p13}, {s.samples} samples"


def _entry_line(e: ReviewEntry) -> str:
    profile = e.profile_name or "(removed)"
    last = e.decisions[-1].outcome.value if e.decisions else "-"
    flag = "" if e.sealed else "  SEAL BROKEN: cannot be decided or appealed"
    return (f"{e.entry_id:>4}  {e.kind.value:<18}  {e.status.value:<14}  {profile:<16}  {last:<14}  "
            f"{_estimate_text(e)}{flag}")


def _queue(store: ProfileStore) -> ReviewQueue:
    return ReviewQueue(store)


def _do(fn: Any) -> Any:
    try:
        return fn()
    except (ReviewError, ModeratorError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc


def run_list(args: argparse.Namespace) -> int:
    status = None if args.status == "all" else ReviewStatus(args.status)
    with open_store(args) as store:
        entries = _do(lambda: _queue(store).list(status))
    if args.json:
        print(json.dumps([_entry_dict(e) for e in entries], indent=2))
        return 0
    if not entries:
        print(f"no {'' if status is None else status.value + ' '}review entries")
        return 0
    print(f"{'ID':>4}  {'KIND':<18}  {'STATUS':<14}  {'PROFILE':<16}  {'LAST DECISION':<14}  ESTIMATE")
    for e in entries:
        print(_entry_line(e))
    return 0


def run_check(args: argparse.Namespace) -> int:
    face = _face_from_stills(args.images)
    rule = ReviewRule()
    with open_store(args) as store:
        profile = _do(lambda: store.get(args.profile))
        entry = _do(lambda: _queue(store).consider(profile.profile_id, FacesInView((face,))))
    p13 = "n/a" if face.p_under_13 is None else f"{face.p_under_13:.2f}"
    print(f"{profile.name}: estimate {face.estimate_years:.1f} y +/- {face.spread_years:.1f}, "
          f"P(under 13) {p13}, {face.samples} frames")
    if entry is not None:
        print(f"opened review entry {entry.entry_id} ({entry.kind.value}); profile {profile.name} is now challenged")
    elif rule.suspects(face):
        print("the rule holds, but this profile already has an open review entry")
    else:
        print(f"no review entry: the rule needs >= {rule.min_samples} frames, P(under 13) >= {rule.min_p_under_13} "
              f"and estimate + spread < {rule.age_years:g}")
    return 0


def _face_from_stills(images: list[Path]) -> FaceAge:
    """Each image is one frame of the same face; their predictions aggregate like a live track."""
    from age_estimation.aggregate import AgeAggregator, AggregatorOptions
    from age_estimation.evaluate import read_rgb
    from age_estimation.model import AgeModel, AgeModelError, AgeModelOptions
    from age_estimation.still import estimate_faces
    from camera_app.models import ModelError, model_path
    from camera_app.policy.gate import face_age_of
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions, TrackerError

    aggregator = AgeAggregator(AggregatorOptions(window_ms=10**9, forget_after_ms=10**9))
    signal = None
    with ExitStack() as stack:
        try:
            model = stack.enter_context(AgeModel(AgeModelOptions(model_path("age"))))
            tracker = stack.enter_context(FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=2)))
        except (ModelError, AgeModelError, TrackerError) as exc:
            raise CliError(str(exc)) from exc
        with Progress(len(images), "estimating") as progress:
            for n, path in enumerate(images):
                rgb, problem = read_rgb(path)
                if rgb is None:
                    raise CliError(str(problem))
                faces = [t.landmarks_px for t in tracker.detect(rgb)]
                if len(faces) != 1:
                    raise CliError(f"{path}: expected exactly one face (the profile's), found {len(faces)}")
                estimate = estimate_faces(rgb, faces, model)[0]
                signal = aggregator.add(0, n * 300, estimate.prediction)
                progress.advance()
    assert signal is not None
    return face_age_of(signal)


def run_request(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        profile = _do(lambda: store.get(args.profile))
        entry = _do(lambda: _queue(store).request_adult_check(profile.profile_id))
    print(f"opened review entry {entry.entry_id} (adult check) for profile {profile.name}")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    outcome = Outcome.KEEP if args.keep else Outcome.REMOVE
    with open_store(args) as store:
        before = _do(lambda: _queue(store).get(args.entry_id))
        moderator = acting_moderator(args, store)
        entry = _do(lambda: _queue(store).decide(args.entry_id, outcome, moderator))
    if before.profile_name is None:
        print(f"entry {entry.entry_id}: {outcome.value}; its profile had already been deleted "
              "(the person may sign up again)")
    elif outcome is Outcome.REMOVE:
        print(f"entry {entry.entry_id}: removed; profile {before.profile_name} was deleted")
    else:
        print(f"entry {entry.entry_id}: kept; profile {before.profile_name} stays")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        moderator = acting_moderator(args, store)
        entry = _do(lambda: _queue(store).verify(args.entry_id, moderator))
    print(f"entry {entry.entry_id}: profile {entry.profile_name} is a verified adult")
    return 0


def run_appeal(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        entry = _do(lambda: _queue(store).appeal(args.entry_id, args.reason))
    print(f"entry {entry.entry_id}: appeal recorded; the entry is open again")
    return 0


def run_log(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.entry_id is not None:
            _do(lambda: _queue(store).get(args.entry_id))  # an unknown entry is an error, not an empty log
        events = _do(lambda: store.audit_events(args.entry_id))
        chain_break = _do(store.verify_audit_chain)
        total = len(_do(store.audit_events))
    if args.verify:
        if chain_break is None:
            print(f"audit log intact: {total} entries, every link and MAC checks out")
            return 0
        print(f"audit log broken: {chain_break}", file=sys.stderr)
        return 1
    if chain_break is not None:
        print(f"warning: audit log broken: {chain_break}; the entries from there on cannot be trusted",
              file=sys.stderr)
    if args.json:
        print(json.dumps([
            {"seq": e.seq, "at_utc": e.at_utc.isoformat(timespec="seconds"), "action": e.action,
             "entry_id": e.entry_id, "profile_id": e.profile_id, "detail": e.detail}
            for e in events
        ], indent=2))
        return 0
    for e in events:
        where = " ".join(part for part in (
            f"entry {e.entry_id}" if e.entry_id is not None else "",
            f"profile {e.profile_id}" if e.profile_id is not None else "",
        ) if part)
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items())
        print(f"{e.seq:>5}  {e.at_utc.isoformat(timespec='seconds')}  {e.action:<26} {where} {detail}".rstrip())
    return 0 if chain_break is None else 1
