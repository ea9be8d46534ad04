"""``safelens profile create|list|show|delete|recover``: stored profiles behind the neutral age gate."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from camera_app.cli.common import CliError, add_command, data_folder
from camera_app.profiles import (
    BirthdateError,
    Profile,
    ProfileStore,
    ProfileStoreError,
    SignUpUnavailableError,
    parse_birthdate,
)
from camera_app.profiles.store import ENV_DATA_DIR, system_clock
from camera_app.profiles.recovery import recover


def add_data_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", metavar="DIR", type=data_folder,
                   help=f"where profiles are kept (default: ${ENV_DATA_DIR}, else the user data folder)")


def open_store(args: argparse.Namespace) -> ProfileStore:
    """The store of ``--data-dir``; store errors (a damaged file, a newer schema) become CliError."""
    try:
        return ProfileStore(getattr(args, "data_dir", None))
    except (ProfileStoreError, OSError) as exc:
        raise CliError(str(exc)) from exc


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "profile", "Create, list, show and delete profiles.",
                    "safelens profile create --name Sam --birthdate YYYY-MM-DD")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    c = add_command(sub, "create", "Create a profile.", "safelens profile create --name Sam --birthdate YYYY-MM-DD")
    c.add_argument("--name", required=True, help="the profile's name (1-40 characters)")
    c.add_argument("--birthdate", required=True, metavar="YYYY-MM-DD", help="date of birth")
    add_data_dir_option(c)
    c.set_defaults(handler=run_create)

    ls = add_command(sub, "list", "List the profiles.", "safelens profile list --json")
    ls.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    add_data_dir_option(ls)
    ls.set_defaults(handler=run_list)

    sh = add_command(sub, "show", "Show one profile, or with --security where the device secret is kept.",
                     "safelens profile show Sam")
    sh.add_argument("name", nargs="?", help="the profile's name")
    sh.add_argument("--security", action="store_true",
                    help="show where the device secret that seals the profiles is kept, and whether the "
                         "audit log checks out")
    sh.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_data_dir_option(sh)
    sh.set_defaults(handler=run_show)

    d = add_command(sub, "delete", "Delete a profile.", "safelens profile delete Sam")
    d.add_argument("name", help="the profile's name")
    add_data_dir_option(d)
    d.set_defaults(handler=run_delete)

    r = add_command(sub, "recover",
                    "Set a damaged profile database aside and restore the last good backup.",
                    "safelens profile recover --data-dir ~/.local/share/safelens")
    add_data_dir_option(r)
    r.set_defaults(handler=run_recover)


def _as_dict(profile: Profile) -> dict[str, Any]:
    today = system_clock().date()
    return {
        "id": profile.profile_id,
        "name": profile.name,
        "birthdate": profile.birthdate.isoformat(),
        "age_years": profile.age_on(today),
        "assurance": profile.assurance.value,
        "created_utc": profile.created_utc.isoformat(timespec="seconds"),
        "seal_ok": profile.seal_ok,
    }


SEAL_BROKEN_NOTE = ("its stored record fails its seal (changed outside SafeLens, or the device secret changed): "
                    "it counts as under 18 and under review; the audit log records it. Way out: a moderator "
                    "confirms it with `safelens moderator confirm NAME --birthdate YYYY-MM-DD --moderator M`")


def run_create(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            born = parse_birthdate(args.birthdate, store.today())
            profile = store.create_profile(args.name, born)
        except SignUpUnavailableError as exc:
            print(str(exc), file=sys.stderr)  # neutral: no reason, no age
            return 1
        except (BirthdateError, ProfileStoreError) as exc:
            raise CliError(str(exc)) from exc
    print(f"created profile {profile.name} (id {profile.profile_id})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        profiles = _guard(store.list_profiles)
    rows = [_as_dict(p) for p in profiles]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"no profiles in {store.data_dir}")
        return 0
    width = max(4, *(len(r["name"]) for r in rows))
    print(f"{'ID':>4}  {'NAME':<{width}}  {'BIRTHDATE':<10}  {'AGE':>3}  ASSURANCE")
    for r in rows:
        flag = "" if r["seal_ok"] else "  SEAL BROKEN: counts as under 18, under review"
        print(f"{r['id']:>4}  {r['name']:<{width}}  {r['birthdate']:<10}  {r['age_years']:>3}  {r['assurance']}{flag}")
    if not all(r["seal_ok"] for r in rows):
        print(f"note: a profile marked SEAL BROKEN: {SEAL_BROKEN_NOTE}", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    from camera_app.policy.rules import PolicyError
    from camera_app.policy.settings import load_settings

    if args.security:
        return _show_security(args)
    if not args.name:
        raise CliError("give a profile's name, or --security")
    with open_store(args) as store:
        row = _as_dict(_guard(lambda: store.get(args.name)))
        try:
            row["policy"] = load_settings(store).as_provenance()
        except PolicyError as exc:
            raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(row, indent=2))
    else:
        policy = row.pop("policy")
        for key, value in row.items():
            print(f"{key + ':':<13}{value}")
        if not row["seal_ok"]:
            print(f"note: {SEAL_BROKEN_NOTE}", file=sys.stderr)
        print(f"{'policy:':<13}mode {policy['mode']}, challenge age {policy['challenge_age_years']:g} (installation setting)")
    return 0


def _show_security(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        chain_break = _guard(store.verify_audit_chain)
        info = {
            "device_secret": store.secret.backend,
            "where": store.secret.location,
            "description": store.secret.describe(),
            "database": str(store.db_path),
            "audit_log": "intact" if chain_break is None else str(chain_break),
            "profiles_failing_seal": [p.name for p in _guard(store.list_profiles) if not p.seal_ok],
        }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"device secret: {info['description']}")
        print(f"database:      {info['database']}")
        print(f"audit log:     {info['audit_log']}")
        failing = info["profiles_failing_seal"]
        print(f"seals:         {'all profiles check out' if not failing else 'failing: ' + ', '.join(failing)}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        profile = _guard(lambda: store.delete_profile(args.name))
    print(f"deleted profile {profile.name} (id {profile.profile_id})")
    return 0


def run_recover(args: argparse.Namespace) -> int:
    try:
        report = recover(getattr(args, "data_dir", None))
    except (ProfileStoreError, OSError) as exc:
        raise CliError(str(exc)) from exc
    for path in report.moved_aside:
        print(f"set aside: {path}")
    if report.restored_from is None:
        print(f"no backup to restore: started an empty profile database ({report.n_profiles} profiles)")
    else:
        print(f"restored {report.n_profiles} profiles from {report.restored_from}")
    return 0


def _guard(fn: Any) -> Any:
    try:
        return fn()
    except ProfileStoreError as exc:
        raise CliError(str(exc)) from exc
