"""The decision rule: playful or appearance-altering, from the measurements of ``measure``.

THE RULE
    An effect is APPEARANCE-ALTERING when it makes a *plausible* change to a face's
    features or skin, one a viewer could take for the person's real appearance:

    * a feature's size or the face's shape changes by between GEOMETRY_MIN and
      GEOMETRY_EXAGGERATED (eyes, nose, lips, jaw, face width, face oval, chin), and no
      feature is changed by more than GEOMETRY_EXAGGERATED (then the warp is a caricature);
    * skin detail is reduced by SKIN_DETAIL_LOSS or more, on the face only;
    * the mean colour of skin, lips, teeth or irises shifts by TONE_SHIFT_DE or more
      (CIEDE2000), on the face only, and for skin to a colour human skin can have;
    * cheeks or eyelids change colour by TONE_SHIFT_DE or more, MAKEUP_EXCESS_DE more
      than the rest of the skin (blush, eyeshadow).

    It is PLAYFUL when its changes are obviously artificial (a feature changed by more
    than GEOMETRY_EXAGGERATED, overlays, the whole picture stylised, unnatural colours,
    the face hidden) or when there is no measurable change. A stack (or an effect of
    several ops) is altering when the whole or any single part of it is.

    "Face only": a film look or a grain over the whole picture is a style, not a change to
    the person. Colour shifts count only when the background keeps its colours (moves
    less than GLOBAL_TONE_DE); a loss of skin detail counts when the background loses
    less than GLOBAL_RATIO times as much. An effect that does both (a film look plus a
    tan) is caught by its parts: each op is also measured alone, and the tan alone
    leaves the background untouched. (Predicting the face's colour from the
    background's colour change was tried and dropped: plain backdrops hold too few
    colours for a colour map to extrapolate to skin, 2-12 dE of error under sepia.)

    Every test uses the median over the reference faces; per-face values give the
    range shown to people and the confidence (the share of faces the rule, applied to
    that face alone, puts in the same category). A geometry change counts only when it
    was measured on at least MIN_MEASURED_SHARE of the faces (MIN_FLOW_SHARE of them by
    the optical flow itself for a plausible change) and goes the same way (by at least
    half of GEOMETRY_MIN) on at least CONSISTENT_SHARE of them: real warps move every face
    alike and the flow follows them, a restyled picture breaks the flow.

WHY THESE VALUES (tuned on the synthetic effects in tests/effects/classify_synthetic.py
and on the built-in library; numbers are medians over the 12 quick faces)
    GEOMETRY_MIN = 2.5%: a warp that scales the eyes by exactly 3% measures 2.5% through
        the optical flow (10% -> 9.3%, 50% -> 46%); effects that do not move pixels
        (tints, blur, grain, sepia) measure at most 0.9% on any feature, so 2.5% is
        well above the noise and matches "about 3%" of the brief.
    MIN_MEASURED_SHARE = 1/2, CONSISTENT_SHARE = 2/3: the comic (posterize) style makes
        re-detection read eye sizes from -17% to +24%, with no common direction; every
        real warp tested is consistent on more than 85% of faces.
    MIN_FLOW_SHARE = 3/4: under the comic style the flow keeps the eye landmarks on only
        20 of 38 faces (53%), and there its ink outlines read as eyes +10% bigger; for
        every warp in the library the flow keeps each feature on 89-100% of faces.
    GEOMETRY_EXAGGERATED = 28%: the measured value of a 30% warp. Beauty warps in
        apps stay around 5-20%; past 30% eyes and jaws read as a cartoon.
    SKIN_DETAIL_LOSS = 25% ("reduced by a quarter"): warps lose up to 12% of detail by
        resampling and tints none (detail is measured on log luminance); the synthetic
        skin blur removes 67%.
    TONE_SHIFT_DE = 4.0: a difference most people see side by side (CIEDE2000 ~2 is a
        just-noticeable difference for patches, faces need more); warps and blurs
        move region means by at most 1.3 dE, the synthetic tan by 9.
    MAKEUP_EXCESS_DE = 2.0: a skin-tone shift also changes cheeks and eyelids; makeup
        changes them more than the rest of the skin.
    GLOBAL_TONE_DE = 2.0: a background that moves by 2 dE or more (grain, LUTs,
        vignettes) is a stylisation (sepia: 18.5, grain 2.6); face-only ops leave the
        background at 0 (their feathered edge touches too few background pixels to move
        the median).
    GLOBAL_RATIO = 0.5: whole-picture blur or grain changes background detail about as
        much as skin detail; a skin filter leaves the background alone (0).
    GLOBAL_DETAIL = 25%, GLOBAL_MOTION_IOD = 2%: the same for blur/grain and for warps
        of the whole picture (a warp of the face alone leaves the background still).
    OVERLAY_MIN_SHARE = 3% of the face-oval area: stickers cover 14-27% (median), small
        sparkles 4.7%; warps, tints and smoothing 0 (at most 0.9% on one face), the comic
        style's ink lines 2.1%.
    HIDDEN_FACE_SHARE = 0.5: the face counts as hidden when the detector loses it on
        at least half the faces (a mask sticker), or overlays cover half the face.
    SKIN_HUE_RANGE = 350-85 degrees, SKIN_CHROMA_MAX = 60: mean skin colours of the
        colour reference faces span hue 6-66 and chroma 9-41; a tan reaches chroma 49;
        a green face paint has hue 140. A skin colour outside this range is face paint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

import numpy as np

from effects.classification import Category, Change, Reason
from effects.classify.geometry import GEOMETRY_METRICS

GEOMETRY_MIN = 0.025
GEOMETRY_EXAGGERATED = 0.28
SKIN_DETAIL_LOSS = 0.25
TONE_SHIFT_DE = 4.0
GLOBAL_RATIO = 0.5
GLOBAL_TONE_DE = 2.0
GLOBAL_DETAIL = 0.25
GLOBAL_MOTION_IOD = 0.02
OVERLAY_MIN_SHARE = 0.03
HIDDEN_FACE_SHARE = 0.5
SKIN_HUE_RANGE = (350.0, 85.0)
SKIN_CHROMA_MAX = 60.0
SKIN_CHROMA_NEUTRAL = 8.0  # below this a colour has no meaningful hue (black-and-white photos)
SKIN_LIGHTNESS_MAX = 85.0
MAKEUP_LOCAL_DE = 3.0
PARTICLES_MIN_SHARE = 0.005
LOW_HIGH_PERCENTILES = (10.0, 90.0)  # the range given with each reason
MIN_MEASURED_SHARE = 0.5
MIN_FLOW_SHARE = 0.75
CONSISTENT_SHARE = 2.0 / 3.0

# geometry metric -> (change when it grows, change when it shrinks)
GEOMETRY_CHANGES: Mapping[str, tuple[Change, Change]] = {
    "eyes": (Change.ENLARGES_EYES, Change.SHRINKS_EYES),
    "nose": (Change.WIDENS_NOSE, Change.SLIMS_NOSE),
    "lips": (Change.PLUMPS_LIPS, Change.THINS_LIPS),
    "jaw": (Change.WIDENS_FACE, Change.SLIMS_JAW),
    "face_width": (Change.WIDENS_FACE, Change.SLIMS_FACE),
    "face_oval": (Change.WIDENS_FACE, Change.SLIMS_FACE),
    "chin": (Change.RESHAPES_CHIN, Change.RESHAPES_CHIN),
}
TONE_CHANGES: Mapping[str, Change] = {
    "skin": Change.SHIFTS_SKIN_TONE,
    "lips": Change.TINTS_LIPS,
    "teeth": Change.WHITENS_TEETH,
    "irises": Change.TINTS_IRISES,
}
# local measure -> where the makeup is, in words
MAKEUP_REGIONS: Mapping[str, str] = {
    "local.cheeks": "cheeks", "local.eyelids": "eyelids", "local.lips": "lips", "local.brows": "brows",
    "local.lash_line": "lash line",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason with the metric it was read from and a plain-words note for people."""

    reason: Reason
    metric: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """The rule applied to the measurements of one effect (or one part) on a set of faces."""

    findings: tuple[Finding, ...]

    @property
    def category(self) -> Category:
        return Category.APPEARANCE_ALTERING if any(f.reason.altering for f in self.findings) else Category.PLAYFUL


Table = Mapping[str, np.ndarray]  # metric -> per-face values (NaN = not measured)


def table(per_face: Sequence[Mapping[str, float]]) -> dict[str, np.ndarray]:
    """Per-face dicts -> one array of per-face values per metric."""
    keys = sorted({k for row in per_face for k in row})
    return {k: np.array([row.get(k, math.nan) for row in per_face], dtype=np.float64) for k in keys}


def _median(t: Table, key: str) -> float:
    v = t.get(key)
    if v is None:
        return math.nan
    ok = v[~np.isnan(v)]
    return float(np.median(ok)) if ok.size else math.nan


def _reason(t: Table, key: str, change: Change, unit: str, altering: bool, scale: float = 1.0) -> Reason:
    v = t[key]
    ok = v[~np.isnan(v)] * scale
    low, high = (float(x) for x in np.percentile(ok, LOW_HIGH_PERCENTILES))
    return Reason(change, float(np.median(ok)), low, high, unit, int(ok.size), altering)


def _face_only(change: float, background: float) -> bool:
    """The background moved less than GLOBAL_RATIO times the face's change (or was not measured)."""
    return math.isnan(background) or background < GLOBAL_RATIO * change


def _skin_colour_plausible(chroma: float, hue: float, lightness: float = math.nan,
                           chroma_before: float = math.nan) -> bool:
    """A colour human skin can have: not lighter than SKIN_LIGHTNESS_MAX (white paint), not
    drained of colour on a colour photo (grey paint), and a skin hue and chroma."""
    if not math.isnan(lightness) and lightness > SKIN_LIGHTNESS_MAX:
        return False
    if math.isnan(chroma):
        return True
    if chroma < SKIN_CHROMA_NEUTRAL:
        return math.isnan(chroma_before) or chroma_before < 2.0 * SKIN_CHROMA_NEUTRAL
    if chroma > SKIN_CHROMA_MAX:
        return False
    lo, hi = SKIN_HUE_RANGE
    return hue >= lo or hue <= hi


def _painted(t: Table) -> bool:
    """The skin took a colour no skin has (face paint), measured on enough faces."""
    skin = _median(t, "tone.skin")
    if math.isnan(skin) or skin < TONE_SHIFT_DE or not _enough_seen(t, "skin"):
        return False
    return not _skin_colour_plausible(
        _median(t, "tone.skin.chroma_after"), _median(t, "tone.skin.hue_after"),
        _median(t, "tone.skin.lightness_after"), _median(t, "tone.skin.chroma_before"),
    )


def decide(t: Table) -> Decision:
    """The findings for one effect from its per-face measurement table."""
    findings: list[Finding] = []
    findings += _geometry(t)
    findings += _texture(t)
    findings += _tone(t)
    findings += _additions(t)
    findings += _whole_frame(t)
    return Decision(tuple(findings))


def _consistent(v: np.ndarray, min_share: float = MIN_MEASURED_SHARE) -> bool:
    """Measured on at least ``min_share`` of the faces, and on at least CONSISTENT_SHARE
    of those the change goes the median's way by at least half of GEOMETRY_MIN."""
    ok = v[~np.isnan(v)]
    if ok.size == 0 or ok.size < min_share * v.size:
        return False
    direction = np.sign(np.median(ok))
    agree = np.count_nonzero(ok * direction >= GEOMETRY_MIN / 2.0)
    return bool(agree >= CONSISTENT_SHARE * ok.size)


def _flow_only(t: Table, metric: str) -> np.ndarray:
    """Per-face values of ``geometry.<metric>`` measured by the flow (re-detected stand-ins removed)."""
    v = t[f"geometry.{metric}"].copy()
    fallback = t.get(f"geometry.{metric}.redetected")
    if fallback is not None:
        v[fallback > 0.5] = np.nan
    return v


def _geometry(t: Table) -> list[Finding]:
    """Exaggeration is judged on every measured face (re-detected stand-ins included: a
    warp too big for the flow is what they stand in for); plausible changes on the
    flow's measurements alone (re-detection reports about half of a change, and is
    noisy on restyled pictures)."""
    present = [m for m in GEOMETRY_METRICS if f"geometry.{m}" in t]
    combined = {m: _median(t, f"geometry.{m}") for m in present if _consistent(t[f"geometry.{m}"])}
    if combined:
        worst = max(combined, key=lambda m: abs(combined[m]))
        if abs(combined[worst]) > GEOMETRY_EXAGGERATED:
            reason = _reason(t, f"geometry.{worst}", Change.EXAGGERATED_DISTORTION, "%", False, 100.0)
            note = f"{worst.replace('_', ' ')} changed by {reason.median:+.0f}%: far beyond a plausible change"
            return [Finding(reason, f"geometry.{worst}", note)]
    best: dict[Change, Finding] = {}
    for m in present:
        v = _flow_only(t, m)
        if not _consistent(v, MIN_FLOW_SHARE):
            continue
        median = float(np.nanmedian(v))
        if abs(median) < GEOMETRY_MIN or abs(median) > GEOMETRY_EXAGGERATED:
            continue
        grows, shrinks = GEOMETRY_CHANGES[m]
        change = grows if median > 0 else shrinks
        finding = Finding(_reason({"v": v}, "v", change, "%", True, 100.0), f"geometry.{m}")
        # Two measures of one change (face width and face oval): keep the larger.
        if change not in best or abs(finding.reason.median) > abs(best[change].reason.median):
            best[change] = finding
    return list(best.values())


def _texture(t: Table) -> list[Finding]:
    loss = _median(t, "texture.skin")
    if math.isnan(loss) or loss < SKIN_DETAIL_LOSS:
        return []
    if not _face_only(loss, _median(t, "texture.background")):
        return []  # the whole picture is softened alike: reported as a whole-frame style
    if _painted(t):
        return []  # detail lost under opaque paint is the paint (reported as face paint), not smoothing
    return [Finding(_reason(t, "texture.skin", Change.SMOOTHS_SKIN, "%", True, 100.0), "texture.skin")]


def _enough_seen(t: Table, region: str) -> bool:
    """The region was measured on at least MIN_MEASURED_SHARE of the faces that show it
    (a closed mouth shows no teeth; a region under sunglasses is shown but hidden)."""
    v = t[f"tone.{region}"]
    measured = int(np.count_nonzero(~np.isnan(v)))
    hidden_values = t.get(f"tone.{region}.hidden")
    hidden = int(np.count_nonzero(hidden_values > 0.5)) if hidden_values is not None else 0
    return measured > 0 and measured >= MIN_MEASURED_SHARE * (measured + hidden)


def _tone(t: Table) -> list[Finding]:
    """Colour shifts of the face alone; none when the background changes colour too (a colour style)."""
    background = _median(t, "tone.background")
    if not math.isnan(background) and background >= GLOBAL_TONE_DE:
        return []
    if _painted(t):
        # Face paint: the whole face takes an unnatural colour; what spills onto lips or eyes is part of it.
        chroma, hue = _median(t, "tone.skin.chroma_after"), _median(t, "tone.skin.hue_after")
        lightness = _median(t, "tone.skin.lightness_after")
        note = (f"the skin becomes a colour no skin has (L* {lightness:.0f}, hue {hue:.0f} deg, "
                f"chroma {chroma:.0f}): face paint")
        return [Finding(_reason(t, "tone.skin", Change.SHIFTS_SKIN_TONE, "dE", False), "tone.skin", note)]
    out: list[Finding] = []
    for region, change in TONE_CHANGES.items():
        de = _median(t, f"tone.{region}")
        if math.isnan(de) or de < TONE_SHIFT_DE or not _enough_seen(t, region):
            continue
        altering, note = True, ""
        if region == "teeth" and _median(t, "tone.teeth.dL") <= 0.0:
            altering, note = False, "the teeth become darker, not whiter: not counted"
        out.append(Finding(_reason(t, f"tone.{region}", change, "dE", altering), f"tone.{region}", note))
    return out + _makeup(t)


def makeup_excess(t: Table, metric: str) -> np.ndarray:
    """Per face: the local change in ``metric`` above the skin's own per-pixel change (a tan or a
    smoothing moves every skin pixel; makeup moves its own place more)."""
    skin = t.get("tone.skin_pixel")
    base = np.nan_to_num(skin, nan=0.0) if skin is not None else 0.0
    return t[metric] - base


def _makeup(t: Table) -> list[Finding]:
    """Makeup where it is applied: the strongest local change of cheeks, lids, lips, brows, lash line."""
    best: Finding | None = None
    for metric, where in MAKEUP_REGIONS.items():
        if metric not in t:
            continue
        excess = makeup_excess(t, metric)
        if np.all(np.isnan(excess)):
            continue
        value = float(np.nanmedian(excess))
        if value < MAKEUP_LOCAL_DE or (best is not None and value <= best.reason.median):
            continue
        darker = _median(t, f"{metric}.dL") < 0.0
        share = _median(t, f"{metric}.share")
        note = (f"colour on the {where}" + (" (darker)" if darker else "")
                + (f", over {100 * share:.0f}% of it" if not math.isnan(share) else ""))
        best = Finding(_reason({"v": excess}, "v", Change.ADDS_MAKEUP, "dE", True), metric, note)
    return [best] if best is not None else []


def _additions(t: Table) -> list[Finding]:
    out: list[Finding] = []
    share = _median(t, "overlay.share")
    particles = _median(t, "overlay.specks")
    if (math.isnan(share) or share < OVERLAY_MIN_SHARE) and not math.isnan(particles) and particles >= PARTICLES_MIN_SHARE:
        note = f"small particles (glitter) over about {100 * particles:.1f}% of the face"
        out.append(Finding(_reason(t, "overlay.specks", Change.ADDS_OVERLAY, "share", False), "overlay.specks", note))
    elif not math.isnan(share) and share >= OVERLAY_MIN_SHARE:
        where = {w: _median(t, f"overlay.{w}") for w in ("face", "head", "outside")}
        parts = ", ".join(f"{100 * v:.0f}% {w}" for w, v in where.items() if not math.isnan(v) and v >= 0.05)
        note = f"new content about {100 * share:.0f}% of the face area, lying: {parts}"
        out.append(Finding(_reason(t, "overlay.share", Change.ADDS_OVERLAY, "share", False), "overlay.share", note))
    detected = _median(t, "detected")
    covered = t.get("overlay.share", np.array([])) * t.get("overlay.face", np.array([]))
    covered_median = float(np.nanmedian(covered)) if covered.size and not np.all(np.isnan(covered)) else 0.0
    lost = not math.isnan(detected) and float(np.nanmean(t["detected"])) <= 1.0 - HIDDEN_FACE_SHARE
    if lost or covered_median >= HIDDEN_FACE_SHARE:
        hidden = {"face.hidden": 1.0 - t["detected"]} if lost else {"face.hidden": covered}
        note = "the detector no longer finds the face" if lost else "overlays cover most of the face"
        out.append(Finding(_reason(hidden, "face.hidden", Change.HIDES_FACE, "share", False), "detected", note))
    return out


def _whole_frame(t: Table) -> list[Finding]:
    tone = _median(t, "tone.background")
    if not math.isnan(tone) and tone >= GLOBAL_TONE_DE:
        return [Finding(_reason(t, "tone.background", Change.STYLISES_WHOLE_FRAME, "dE", False), "tone.background",
                        "the background changes colour")]
    detail = _median(t, "texture.background")
    if not math.isnan(detail) and abs(detail) >= GLOBAL_DETAIL:
        return [Finding(_reason(t, "texture.background", Change.STYLISES_WHOLE_FRAME, "%", False, 100.0),
                        "texture.background", "the background's fine detail changes (blur or grain)")]
    motion = _median(t, "motion.background")
    if not math.isnan(motion) and motion >= GLOBAL_MOTION_IOD:
        return [Finding(_reason(t, "motion.background", Change.STYLISES_WHOLE_FRAME, "%", False, 100.0),
                        "motion.background", "the whole picture is warped")]
    return []


def with_children(everyone: Decision, children: Decision | None, n_children: int) -> Decision:
    """``everyone``'s findings plus the altering findings of the children judged as a group of
    their own (a median over all faces would let adults outvote them). A child finding is
    not added when everyone's decision already holds that change as altering, or found the
    same measure obviously artificial (a cartoon warp, face paint) on everyone."""
    if children is None:
        return everyone
    altering = {f.reason.change for f in everyone.findings if f.reason.altering}
    artificial = {f.metric for f in everyone.findings if not f.reason.altering}
    added = []
    for f in children.findings:
        if not f.reason.altering or f.reason.change in altering or f.metric in artificial:
            continue
        note = (f"measured on the {n_children} children's faces as a group of their own "
                "(an effect that alters children's faces is altering)")
        added.append(Finding(f.reason, f.metric, f"{f.note}; {note}" if f.note else note))
    return Decision(everyone.findings + tuple(added))


def unreliable_metrics(t: Table, decision: Decision) -> set[str]:
    """Geometry metrics the set-level rule could not rely on (the flow lost them on more than
    a quarter of the faces), except one an exaggeration finding rests on. Judging a single
    face, these are left out too, so a restyled picture does not vote "altering" face by face."""
    kept = {f.metric for f in decision.findings if f.reason.change is Change.EXAGGERATED_DISTORTION}
    out = set()
    for m in GEOMETRY_METRICS:
        key = f"geometry.{m}"
        if key in t and key not in kept:
            v = _flow_only(t, m)
            if np.count_nonzero(~np.isnan(v)) < MIN_FLOW_SHARE * v.size:
                out.add(key)
    return out


def face_category(
    values: Mapping[str, float], metrics: Sequence[str] = (), unreliable: Set[str] = frozenset()
) -> Category | None:
    """The rule applied to one face alone; None (abstains) when none of ``metrics`` (the
    metrics the overall findings rest on; all when empty) was measured on it. Metrics in
    ``unreliable`` (see ``unreliable_metrics``) are not used."""
    relevant = [values.get(m, math.nan) for m in metrics] if metrics else list(values.values())
    if all(math.isnan(v) for v in relevant):
        return None
    single = {k: np.array([math.nan if k in unreliable else v]) for k, v in values.items()}
    return decide(single).category


# measure -> its line, for the dose-response chart and the creator reference
def line_for(metric: str) -> float | None:
    """The line the rule draws for ``metric`` (as the measure reads it), None if it has none."""
    if metric.startswith("geometry."):
        return GEOMETRY_MIN
    if metric == "texture.skin":
        return SKIN_DETAIL_LOSS
    if metric in MAKEUP_REGIONS:
        return MAKEUP_LOCAL_DE
    if metric.startswith("tone."):
        return TONE_SHIFT_DE
    return None
