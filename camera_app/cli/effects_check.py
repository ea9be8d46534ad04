"""``safelens effects check PATH... [--json] [--quick] [--faces DIR] [--sheet PNG] [--expect CATEGORY]``.

The creator's pre-flight (``camera_app.creator.check``). Exit codes: 0 when the check
ran; 1 when an effect's frame cost is over ``--max-cost`` (it is then not classified), or
with ``--expect`` when an effect's measured category differs (for a creator's CI); 2 for
bad input (the message names the file and the field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from camera_app.progress import Progress
from camera_app.cli.common import CliError, add_command, data_folder
from effects.classification import Category, Change

EXAMPLE = "safelens effects check my_effect/ --quick --expect playful --sheet my_effect.png"


def register_check(sub: Any) -> None:
    p = add_command(sub, "check", "Check effects before publishing: measured category, reasons, label text, "
                    "guidance, variation across faces, frame cost at 720p.", EXAMPLE)
    p.add_argument("paths", nargs="+", metavar="PATH", help="an effect folder, effect.toml or .zip (several allowed)")
    p.add_argument("--json", action="store_true", help="print one JSON object per effect, as a JSON array")
    p.add_argument("--quick", action="store_true", help="measure on the 12-face quick set (<= 30 s per effect)")
    p.add_argument("--faces", type=Path, default=None, metavar="DIR",
                   help="a folder of reference face photos (default: the bundled public-domain faces)")
    p.add_argument("--sheet", type=Path, default=None, metavar="PNG",
                   help="write a before/after contact sheet (adults only); with several effects, "
                        "one file per effect named PNG-stem-<id>.png")
    p.add_argument("--expect", choices=[c.value for c in Category], default=None,
                   help="exit with code 1 when the measured category is not this one")
    p.add_argument("--max-cost", type=_milliseconds, default=None, metavar="MS",
                   help="refuse (exit 1, before classifying) an effect whose time on a 1280x720 frame, scaled to "
                        "the reference machine, is above this (default: one 30 fps frame, 33.3 ms)")
    p.add_argument("--data-dir", metavar="DIR", type=data_folder,
                   help="the user data folder whose classification cache receives the result "
                        "(default: $SAFELENS_DATA_DIR, else the platform's user data folder)")
    p.set_defaults(handler=run_check)


def _milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value <= 60_000.0:
        raise argparse.ArgumentTypeError(f"expected a time in milliseconds, > 0 and <= 60000, found {text!r}")
    return value


def _level_mark(level: str) -> str:
    return "!" if level == "warning" else "-"


def format_check(check: Any) -> str:
    """The report of one EffectCheck (or CostRefusal) as plain text."""
    if not hasattr(check, "result"):
        return f"== {check.spec.id} {check.spec.version}  ({check.spec.source})\n{check.message}"
    r = check.result
    spec = check.spec
    out = [f"== {spec.id} {spec.version}  ({spec.source})"]
    declared = spec.declared_category.value if spec.declared_category else "none"
    out.append(f"category: {r.category.value}  (confidence {r.confidence:.2f}; declared: {declared})")
    out.append(f"measured on: the {check.reference} reference set, {check.n_faces} faces ({check.n_minors} minors)")
    under = [n for n in r.notes if n.startswith("measured under the line: ")]
    if r.reasons:
        out.append("reasons:")
    elif under:
        out.append("reasons: none over the lines (what was measured is in the notes below)")
    else:
        out.append("reasons: none (nothing measured reached a fifth of any line)")
    for x in r.reasons:
        tag = "altering" if x.altering else "not counted as altering"
        if x.change is Change.SMOOTHS_SKIN:
            magnitude = f"{x.median:.0f}% of fine skin detail removed ({x.low:.0f} to {x.high:.0f}%)"
        elif x.unit == "share":
            magnitude = f"{100 * x.median:.0f}% of the face area ({100 * x.low:.0f} to {100 * x.high:.0f}%)"
        elif x.unit == "dE":
            magnitude = f"dE {x.median:.1f} ({x.low:.1f} to {x.high:.1f})"
        else:
            magnitude = f"{x.median:+.1f}% ({x.low:+.1f} to {x.high:+.1f}%)"
        out.append(f"  * {x.change.value.replace('_', ' ')}: {magnitude} on {x.n_faces} faces  [{tag}]")
    for note in r.notes:
        out.append(f"  note: {note}")
    out.append("what users will see:")
    for lang, text in check.disclosure.items():
        out.append(f"  [{lang}] label: {text['label']}")
        for line in text["sheet"]:
            out.append(f"  [{lang}]   {line}")
    out.append("guidance (! = look at this):")
    for note in check.guidance:
        out.append(f"  {_level_mark(note.level)} {note.topic.replace('_', ' ')}: {note.text}")
    out.append("variation across faces (median; 10th-90th percentile; min-max):")
    if not check.variation:
        out.append("  nothing measured varies")
    for v in check.variation:
        unit = v["unit"]
        scale, suffix = (100.0, "% of face") if unit == "share" else (1.0, " dE" if unit == "dE" else "%")

        def f(key: str, v: dict[str, Any] = v, scale: float = scale) -> str:
            return f"{float(v[key]) * scale:.1f}"

        out.append(f"  {str(v['change']).replace('_', ' ')} ({v['measured_on']}): {f('median')}{suffix}; "
                   f"{f('p10')} to {f('p90')}; {f('min')} to {f('max')} on {v['n_faces']} faces")
    cost = check.frame_cost.to_dict()
    out.append(f"frame cost at {cost['width']}x{cost['height']}: {cost['reference_machine_ms']:.1f} ms on the reference "
               f"machine ({100 * cost['share_of_30fps_budget']:.0f}% of a 30 fps frame); here median "
               f"{cost['median_ms']:.1f} ms, p95 {cost['p95_ms']:.1f} ms")
    if check.sheet is not None:
        out.append(f"contact sheet: {check.sheet}")
    if check.cached is not None:
        out.append(f"result kept for safelens render and the app: {check.cached}")
    if check.expect is not None:
        verdict = "as expected" if check.expect_met else f"EXPECTED {check.expect.value}"
        out.append(f"expect: {verdict}")
    return "\n".join(out)


def run_check(args: argparse.Namespace) -> int:
    from camera_app.catalog.classifications import image_detector
    from camera_app.creator.contact_sheet import SheetError
    from camera_app.catalog.classifications import ClassificationCacheError
    from camera_app.creator.check import DEFAULT_FACES, CheckOptions, check_effects, load_specs
    from camera_app.catalog.result_cache import result_cache
    from camera_app.creator.cost import FRAME_BUDGET_MS, CostRefusal
    from effects.classify import ClassifyError, ReferenceError
    from effects.spec import EffectSpecError

    try:
        specs = load_specs(args.paths)
    except EffectSpecError as exc:
        raise CliError(str(exc)) from exc
    if args.sheet is not None and not args.sheet.parent.is_dir():
        raise CliError(f"--sheet {args.sheet}: folder {args.sheet.parent} does not exist")
    faces = args.faces if args.faces is not None else DEFAULT_FACES
    if not faces.is_dir():
        raise CliError(f"--faces {faces}: expected a folder of face photos, found no such folder")
    options = CheckOptions(faces_dir=faces, quick=args.quick, sheet=args.sheet,
                           expect=Category(args.expect) if args.expect else None,
                           cache=result_cache(args.data_dir),
                           max_cost_ms=args.max_cost if args.max_cost is not None else FRAME_BUDGET_MS)
    bars: dict[str, Progress] = {}

    def progress_for(spec: Any) -> Any:
        def step(stage: str, done: int, total: int) -> None:
            bar = bars.get(spec.id)
            if bar is None:
                bar = bars[spec.id] = Progress(total, f"check {spec.id}")
            bar.label = f"check {spec.id}: {stage}"
            bar.total = max(total, 1)
            bar.count = done - 1
            bar.advance()

        return step

    try:
        with image_detector() as detector:
            checks = check_effects(specs, detector, options, progress_for)
    except ReferenceError as exc:
        raise CliError(f"--faces: {exc}") from exc
    except (ClassifyError, SheetError, ClassificationCacheError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        for bar in bars.values():
            bar.close()
    if args.json:
        json.dump([c.to_dict() for c in checks], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n\n".join(format_check(c) for c in checks))
    if any(isinstance(c, CostRefusal) for c in checks):
        return 1
    failed = [c for c in checks if options.expect is not None and not isinstance(c, CostRefusal) and not c.expect_met]
    for c in failed:
        print(expect_failure(c), file=sys.stderr)
    return 1 if failed else 0


def expect_failure(check: Any) -> str:
    """One line for stderr: which effect missed ``--expect``, what was measured and the main reason."""
    r = check.result
    altering = [x for x in r.reasons if x.altering]
    main = (altering or list(r.reasons))[:1]
    if main:
        x = main[0]
        scale = 100.0 if x.unit == "share" else 1.0
        unit = "% of the face" if x.unit == "share" else (" dE" if x.unit == "dE" else "%")
        why = f"main reason: {x.change.value.replace('_', ' ')} {x.median * scale:.1f}{unit} on {x.n_faces} faces"
    else:
        under = [n.removeprefix("measured under the line: ") for n in r.notes if n.startswith("measured under the line: ")]
        why = f"nothing over the lines; closest: {under[0]}" if under else "nothing measured"
    floor = " (declared appearance_altering kept as a floor)" if any("is a floor" in n for n in r.notes) else ""
    return (f"safelens effects check: {check.spec.id}: expected {check.expect.value}, "
            f"measured {r.category.value}{floor}; {why}")
