"""Effect search by name, description, id and category (the carousel's and ``effects list
--search``). Callers check ``camera_app.support.sensitive.is_sensitive_search`` first: a search
for self-harm, suicide or eating-disorder terms shows the support card, not results."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from effects.classification import Category
from effects.spec import EffectSpec


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


_CATEGORY_WORDS = {
    Category.PLAYFUL: "playful fun ludique",
    Category.APPEARANCE_ALTERING: "appearance altering beauty beaute apparence retouche",
}


def search_effects(specs: Iterable[EffectSpec], text: str,
                   categories: Mapping[str, Category | None] | None = None) -> list[EffectSpec]:
    """The effects every word of ``text`` is found in (id, names and descriptions in every
    language, and the measured or else declared category), in their given order."""
    words = _fold(text).split()
    found = []
    for spec in specs:
        category = (categories or {}).get(spec.id) or spec.declared_category
        haystack = _fold(" ".join([spec.id.replace("_", " "), *spec.name.values(), *spec.description.values(),
                                   _CATEGORY_WORDS.get(category, "") if category else ""]))
        if all(w in haystack for w in words):
            found.append(spec)
    return found
