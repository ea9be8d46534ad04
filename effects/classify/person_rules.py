"""The rule for changes measured with the person mask: hair colour and the background.

HAIR COLOUR
    A change of the hair's mean colour by HAIR_SHIFT_DE or more (CIEDE2000, ``hair.de``, on at
    least MIN_HAIR_SHARE of the faces' hair measured) is a hair colour change. It is
    APPEARANCE-ALTERING when the colour after is one hair can have, PLAYFUL otherwise:

    * natural: chroma C*ab under HAIR_CHROMA_NEUTRAL (black, grey, white, any lightness), or a
      hue h_ab in HAIR_HUE_RANGE (red through auburn, brown, blond) with chroma at most
      HAIR_CHROMA_MAX;
    * unnatural: any other hue with colour (blue, green, violet, pink), or a natural hue more
      saturated than any hair (neon orange).

    WHERE THE LINES SIT: natural hair measured in CIELAB (the reference photos' own hair, and
    the published ranges of hair colorimetry) keeps h_ab between about 30 and 85 degrees and
    C*ab under about 30; the most saturated natural red hair reaches about 40. HAIR_HUE_RANGE =
    20-95 and HAIR_CHROMA_MAX = 45 leave room for dyed auburn and copper, which people do wear
    and which a viewer takes for real. Neon pink reads hue 330-350 and chroma over 50, blue 260-300,
    green 120-170: all outside. HAIR_SHIFT_DE = 4.0: the hair's mean colour is measured on the
    mask's soft region, whose edge takes in pixels of the background: a blurred background moves
    it by 0.2 (median on the quick faces, at most 0.8), a new space background by 0.95 (at most
    3.1, on a face whose hair region touches the new sky). Auburn at opacity 0.7 reads 17, the
    natural and unnatural colours of the tests 7-38; a dark brown over dark hair 6.7.

BACKGROUND
    The picture behind the person changes (``outside.pixel_de`` at least GLOBAL_TONE_DE, or
    the background's detail by GLOBAL_DETAIL) while the person stays as they are
    (``person.pixel_de`` under PERSON_UNCHANGED_DE): REPLACES_BACKGROUND, PLAYFUL, with both
    values in the note. It stands in for the whole-picture finding the same change would give.

BLIND SPOTS (also in the README's "Checking an effect"): the hair region is the person mask around and above
the face without the face oval and the face's colour, so hair on the shoulders, a fringe inside
the face oval and blond hair close to the skin's colour are not measured, and a hat counts as
hair. The hair's colour is its mean, so streaks of an unnatural colour over natural hair are judged
by the mixture. A photo without a person mask measured gets none of these findings (an effect
that needs the mask cannot be built without a segmenter, so none escapes this way).

The dose-response sweep ``hair_colour`` (auburn, opacity 0-0.7) draws its curve against
HAIR_SHIFT_DE.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

Table = Mapping[str, np.ndarray]  # metric -> per-face values (NaN = not measured), as in ``rules``

HAIR_SHIFT_DE = 4.0
HAIR_HUE_RANGE = (20.0, 95.0)
HAIR_CHROMA_MAX = 45.0
HAIR_CHROMA_NEUTRAL = 8.0
MIN_HAIR_SHARE = 0.5
PERSON_UNCHANGED_DE = 1.0


def _median(t: Table, key: str) -> float:
    v = t.get(key)
    if v is None or np.all(np.isnan(v)):
        return math.nan
    return float(np.nanmedian(v))


def natural_hair_colour(chroma: float, hue: float) -> bool:
    """Whether hair can have this colour (C*ab, h_ab in degrees): see the module notes."""
    if chroma < HAIR_CHROMA_NEUTRAL:
        return True
    lo, hi = HAIR_HUE_RANGE
    return lo <= hue <= hi and chroma <= HAIR_CHROMA_MAX


def hair_verdict(t: Table) -> tuple[bool, str] | None:
    """(altering, note) for a hair colour change (metric ``hair.de``), None when there is none."""
    v = t.get("hair.de")
    if v is None:
        return None
    measured = int(np.count_nonzero(~np.isnan(v)))
    if measured == 0 or measured < MIN_HAIR_SHARE * v.size:
        return None
    if float(np.nanmedian(v)) < HAIR_SHIFT_DE:
        return None
    lightness = _median(t, "hair.lightness_after")
    chroma = _median(t, "hair.chroma_after")
    hue = _median(t, "hair.hue_after")
    natural = natural_hair_colour(chroma, hue)
    colour = f"L* {lightness:.0f}, chroma {chroma:.0f}, hue {hue:.0f} deg"
    if natural:
        note = (f"the hair becomes a colour hair can have ({colour}; natural hair: hue "
                f"{HAIR_HUE_RANGE[0]:.0f}-{HAIR_HUE_RANGE[1]:.0f} deg up to chroma {HAIR_CHROMA_MAX:.0f}, "
                f"or no colour): a viewer may take it for real")
    else:
        note = (f"the hair becomes a colour no natural hair has ({colour}; natural hair: hue "
                f"{HAIR_HUE_RANGE[0]:.0f}-{HAIR_HUE_RANGE[1]:.0f} deg up to chroma {HAIR_CHROMA_MAX:.0f}): "
                f"obviously dyed or digital")
    return natural, note


def background_verdict(t: Table, tone_line: float, detail_line: float) -> str | None:
    """The note of a background change that leaves the person unchanged (metric
    ``outside.pixel_de``), None when there is none. ``tone_line``, ``detail_line``: the rule's
    GLOBAL_TONE_DE and GLOBAL_DETAIL."""
    outside = t.get("outside.pixel_de")
    person = _median(t, "person.pixel_de")
    if outside is None or math.isnan(person) or person >= PERSON_UNCHANGED_DE:
        return None
    de = _median(t, "outside.pixel_de")
    detail = _median(t, "outside.detail_loss")
    if not ((not math.isnan(de) and de >= tone_line) or (not math.isnan(detail) and abs(detail) >= detail_line)):
        return None
    blurred = not math.isnan(detail) and detail >= detail_line
    note = (f"the person is unchanged (median {person:.1f} dE on the person's own pixels); "
            f"only what is behind them changes (median {de:.1f} dE outside the person"
            + (f", {100 * detail:.0f}% of its fine detail blurred away)" if blurred else ")"))
    return note
