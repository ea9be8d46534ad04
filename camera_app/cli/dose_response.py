"""Regenerate the dose-response curves of the appearance-altering ops:
``python -m camera_app.cli.dose_response [--quick] [--out JSON] [--chart PNG]``
(see ``camera_app.creator.dose_response``). Takes a few minutes on all reference faces."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from camera_app.models import ASSETS_DIR

DEFAULT_OUT = ASSETS_DIR / "effects" / "dose_response.json"
DEFAULT_CHART = ASSETS_DIR / "effects" / "dose_response.png"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m camera_app.cli.dose_response",
        description="Sweep each appearance-altering op's strength on the reference faces (adults and children "
                    "apart), record the measured change and where the classifier's verdict turns.",
        epilog="Example:\n  python -m camera_app.cli.dose_response --chart /tmp/dose.png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="the 12-face quick set (for a look, not for committing)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="JSON", help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, metavar="PNG", help=f"default: {DEFAULT_CHART}")
    args = parser.parse_args(argv)
    from camera_app.catalog.classifications import REFERENCE_FACES, classifier_fingerprint, image_detector
    from camera_app.creator.dose_chart import write_chart
    from camera_app.creator.dose_response import build
    from camera_app.progress import Progress
    from effects.classify import load_reference

    bars: dict[str, Progress] = {}

    def progress(key: str, done: int, total: int) -> None:
        bar = bars.setdefault(key, Progress(total, f"sweeping {key}"))
        bar.advance(done - bar.count)
        if done >= total:
            bar.close()

    with image_detector() as detector:
        reference = load_reference(REFERENCE_FACES, detector)
        if args.quick:
            reference = reference.quick()
        data = build(reference, detector, classifier_fingerprint(), progress=progress)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    write_chart(data, args.chart)
    print(f"wrote {args.out} and {args.chart}")
    for s in data["sweeps"]:
        print(f"{s['key']:12s} altering from {s['param']} = adults {s['altering_from']['adults']}, "
              f"children {s['altering_from']['children']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
