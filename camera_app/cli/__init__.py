"""The ``safelens`` console script.

Each subcommand lives in its own module ``camera_app/cli/cmd_<name>.py`` that defines
``register(subparsers)``; ``main`` finds them, so adding a command is adding a file.
A command handler returns the process exit code; a ``CliError`` becomes a message on
stderr and exit code 2, and so does an output stream that cannot be written (``> /dev/full``).
Ctrl-C ends with 130, SIGTERM and SIGHUP with 128 + the signal's number, after the same
clean-up (``camera_app.cli.process``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from camera_app.cli.common import CliError
from camera_app.cli.process import CommandStopped, OutputStreamError, guarded_process


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
    with guarded_process():
        try:
            code = int(args.handler(args))
            sys.stdout.flush()
            return code
        except (CliError, OutputStreamError) as exc:
            return _fail(args.command, f"error: {exc}", 2)
        except CommandStopped as exc:
            return _fail(args.command, f"stopped by {exc.name}", 128 + exc.signum)
        except KeyboardInterrupt:
            return _fail(args.command, "interrupted", 130)


def _fail(command: str, message: str, code: int) -> int:
    try:
        print(f"safelens {command}: {message}", file=sys.stderr)
    except OutputStreamError:
        pass  # standard error itself is gone: the exit code is all that is left
    return code
