"""The decision rule: playful or appearance-altering, from the measurements of ``measure``.

THE RULE
    An effect is APPEARANCE-ALTERING when it makes a *plausible* change to a face's
    features or skin, one a viewer could take for the person's real appearance:

    * a feature's size or the face's shape changes by between GEOMETRY_MIN and
      GEOMETRY_EXAGGERATED (eyes, nose, lips, jaw, face width, face oval, chin), and no
      feature is changed by more than GEOMETRY_EXAGGERATED (then the warp is a caricature);
    * skin detail is reduced by SKIN_DETAIL_LOSS or more, on the face only, and not under
      face paint (detail lost under an opaque unnatural colour is the paint);
    * the mean colour of skin, lips, teeth or irises shifts by TONE_SHIFT_DE or more
      (CIEDE2000), on the face only, and for skin to a colour human skin can have;
    * makeup: where it is applied (the most-changed tenth of the cheeks, eyelids, lips,
      brows or lash line, ``local``), the colour changes by MAKEUP_LOCAL_DE or more
      beyond the skin's own per-pixel change (blush, eyeshadow, eyeliner, brow pencil;
      MAKEUP_WITH_SMOOTHING_DE on smoothed skin, see below).

    It is PLAYFUL when its changes are obviously artificial (a feature changed by more
    than GEOMETRY_EXAGGERATED, overlays and particles, the whole picture stylised, face
    paint, the face hidden) or when nothing reaches a line (the report then says what
    was measured and which line it stayed under, ``below``). A stack (or an effect of
    several ops) is altering when the whole or any single part of it is. The children
    among the reference faces are judged again as a group of their own
    (``judging.with_children``): an effect that alters children's faces is altering.

    "Face only": a film look or a grain over the whole picture is a style, not a change to
    the person. Colour shifts count only when the background keeps its colours (moves
    less than GLOBAL_TONE_DE); a loss of skin detail counts when the background loses
    less than GLOBAL_RATIO times as much. An effect that does both (a film look plus a
    tan) is caught by its parts: each op is also measured alone, and the tan alone
    leaves the background untouched. (Predicting the face's colour from the
    background's colour change was tried and dropped: plain backdrops hold too few
    colours for a colour map to extrapolate to skin, 2-12 dE of error under sepia.)

    Every test uses the median over the faces judged (all, and the children apart);
    per-face values give the range shown to people and the confidence (the share of
    faces the rule, applied to that face alone, puts in the same category). A geometry
    change counts only when it was measured on at least MIN_MEASURED_SHARE of the faces
    (MIN_FLOW_SHARE of them by the optical flow itself for a plausible change) and goes
    the same way (by at least half of GEOMETRY_MIN) on at least CONSISTENT_SHARE of
    them: real warps move every face alike and the flow follows them, a restyled picture
    breaks the flow.

WHERE THE LINES SIT (the dose-response curves: each altering op swept from nothing to a
clearly visible change on all 38 reference faces, adults and children apart, by
``python -m camera_app.cli.dose_response``; data and chart in assets/effects/dose_response.*;
"noise" is the largest median a measure reaches under the ops of the *other* kinds)
    Each line sits above its noise floor and at or below the smallest change a person
    sees side by side, so that any visible setting is caught; where the two meet, the
    line is set by the noise (named below).
    GEOMETRY_MIN = 1.2%: radial_scale on the eyes reads +1.3% at scale 1.03 and +2.7% at
        1.06 on adults, +0.7% and +1.3% on the children's faces (small, mostly
        black-and-white crops, whose eyes fill more of the op's radius); contour_push on
        the jaw reads -2.2% at amount 0.02 on both; a synthetic 3.5% eye enlargement +2.9%
        on adults and +2.1% on children, a 4% nose slimming -2.6% and -1.4%: the old 2.5%
        line let all of these through on children. Tints, smoothing and makeup at settings
        under their own lines move a feature by at most 0.34% (median; the flow follows
        a darkened lash line a little); 1.2% is 3.5 times that, and half of it is the
        per-face agreement CONSISTENT_SHARE asks for.
    MIN_MEASURED_SHARE = 1/2, CONSISTENT_SHARE = 2/3: the comic (posterize) style makes
        re-detection read eye sizes from -17% to +24%, with no common direction; every
        real warp tested is consistent on more than 85% of faces.
    MIN_FLOW_SHARE = 3/4: under the comic style the flow keeps the eye landmarks on only
        20 of 38 faces (53%), and there its ink outlines read as eyes +10% bigger; for
        every warp in the library the flow keeps each feature on 89-100% of faces.
    GEOMETRY_EXAGGERATED = 28%: the measured value of a 30% warp. Beauty warps in
        apps stay around 5-20%; past 30% eyes and jaws read as a cartoon.
    SKIN_DETAIL_LOSS = 10%: detail is compared with the input carried through the flow,
        so warps lose at most 1% (against up to 16% when compared with the input
        itself, which is why the line had to sit at 25%); tints under their own line at
        most 7% (a screen lightening at opacity 0.05: lifting the shadows flattens log
        luminance). smooth_skin reads 3.6% at strength 0.1, 9.4% at 0.3, 15% at 0.5 and
        27% at 1.0, alike on adults and children; beauty filters at low strength lose
        8-26%: the line sits just above the noise and catches strength 0.5 (at 0.3, 9%,
        the change is hard to see side by side).
    TONE_SHIFT_DE = 2.0: CIEDE2000 of about 1 is a just-noticeable difference between
        patches and about 2 on a textured face side by side; ops of other kinds under
        their own lines move region means by at most 0.5 (skin under a light blush), and
        a strong jaw push (0.15) moves the teeth by 1.0. A multiply
        tan reads 1.2 at opacity 0.05 and 2.4 at 0.1; a screen lightening 1.9 at 0.05 on
        adults (2.9 on the children, judged altering); a lip tint 2.2 at 0.2, whitening
        2.7 at amount 0.3, an iris tint 3.7 at 0.1. The 4.0 line let lightening, tans and
        whitening at 4.3-4.6 dE sit one step from playful.
    MAKEUP_LOCAL_DE = 3.0 (above the skin's own median per-pixel change, which a tan or
        grain moves everywhere): ops of other kinds under their own lines read at most
        0.95 (the lash line under a light skin lightening), smooth_skin at full strength
        1.3, glitter after ``overlay.specks`` is taken out about 1. Eyeshadow
        reads 3.3 at opacity 0.1 (adults; 2.3 children, 3.3 at 0.15), eyeliner 3.7 at
        0.2 (2.1; 3.2 at 0.3), brow pencil 3.1 at 0.1 (1.9; 3.7 at 0.2), a soft-light
        blush 3.8 at 0.4 on adults and 4.8 at 0.15 on children (red shows most on
        black-and-white faces). Region means (the old measure) read a third of this: a
        local blush 2.6 and a liner nothing.
    MAKEUP_WITH_SMOOTHING_DE = 6.0: a strong skin blur smears lashes and lid creases: the
        synthetic skin blur reads up to 5.5 on the lash line above the skin's change. On
        smoothed skin (already altering) makeup is named only when stronger than that.
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
    PARTICLES_MIN_SHARE = 0.5% of the face under particles (``overlay.specks``): the
        particles op with 120 sparkles of 0.05 iod covers 4%, glitter 15-26%; warps,
        tints, smoothing and film grain 0 (grain darkens as many spots as it lightens).
    MIN_CHILDREN = 3: the children are judged as a group when at least three are measured
        (the quick set has 3, the full set 5); the median of one or two faces is one
        face's noise (a single black-and-white child read a film look as makeup).
    HIDDEN_FACE_SHARE = 0.5: the face counts as hidden when the detector loses it on
        at least half the faces (a mask sticker), or overlays cover half the face.
    SKIN_HUE_RANGE = 350-85 degrees, SKIN_CHROMA_MAX = 60: mean skin colours of the
        colour reference faces span hue 6-66 and chroma 9-41; a tan reaches chroma 49;
        a green face paint has hue 140. A skin colour outside this range is face paint.
    SKIN_LIGHTNESS_MAX = 85 (L*): the lightest reference skin is 76 and a strong (25%)
        lightening of every face reaches 84 on the lightest; white face paint reads 88-89
        on adults. Skin drained of colour on a colour photo (chroma from 16 or more to
        under SKIN_CHROMA_NEUTRAL) is grey or white paint too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from effects.classification import Category, Change, Reason
from effects.classify import person_rules
from effects.classify.geometry import GEOMETRY_METRICS

GEOMETRY_MIN = 0.012
GEOMETRY_EXAGGERATED = 0.28
SKIN_DETAIL_LOSS = 0.10
TONE_SHIFT_DE = 2.0
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
MAKEUP_WITH_SMOOTHING_DE = 6.0
PARTICLES_MIN_SHARE = 0.005
MIN_CHILDREN = 3
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


def painted(t: Table) -> bool:
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
    cartoon = any(f.reason.change is Change.EXAGGERATED_DISTORTION for f in findings)
    findings += _tone(t, makeup=not cartoon)
    findings += _additions(t)
    hair = person_rules.hair_verdict(t)
    if hair is not None:
        findings.append(Finding(_reason(t, "hair.de", Change.CHANGES_HAIR_COLOUR, "dE", hair[0]), "hair.de", hair[1]))
    # A background changed behind an unchanged person stands in for the whole-frame finding.
    behind = person_rules.background_verdict(t, GLOBAL_TONE_DE, GLOBAL_DETAIL)
    if behind is not None:
        findings.append(Finding(_reason(t, "outside.pixel_de", Change.REPLACES_BACKGROUND, "dE", False),
                                "outside.pixel_de", behind))
    else:
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


def flow_only(t: Table, metric: str) -> np.ndarray:
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
        v = flow_only(t, m)
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
    if painted(t):
        return []  # detail lost under opaque paint is the paint (reported as face paint), not smoothing
    return [Finding(_reason(t, "texture.skin", Change.SMOOTHS_SKIN, "%", True, 100.0), "texture.skin")]


def _enough_seen(t: Table, region: str) -> bool:
    """The region was measured on at least MIN_MEASURED_SHARE of the faces that show it
    (a closed mouth shows no teeth; a region under sunglasses is shown but hidden).
    ``region``: a tone region ("lips") or a full metric key ("local.eyelids")."""
    key = region if "." in region else f"tone.{region}"
    v = t[key]
    measured = int(np.count_nonzero(~np.isnan(v)))
    hidden_values = t.get(f"{key}.hidden")
    hidden = int(np.count_nonzero(hidden_values > 0.5)) if hidden_values is not None else 0
    return measured > 0 and measured >= MIN_MEASURED_SHARE * (measured + hidden)


def _tone(t: Table, makeup: bool = True) -> list[Finding]:
    """Colour shifts of the face alone; none when the background changes colour too (a colour
    style). ``makeup``: False under a cartoon warp, whose pixels the flow pairs too loosely
    for the local measures (a 50% eye warp reads 3.6 on the brows); a stack of a cartoon
    warp and makeup is caught by its makeup part, measured alone."""
    background = _median(t, "tone.background")
    if not math.isnan(background) and background >= GLOBAL_TONE_DE:
        return []
    if painted(t):
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
    return out + (_makeup(t) if makeup else [])


def makeup_excess(t: Table, metric: str) -> np.ndarray:
    """Per face: the local change in ``metric`` above the skin's own per-pixel change (a tan or a
    smoothing moves every skin pixel; makeup moves its own place more)."""
    skin = t.get("tone.skin_pixel")
    base = np.nan_to_num(skin, nan=0.0) if skin is not None else 0.0
    return t[metric] - base


def _makeup(t: Table) -> list[Finding]:
    """Makeup where it is applied: the strongest local change of cheeks, lids, lips, brows, lash line.
    On smoothed skin the line is MAKEUP_WITH_SMOOTHING_DE (smoothing smears lashes and lid
    creases: it is reported as smoothing, not as makeup, unless the colour is stronger)."""
    line = MAKEUP_LOCAL_DE
    loss = _median(t, "texture.skin")
    if not math.isnan(loss) and loss >= SKIN_DETAIL_LOSS:
        line = MAKEUP_WITH_SMOOTHING_DE
    best: Finding | None = None
    lipstick = _median(t, "tone.lips") >= TONE_SHIFT_DE  # the whole lip's colour: reported as tinted lips
    for metric, where in MAKEUP_REGIONS.items():
        if metric not in t or (metric == "local.lips" and lipstick) or not _enough_seen(t, metric):
            continue
        excess = makeup_excess(t, metric)
        if np.all(np.isnan(excess)):
            continue
        value = float(np.nanmedian(excess))
        if value < line or (best is not None and value <= best.reason.median):
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


def face_covered(t: Table) -> bool:
    """New content on the face itself: particles, or overlays of OVERLAY_MIN_SHARE of the face inside it."""
    particles = _median(t, "overlay.specks")
    share, on_face = t.get("overlay.share"), t.get("overlay.face")
    inside = math.nan if share is None or on_face is None else _median({"v": share * on_face}, "v")
    return (not math.isnan(particles) and particles >= PARTICLES_MIN_SHARE) or (
        not math.isnan(inside) and inside >= OVERLAY_MIN_SHARE)


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
    if metric == "hair.de":
        return person_rules.HAIR_SHIFT_DE
    return None
