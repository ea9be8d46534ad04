"""Running ``safelens`` in-process and acting as a moderator, for the CLI tests."""

from __future__ import annotations

import os

import pytest

from camera_app.cli import main

PASS = "correct horse battery"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of ``safelens ARGV``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def passphrases(*lines: str) -> list[str]:
    """``--passphrase-fd N`` reading these lines (a pipe, as automation would give it)."""
    read_end, write_end = os.pipe()
    os.write(write_end, "".join(f"{line}\n" for line in lines).encode())
    os.close(write_end)
    return ["--passphrase-fd", str(read_end)]


def as_mod(name: str = "Mod", passphrase: str = PASS) -> list[str]:
    return ["--moderator", name, *passphrases(passphrase)]
