"""``safelens policy show|set``: the installation's policy settings.

Loosening the under-18 policy (declared-age mode, a challenge age under 25) is decided here,
by whoever runs the installation, and written to the audit log; a command's own flags may
only tighten it (``camera_app.policy.settings``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.cli.common import CliError, add_command, challenge_age
from camera_app.cli.moderation import acting_moderator, add_moderator_options
from camera_app.policy.rules import Mode, PolicyError
from camera_app.policy.settings import PolicySettings, load_settings, save_settings
from camera_app.profiles import ProfileStoreError


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "policy", "Show or change the installation's under-18 policy settings.",
                    "safelens policy set --challenge-age 28")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sh = add_command(sub, "show", "Show the installation's policy settings.", "safelens policy show --json")
    sh.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_data_dir_option(sh)
    sh.set_defaults(handler=run_show)
    st = add_command(sub, "set", "Change the installation's policy settings (written to the audit log).",
                     "safelens policy set --mode assured --challenge-age 25")
    st.add_argument("--mode", choices=[m.value for m in Mode],
                    help="assured: declared age and the live age estimate (default); declared: declared age only")
    st.add_argument("--challenge-age", type=challenge_age, metavar="YEARS",
                    help="in assured mode, an estimate below this pauses appearance-altering effects (default 25)")
    add_moderator_options(st, required=False)
    add_data_dir_option(st)
    st.set_defaults(handler=run_set)


def run_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        settings = _load(store)
    if args.json:
        print(json.dumps(settings.as_provenance(), indent=2))
    else:
        print(f"policy: {settings.describe()}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    if args.mode is None and args.challenge_age is None:
        raise CliError("nothing to set: give --mode and/or --challenge-age")
    with open_store(args) as store:
        current = _load(store)
        moderator = acting_moderator(args, store) if args.moderator else None
        try:
            wanted = PolicySettings(
                mode=Mode(args.mode) if args.mode is not None else current.mode,
                challenge_age_years=args.challenge_age if args.challenge_age is not None else current.challenge_age_years,
            )
            save_settings(store, wanted, moderator)
        except (PolicyError, ProfileStoreError) as exc:
            raise CliError(str(exc)) from exc
    print(f"policy was: {current.describe()}")
    print(f"policy now: {wanted.describe()}")
    return 0


def _load(store: Any) -> PolicySettings:
    try:
        return load_settings(store)
    except (PolicyError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
