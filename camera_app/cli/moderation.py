"""Who is acting: ``--moderator NAME`` and the passphrase, prompted or read from a file descriptor.

Commands that decide (``review decide|verify``, ``moderator confirm|add``, ``policy set``) name a
moderator and check their passphrase. The passphrase is asked for without echo (``getpass``),
or, for automation, read from ``--passphrase-fd N``: one passphrase per line, in the order the
command would ask for them.
"""

from __future__ import annotations

import argparse
import getpass
import os

from camera_app.cli.common import CliError
from camera_app.policy.moderators import Moderator, ModeratorError, authenticate
from camera_app.profiles import ProfileStore, ProfileStoreError


def add_moderator_options(p: argparse.ArgumentParser, required: bool = True, flag: str = "--moderator") -> None:
    p.add_argument(flag, required=required, metavar="NAME",
                   help="the moderator acting (their passphrase is asked for, or read from --passphrase-fd)")
    p.add_argument("--passphrase-fd", type=int, metavar="N",
                   help="read passphrases from this file descriptor, one per line, instead of prompting")


def next_passphrase(args: argparse.Namespace, prompt: str) -> str:
    """The next passphrase: the next line of ``--passphrase-fd``, else typed at a prompt."""
    if args.passphrase_fd is None:
        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise CliError(f"{prompt.rstrip(': ')}: no passphrase given (type it, or use --passphrase-fd N)") from None
    lines = getattr(args, "_passphrase_lines", None)
    if lines is None:
        try:
            with os.fdopen(os.dup(args.passphrase_fd), "r", encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except OSError as exc:
            raise CliError(f"--passphrase-fd {args.passphrase_fd}: cannot read ({exc.strerror})") from exc
        args._passphrase_lines = lines
    if not lines:
        raise CliError(f"--passphrase-fd {args.passphrase_fd}: no line left for {prompt.rstrip(': ')!r}")
    return lines.pop(0)


def acting_moderator(args: argparse.Namespace, store: ProfileStore, name: str | None = None) -> Moderator:
    """The moderator named by ``--moderator`` (or ``name``), once their passphrase checks out."""
    who = name if name is not None else args.moderator
    passphrase = next_passphrase(args, f"passphrase of moderator {who}: ")
    try:
        return authenticate(store, who, passphrase)
    except (ModeratorError, ProfileStoreError) as exc:
        raise CliError(str(exc)) from exc
