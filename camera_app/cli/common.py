"""Helpers shared by the subcommands: errors, help formatting, argument types."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A user-facing error: printed on stderr, exit code 2."""


def add_command(subparsers: Any, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    """A subcommand parser whose --help ends with a worked example."""
    return subparsers.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"Example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, found {text!r}")
        return value

    return parse


def challenge_age(text: str) -> float:
    """An argparse type for ``--challenge-age``: years in [18, 40] (what the policy accepts)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 18.0 <= value <= 40.0:
        raise argparse.ArgumentTypeError(f"expected an age in years between 18 and 40, found {text!r}")
    return value


def data_folder(text: str) -> str:
    """An argparse type for ``--data-dir``: not empty (that would silently mean the default
    folder) and not an existing file."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, found an empty string "
                                         "(leave the option out to use the default data folder)")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder, found a file: {text!r}")
    return text
