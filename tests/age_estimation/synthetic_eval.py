"""Synthetic evaluation sets with known properties, for the scoring tests (no model runs).

A source draws integer ages (a third of them 10-17, the rest 3-75), misses a face with a
given probability, and estimates age + bias + a normal error (teenagers over-estimated by
``teen_bias_years`` more). A leaked share of faces gets its label back within 0.04 years,
as a model does on images it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from age_estimation.evaluate import EvaluationRun, ImageResult
from age_estimation.labels import LabelledImage, LabelSet
from age_estimation.scores import EvalArrays


@dataclass(frozen=True)
class Source:
    name: str
    faces: int
    error_sd_years: float
    bias_years: float = 0.0
    teen_bias_years: float = 4.0
    miss: float = 0.03
    leaked: float = 0.0


SOURCES = (Source("alpha", 120, 5.0, 0.5), Source("beta", 100, 9.0, 1.5), Source("gamma", 80, 7.0, -1.0, miss=0.08))


def draw(rng: np.random.Generator, source: Source, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(true ages, estimates with NaN where no face was found) for ``n`` images of the source."""
    n = source.faces if n is None else n
    teen = rng.random(n) < 1 / 3
    true = np.where(teen, rng.integers(10, 18, n), rng.integers(3, 76, n)).astype(np.float64)
    est = true + source.bias_years + rng.normal(0.0, source.error_sd_years, n)
    est += np.where((true >= 13) & (true < 18), source.teen_bias_years, 0.0)
    leaked = rng.random(n) < source.leaked
    est[leaked] = true[leaked] + rng.uniform(-0.04, 0.04, int(leaked.sum()))
    est = np.maximum(est, 0.25)
    est[rng.random(n) < source.miss] = np.nan
    return true, est


def dataset(rng: np.random.Generator, sources: tuple[Source, ...] = SOURCES, gender: bool = True) -> EvalArrays:
    """One evaluation set: every source with its own size; a 'source' column, and a random 'gender'."""
    parts = [draw(rng, s) for s in sources]
    names = np.concatenate([np.full(s.faces, s.name) for s in sources])
    groups = {"source": names}
    if gender:
        groups["gender"] = rng.choice(np.array(["female", "male"]), names.size)
    return EvalArrays(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), groups, "source")


def as_run(arrays: EvalArrays, calibrated: bool = False) -> EvaluationRun:
    """The arrays as the model-running step would have left them (for report tests)."""
    columns = tuple(arrays.groups)
    images, results = [], []
    for i, (age, est) in enumerate(zip(arrays.true_years, arrays.estimate_years)):
        name = f"img{i:04d}.jpg"
        extra = tuple((c, str(arrays.groups[c][i])) for c in columns)
        images.append(LabelledImage(Path(name), name, float(age), i + 2, extra))
        if np.isnan(est):
            results.append(ImageResult(name, float(age), "no_face", f"{name}: no face found", 0))
        else:
            results.append(ImageResult(name, float(age), "ok", "", 1, estimate_years=float(est)))
    return EvaluationRun(LabelSet(tuple(images), columns), tuple(results), 10.0, 20.0, calibrated)
