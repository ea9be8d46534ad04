"""Searches and report reasons that call for the support card instead of results.

A search is normalised before it is matched (case, accents, digits and symbols used for
letters, repeated letters, spaces and dashes inside words), so "Self-Harm", "selfharm",
"s3lf h4rm", "suicde" and "anoréxie" all match. Terms are English and French; they are
matched as words or word prefixes, never inside longer unrelated words.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from camera_app.support.helplines import Topic


class ReportReason(StrEnum):
    SELF_HARM = "self_harm"  # self-harm or suicide
    HATE = "hate"
    HARASSMENT = "harassment"  # harassment or bullying
    BODY_IMAGE = "body_image"  # body-image concern
    OTHER = "other"


# The reasons after which the support card is shown at once, and what it is about.
SUPPORT_TOPICS: dict[ReportReason, tuple[Topic, ...]] = {
    ReportReason.SELF_HARM: (Topic.SELF_HARM,),
    ReportReason.HATE: (Topic.HATE, Topic.HARASSMENT),
    ReportReason.HARASSMENT: (Topic.HARASSMENT,),
}

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})

# Normalised (see ``normalise``) stems; a search matches when one of its words, or two or three
# neighbouring words joined, starts with a stem.
_STEMS = (
    # English: suicide and self-harm
    "suicid", "suicde", "sucide", "killmyself", "killmeself", "wanttodie", "endmylife", "selfharm",
    "selfhurt", "selfinjur", "cutmyself", "kms",
    # English: eating disorders
    "anorex", "anorec", "bulimi", "proana", "promia", "thinspo", "meanspo", "bonespo", "skinnyspo",
    "purging", "edtwt",
    # French
    "sesuicid", "suicidair", "metuer", "automutil", "scarifi", "mescarifi", "anorexi", "boulimi",
    "sefairevomir", "maigreur", "pasenviedevivre",
)


def normalise(text: str) -> list[str]:
    """Lower-case ASCII words with leet digits read as letters and repeats collapsed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).translate(_LEET)
    ascii_text = re.sub(r"(?<=[a-z])[-_.'’](?=[a-z])", "", ascii_text)  # self-harm, self_harm -> selfharm
    words = re.findall(r"[a-z]+", ascii_text)
    return [re.sub(r"(.)\1{2,}", r"\1\1", w) for w in words]  # suiciiiide -> suiciide


def _candidates(words: list[str]) -> list[str]:
    out = list(words)
    for n in (2, 3, 4):
        out += ["".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return out


def is_sensitive_search(text: str) -> bool:
    """Whether a search asks about suicide, self-harm or eating disorders (show the card)."""
    candidates = _candidates(normalise(text))
    return any(c.startswith(stem) or c.replace("ii", "i").startswith(stem) for c in candidates for stem in _STEMS)
