"""Regenerate (or check) the bundled classifier results of the built-in effects:
``python -m camera_app.cli.bundled_results [--check]`` (see ``camera_app.catalog.classifications``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from camera_app.catalog.classifications import BUILTIN_RESULTS, image_detector, load_bundled, regenerate, stale_entries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m camera_app.cli.bundled_results",
        description="Measure the built-in effects on all reference faces and write assets/effects/classifications.json.",
        epilog="Example:\n  python -m camera_app.cli.bundled_results --check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only say whether the file is current (exit 1 if not)")
    args = parser.parse_args(argv)
    from camera_app.progress import Progress
    from camera_app.catalog.effects import BUILTIN_EFFECTS_DIR
    from effects.registry import EffectRegistry

    specs = list(EffectRegistry(BUILTIN_EFFECTS_DIR))
    if args.check:
        problems = stale_entries(specs, load_bundled())
        for p in problems:
            print(f"{BUILTIN_RESULTS}: {p}", file=sys.stderr)
        print("current" if not problems else "stale: run python -m camera_app.cli.bundled_results")
        return 1 if problems else 0

    bars: dict[str, Progress] = {}

    def progress(spec_id: str, done: int, total: int) -> None:
        bar = bars.setdefault(spec_id, Progress(total, f"measuring {spec_id}"))
        bar.advance(done - bar.count)
        if done >= total:
            bar.close()

    with image_detector() as detector:
        data = regenerate(specs, detector, progress=progress)
    for effect_id, entry in data["effects"].items():
        print(f"{effect_id:18s} {entry['result']['category']}")
    print(f"wrote {BUILTIN_RESULTS} ({len(data['effects'])} effects, {data['faces']} faces)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
