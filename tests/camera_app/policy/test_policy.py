"""The policy table, exhaustively: every category x declared age x assurance x live signal x
mode x no-signal setting, checked against the rules of the issue written out independently."""

from __future__ import annotations

import itertools

import pytest

from camera_app.policy.rules import (
    RULES,
    Decision,
    FaceAge,
    FacesInView,
    Mode,
    NoSignal,
    PolicyError,
    PolicyOptions,
    PolicySubject,
    ReasonCode,
    decide,
)
from camera_app.profiles.model import Assurance
from effects.classification import Category

CHALLENGE = 25.0
MIN_SAMPLES = 3

CATEGORIES = (Category.PLAYFUL, Category.APPEARANCE_ALTERING, None)
DECLARED_AGES = (None, 13, 15, 17, 18, 19, 24, 25, 40, 90)  # None: no profile (age unknown)
ASSURANCES = tuple(Assurance)
MODES = tuple(Mode)
NO_SIGNAL = tuple(NoSignal)
# name -> (signal, what it means for the youngest face)
SIGNALS: dict[str, tuple[FacesInView | None, str]] = {
    "none": (None, "unknown"),
    "no_faces": (FacesInView(()), "unknown"),
    "one_adult": (FacesInView((FaceAge(34.0, 5),)), "adult"),
    "one_at_challenge": (FacesInView((FaceAge(25.0, 5),)), "adult"),
    "one_just_below": (FacesInView((FaceAge(24.9, 5),)), "young"),
    "one_child": (FacesInView((FaceAge(9.0, 8),)), "young"),
    "one_adult_few_samples": (FacesInView((FaceAge(40.0, 2),)), "unknown"),
    "one_child_few_samples": (FacesInView((FaceAge(8.0, 1),)), "unknown"),
    "adult_and_teen": (FacesInView((FaceAge(45.0, 6), FaceAge(16.0, 6))), "young"),
    "two_adults": (FacesInView((FaceAge(45.0, 6), FaceAge(31.0, 3))), "adult"),
    "adult_and_unsteady": (FacesInView((FaceAge(45.0, 6), FaceAge(50.0, 0))), "unknown"),
    "teen_and_unsteady": (FacesInView((FaceAge(15.0, 6), FaceAge(50.0, 1))), "young"),
}


def expected(category: Category | None, age: int | None, assurance: Assurance, youngest: str, mode: Mode, no_signal: NoSignal) -> bool:
    """The issue's rules, written as plain conditions (not the table)."""
    altering = category != Category.PLAYFUL  # unmeasured fails closed
    if not altering:
        return True
    if age is None or age < 18:
        return False
    if assurance == Assurance.CHALLENGED:
        return False
    if assurance == Assurance.VERIFIED_ADULT:
        return True
    if mode == Mode.DECLARED:
        return True
    if youngest == "young":
        return False
    if youngest == "unknown":
        return no_signal == NoSignal.ALLOW
    return True


COMBOS = list(itertools.product(CATEGORIES, DECLARED_AGES, ASSURANCES, SIGNALS, MODES, NO_SIGNAL))


def test_every_combination_is_covered() -> None:
    # 3 categories x 10 declared ages (one of them unknown) x 3 assurance states x 12 signals x 2 modes x 2 settings
    assert len(COMBOS) == 3 * 10 * 3 * 12 * 2 * 2


def test_policy_table() -> None:
    wrong: list[str] = []
    for category, age, assurance, signal_name, mode, no_signal in COMBOS:
        signal, youngest = SIGNALS[signal_name]
        options = PolicyOptions(mode=mode, challenge_age_years=CHALLENGE, min_samples=MIN_SAMPLES, no_signal=no_signal)
        decision = decide(category, PolicySubject(age, assurance), signal, options)
        case = f"{category} age={age} {assurance} {signal_name} {mode} no_signal={no_signal}: {decision}"
        if decision.allowed != expected(category, age, assurance, youngest, mode, no_signal):
            wrong.append(case)
        assert decision.reason and decision.reason[-1] == ".", case
        assert decision.measured == (category is not None), case
        assert decision.treated_as == (category or Category.APPEARANCE_ALTERING), case
        if category is None:
            assert decision.reason.startswith(
                "This effect hasn't been measured yet, so it counts as appearance-altering."
            ), case
    assert not wrong, f"{len(wrong)} of {len(COMBOS)} combinations disagree, e.g.\n" + "\n".join(wrong[:10])


def test_every_rule_is_reached() -> None:
    seen: set[ReasonCode] = set()
    for category, age, assurance, signal_name, mode, no_signal in COMBOS:
        options = PolicyOptions(mode=mode, no_signal=no_signal)
        seen.add(decide(category, PolicySubject(age, assurance), SIGNALS[signal_name][0], options).code)
    assert seen == {rule.code for rule in RULES} == set(ReasonCode)


def test_reason_codes_and_texts_for_the_main_cases() -> None:
    teen = PolicySubject(15, Assurance.DECLARED)
    adult = PolicySubject(30, Assurance.DECLARED)
    child_in_view = FacesInView((FaceAge(10.0, 5),))
    d: Decision = decide(Category.APPEARANCE_ALTERING, teen, None)
    assert (d.allowed, d.code) == (False, ReasonCode.DECLARED_UNDER_18)
    assert d.reason == "Effects that change how a face looks aren't available on profiles under 18."
    d = decide(Category.PLAYFUL, teen, None)
    assert (d.allowed, d.code) == (True, ReasonCode.PLAYFUL_OPEN)
    d = decide(Category.APPEARANCE_ALTERING, adult, child_in_view)
    assert (d.allowed, d.code) == (False, ReasonCode.ESTIMATE_BELOW_CHALLENGE)
    assert "an estimate is under 25" in d.reason
    d = decide(Category.APPEARANCE_ALTERING, adult, child_in_view, PolicyOptions(challenge_age_years=21))
    assert "an estimate is under 21" in d.reason
    d = decide(Category.APPEARANCE_ALTERING, adult, None)
    assert (d.allowed, d.code) == (False, ReasonCode.NO_FACE_BLOCKED)  # default fails closed


def test_challenge_age_is_configurable() -> None:
    adult = PolicySubject(30, Assurance.DECLARED)
    face22 = FacesInView((FaceAge(22.0, 5),))
    assert not decide(Category.APPEARANCE_ALTERING, adult, face22).allowed
    assert decide(Category.APPEARANCE_ALTERING, adult, face22, PolicyOptions(challenge_age_years=21.0)).allowed


def test_min_samples_is_configurable() -> None:
    adult = PolicySubject(30, Assurance.DECLARED)
    face = FacesInView((FaceAge(40.0, 2),))
    assert decide(Category.APPEARANCE_ALTERING, adult, face).code == ReasonCode.TOO_FEW_SAMPLES_BLOCKED
    assert decide(Category.APPEARANCE_ALTERING, adult, face, PolicyOptions(min_samples=2)).allowed


def test_default_options() -> None:
    options = PolicyOptions()
    assert (options.mode, options.challenge_age_years, options.no_signal) == (Mode.ASSURED, 25.0, NoSignal.BLOCK)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"challenge_age_years": 17}, "PolicyOptions.challenge_age_years: expected a number in [18, 40], found 17"),
        ({"challenge_age_years": True}, "PolicyOptions.challenge_age_years: expected a number in [18, 40], found True"),
        ({"min_samples": 0}, "PolicyOptions.min_samples: expected an int >= 1, found 0"),
        ({"mode": "strict"}, "PolicyOptions: 'strict' is not a valid Mode"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError) as info:
        PolicyOptions(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_bad_inputs() -> None:
    with pytest.raises(PolicyError, match="category: expected a Category or None, found 'glam'"):
        decide("glam", PolicySubject(30, Assurance.DECLARED), None)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="FaceAge.estimate_years: expected a finite number, found nan"):
        FaceAge(float("nan"), 3)
    with pytest.raises(PolicyError, match="FaceAge.samples: expected an int >= 0, found -1"):
        FaceAge(30.0, -1)


def test_options_accept_plain_strings() -> None:
    options = PolicyOptions(mode="declared", no_signal="allow")  # type: ignore[arg-type]
    assert options.mode is Mode.DECLARED and options.no_signal is NoSignal.ALLOW
