"""The installation's policy settings, and the per-call options that may only tighten them.

Loosening the policy (declared-age mode, a challenge age under the default) is a decision of
whoever runs the installation, not a flag of the person the policy protects. So:

- the settings live in the data folder (the profile store's ``meta`` table), are changed only
  by ``safelens policy set`` (each change is written to the audit log), and are shown by
  ``safelens policy show`` and ``safelens profile show``;
- a command's ``--challenge-age`` may only *raise* the challenge age above the installation's,
  and ``--policy-mode`` may only ask for ``assured`` (the stricter mode): :func:`effective_options`
  refuses anything looser with a :class:`PolicySettingsError` that says how to change the
  setting instead;
- every export records the settings it was made under (``as_provenance``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from camera_app.profiles.schema import put_meta
from camera_app.policy.moderators import Moderator, list_moderators
from camera_app.policy.rules import Mode, PolicyError, PolicyOptions
from camera_app.profiles import audit
from camera_app.profiles.seal import reseal_settings, settings_ok
from camera_app.profiles.store import ProfileStore

DEFAULT_CHALLENGE_AGE = PolicyOptions().challenge_age_years
_MODE_KEY = "policy.mode"
_CHALLENGE_KEY = "policy.challenge_age_years"


class PolicySettingsError(PolicyError):
    """A per-call option would loosen the installation's policy, or a stored setting is malformed."""


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The installation's settings (defaults: assured mode, challenge age 25)."""

    mode: Mode = Mode.ASSURED
    challenge_age_years: float = DEFAULT_CHALLENGE_AGE
    # False when the stored settings failed their seal: these are then the defaults (fail closed).
    seal_ok: bool = True

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", Mode(self.mode))
        except ValueError:
            raise PolicySettingsError(
                f"policy mode: expected one of {', '.join(m.value for m in Mode)}, found {self.mode!r}"
            ) from None
        PolicyOptions(mode=self.mode, challenge_age_years=self.challenge_age_years)  # range check

    def as_provenance(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "challenge_age_years": float(self.challenge_age_years)}

    def describe(self) -> str:
        looser = [] if self.mode is Mode.ASSURED else ["declared-age mode: the live age check is off"]
        if self.challenge_age_years < DEFAULT_CHALLENGE_AGE:
            looser.append(f"challenge age under the default {DEFAULT_CHALLENGE_AGE:g}")
        note = f" (loosened: {'; '.join(looser)})" if looser else ""
        if not self.seal_ok:
            note += (" (the stored settings fail their seal: changed outside SafeLens, so the defaults apply; "
                     "a moderator can set them again with `safelens policy set`)")
        return f"policy mode {self.mode.value}, challenge age {self.challenge_age_years:g}{note}"


def load_settings(store: ProfileStore) -> PolicySettings:
    """The installation's settings (the defaults when none were ever set)."""
    with store.read() as conn:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (_MODE_KEY, _CHALLENGE_KEY)).fetchall())
        sealed = settings_ok(conn, store.keys)
    if not sealed:
        return PolicySettings(seal_ok=False)
    try:
        challenge = float(rows.get(_CHALLENGE_KEY, DEFAULT_CHALLENGE_AGE))
    except ValueError:
        raise PolicySettingsError(
            f"{store.db_path}: stored {_CHALLENGE_KEY} is not a number ({rows[_CHALLENGE_KEY]!r}); "
            "set it again with `safelens policy set --challenge-age YEARS`"
        ) from None
    found = rows.get(_MODE_KEY, Mode.ASSURED.value)
    if found not in {m.value for m in Mode}:
        raise PolicySettingsError(
            f"{store.db_path}: stored {_MODE_KEY} is {found!r}, expected assured or declared; "
            "set it again with `safelens policy set --mode MODE`"
        )
    try:
        return PolicySettings(mode=Mode(found), challenge_age_years=challenge)
    except PolicyError as exc:
        raise PolicySettingsError(f"{store.db_path}: stored policy settings: {exc}; set them again with `safelens policy set`") from None


def save_settings(store: ProfileStore, settings: PolicySettings, moderator: Moderator | None) -> PolicySettings:
    """Store new settings (sealed) and write the change to the audit log, with the moderator who
    made it; returns the previous settings. Once the installation has moderators, only one of
    them (passphrase checked by the caller) may change the settings."""
    if moderator is None and list_moderators(store):
        raise PolicySettingsError("policy settings: this installation has moderators; changing the policy needs one "
                                  "of them: `safelens policy set ... --moderator NAME`")
    before = load_settings(store)
    with store.write() as conn:
        for key, value in ((_MODE_KEY, settings.mode.value), (_CHALLENGE_KEY, repr(float(settings.challenge_age_years)))):
            put_meta(conn, key, value)
        reseal_settings(conn, store.keys)
        audit.record(conn, store.keys, store.now_utc(), "policy_settings_changed",
                     before=before.as_provenance(), after=settings.as_provenance(),
                     moderator=None if moderator is None else moderator.name)
    return before


def effective_options(
    settings: PolicySettings, *, challenge_age_years: float | None = None, mode: Mode | str | None = None
) -> PolicyOptions:
    """The options a command runs with: the installation's settings, tightened (never loosened)
    by its own ``--challenge-age`` and ``--policy-mode``."""
    challenge = settings.challenge_age_years
    if challenge_age_years is not None:
        if challenge_age_years < settings.challenge_age_years:
            raise PolicySettingsError(
                f"--challenge-age {challenge_age_years:g}: may only raise the installation's challenge age "
                f"({settings.challenge_age_years:g}); lowering it is an installation setting: "
                "`safelens policy set --challenge-age YEARS`"
            )
        challenge = float(challenge_age_years)
    chosen = settings.mode
    if mode is not None:
        try:
            asked = Mode(mode)
        except ValueError:
            raise PolicySettingsError(f"--policy-mode: expected assured or declared, found {mode!r}") from None
        if asked is Mode.DECLARED and settings.mode is Mode.ASSURED:
            raise PolicySettingsError(
                "--policy-mode declared: turning the live age check off is an installation setting, not an option "
                "of a command: `safelens policy set --mode declared` (this installation uses assured)"
            )
        chosen = asked
    return PolicyOptions(mode=chosen, challenge_age_years=challenge)
