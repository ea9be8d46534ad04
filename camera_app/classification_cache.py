"""Classifier results the app can use at once: bundled for the built-in library, cached for the rest.

The policy needs every effect's category when the app starts, and measuring takes
seconds per effect. So:

- the built-in effects' results are measured once on all reference faces and committed
  as ``assets/effects/classifications.json``, keyed by effect id and content hash;
  ``python -m camera_app.classification_cache`` regenerates the file (``--check`` only
  says whether it is current: every built-in effect present with its current content
  hash, measured by the current classifier);
- any other effect (a user's folder, an edited built-in) is measured on demand and cached
  in the user data folder by ``camera_app.disclosure_results`` (content hash + classifier
  fingerprint). ``results_for`` looks in the bundled file first, then there.

An effect with no result yet is *unmeasured*; the policy treats it as appearance-altering.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.disclosure_results import classifier_fingerprint, classify_specs
from camera_app.models import ASSETS_DIR
from effects.classification import ClassificationFormatError, ClassificationResult
from effects.spec import EffectSpec

BUILTIN_RESULTS = ASSETS_DIR / "effects" / "classifications.json"
SCHEMA = 1
REFERENCE_FACES = ASSETS_DIR / "faces"


class ClassificationCacheError(RuntimeError):
    """The bundled results file is unreadable or malformed; the message names the file and field."""


@dataclass(frozen=True, slots=True)
class BundledResults:
    """The contents of classifications.json."""

    path: Path
    fingerprint: str
    n_faces: int
    entries: dict[str, tuple[str, ClassificationResult]]  # id -> (content hash, result)

    def get(self, spec: EffectSpec) -> ClassificationResult | None:
        """The bundled result for exactly this effect (same id and content hash), else None."""
        entry = self.entries.get(spec.id)
        if entry is None or entry[0] != spec.content_hash:
            return None
        return entry[1]


def load_bundled(path: Path = BUILTIN_RESULTS) -> BundledResults:
    """Read the bundled results; a missing file is an empty set, a malformed one an error."""
    if not path.is_file():
        return BundledResults(path, "", 0, {})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ClassificationCacheError(f"{path}: unreadable ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ClassificationCacheError(f"{path}: schema: expected {SCHEMA}, found {found!r}")
    entries: dict[str, tuple[str, ClassificationResult]] = {}
    for effect_id, entry in (data.get("effects") or {}).items():
        try:
            entries[effect_id] = (str(entry["content_hash"]), ClassificationResult.from_dict(entry["result"], "result"))
        except (KeyError, TypeError) as exc:
            raise ClassificationCacheError(f"{path}: effects.{effect_id}: malformed entry ({exc!r})") from None
        except ClassificationFormatError as exc:
            raise ClassificationCacheError(f"{path}: effects.{effect_id}: malformed entry ({exc})") from None
    return BundledResults(path, str(data.get("classifier_fingerprint", "")), int(data.get("faces", 0)), entries)


def results_for(
    specs: Sequence[EffectSpec],
    detector_factory: Callable[[], Any],
    cache_dir: Path | None,
    quick: bool = True,
    progress: Callable[[int, int], None] | None = None,
    bundled: BundledResults | None = None,
) -> tuple[ClassificationResult, ...]:
    """A result for each spec: bundled when it matches, else cached or measured (see the module notes)."""
    bundled = bundled if bundled is not None else load_bundled()
    found: list[ClassificationResult | None] = [bundled.get(s) for s in specs]
    todo = [i for i, r in enumerate(found) if r is None]
    if todo:
        measured = classify_specs([specs[i] for i in todo], detector_factory, cache_dir, quick=quick, progress=progress)
        for i, result in zip(todo, measured, strict=True):
            found[i] = result
    return tuple(r for r in found if r is not None)


def stale_entries(specs: Sequence[EffectSpec], bundled: BundledResults) -> list[str]:
    """Why the bundled file does not match ``specs`` and the classifier (empty when current)."""
    problems = []
    if bundled.fingerprint != classifier_fingerprint():
        problems.append("the classifier changed since the results were measured")
    for spec in specs:
        entry = bundled.entries.get(spec.id)
        if entry is None:
            problems.append(f"{spec.id}: no result")
        elif entry[0] != spec.content_hash:
            problems.append(f"{spec.id}: the effect changed since it was measured")
    extra = sorted(set(bundled.entries) - {s.id for s in specs})
    problems += [f"{i}: not a built-in effect any more" for i in extra]
    return problems


def regenerate(
    specs: Sequence[EffectSpec], detector: Any, faces_dir: Path = REFERENCE_FACES, path: Path = BUILTIN_RESULTS,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Measure every spec on all reference faces and write the bundled file (deterministic JSON)."""
    from effects.classify import assess, load_reference
    from effects.classify.adapters import SpecEffect

    reference = load_reference(faces_dir, detector)
    effects: dict[str, Any] = {}
    for spec in sorted(specs, key=lambda s: s.id):

        def step(done: int, total: int, spec_id: str = spec.id) -> None:
            if progress is not None:
                progress(spec_id, done, total)

        result = assess(SpecEffect(spec), reference, detector, quick=False, progress=step).result
        effects[spec.id] = {"version": spec.version, "content_hash": spec.content_hash, "result": result.to_dict()}
    data = {"schema": SCHEMA, "classifier_fingerprint": classifier_fingerprint(), "faces": len(reference),
            "effects": effects}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m camera_app.classification_cache",
        description="Measure the built-in effects on all reference faces and write assets/effects/classifications.json.",
        epilog="Example:\n  python -m camera_app.classification_cache --check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only say whether the file is current (exit 1 if not)")
    args = parser.parse_args(argv)
    from camera_app.cli.common import Progress
    from camera_app.effects_catalog import BUILTIN_EFFECTS_DIR
    from effects.registry import EffectRegistry

    specs = list(EffectRegistry(BUILTIN_EFFECTS_DIR))
    if args.check:
        problems = stale_entries(specs, load_bundled())
        for p in problems:
            print(f"{BUILTIN_RESULTS}: {p}", file=sys.stderr)
        print("current" if not problems else "stale: run python -m camera_app.classification_cache")
        return 1 if problems else 0
    from camera_app.tracker import FaceTracker, FaceTrackerOptions

    bars: dict[str, Progress] = {}

    def progress(spec_id: str, done: int, total: int) -> None:
        bar = bars.setdefault(spec_id, Progress(total, f"measuring {spec_id}"))
        bar.advance(done - bar.count)
        if done >= total:
            bar.close()

    with FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)) as detector:
        data = regenerate(specs, detector, progress=progress)
    for effect_id, entry in data["effects"].items():
        print(f"{effect_id:18s} {entry['result']['category']}")
    print(f"wrote {BUILTIN_RESULTS} ({len(data['effects'])} effects, {data['faces']} faces)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
