"""95 % intervals for evaluation figures: a stratified bootstrap, and Wilson's for shares.

Every figure of an evaluation is a ratio over the evaluated images: a sum of a value
over the images a figure counts, divided by how many it counts (MAE in a band: absolute
errors over the faces of the band; minors passed: 1 or 0 over the minors; detection
rate: found or not over the readable images). A bootstrap resample draws the images
again with replacement, within each stratum (source) as many as it has, so the mix of
sources stays as evaluated; its effect on every figure is then one matrix product of
the resample counts (resamples x images) with the figures' values (images x figures).
The interval is the 2.5th to 97.5th percentile of a figure over the resamples.

Wilson's score interval treats the images as independent draws (no strata) and, unlike
the bootstrap, stays honest for a share with few events (a bootstrap of "0 of 60
passed" is always 0). A share reports both; the interval it is judged by is the
bootstrap's, widened to the union with Wilson's when fewer than ``FEW_EVENTS`` of its
faces are on one side (passed or not): there the bootstrap is too narrow.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

Interval = tuple[float, float]
LEVEL = 0.95
_Z = 1.959963984540054  # the standard normal quantile for a two-sided 95 % interval
FEW_EVENTS = 10


@dataclass(frozen=True, slots=True)
class Figure:
    """One evaluation figure: its value on the set, the images/faces behind it, its 95 % intervals.

    ``count`` (how many of ``n``) and ``wilson_ci95`` exist for shares only. ``ci95`` is the
    interval to read: the bootstrap interval, or for a share with few events (``few_events``)
    its union with Wilson's (``widened`` says when that changed it). Everything is None when
    ``n`` is 0.
    """

    value: float | None
    n: int
    count: int | None
    bootstrap_ci95: Interval | None
    wilson_ci95: Interval | None = None

    @property
    def few_events(self) -> bool:
        return self.count is not None and min(self.count, self.n - self.count) < FEW_EVENTS

    @property
    def ci95(self) -> Interval | None:
        if self.bootstrap_ci95 is None or self.wilson_ci95 is None:
            return self.bootstrap_ci95 or self.wilson_ci95
        if not self.few_events:
            return self.bootstrap_ci95
        return (min(self.bootstrap_ci95[0], self.wilson_ci95[0]), max(self.bootstrap_ci95[1], self.wilson_ci95[1]))

    @property
    def widened(self) -> bool:
        return self.wilson_ci95 is not None and self.ci95 != self.bootstrap_ci95

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"value": self.value, "n": self.n}
        if self.count is not None:
            out["count"] = self.count
        out["ci95"] = self.ci95
        out["ci95_bootstrap"] = self.bootstrap_ci95
        if self.count is not None:
            out["ci95_wilson"] = self.wilson_ci95
        return out


def wilson_interval(k: int, n: int, z: float = _Z) -> Interval | None:
    """The Wilson score interval for k successes out of n (95 % by default); None when n is 0."""
    if n == 0:
        return None
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def resample_counts(n: int, strata: np.ndarray | None, resamples: int, seed: int) -> np.ndarray:
    """(resamples, n) float64: how often each of n items is drawn in each bootstrap resample.

    Within each stratum (equal values of ``strata``; one stratum when None) each resample
    draws as many items as the stratum holds, uniformly with replacement. Deterministic
    for a given seed.
    """
    if resamples < 1:
        raise ValueError(f"resamples: expected at least 1, found {resamples}")
    rng = np.random.default_rng(seed)
    stratum = np.zeros(n, dtype=np.int64) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1]
    if stratum.shape != (n,):
        raise ValueError(f"strata: expected shape ({n},), found {stratum.shape}")
    offsets = (np.arange(resamples, dtype=np.int64) * n)[:, None]
    counts = np.zeros(resamples * n, dtype=np.float64)
    for s in np.unique(stratum):
        members = np.flatnonzero(stratum == s)
        drawn = members[rng.integers(0, members.size, size=(resamples, members.size))]
        counts += np.bincount((offsets + drawn).ravel(), minlength=resamples * n)
    return counts.reshape(resamples, n)


def ratio_figures(
    counts: np.ndarray, values: np.ndarray, members: np.ndarray, shares: np.ndarray
) -> list[Figure]:
    """Figures k = sum over members[:, k] of values[:, k] / number of members, with intervals.

    ``counts`` (resamples, n) from ``resample_counts``; ``values`` (n, K) floats (ignored
    outside the members); ``members`` (n, K) bool; ``shares`` (K,) bool: figure k is a
    share of 0/1 values (so it also gets Wilson's interval). A figure over fewer than 2
    items has no bootstrap interval; resamples that draw none of a figure's members are
    left out of its percentiles.
    """
    members = np.asarray(members, dtype=bool)
    weights = members.astype(np.float64)
    weighted = np.where(members, np.asarray(values, dtype=np.float64), 0.0)
    n_k = weights.sum(axis=0)
    totals = weighted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled = (counts @ weighted) / (counts @ weights)
    tail = (1.0 - LEVEL) / 2.0
    usable = n_k >= 2
    bounds = np.full((2, n_k.size), np.nan)
    if usable.any():
        with warnings.catch_warnings(action="ignore", category=RuntimeWarning):  # a column of NaN only
            bounds[:, usable] = np.nanquantile(resampled[:, usable], [tail, 1.0 - tail], axis=0)
    figures = []
    for k in range(n_k.size):
        n = int(n_k[k])
        if n == 0:
            figures.append(Figure(None, 0, 0 if shares[k] else None, None, None))
            continue
        boot = (float(bounds[0, k]), float(bounds[1, k])) if np.isfinite(bounds[:, k]).all() else None
        if shares[k]:
            count = int(round(totals[k]))
            figures.append(Figure(count / n, n, count, boot, wilson_interval(count, n)))
        else:
            figures.append(Figure(float(totals[k] / n), n, None, boot))
    return figures
