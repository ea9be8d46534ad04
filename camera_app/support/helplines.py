"""Helplines per country (``assets/support/helplines.toml``) and the support card built from them.

The card for a country lists that country's checked helplines for the topic, then the EU-wide
numbers every member state shares (116 111, 116 123, 112), so a country with no checked entry
still gets real numbers. Unchecked entries are shown only beside the EU-wide numbers, and say
so. Nothing here uses the network: the country comes from the installation's setting.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from camera_app.models import ASSETS_DIR

HELPLINES_FILE = ASSETS_DIR / "support" / "helplines.toml"
EU = "EU"
_NUMBER = re.compile(r"^[0-9]{2,4}( [0-9]{1,4}){0,4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class SupportDataError(ValueError):
    """The helplines file is missing a field or holds a malformed value (names the entry and field)."""


class Topic(StrEnum):
    SELF_HARM = "self_harm"
    HARASSMENT = "harassment"
    HATE = "hate"
    EMOTIONAL = "emotional"
    CHILDREN = "children"
    EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class Helpline:
    country: str
    name: str
    number: str
    topics: frozenset[Topic]
    hours: str
    languages: tuple[str, ...]
    source: str
    checked: date | None  # None: could not be checked
    name_fr: str = ""

    def name_in(self, language: str) -> str:
        return self.name_fr if language == "fr" and self.name_fr else self.name

    @property
    def verified(self) -> bool:
        return self.checked is not None


@dataclass(frozen=True, slots=True)
class SupportCard:
    """What a person sees at once: a title, a line of care, and the numbers to call."""

    country: str
    language: str
    title: str
    intro: str
    lines: tuple[Helpline, ...]
    unchecked: tuple[Helpline, ...] = ()

    @property
    def emergency(self) -> str:
        """The last line of every card: call 112 when in immediate danger."""
        return _TEXTS[self.language]["emergency"]

    def text(self) -> str:
        out = [self.title, self.intro, ""]
        for h in self.lines:
            out.append(f"  {h.number:<14} {h.name_in(self.language)} ({h.hours})")
        for h in self.unchecked:
            out.append(f"  {h.number:<14} {h.name_in(self.language)} ({h.hours}) - {_TEXTS[self.language]['unchecked']}")
        out.append("")
        out.append(self.emergency)
        return "\n".join(out)


_TEXTS = {
    "en": {
        "title": "You are not alone",
        "intro": "If you or someone you know is struggling, these people can help, free and confidential:",
        "unchecked": "not checked recently",
        "emergency": "In immediate danger, call 112.",
    },
    "fr": {
        "title": "Vous n'êtes pas seul·e",
        "intro": "Si vous ou un proche traversez une période difficile, ces services peuvent aider, "
                 "gratuitement et en toute confidentialité :",
        "unchecked": "non vérifié récemment",
        "emergency": "En cas de danger immédiat, appelez le 112.",
    },
}


def _field(entry: dict[str, object], key: str, where: str) -> object:
    if key not in entry:
        raise SupportDataError(f"{where}: missing field {key!r}")
    return entry[key]


def _parse(entry: object, index: int, file: Path) -> Helpline:
    where = f"{file}: helpline[{index}]"
    if not isinstance(entry, dict):
        raise SupportDataError(f"{where}: expected a table")
    country, name, number = (_field(entry, k, where) for k in ("country", "name", "number"))
    if not isinstance(country, str) or not (country == EU or _COUNTRY.match(country)):
        raise SupportDataError(f"{where}.country: expected an ISO country code or \"EU\", found {country!r}")
    if not isinstance(name, str) or not name.strip():
        raise SupportDataError(f"{where}.name: expected a name, found {name!r}")
    if not isinstance(number, str) or not _NUMBER.match(number):
        raise SupportDataError(f"{where}.number: expected digits in groups (\"116 111\"), found {number!r}")
    topics = _field(entry, "topics", where)
    try:
        parsed_topics = frozenset(Topic(t) for t in topics) if isinstance(topics, list) and topics else None
    except ValueError:
        parsed_topics = None
    if parsed_topics is None:
        raise SupportDataError(f"{where}.topics: expected a list from {', '.join(Topic)}, found {topics!r}")
    source = _field(entry, "source", where)
    if not isinstance(source, str) or not source.startswith("https://"):
        raise SupportDataError(f"{where}.source: expected an https:// address, found {source!r}")
    checked = _field(entry, "checked", where)
    try:
        checked_on = date.fromisoformat(checked) if isinstance(checked, str) and checked else None
    except ValueError:
        raise SupportDataError(f"{where}.checked: expected YYYY-MM-DD or \"\", found {checked!r}") from None
    if checked not in ("", None) and checked_on is None:
        raise SupportDataError(f"{where}.checked: expected YYYY-MM-DD or \"\", found {checked!r}")
    languages = entry.get("languages", [])
    hours = entry.get("hours", "")
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages) or not isinstance(hours, str):
        raise SupportDataError(f"{where}: expected languages as a list of codes and hours as text")
    name_fr = entry.get("name_fr", "")
    if not isinstance(name_fr, str):
        raise SupportDataError(f"{where}.name_fr: expected text, found {name_fr!r}")
    return Helpline(country, name.strip(), number, parsed_topics, hours, tuple(languages), source, checked_on,
                    name_fr.strip())


@lru_cache(maxsize=2)
def load_helplines(file: Path = HELPLINES_FILE) -> tuple[Helpline, ...]:
    """Every helpline of the file, validated (``SupportDataError`` names the bad entry and field)."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SupportDataError(f"{file}: unreadable ({exc})") from None
    entries = data.get("helpline")
    if not isinstance(entries, list) or not entries:
        raise SupportDataError(f"{file}: expected [[helpline]] tables, found none")
    helplines = tuple(_parse(entry, i, file) for i, entry in enumerate(entries))
    if not any(h.country == EU and Topic.EMERGENCY in h.topics for h in helplines):
        raise SupportDataError(f"{file}: expected the EU-wide emergency number (112)")
    return helplines


def support_card(country: str, language: str, topics: Sequence[Topic] = (Topic.SELF_HARM,),
                 helplines: Sequence[Helpline] | None = None) -> SupportCard:
    """The card for ``country`` (ISO code) about ``topics``, in ``language`` (en or fr; others fall
    back to English): the country's checked lines first, then the EU-wide ones."""
    language = language if language in _TEXTS else "en"
    country = country.upper()
    all_lines = tuple(helplines) if helplines is not None else load_helplines()
    wanted = set(topics)
    national = [h for h in all_lines if h.country == country and h.topics & wanted]
    eu = [h for h in all_lines if h.country == EU and h.topics & (wanted | {Topic.EMOTIONAL, Topic.CHILDREN})
          and Topic.EMERGENCY not in h.topics]
    texts = _TEXTS[language]
    return SupportCard(country, language, texts["title"], texts["intro"],
                       tuple([h for h in national if h.verified] + eu),
                       tuple(h for h in national if not h.verified))
