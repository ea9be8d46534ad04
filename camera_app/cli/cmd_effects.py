"""``safelens effects ...``: the effect library.

``effects list [--json]`` shows every effect the app knows (built-in and user folders):
id, version, names, the creator's declared category, and its ops. ``effects ops
[--json|--markdown]`` is the op reference for creators (``camera_app.creator.op_reference``). More subcommands
(``effects check``, ``effects report``, ``effects audit``, ``effects synth``) register themselves on the same
sub-parser in ``register``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from camera_app.cli.common import CliError, add_command
from effects.spec import EffectSpec, EffectSpecError


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "effects", "List and check effects.", "safelens effects list --json")
    sub = p.add_subparsers(dest="effects_command", metavar="SUBCOMMAND", required=True)
    _register_list(sub)
    _register_ops(sub)
    from camera_app.cli.effect_reports import register_report
    from camera_app.cli.effects_audit import register_audit, register_synth
    from camera_app.cli.effects_check import register_check

    register_check(sub)
    register_report(sub)
    register_audit(sub)
    register_synth(sub)


def add_effects_dir_option(p: argparse.ArgumentParser) -> None:
    """``--effects-dir DIR`` (repeatable): more folders of effects besides the built-in ones."""
    p.add_argument("--effects-dir", action="append", default=[], metavar="DIR",
                   help="a folder of effects (or one effect folder) to load besides the built-in ones; repeatable")


def _register_list(sub: Any) -> None:
    p = add_command(sub, "list", "List the built-in effects and those of --effects-dir folders.",
                    "safelens effects list --json")
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    p.add_argument("--search", metavar="TEXT",
                   help="only effects whose name, description, id or category holds every word of TEXT; "
                        "a search about suicide, self-harm or eating disorders shows where to find help instead")
    p.add_argument("--language", choices=("en", "fr"), default="en", help="language of the support card (default en)")
    p.add_argument("--data-dir", metavar="DIR", help="the data folder holding the support country setting")
    add_effects_dir_option(p)
    p.set_defaults(handler=run_list)


def _register_ops(sub: Any) -> None:
    p = add_command(sub, "ops", "The op reference for creators: every op's fields, types, defaults, ranges and "
                    "units, the regions, anchors, blend modes and LUT presets, and what a value does on the "
                    "reference faces.", "safelens effects ops --markdown > docs/effects-reference.md")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the reference as JSON")
    fmt.add_argument("--markdown", action="store_true", help="print the reference as Markdown")
    p.set_defaults(handler=run_ops)


def run_ops(args: argparse.Namespace) -> int:
    from camera_app.creator.op_reference import markdown, reference, text

    ref = reference()
    if args.json:
        json.dump(ref, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write((markdown(ref) if args.markdown else text(ref)) + "\n")
    return 0


def _ops_text(spec: EffectSpec) -> str:
    counts = Counter(op.op for op in spec.ops)
    names = list(dict.fromkeys(op.op for op in spec.ops))
    return ", ".join(n if counts[n] == 1 else f"{n} x{counts[n]}" for n in names)


def run_list(args: argparse.Namespace) -> int:
    from camera_app.catalog.effects import load_registry

    from camera_app.support.sensitive import is_sensitive_search

    if args.search is not None and is_sensitive_search(args.search):
        from camera_app.cli.cmd_support import print_card

        return print_card(args, topics=None, as_json=args.json)
    try:
        registry = load_registry(args.effects_dir)
    except EffectSpecError as exc:
        raise CliError(str(exc)) from exc
    specs = list(registry)
    if args.search is not None:
        from camera_app.catalog.search import search_effects

        specs = search_effects(specs, args.search)
    if args.json:
        listing = [{**spec.to_dict(), "builtin": registry.is_builtin(spec.id)} for spec in specs]
        json.dump(listing, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    rows = [("id", "version", "declared", "name (en / fr)", "ops")]
    for spec in specs:
        declared = spec.declared_category.value if spec.declared_category else "-"
        names = f"{spec.name['en']} / {spec.name['fr']}"
        rows.append((spec.id, spec.version, declared, names, _ops_text(spec)))
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(4)]
    for row in rows:
        print("".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + row[4])
    print(f"{len(specs)} effects" + (f" matching {args.search!r}" if args.search is not None else ""))
    return 0


def specs_for(ids: str, effects_dirs: list[str]) -> list[EffectSpec]:
    """The effect specs of ``--effect ID[,ID...]`` in order; CliError when unknown, empty or bad."""
    from camera_app.catalog.effects import load_registry
    from effects.registry import UnknownEffectError

    if not ids.strip() or any(not part.strip() for part in ids.split(",")):
        raise CliError(f"--effect: expected effect ids separated by commas (see `safelens effects list`), found {ids!r}")
    try:
        return list(load_registry(effects_dirs).resolve(ids))
    except (EffectSpecError, UnknownEffectError) as exc:
        raise CliError(f"--effect: {exc}") from exc
