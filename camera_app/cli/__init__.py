"""The ``safelens`` console script.

Each subcommand lives in its own module ``camera_app/cli/cmd_<name>.py`` that defines
``register(subparsers)``; ``main`` finds them, so adding a command is adding a file.
A command handler returns the process exit code; a ``CliError`` becomes a message on
stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from camera_app.cli.common import CliError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safelens",
        description="SafeLens: a camera-effects simulator with an age-aware policy and honest disclosure.",
        epilog="Example: safelens render --source demo --frames 90 --out demo.mp4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    package = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"safelens {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"safelens {args.command}: interrupted", file=sys.stderr)
        return 130
