"""Scoring an age evaluation from plain arrays: labels, estimates and group values per image.

Nothing here runs a model: ``EvalArrays`` holds, for every readable image, its labelled
age, the estimate of its largest face (NaN when no face was found) and its value in each
group column; the source column, when there is one, is the bootstrap's strata.
``score`` returns every figure with the number of images or faces behind it and its 95 %
intervals (``intervals``): detection rate; MAE and bias per age band; at each challenge
age on a grid (the operating curve), the share of minors passed as adults (all minors,
13-15, 16-17) and of adults challenged; the same per group at the current challenge age;
and the near-exact-estimate check for training data (``leakage``).

A face is "possibly under 18" when its estimate is below the challenge age: a minor is
passed as an adult when the estimate is at or above it, an adult is challenged when it
is below. The unrounded estimate is compared, as the policy does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from age_estimation.intervals import Figure, ratio_figures, resample_counts
from age_estimation.leakage import LeakageCheck, leakage_check

# Age bands of the accuracy table (lower bound inclusive, upper exclusive), by whole years.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-12", 0.0, 13.0),
    ("13-15", 13.0, 16.0),
    ("16-17", 16.0, 18.0),
    ("18-24", 18.0, 25.0),
    ("25-39", 25.0, 40.0),
    ("40+", 40.0, math.inf),
)
ALL = "all"
ALL_MINORS = "all minors"
MINOR_GROUPS: tuple[tuple[str, float, float], ...] = ((ALL_MINORS, 0.0, 18.0), ("13-15", 13.0, 16.0), ("16-17", 16.0, 18.0))
ADULT_AGE_YEARS = 18.0
# The operating curve: every challenge age the policy accepts, in half years.
CURVE_AGES_YEARS: tuple[float, ...] = tuple(float(a) for a in np.arange(18.0, 40.0 + 1e-9, 0.5))
MAX_GROUP_VALUES = 20
DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 0


class ScoringError(ValueError):
    """Arrays or options that cannot be scored (the message names the field)."""


@dataclass(frozen=True)
class EvalArrays:
    """One entry per readable image. ``groups`` maps a column name to its (n,) values as text."""

    true_years: np.ndarray
    estimate_years: np.ndarray
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)
    strata_column: str | None = None

    def __post_init__(self) -> None:
        n = np.shape(self.true_years)
        if len(n) != 1 or np.shape(self.estimate_years) != n:
            raise ScoringError(f"EvalArrays: expected 1-D true_years and estimate_years of one length, found {n} and {np.shape(self.estimate_years)}")
        if not np.all(np.isfinite(self.true_years)):
            raise ScoringError("EvalArrays.true_years: expected finite ages")
        for name, values in self.groups.items():
            if np.shape(values) != n:
                raise ScoringError(f"EvalArrays.groups[{name!r}]: expected shape {n}, found {np.shape(values)}")
        if self.strata_column is not None and self.strata_column not in self.groups:
            raise ScoringError(f"EvalArrays.strata_column: {self.strata_column!r} is not one of the group columns")

    @property
    def found(self) -> np.ndarray:
        return np.isfinite(np.asarray(self.estimate_years, dtype=np.float64))

    def with_estimates(self, estimate_years: np.ndarray) -> EvalArrays:
        return EvalArrays(self.true_years, estimate_years, self.groups, self.strata_column)


@dataclass(frozen=True, slots=True)
class ScoringOptions:
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    challenge_age_years: float = 25.0

    def __post_init__(self) -> None:
        if self.resamples < 100:
            raise ScoringError(f"resamples: expected at least 100 for a 95% percentile interval, found {self.resamples}")
        if not 18.0 <= self.challenge_age_years <= 40.0:
            raise ScoringError(f"challenge_age_years: expected 18 to 40, found {self.challenge_age_years}")


@dataclass(frozen=True, slots=True)
class DecisionPoint:
    """At one challenge age: minors passed as adults per minor group, adults challenged."""

    challenge_age_years: float
    minors_passed: Mapping[str, Figure]
    adults_challenged: Figure

    def to_dict(self) -> dict[str, object]:
        return {
            "challenge_age_years": self.challenge_age_years,
            "minors_passed": {name: f.to_dict() for name, f in self.minors_passed.items()},
            "adults_challenged": self.adults_challenged.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class GroupScores:
    """One value of one group column, at the current challenge age."""

    column: str
    value: str
    detection: Figure
    mae: Figure
    bias: Figure
    minors_passed: Figure
    adults_challenged: Figure
    leakage: LeakageCheck
    mae_without_years: float | None  # MAE over every other face, to see the group's weight
    flagged: bool  # near-exact estimates not explained by a group flagged before (see score)

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "value": self.value,
            "detection_rate": self.detection.to_dict(),
            "mae_years": self.mae.to_dict(),
            "bias_years": self.bias.to_dict(),
            "minors_passed": self.minors_passed.to_dict(),
            "adults_challenged": self.adults_challenged.to_dict(),
            "leakage": {**self.leakage.to_dict(), "flagged": self.flagged},
            "mae_without_years": self.mae_without_years,
        }


@dataclass(frozen=True, slots=True)
class Scores:
    options: ScoringOptions
    strata_column: str | None
    images: int  # readable images
    detection: Figure
    mae: Mapping[str, Figure]  # per band name, and ALL
    bias: Mapping[str, Figure]
    curve: tuple[DecisionPoint, ...]  # CURVE_AGES_YEARS and the current challenge age, ascending
    groups: tuple[GroupScores, ...]
    leakage: LeakageCheck
    skipped_columns: tuple[tuple[str, int], ...]  # group columns with too many values: (name, values)

    @property
    def faces(self) -> int:
        return self.detection.count or 0

    def at(self, challenge_age_years: float) -> DecisionPoint:
        for point in self.curve:
            if point.challenge_age_years == challenge_age_years:
                return point
        raise KeyError(f"challenge age {challenge_age_years:g} is not on the scored curve")

    @property
    def current(self) -> DecisionPoint:
        return self.at(self.options.challenge_age_years)

    def to_dict(self) -> dict[str, object]:
        return {
            "resamples": self.options.resamples,
            "seed": self.options.seed,
            "bootstrap_strata": self.strata_column,
            "challenge_age_years": self.options.challenge_age_years,
            "images": self.images,
            "faces": self.faces,
            "detection_rate": self.detection.to_dict(),
            "mae_years": {name: f.to_dict() for name, f in self.mae.items()},
            "bias_years": {name: f.to_dict() for name, f in self.bias.items()},
            "curve": [p.to_dict() for p in self.curve],
            "groups": [g.to_dict() for g in self.groups],
            "leakage": self.leakage.to_dict(),
            "skipped_group_columns": [{"column": c, "values": v} for c, v in self.skipped_columns],
        }


class _Columns:
    """Figures to compute in one bootstrap pass: values and member masks, one column per figure."""

    def __init__(self) -> None:
        self.values: list[np.ndarray] = []
        self.members: list[np.ndarray] = []
        self.shares: list[bool] = []

    def add(self, values: np.ndarray, members: np.ndarray, share: bool) -> int:
        self.values.append(values)
        self.members.append(members)
        self.shares.append(share)
        return len(self.values) - 1

    def compute(self, counts: np.ndarray) -> list[Figure]:
        return ratio_figures(counts, np.stack(self.values, axis=1), np.stack(self.members, axis=1), np.array(self.shares))


def score(arrays: EvalArrays, options: ScoringOptions | None = None) -> Scores:
    """Every figure of the evaluation with its 95 % intervals (see the module docstring)."""
    options = options or ScoringOptions()
    true = np.asarray(arrays.true_years, dtype=np.float64)
    est = np.asarray(arrays.estimate_years, dtype=np.float64)
    found = np.isfinite(est)
    err = np.where(found, est - true, 0.0)
    minor, adult = true < ADULT_AGE_YEARS, true >= ADULT_AGE_YEARS
    everyone = np.ones(true.size, dtype=bool)
    cols = _Columns()

    detection = cols.add(found.astype(np.float64), everyone, share=True)
    accuracy: dict[str, tuple[int, int]] = {}
    for name, lo, hi in BANDS + ((ALL, 0.0, math.inf),):
        in_band = found & (true >= lo) & (true < hi)
        accuracy[name] = (cols.add(np.abs(err), in_band, share=False), cols.add(err, in_band, share=False))

    current = options.challenge_age_years
    ages = sorted(set(CURVE_AGES_YEARS) | {current})
    decision: list[tuple[float, dict[str, int], int]] = []
    for age in ages:
        passed = (found & (est >= age)).astype(np.float64)
        challenged = (found & (est < age)).astype(np.float64)
        by_group = {name: cols.add(passed, found & minor & (true >= lo) & (true < hi), share=True) for name, lo, hi in MINOR_GROUPS}
        decision.append((age, by_group, cols.add(challenged, found & adult, share=True)))

    group_columns: list[tuple[str, str, np.ndarray, tuple[int, ...]]] = []
    skipped: list[tuple[str, int]] = []
    passed_now = (found & (est >= current)).astype(np.float64)
    challenged_now = (found & (est < current)).astype(np.float64)
    for column, values in arrays.groups.items():
        values = np.asarray(values).astype(str)
        distinct = np.unique(values)
        if distinct.size > MAX_GROUP_VALUES:
            skipped.append((column, int(distinct.size)))
            continue
        for value in distinct:
            member = values == value
            ids = (
                cols.add(found.astype(np.float64), member, share=True),
                cols.add(np.abs(err), member & found, share=False),
                cols.add(err, member & found, share=False),
                cols.add(passed_now, member & found & minor, share=True),
                cols.add(challenged_now, member & found & adult, share=True),
            )
            group_columns.append((column, str(value), member, ids))

    strata = np.asarray(arrays.groups[arrays.strata_column]).astype(str) if arrays.strata_column else None
    figures = cols.compute(resample_counts(true.size, strata, options.resamples, options.seed))

    # Flag groups for near-exact estimates, the strata column first; a later group is flagged
    # only if it stays suspicious without the faces of the groups flagged before it (so that
    # one leaked source does not also flag every gender it contains).
    explained = np.zeros(true.size, dtype=bool)
    flagged: set[tuple[str, str]] = set()
    for column, value, member, _ in sorted(group_columns, key=lambda g: g[0] != arrays.strata_column):
        rest = member & ~explained
        if leakage_check(true[rest], est[rest]).suspicious:
            flagged.add((column, value))
            explained |= member
    groups = []
    for column, value, member, (det, mae, bias, passed_id, challenged_id) in group_columns:
        others = found & ~member
        groups.append(GroupScores(
            column, value, figures[det], figures[mae], figures[bias], figures[passed_id], figures[challenged_id],
            leakage_check(true[member], est[member]),
            float(np.abs(err[others]).mean()) if others.any() else None,
            (column, value) in flagged,
        ))
    return Scores(
        options=options,
        strata_column=arrays.strata_column,
        images=int(true.size),
        detection=figures[detection],
        mae={name: figures[ids[0]] for name, ids in accuracy.items()},
        bias={name: figures[ids[1]] for name, ids in accuracy.items()},
        curve=tuple(
            DecisionPoint(age, {name: figures[i] for name, i in by_group.items()}, figures[challenged])
            for age, by_group, challenged in decision
        ),
        groups=tuple(groups),
        leakage=leakage_check(true, est),
        skipped_columns=tuple(skipped),
    )
