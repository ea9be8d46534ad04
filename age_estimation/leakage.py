"""Does an evaluation set look like the model's training data? Too many near-exact estimates.

A model that has seen an image in training tends to return that image's label almost
exactly; on unseen faces its error is spread over years. So the share of estimates
within ``NEAR_YEARS`` (0.1 years) of their label is compared with what the group's own
error distribution gives by chance: among the estimates within ``WINDOW_YEARS`` (1.1
years) of their label, with an error density that is locally flat, each lands within
0.1 years with probability 0.2 / 2.2 = 1/11. The check warns when the near-exact count
is far above that expectation (at least 3 times, and a binomial tail below 1e-4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NEAR_YEARS = 0.1
WINDOW_YEARS = 1.1
CHANCE_IN_WINDOW = NEAR_YEARS / WINDOW_YEARS
MIN_NEAR = 5
MIN_RATIO = 3.0
MAX_P_VALUE = 1e-4


@dataclass(frozen=True, slots=True)
class LeakageCheck:
    """Near-exact estimates in one group of faces, against chance."""

    faces: int
    near: int  # estimates within NEAR_YEARS of the label
    in_window: int  # estimates within WINDOW_YEARS of the label (the near ones included)
    p_value: float  # P(near or more | in_window faces, each near with probability CHANCE_IN_WINDOW)

    @property
    def expected_near(self) -> float:
        return self.in_window * CHANCE_IN_WINDOW

    @property
    def near_share(self) -> float | None:
        return self.near / self.faces if self.faces else None

    @property
    def expected_share(self) -> float | None:
        return self.expected_near / self.faces if self.faces else None

    @property
    def suspicious(self) -> bool:
        return self.near >= MIN_NEAR and self.near >= MIN_RATIO * self.expected_near and self.p_value < MAX_P_VALUE

    def to_dict(self) -> dict[str, object]:
        return {
            "faces": self.faces,
            "near_label": self.near,
            "near_label_share": self.near_share,
            "expected_near_label": self.expected_near,
            "expected_share": self.expected_share,
            "p_value": self.p_value,
            "suspicious": self.suspicious,
        }


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def leakage_check(true_years: np.ndarray, estimate_years: np.ndarray) -> LeakageCheck:
    """The check over faces with an estimate (NaN estimates are left out)."""
    errors = np.abs(np.asarray(estimate_years, dtype=np.float64) - np.asarray(true_years, dtype=np.float64))
    errors = errors[np.isfinite(errors)]
    near = int((errors < NEAR_YEARS).sum())
    in_window = int((errors < WINDOW_YEARS).sum())
    return LeakageCheck(int(errors.size), near, in_window, binomial_upper_tail(near, in_window, CHANCE_IN_WINDOW))
