"""``safelens support card|country``: where to find help, for the installation's country.

``support card`` prints the helplines for the country set with ``support country CC`` (unset:
the EU-wide numbers), for a topic or a report reason. ``effects list --search`` and ``effects
report`` print the same card when a search or a report calls for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from camera_app.cli.common import CliError, add_command
from camera_app.profiles.errors import ProfileStoreError
from camera_app.support.helplines import SupportDataError, Topic, support_card
from camera_app.support.sensitive import SUPPORT_TOPICS, ReportReason


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "support", "Where to find help: helplines for this installation's country.",
                    "safelens support country FR && safelens support card --language fr")
    sub = p.add_subparsers(dest="support_command", metavar="SUBCOMMAND", required=True)
    card = add_command(sub, "card", "Print the support card (helplines) for the installation's country.",
                       "safelens support card --reason harassment")
    card.add_argument("--reason", choices=[r.value for r in ReportReason], help="the card a report for this reason shows")
    card.add_argument("--country", metavar="CC", help="this country instead of the installation's (ISO code, e.g. FR)")
    card.add_argument("--language", choices=("en", "fr"), default="en", help="language of the card (default en)")
    card.add_argument("--json", action="store_true", help="print the card as JSON")
    card.add_argument("--data-dir", metavar="DIR", help="the data folder holding the country setting")
    card.set_defaults(handler=lambda a: print_card(a, topics=_topics(a.reason), as_json=a.json))
    country = add_command(sub, "country", "Show or set the installation's country for support resources.",
                          "safelens support country FR")
    country.add_argument("code", nargs="?", metavar="CC", help="a two-letter ISO country code (omit to show it)")
    country.add_argument("--data-dir", metavar="DIR", help="the data folder")
    country.set_defaults(handler=_run_country)


def _topics(reason: str | None) -> tuple[Topic, ...] | None:
    return SUPPORT_TOPICS.get(ReportReason(reason), ()) if reason else None


def _country(args: argparse.Namespace) -> str:
    from camera_app.support.country import get_country, parse_country

    if getattr(args, "country", None):
        return parse_country(args.country)
    from camera_app.cli.cmd_profile import open_store

    with open_store(args) as store:
        return get_country(store)


def print_card(args: argparse.Namespace, topics: tuple[Topic, ...] | None, as_json: bool = False) -> int:
    """Print the support card (stdout): for ``topics``, or every topic a search may be about."""
    try:
        country = _country(args)
        card = support_card(country, getattr(args, "language", "en"),
                            topics if topics is not None else (Topic.SELF_HARM, Topic.EMOTIONAL))
    except (SupportDataError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        lines = [{"number": h.number, "name": h.name_in(card.language), "hours": h.hours, "checked": bool(h.verified),
                  "source": h.source} for h in (*card.lines, *card.unchecked)]
        json.dump({"support_card": {"country": card.country, "language": card.language, "title": card.title,
                                    "intro": card.intro, "helplines": lines}}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(card.text())
    return 0


def _run_country(args: argparse.Namespace) -> int:
    from camera_app.cli.cmd_profile import open_store
    from camera_app.support.country import get_country, set_country

    try:
        with open_store(args) as store:
            if args.code is None:
                print(f"support country: {get_country(store)}")
            else:
                print(f"support country set to {set_country(store, args.code)}")
    except SupportDataError as exc:
        raise CliError(str(exc)) from exc
    return 0
