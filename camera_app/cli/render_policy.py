"""``safelens render --profile NAME``: the policy stages of a render for one profile.

``add_policy_options`` adds ``--profile``, ``--data-dir``, ``--policy-mode`` and
``--challenge-age``; ``policy_stages`` returns, in order, the age stage (assured mode),
the under-13 review watch and the gated effect stage. An effect the profile may
never use (a declared minor and an appearance-altering or unmeasured effect, or a
profile under review) stops the command before any frame with the policy's reason;
blocks that depend on the live estimate drop the effect from those frames and show
a notice.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.cli.common import CliError, Progress, challenge_age
from camera_app.effect_stage import EffectStage
from camera_app.pipeline import Stage
from camera_app.policy import Mode, PolicyError, PolicyOptions
from camera_app.policy_gate import (
    EffectBlockedError,
    EffectGate,
    EffectGateOptions,
    GatedEffectStage,
    OnBlocked,
    categories_from_results,
    signals_from_age_stage,
    subject_of,
)
from camera_app.profiles import ProfileStoreError
from effects.classification import ClassificationResult
from effects.spec import EffectSpec


def add_policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", metavar="NAME",
                   help="render as this profile: the under-18 policy decides which effects may be applied")
    add_data_dir_option(p)
    p.add_argument("--policy-mode", choices=[m.value for m in Mode], default=Mode.ASSURED.value,
                   help="assured (default): declared age and the live age estimate; declared: declared age only")
    p.add_argument("--challenge-age", type=challenge_age, default=25.0, metavar="YEARS",
                   help="in assured mode, an estimate below this pauses appearance-altering effects (default 25)")


def policy_stages(args: argparse.Namespace, stack: ExitStack, effect_stage: EffectStage) -> list[Stage]:
    """The stages replacing ``effect_stage`` for ``--profile``: [age, review_watch,] gated effects."""
    store = stack.enter_context(open_store(args))
    try:
        profile = store.get(args.profile)
    except ProfileStoreError as exc:
        raise CliError(str(exc)) from exc
    try:
        policy = PolicyOptions(mode=Mode(args.policy_mode), challenge_age_years=float(args.challenge_age))
    except PolicyError as exc:
        raise CliError(str(exc)) from exc
    specs = effect_stage.specs
    results = classify_effects(specs, args, "policy")
    stages: list[Stage] = []
    signals = None
    age_stage = None
    if policy.mode is Mode.ASSURED:
        from camera_app.age_stage import AgeStage, AgeStageOptions

        age_stage = stack.enter_context(AgeStage(AgeStageOptions(challenge_age_years=policy.challenge_age_years)))
        signals = signals_from_age_stage(age_stage, policy)
        stages.append(age_stage)
    # Frames the live estimate blocks drop the effect with a notice; an effect the profile may
    # never use stops the command before any frame.
    gate = EffectGate(
        subject_of(profile, store.today()),
        categories_from_results(results),
        signals=signals,
        options=EffectGateOptions(policy=policy, on_blocked=OnBlocked.DROP),
    )
    try:
        gate.require_allowed(specs)
    except EffectBlockedError as exc:
        raise CliError(f"{exc} (profile {profile.name})") from exc
    gated = GatedEffectStage(specs, gate, seed=effect_stage.seed)
    if signals is not None:
        from camera_app.review import ReviewQueue
        from camera_app.review_stage import ReviewWatchStage

        stages.append(ReviewWatchStage(ReviewQueue(store), profile.profile_id, signals, gated.gate))
    stages.append(gated)
    return stages


def classify_effects(specs: Sequence[EffectSpec], args: argparse.Namespace, purpose: str) -> tuple[ClassificationResult, ...]:
    """The classifier's result for each effect (``camera_app.classification_cache``: bundled, cached
    in the data folder, or measured once with a progress bar); errors become ``CliError``."""
    from camera_app.classification_cache import ClassificationCacheError, results_for
    from camera_app.disclosure_paths import classification_cache_dir

    bar: Progress | None = None

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = Progress(total, f"measure effects for the {purpose}")
        bar.total = total
        bar.advance(done - bar.count)

    try:
        return results_for(specs, classification_cache_dir(getattr(args, "data_dir", None)), progress=advance)
    except ClassificationCacheError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()


def link_label(effect_stage: Any, disclosure_stage: Any, language: str) -> None:
    """Keep the disclosure label to the effects actually applied to each frame (a dropped
    effect is not labelled)."""
    if not isinstance(effect_stage, GatedEffectStage):
        return
    from camera_app.overlay_stage import effect_names

    by_id = {r.effect_id: r for r in disclosure_stage.results}

    def update(specs: Any) -> None:
        disclosure_stage.set_active([by_id[s.id] for s in specs if s.id in by_id], effect_names(specs, language))

    effect_stage.on_applied_change.append(update)
