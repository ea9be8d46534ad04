"""The under-18 effect policy: one pure function over one table.

Inputs: the effect's *measured* category (``None`` = not measured yet, which counts
as appearance-altering: the policy fails closed), the profile (declared age and
assurance state), the live age signal of the faces in view, and the options.
Output: a ``Decision`` (allowed or blocked, a ``ReasonCode`` and a sentence a person
can read).

The inputs are first reduced to a few discrete facts (kind, band, assurance, mode,
what the live signal says, the no-signal setting); ``RULES`` maps them to an
outcome, first matching row wins. In words:

1. Playful effects are open to every profile.
2. Appearance-altering (or unmeasured) effects are blocked for a declared age under 18, and
   for a viewer of unknown age (no profile: ``PolicySubject.unknown()``).
3. ... and while the profile's age is under review (``challenged``), in any mode.
4. A verified adult (through the review flow) may use them.
5. In ``declared`` mode a declared adult may use them.
6. In ``assured`` mode (the default) a declared adult may use them only while the
   youngest face in view has an aggregated estimate at or above the challenge age
   (default 25) and no face is held below it (``FaceAge.held_below_challenge``: the
   signal adapter's hysteresis, ``camera_app.policy.hysteresis``, keeps a challenged face
   challenged until its estimate is steadily above the challenge age plus a margin).
   Faces whose estimate rests on fewer than ``min_samples`` samples, or no face at all,
   follow the ``no_signal`` setting (default: block).

No I/O, no clock, no other package's types: the caller adapts its age signal into
``FaceAge`` records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from camera_app.profiles.model import Assurance
from effects.classification import Category


class PolicyError(ValueError):
    """Bad policy options or inputs."""


class Mode(StrEnum):
    DECLARED = "declared"  # the declared age only
    ASSURED = "assured"  # the declared age and the live age estimate (default)


class NoSignal(StrEnum):
    """What appearance-altering effects do while there is no face, or too few samples."""

    BLOCK = "block"
    ALLOW = "allow"


class ReasonCode(StrEnum):
    PLAYFUL_OPEN = "playful_open"
    DECLARED_UNDER_18 = "declared_under_18"
    NO_PROFILE = "no_profile"
    UNDER_REVIEW = "under_review"
    VERIFIED_ADULT = "verified_adult"
    DECLARED_ADULT = "declared_adult"
    ESTIMATE_BELOW_CHALLENGE = "estimate_below_challenge"
    ESTIMATE_AT_OR_ABOVE_CHALLENGE = "estimate_at_or_above_challenge"
    NO_FACE_BLOCKED = "no_face_blocked"
    NO_FACE_ALLOWED = "no_face_allowed"
    TOO_FEW_SAMPLES_BLOCKED = "too_few_samples_blocked"
    TOO_FEW_SAMPLES_ALLOWED = "too_few_samples_allowed"


@dataclass(frozen=True, slots=True)
class FaceAge:
    """The aggregated age estimate of one face in view. ``held_below_challenge``: the face
    counts as under the challenge age whatever its current estimate (set by the caller's
    hysteresis; the policy itself keeps no state)."""

    estimate_years: float
    samples: int
    spread_years: float = 0.0
    p_under_13: float | None = None
    track_id: int | None = None
    held_below_challenge: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.estimate_years, (int, float)) or isinstance(self.estimate_years, bool) or not math.isfinite(self.estimate_years):
            raise PolicyError(f"FaceAge.estimate_years: expected a finite number, found {self.estimate_years!r}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 0:
            raise PolicyError(f"FaceAge.samples: expected an int >= 0, found {self.samples!r}")
        if not isinstance(self.held_below_challenge, bool):
            raise PolicyError(f"FaceAge.held_below_challenge: expected True or False, found {self.held_below_challenge!r}")


@dataclass(frozen=True, slots=True)
class FacesInView:
    """The live age signal: one ``FaceAge`` per face in view (empty: no face)."""

    faces: tuple[FaceAge, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicySubject:
    """What the policy knows of the viewer: a profile's declared age and assurance, or
    ``declared_age_years=None`` for a viewer of unknown age (no profile named)."""

    declared_age_years: int | None
    assurance: Assurance

    @classmethod
    def unknown(cls) -> PolicySubject:
        """No profile: the viewer's age is unknown, so only playful effects are open."""
        return cls(declared_age_years=None, assurance=Assurance.DECLARED)

    @property
    def is_unknown(self) -> bool:
        return self.declared_age_years is None


@dataclass(frozen=True, slots=True)
class PolicyOptions:
    mode: Mode = Mode.ASSURED
    challenge_age_years: float = 25.0
    min_samples: int = 3
    no_signal: NoSignal = NoSignal.BLOCK

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", Mode(self.mode))
            object.__setattr__(self, "no_signal", NoSignal(self.no_signal))
        except ValueError as exc:
            raise PolicyError(f"PolicyOptions: {exc}") from None
        age = self.challenge_age_years
        if isinstance(age, bool) or not isinstance(age, (int, float)) or not 18.0 <= age <= 40.0:
            raise PolicyError(f"PolicyOptions.challenge_age_years: expected a number in [18, 40], found {age!r}")
        if isinstance(self.min_samples, bool) or not isinstance(self.min_samples, int) or self.min_samples < 1:
            raise PolicyError(f"PolicyOptions.min_samples: expected an int >= 1, found {self.min_samples!r}")


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    code: ReasonCode
    reason: str
    treated_as: Category  # the category the decision used (unmeasured -> appearance-altering)
    measured: bool

    @property
    def blocked(self) -> bool:
        return not self.allowed


# -- the discrete facts ----------------------------------------------------------------------


class Kind(StrEnum):
    PLAYFUL = "playful"
    ALTERING = "altering"


class Band(StrEnum):
    UNKNOWN = "unknown"  # no profile
    UNDER_18 = "under_18"
    ADULT = "adult"


class Live(StrEnum):
    NO_FACE = "no_face"
    TOO_FEW_SAMPLES = "too_few_samples"
    BELOW = "below_challenge"
    AT_OR_ABOVE = "at_or_above_challenge"


ANY = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: the facts it matches (``ANY`` matches everything) and its outcome."""

    kind: Kind | None
    band: Band | None
    assurance: Assurance | None
    mode: Mode | None
    live: Live | None
    no_signal: NoSignal | None
    allowed: bool
    code: ReasonCode

    def matches(self, facts: tuple[Kind, Band, Assurance, Mode, Live, NoSignal]) -> bool:
        wanted = (self.kind, self.band, self.assurance, self.mode, self.live, self.no_signal)
        return all(w is ANY or w == f for w, f in zip(wanted, facts, strict=True))


A, B = True, False  # allowed, blocked
RULES: tuple[Rule, ...] = (
    #    kind           band           assurance                  mode          live              no_signal
    Rule(Kind.PLAYFUL,  ANY,           ANY,                       ANY,          ANY,              ANY,            A, ReasonCode.PLAYFUL_OPEN),
    Rule(Kind.ALTERING, Band.UNKNOWN,  ANY,                       ANY,          ANY,              ANY,            B, ReasonCode.NO_PROFILE),
    Rule(Kind.ALTERING, Band.UNDER_18, ANY,                       ANY,          ANY,              ANY,            B, ReasonCode.DECLARED_UNDER_18),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.CHALLENGED,      ANY,          ANY,              ANY,            B, ReasonCode.UNDER_REVIEW),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.VERIFIED_ADULT,  ANY,          ANY,              ANY,            A, ReasonCode.VERIFIED_ADULT),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.DECLARED, ANY,             ANY,            A, ReasonCode.DECLARED_ADULT),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.BELOW,       ANY,            B, ReasonCode.ESTIMATE_BELOW_CHALLENGE),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.AT_OR_ABOVE, ANY,            A, ReasonCode.ESTIMATE_AT_OR_ABOVE_CHALLENGE),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.NO_FACE,     NoSignal.BLOCK, B, ReasonCode.NO_FACE_BLOCKED),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.NO_FACE,     NoSignal.ALLOW, A, ReasonCode.NO_FACE_ALLOWED),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.TOO_FEW_SAMPLES, NoSignal.BLOCK, B, ReasonCode.TOO_FEW_SAMPLES_BLOCKED),
    Rule(Kind.ALTERING, Band.ADULT,    Assurance.DECLARED,        Mode.ASSURED, Live.TOO_FEW_SAMPLES, NoSignal.ALLOW, A, ReasonCode.TOO_FEW_SAMPLES_ALLOWED),
)  # fmt: skip

_REASONS: dict[ReasonCode, str] = {
    ReasonCode.PLAYFUL_OPEN: "Playful effects are open to every profile.",
    ReasonCode.DECLARED_UNDER_18: "Effects that change how a face looks aren't available on profiles under 18.",
    ReasonCode.NO_PROFILE: (
        "No profile is in use, so the viewer's age is unknown and effects that change how a face looks are off. "
        "Name an adult profile (--profile NAME), or create one with `safelens profile create`."
    ),
    ReasonCode.UNDER_REVIEW: (
        "This profile's age is being reviewed; effects that change how a face looks are paused until the review ends."
    ),
    ReasonCode.VERIFIED_ADULT: "This profile was verified as an adult.",
    ReasonCode.DECLARED_ADULT: "This profile's date of birth is 18 or over (declared-age mode).",
    ReasonCode.ESTIMATE_BELOW_CHALLENGE: (
        "The age check can't confirm that everyone in view is an adult (an estimate is under {challenge:g}), so "
        "effects that change how a face looks are paused. An adult can ask for a review to be verified."
    ),
    ReasonCode.ESTIMATE_AT_OR_ABOVE_CHALLENGE: "The age check sees only adults in view (every estimate is {challenge:g} or over).",
    ReasonCode.NO_FACE_BLOCKED: (
        "No face is in view for the age check yet; effects that change how a face looks wait until one is."
    ),
    ReasonCode.NO_FACE_ALLOWED: "No face is in view; this setup lets the effect run without an age check.",
    ReasonCode.TOO_FEW_SAMPLES_BLOCKED: (
        "The age check hasn't seen every face long enough yet; effects that change how a face looks wait a moment."
    ),
    ReasonCode.TOO_FEW_SAMPLES_ALLOWED: (
        "The age check hasn't seen every face long enough yet; this setup lets the effect run meanwhile."
    ),
}
_UNMEASURED = "This effect hasn't been measured yet, so it counts as appearance-altering. "


def live_fact(signal: FacesInView | None, options: PolicyOptions) -> Live:
    """What the live signal says. A steady face under the challenge age (or one held below it)
    outranks a face still without enough samples (either way the youngest face may be a minor)."""
    faces = () if signal is None else signal.faces
    if not faces:
        return Live.NO_FACE
    steady = [f for f in faces if f.samples >= options.min_samples]
    if any(f.held_below_challenge for f in faces) or any(f.estimate_years < options.challenge_age_years for f in steady):
        return Live.BELOW
    if len(steady) < len(faces):
        return Live.TOO_FEW_SAMPLES
    return Live.AT_OR_ABOVE


def decide(
    category: Category | None,
    subject: PolicySubject,
    signal: FacesInView | None,
    options: PolicyOptions | None = None,
) -> Decision:
    """Allowed or blocked, and why, for one effect."""
    options = options or PolicyOptions()
    if category is not None and not isinstance(category, Category):
        raise PolicyError(f"category: expected a Category or None, found {category!r}")
    age = subject.declared_age_years
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 0):
        raise PolicyError(f"PolicySubject.declared_age_years: expected an int >= 0 or None, found {age!r}")
    treated_as = category if category is not None else Category.APPEARANCE_ALTERING
    facts = (
        Kind.PLAYFUL if treated_as is Category.PLAYFUL else Kind.ALTERING,
        Band.UNKNOWN if age is None else Band.UNDER_18 if age < 18 else Band.ADULT,
        Assurance(subject.assurance),
        options.mode,
        live_fact(signal, options),
        options.no_signal,
    )
    for rule in RULES:
        if rule.matches(facts):
            reason = _REASONS[rule.code].format(challenge=options.challenge_age_years)
            if category is None:
                reason = _UNMEASURED + reason
            return Decision(rule.allowed, rule.code, reason, treated_as, measured=category is not None)
    raise PolicyError(f"no policy rule matches {facts}")  # the table test keeps this unreachable
