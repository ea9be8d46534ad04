"""The policy side of ``safelens render`` and ``safelens app``: who is watching, under which
settings, and the chain options that follow.

``add_policy_options`` adds ``--profile``, ``--data-dir``, ``--policy-mode`` and
``--challenge-age``. Without ``--profile`` the viewer's age is unknown: playful effects run,
appearance-altering ones are refused with a message that says how to proceed. The policy
is the installation's (``safelens policy set``); ``--challenge-age`` may only raise it and
``--policy-mode`` may only ask for ``assured``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from camera_app.cli.cmd_profile import add_data_dir_option, open_store
from camera_app.progress import Progress
from camera_app.cli.common import CliError, challenge_age
from camera_app.policy.gate import subject_of
from camera_app.policy.rules import Mode, PolicyError, PolicyOptions, PolicySubject
from camera_app.policy.settings import PolicySettings, effective_options, load_settings
from camera_app.profiles import ProfileStoreError
from camera_app.profiles.model import Profile
from effects.spec import EffectSpec


def add_policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", metavar="NAME",
                   help="the viewer's profile: the under-18 policy decides which effects may be applied "
                        "(without it the viewer's age is unknown and appearance-altering effects are refused)")
    add_data_dir_option(p)
    p.add_argument("--policy-mode", choices=[m.value for m in Mode], default=None,
                   help="assured: declared age and the live age estimate; 'declared' is allowed only where the "
                        "installation is set to it (`safelens policy set --mode`); default: the installation's")
    p.add_argument("--challenge-age", type=challenge_age, default=None, metavar="YEARS",
                   help="raise the challenge age for this command (an estimate below it pauses appearance-altering "
                        "effects); it can only be lowered with `safelens policy set`; default: the installation's (25)")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who the command runs for, and under which policy."""

    subject: PolicySubject
    profile: Profile | None
    settings: PolicySettings
    policy: PolicyOptions

    def provenance(self) -> dict[str, Any]:
        return {**self.settings.as_provenance(), "effective": {
            "mode": self.policy.mode.value, "challenge_age_years": float(self.policy.challenge_age_years)}}


def resolve_viewer(args: argparse.Namespace, store: Any) -> Viewer:
    """The profile named by ``--profile`` (or none), the installation's settings and the
    effective options; errors become ``CliError``."""
    try:
        profile = store.get(args.profile) if args.profile else None
        settings = load_settings(store)
        policy = effective_options(settings, challenge_age_years=args.challenge_age, mode=args.policy_mode)
    except (ProfileStoreError, PolicyError) as exc:
        raise CliError(str(exc)) from exc
    return Viewer(subject_of(profile, store.today()), profile, settings, policy)


def open_viewer_store(args: argparse.Namespace, stack: ExitStack) -> Any:
    """The profile store of ``--data-dir`` (entered into ``stack``)."""
    return stack.enter_context(open_store(args))


def refuse_removed(specs: Sequence[EffectSpec], store: Any) -> None:
    """CliError when a moderator removed one of these effects from this installation after a report."""
    from camera_app.policy.reports import ReportQueue

    removed = ReportQueue(store).removed_effects()
    gone = [spec.id for spec in specs if spec.id in removed]
    if gone:
        raise CliError(f"--effect: {', '.join(gone)} removed from this installation after a report "
                       "(see `safelens review reports --status removed`; the decision can be appealed)")


def measure_for_chain(specs: Sequence[EffectSpec], args: argparse.Namespace, purpose: str) -> Any:
    """The classifier results a chain with these effects needs (each effect, and the stacks the
    policy may judge): ``camera_app.catalog.classifications.result_book``, with a progress bar."""
    from camera_app.catalog.classifications import ClassificationCacheError, result_book
    from camera_app.catalog.result_cache import result_cache

    with _progress(purpose) as advance:
        try:
            return result_book(specs, result_cache(getattr(args, "data_dir", None)), progress=advance)
        except ClassificationCacheError as exc:
            raise CliError(str(exc)) from exc


class _progress:
    """A progress bar that appears only once something is measured."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        def advance(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = Progress(total, f"measure effects for the {self.purpose}")
            self.bar.total = total
            self.bar.advance(done - self.bar.count)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def refuse_blocked(chain: Any, specs: Sequence[EffectSpec], viewer: Viewer) -> None:
    """Stop before any frame when the viewer may never use an effect (or the stack)."""
    blocked = chain.gate.always_blocked(specs)
    if blocked:
        name, decision = blocked[0]
        who = f"profile {viewer.profile.name}" if viewer.profile is not None else "no profile"
        if viewer.profile is not None and not viewer.profile.seal_ok:
            from camera_app.cli.cmd_profile import SEAL_BROKEN_NOTE

            who += f"; {SEAL_BROKEN_NOTE}"
        raise CliError(f'effect "{name}" blocked: {decision.reason} ({who})')
