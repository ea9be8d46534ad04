"""Held-out estimates for a calibration map: k-fold cross-validation over the labelled faces.

A map fitted on a set and scored on the same set looks better than it is (an isotonic
fit bends towards every label it has seen). Here every face's calibrated estimate comes
from a map fitted on the other folds only, so the figures computed from them are
out-of-sample. Folds are drawn at random with a fixed seed, within each source when the
labels have one (each source is spread over all folds).
"""

from __future__ import annotations

import numpy as np

from age_estimation.calibration import CalibrationError, fit_calibration

DEFAULT_FOLDS = 5


def fold_ids(n: int, strata: np.ndarray | None, folds: int, seed: int) -> np.ndarray:
    """(n,) fold number of each item, 0..folds-1: a shuffled round robin within each stratum."""
    if folds < 2:
        raise CalibrationError(f"folds: expected at least 2, found {folds}")
    rng = np.random.default_rng(seed)
    stratum = np.zeros(n, dtype=np.int64) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1]
    ids = np.empty(n, dtype=np.int64)
    start = 0
    for s in np.unique(stratum):
        members = rng.permutation(np.flatnonzero(stratum == s))
        ids[members] = (start + np.arange(members.size)) % folds
        start += members.size
    return ids


def held_out_estimates(
    raw_years: np.ndarray,
    true_years: np.ndarray,
    strata: np.ndarray | None = None,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
) -> np.ndarray:
    """Each finite raw estimate mapped by a calibration fitted without its fold (NaN stays NaN)."""
    raw = np.asarray(raw_years, dtype=np.float64)
    true = np.asarray(true_years, dtype=np.float64)
    if raw.shape != true.shape or raw.ndim != 1:
        raise CalibrationError(f"held_out_estimates: expected two 1-D arrays of one length, found {raw.shape} and {true.shape}")
    found = np.flatnonzero(np.isfinite(raw))
    if found.size < 2 * folds:
        raise CalibrationError(
            f"cross-validation: expected at least {2 * folds} faces with an estimate for {folds} folds, found {found.size}"
        )
    ids = fold_ids(found.size, None if strata is None else np.asarray(strata)[found], folds, seed)
    out = np.full(raw.shape, np.nan)
    for fold in range(folds):
        train, test = found[ids != fold], found[ids == fold]
        calibration = fit_calibration(raw[train], true[train])
        out[test] = np.interp(raw[test], calibration.raw_years, calibration.calibrated_years)
    return out
