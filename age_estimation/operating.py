"""Choosing a challenge age from the operating curve: the lowest one that meets a target.

The target bounds the share of minors passed as adults, and it is met only when the
*upper* end of that share's 95 % interval is at or below it: a set on which no minor
passed does not meet a 5 % target unless it holds enough minors to say so. The price is
the share of adults challenged at that age, reported with its interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from age_estimation.scores import ALL_MINORS, DecisionPoint, Scores


@dataclass(frozen=True, slots=True)
class Recommendation:
    """``point`` is the lowest challenge age meeting the target, or None when none on the curve does."""

    target_minors_passed: float
    point: DecisionPoint | None
    reason: str  # why there is no point, else ""

    def to_dict(self) -> dict[str, object]:
        return {
            "target_minors_passed": self.target_minors_passed,
            "challenge_age_years": None if self.point is None else self.point.challenge_age_years,
            "at_that_age": None if self.point is None else self.point.to_dict(),
            "reason": self.reason,
        }


def minors_passed_upper(point: DecisionPoint) -> float | None:
    """The upper end of the 95 % interval of the share of all minors passed, or None without minors."""
    interval = point.minors_passed[ALL_MINORS].ci95
    return None if interval is None else interval[1]


def recommend(scores: Scores, target_minors_passed: float) -> Recommendation:
    """The lowest challenge age on the scored curve whose upper bound of minors passed is <= the target."""
    if not 0.0 < target_minors_passed < 1.0:
        raise ValueError(f"target_minors_passed: expected a share between 0 and 1, found {target_minors_passed}")
    if not scores.curve or minors_passed_upper(scores.curve[0]) is None:
        return Recommendation(target_minors_passed, None, "the set has no minor with an estimate")
    for point in scores.curve:
        upper = minors_passed_upper(point)
        if upper is not None and upper <= target_minors_passed:
            return Recommendation(target_minors_passed, point, "")
    last = scores.curve[-1]
    upper = minors_passed_upper(last)
    return Recommendation(
        target_minors_passed,
        None,
        f"even at challenge age {last.challenge_age_years:g} the upper bound of minors passed is "
        f"{100.0 * (upper or 0.0):.1f}% (n={last.minors_passed[ALL_MINORS].n} minors)",
    )
