"""Dose-response curves: how each appearance-altering op's strength reads on the reference faces.

For every op that can alter appearance (``SWEEPS``), one parameter is swept from "no
change" to a clearly visible change; at each value the op is run on every reference
face and the classifier's measure of that change (``Sweep.metric``) is taken. Adults
and children (the minors of the reference set) are summarised apart (median, 10th and
90th percentiles), and the rule (``effects.classify.rules.decide``) is applied to each
group's faces alone, so the data shows where the measure crosses its line and where
the verdict turns, for adults and for children. ``noise`` is the largest median each
measure reaches under the ops of the *other* kinds at settings those ops keep under
their own line: the floor a line must stay above.

``python -m camera_app.cli.dose_response`` regenerates ``assets/effects/dose_response.json``
and its chart; ``safelens effects ops`` reads the curves to say what a value does.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import effects.ops  # noqa: F401  (fills the op registry the sweeps name)
from camera_app.tracking.segmenter import image_segmenter
from effects.classification import Category
from effects.classify import LandmarkDetector, ReferenceFace, ReferenceSet
from effects.classify.adapters import SpecEffect
from effects.classify.measure import measure_face
from effects.classify.rules import decide, line_for, table
from effects.segmentation import check_person_mask
from effects.spec import load_effect

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class Sweep:
    """One op, one parameter swept over ``values``; ``toml`` has ``{v}`` where the value goes."""

    key: str
    op: str
    param: str
    values: tuple[float, ...]
    toml: str
    metric: str  # the measure this op moves (``local.*`` is read above the skin's own change)
    unit: str  # "%" (relative size, as a fraction), "dE" or "share"
    label: str  # what the measure is, for people

    def effect_toml(self, value: float) -> str:
        return self.toml.replace("{v}", f"{value:g}")


_EYES = 'op = "radial_scale"\nregions = ["left_eye", "right_eye"]\nscale = {v}\nradius_iod = 0.3\n'
# The built-in nose_slimming's pull on the nostril wings (radial_scale on the nose region barely
# moves the wings: scale 0.9 reads -0.6%).
_NOSE = ('op = "displace"\nstrength = {v}\npoints = [\n'
         '  { landmark = 64, dx_iod = 0.035, dy_iod = 0.0, radius_iod = 0.16 },\n'
         '  { landmark = 294, dx_iod = -0.035, dy_iod = 0.0, radius_iod = 0.16 },\n'
         '  { landmark = 48, dx_iod = 0.02, dy_iod = 0.0, radius_iod = 0.14 },\n'
         '  { landmark = 278, dx_iod = -0.02, dy_iod = 0.0, radius_iod = 0.14 },\n]\n')
_LIPS = 'op = "radial_scale"\nregions = ["lips"]\nscale = {v}\nradius_iod = 0.5\n'
_TINT = 'op = "region_tint"\nregions = ["{r}"]\ncolor = "{c}"\nmode = "{m}"\nopacity = {v}\nfeather_iod = {f}\n'


def _tint(region: str, colour: str, mode: str, feather: float) -> str:
    return _TINT.replace("{r}", region).replace("{c}", colour).replace("{m}", mode).replace("{f}", f"{feather:g}")


_OPACITY = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)

SWEEPS: tuple[Sweep, ...] = (
    Sweep("eyes_scale", "radial_scale", "scale", (1.0, 1.01, 1.02, 1.03, 1.04, 1.06, 1.1), _EYES,
          "geometry.eyes", "%", "eye size"),
    Sweep("nose_slim", "displace", "strength", (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5), _NOSE,
          "geometry.nose", "%", "nose width"),
    Sweep("lips_scale", "radial_scale", "scale", (1.0, 1.02, 1.04, 1.08, 1.12), _LIPS, "geometry.lips", "%",
          "lip fullness"),
    Sweep("jaw_push", "contour_push", "amount", (0.0, 0.01, 0.02, 0.04, 0.08),
          'op = "contour_push"\ntarget = "jaw"\namount = {v}\n', "geometry.jaw", "%", "jaw width"),
    Sweep("face_push", "contour_push", "amount", (0.0, 0.01, 0.02, 0.04, 0.08),
          'op = "contour_push"\ntarget = "face"\namount = {v}\n', "geometry.face_width", "%", "face width"),
    Sweep("smooth", "smooth_skin", "strength", (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0),
          'op = "smooth_skin"\nstrength = {v}\n', "texture.skin", "%", "skin detail lost"),
    Sweep("skin_tan", "region_tint", "opacity", _OPACITY, _tint("skin", "#b07040", "multiply", 0.1),
          "tone.skin", "dE", "skin colour"),
    Sweep("skin_light", "region_tint", "opacity", _OPACITY, _tint("skin", "#ffffff", "screen", 0.1),
          "tone.skin", "dE", "skin colour"),
    Sweep("lip_tint", "region_tint", "opacity", _OPACITY, _tint("lips", "#c03050", "soft_light", 0.03),
          "tone.lips", "dE", "lip colour"),
    Sweep("teeth", "whiten", "amount", (0.0, 0.1, 0.2, 0.3, 0.5), 'op = "whiten"\nregions = ["teeth"]\namount = {v}\n',
          "tone.teeth", "dE", "teeth colour"),
    Sweep("irises", "region_tint", "opacity", (0.0, 0.1, 0.2, 0.3, 0.5), _tint("irises", "#3a7fd0", "color", 0.01),
          "tone.irises", "dE", "iris colour"),
    Sweep("blush", "region_tint", "opacity", _OPACITY, _tint("cheeks", "#e0606a", "soft_light", 0.3),
          "local.cheeks", "dE", "colour on the cheeks"),
    Sweep("eyeshadow", "region_tint", "opacity", _OPACITY, _tint("eyelids", "#7a4b3a", "multiply", 0.08),
          "local.eyelids", "dE", "colour on the eyelids"),
    Sweep("eyeliner", "eyeliner", "opacity", (0.0, 0.1, 0.2, 0.3, 0.4, 0.6),
          'op = "eyeliner"\nwidth_iod = 0.015\nwing_iod = 0.03\nopacity = {v}\n', "local.lash_line", "dE",
          "colour along the lash line"),
    Sweep("brows", "region_tint", "opacity", _OPACITY, _tint("brows", "#2a1a14", "multiply", 0.03),
          "local.brows", "dE", "colour on the brows"),
    Sweep("hair_colour", "hair_colour", "opacity", (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7),
          'op = "hair_colour"\ncolor = "#8a4a2a"\nopacity = {v}\n', "hair.de", "dE", "hair colour"),
)

_HEADER = ('id = "{id}"\nversion = "1.0.0"\nauthor = "SafeLens dose-response"\n'
           '[name]\nen = "{id}"\nfr = "{id}"\n[description]\nen = "sweep"\nfr = "sweep"\n[[ops]]\n')

Progress = Callable[[str, int, int], None]


def effect_for(sweep: Sweep, value: float, workdir: Path) -> SpecEffect:
    """The one-op effect of ``sweep`` at ``value`` (written to ``workdir`` and loaded like any effect)."""
    eid = f"{sweep.key}_{abs(value):g}".replace(".", "_")
    folder = workdir / eid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "effect.toml").write_text(_HEADER.replace("{id}", eid) + sweep.effect_toml(value), encoding="utf-8")
    return SpecEffect(load_effect(folder), segmenter=image_segmenter())


def metric_value(row: dict[str, float], metric: str) -> float:
    """The swept measure on one face; a ``local.*`` measure counts above the skin's own per-pixel change."""
    v = row.get(metric, math.nan)
    if metric.startswith("local."):
        skin = row.get("tone.skin_pixel", math.nan)
        return v - (0.0 if math.isnan(skin) else skin)
    return v


def _median_of(rows: Sequence[dict[str, float]], metric: str) -> float | None:
    vals = np.array([metric_value(r, metric) for r in rows], dtype=np.float64)
    ok = vals[~np.isnan(vals)]
    return round(float(np.median(ok)), 4) if ok.size else None


def _group(rows: Sequence[dict[str, float]], metric: str) -> dict[str, Any]:
    """One group's summary at one point: the swept measure's median and range, the verdict of
    the rule on the group alone, and the median of every swept measure (for the noise floor)."""
    vals = np.array([metric_value(r, metric) for r in rows], dtype=np.float64)
    ok = vals[~np.isnan(vals)]
    if not ok.size:
        return {"median": None, "p10": None, "p90": None, "n": 0, "category": None, "measures": {}}
    p10, p50, p90 = (float(x) for x in np.percentile(ok, (10, 50, 90)))
    category = decide(table(rows)).category
    measures = {m: _median_of(rows, m) for m in sorted({s.metric for s in SWEEPS})}
    return {"median": round(p50, 4), "p10": round(p10, 4), "p90": round(p90, 4), "n": int(ok.size),
            "category": category.value, "measures": measures}


def run_sweep(sweep: Sweep, reference: ReferenceSet, detector: LandmarkDetector, workdir: Path,
              progress: Progress | None = None) -> list[dict[str, Any]]:
    """One sweep's points, per group (adults, children)."""
    points: list[dict[str, Any]] = []
    adults = [f for f in reference.faces if not f.minor]
    children = [f for f in reference.faces if f.minor]
    for i, value in enumerate(sweep.values):
        effect = effect_for(sweep, value, workdir)
        rows_a = [_measure(effect, f, detector) for f in adults]
        rows_c = [_measure(effect, f, detector) for f in children]
        points.append({"value": value, "adults": _group(rows_a, sweep.metric), "children": _group(rows_c, sweep.metric)})
        if progress is not None:
            progress(sweep.key, i + 1, len(sweep.values))
    return points


def _measure(effect: SpecEffect, face: ReferenceFace, detector: LandmarkDetector) -> dict[str, float]:
    """The classifier's measures; with the person mask of the effect's own segmenter (as ``assess``)."""
    segmenter = effect.segmenter
    person = check_person_mask(segmenter.person_mask(face.rgb), face.rgb.shape) if segmenter is not None else None
    return measure_face(face, effect.apply(face.rgb, (face.track,)), detector, person)


def first_altering(points: Sequence[dict[str, Any]], group: str) -> float | None:
    """The first swept value from which the group's verdict is altering (None: never within the sweep)."""
    for p in points:
        if p[group]["category"] == Category.APPEARANCE_ALTERING.value:
            return float(p["value"])
    return None


def build(reference: ReferenceSet, detector: LandmarkDetector, fingerprint: str,
          sweeps: Sequence[Sweep] = SWEEPS, progress: Progress | None = None) -> dict[str, Any]:
    """Every sweep, the noise floor of each measure, and where each verdict turns."""
    out_sweeps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="safelens-dose-") as tmp:
        for sweep in sweeps:
            points = run_sweep(sweep, reference, detector, Path(tmp), progress)
            out_sweeps.append({
                "key": sweep.key, "op": sweep.op, "param": sweep.param, "metric": sweep.metric, "unit": sweep.unit,
                "label": sweep.label, "toml": sweep.toml, "points": points,
                "altering_from": {g: first_altering(points, g) for g in ("adults", "children")},
            })
    minors = sum(1 for f in reference.faces if f.minor)
    return {"schema": SCHEMA, "classifier_fingerprint": fingerprint,
            "faces": {"adults": len(reference.faces) - minors, "children": minors},
            "sweeps": out_sweeps, "noise": noise_floor(out_sweeps)}


def noise_floor(sweeps: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per measure: the largest median (adults or children) it reaches under the ops of the other
    kinds, at the settings where those ops stay under their own line (a setting over it is
    altering anyway, and what else it moves is reported beside it)."""
    noise: dict[str, dict[str, Any]] = {}
    for metric in sorted({s["metric"] for s in sweeps}):
        worst, by = 0.0, ""
        for sweep in sweeps:
            if _same_family(sweep["metric"], metric):
                continue
            own_line = line_for(sweep["metric"]) or math.inf
            for p in sweep["points"]:
                for group in ("adults", "children"):
                    own, value = p[group]["median"], p[group]["measures"].get(metric)
                    if own is None or value is None or abs(own) >= own_line:
                        continue
                    if abs(value) > abs(worst):
                        worst, by = value, f"{sweep['key']} {sweep['param']}={p['value']:g} ({group})"
        noise[metric] = {"max_median": round(worst, 4), "by": by}
    return noise


def _same_family(a: str, b: str) -> bool:
    """Both measures of one kind (geometry, texture, tone, local makeup): the noise floor of a
    measure is what ops of the *other* kinds do to it (warps and tints for skin detail,
    warps, smoothing and whole-skin tints for makeup)."""
    return a.split(".")[0] == b.split(".")[0]
