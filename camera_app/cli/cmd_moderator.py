"""``safelens moderator add|list|confirm``: the people who decide reviews and change the policy.

The first moderator of an installation is added by whoever sets it up; each further one needs
an existing moderator (``--by``). ``confirm`` is the way out for a profile that fails closed
(its stored record failed its seal, or the database was reset): a moderator other than the
profile's owner states the date of birth, and the profile is sealed again as ``declared``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.cli.common import CliError, add_command
from camera_app.cli.moderation import acting_moderator, add_moderator_options, next_passphrase
from camera_app.policy.moderators import ModeratorError, add_moderator, confirm_profile, list_moderators
from camera_app.profiles import BirthdateError, ProfileStoreError, parse_birthdate


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "moderator", "Add and list moderators; confirm a profile that failed closed.",
                    "safelens moderator add Alex")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    ad = add_command(sub, "add", "Add a moderator (asks for their new passphrase; after the first, --by too).",
                     "safelens moderator add Robin --by Alex")
    ad.add_argument("name", help="the moderator's name")
    ad.add_argument("--profile", metavar="NAME",
                    help="the moderator's own profile, on which they may never act (default: the profile with "
                         "their name, if any)")
    add_moderator_options(ad, required=False, flag="--by")
    add_data_dir_option(ad)
    ad.set_defaults(handler=run_add)

    ls = add_command(sub, "list", "List the moderators.", "safelens moderator list --json")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    add_data_dir_option(ls)
    ls.set_defaults(handler=run_list)

    cf = add_command(sub, "confirm",
                     "Confirm a profile that failed closed (broken seal or reset): states its date of birth and "
                     "seals it again as declared.", "safelens moderator confirm Sam --birthdate 2011-04-02 "
                                                    "--moderator Alex")
    cf.add_argument("profile", metavar="PROFILE", help="the profile's name")
    cf.add_argument("--birthdate", required=True, metavar="YYYY-MM-DD", help="the profile's date of birth")
    add_moderator_options(cf)
    add_data_dir_option(cf)
    cf.set_defaults(handler=run_confirm)


def run_add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        first = next_passphrase(args, f"new passphrase for {args.name}: ")
        if args.passphrase_fd is None and next_passphrase(args, "repeat it: ") != first:
            raise CliError("the two passphrases differ; nothing was added")
        by = acting_moderator(args, store, args.by) if args.by else None
        try:
            moderator = add_moderator(store, args.name, first, profile_name=args.profile, by=by)
        except (ModeratorError, ProfileStoreError) as exc:
            raise CliError(str(exc)) from exc
        own = "" if moderator.profile_id is None else f" (own profile id {moderator.profile_id})"
    print(f"added moderator {moderator.name}{own}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        moderators = list_moderators(store)
    if args.json:
        print(json.dumps([{"name": m.name, "profile_id": m.profile_id} for m in moderators], indent=2))
    elif not moderators:
        print("no moderators: add the first with `safelens moderator add NAME`")
    else:
        for m in moderators:
            print(m.name if m.profile_id is None else f"{m.name} (own profile id {m.profile_id})")
    return 0


def run_confirm(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            born = parse_birthdate(args.birthdate, store.today())
        except BirthdateError as exc:
            raise CliError(str(exc)) from exc
        moderator = acting_moderator(args, store)
        try:
            profile = confirm_profile(store, moderator, args.profile, born)
        except (ModeratorError, ProfileStoreError) as exc:
            raise CliError(str(exc)) from exc
    print(f"profile {profile.name} confirmed by {moderator.name}: date of birth {profile.birthdate.isoformat()}, "
          f"assurance {profile.assurance.value}")
    return 0
