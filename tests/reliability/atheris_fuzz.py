"""Coverage-guided fuzzing (atheris, libFuzzer) of the pure-Python parsers, as a command.

Not part of the test run (atheris is an optional tool: ``pip install atheris==3.0.0``). It
complements the hypothesis tests: libFuzzer mutates raw bytes towards new branches of the
parser instead of drawing structured inputs. A target may raise only its typed error; any
other exception is a crash, which libFuzzer reports with the input that caused it (written
as ``crash-<sha1>`` in the working folder).

    .venv/bin/python tests/reliability/atheris_fuzz.py cube -atheris_runs=200000
    .venv/bin/python tests/reliability/atheris_fuzz.py spec -atheris_runs=200000 -max_len=4096

Targets: ``cube`` (``effects.lut_io.parse_cube`` on the bytes as UTF-8 text), ``spec``
(``effects.spec.parse_effect`` with a real effect folder for the asset checks), ``toml_lines``
(the line locator on any text that tomllib accepts).
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    from effects.lut_io import CubeError, parse_cube
    from effects.spec import EffectSpecError, parse_effect
    from effects.toml_lines import TomlLines


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def fuzz_cube(data: bytes) -> None:
    text = _text(data)
    if text is None:
        return
    try:
        parse_cube(text, "fuzz.cube")
    except CubeError:
        pass


_ROOT: Path | None = None


def fuzz_spec(data: bytes) -> None:
    text = _text(data)
    if text is None:
        return
    assert _ROOT is not None
    try:
        parse_effect(text, "fuzz/effect.toml", _ROOT)
    except EffectSpecError:
        pass


def fuzz_toml_lines(data: bytes) -> None:
    text = _text(data)
    if text is None:
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    lines = TomlLines(text)
    for key in document:
        found = lines.line_of((key,))
        assert found is None or 1 <= found <= text.count("\n") + 1


TARGETS = {"cube": fuzz_cube, "spec": fuzz_spec, "toml_lines": fuzz_toml_lines}


def main() -> None:
    global _ROOT
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        print(f"usage: atheris_fuzz.py {{{','.join(TARGETS)}}} [libFuzzer options]", file=sys.stderr)
        raise SystemExit(2)
    target = TARGETS[sys.argv[1]]
    if target is fuzz_spec:
        from spec_strategies import make_hostile_root

        _ROOT = make_hostile_root(Path(tempfile.mkdtemp(prefix="safelens-atheris-")))
    seeds = {
        "cube": [b'TITLE "t"\nLUT_3D_SIZE 2\n' + b"0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n"],
        "spec": [p.read_bytes() for p in sorted((REPO / "assets" / "effects").glob("*/effect.toml"))],
        "toml_lines": [p.read_bytes() for p in sorted((REPO / "assets" / "effects").glob("*/effect.toml"))],
    }[sys.argv[1]]
    corpus = Path(tempfile.mkdtemp(prefix=f"safelens-corpus-{sys.argv[1]}-"))
    for i, seed in enumerate(seeds):
        (corpus / f"seed{i}").write_bytes(seed)
    atheris.Setup([sys.argv[0], *sys.argv[2:], str(corpus)], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
