"""Message catalogues: one TOML file per language in ``disclosure/messages/``.

A catalogue is checked in full when it is loaded: every key the label builder may ask
for must be there (every ``Change`` of the classifier included), so a missing string is
found when the language is loaded, not when a rare effect is shown. Errors name the file
and the dotted key.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from effects.classification import Category, Change

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"

# Every key a catalogue must define, with the placeholders its text must use.
_REQUIRED: dict[str, frozenset[str]] = {
    "meta.language": frozenset(),
    "meta.name": frozenset(),
    "meta.decimal_separator": frozenset(),
    "meta.minus_sign": frozenset(),
    "label.appearance": frozenset({"changes"}),
    "label.appearance_short": frozenset(),
    "label.list_separator": frozenset(),
    "label.more_one": frozenset({"count"}),
    "label.more_other": frozenset({"count"}),
    "label.chip": frozenset({"name"}),
    "label.effect_separator": frozenset(),
    "sheet.title_altering": frozenset({"name", "version"}),
    "sheet.title_playful": frozenset({"name", "version"}),
    "sheet.explanation": frozenset(),
    "sheet.disagrees": frozenset({"declared", "category"}),
    "sheet.no_change": frozenset(),
    "sheet.person_unchanged": frozenset(),
    "sheet.changes_heading": frozenset(),
    "sheet.other_heading": frozenset(),
    "sheet.reason": frozenset({"change", "magnitude", "faces"}),
    "sheet.faces_one": frozenset({"count"}),
    "sheet.faces_other": frozenset({"count"}),
    "magnitude.percent": frozenset({"median", "low", "high"}),
    "magnitude.delta_e": frozenset({"median", "low", "high"}),
    "magnitude.share": frozenset({"median", "low", "high"}),
    "magnitude.skin_detail": frozenset({"median", "low", "high"}),
}
_REQUIRED.update({f"categories.{c.value}": frozenset() for c in Category})
_REQUIRED.update({f"changes.{c.value}": frozenset() for c in Change})


class CatalogueError(LookupError):
    """A message catalogue is missing, unreadable, or lacks a key; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The messages of one language, as flat dotted keys (``"changes.smooths_skin"``)."""

    language: str
    path: Path
    messages: Mapping[str, str]

    def text(self, key: str, **values: object) -> str:
        """The message ``key`` with its placeholders filled in."""
        try:
            template = self.messages[key]
        except KeyError:
            raise CatalogueError(f"{self.path}: missing key {key!r}") from None
        try:
            return template.format(**values)
        except (KeyError, IndexError) as exc:
            raise CatalogueError(
                f"{self.path}: key {key!r} uses placeholder {exc} that is not one of {sorted(values)}"
            ) from None

    def change(self, change: Change) -> str:
        return self.text(f"changes.{change.value}")

    def category(self, category: Category) -> str:
        return self.text(f"categories.{category.value}")


def available_languages(messages_dir: Path = MESSAGES_DIR) -> tuple[str, ...]:
    """Language codes with a catalogue file, sorted."""
    return tuple(sorted(p.stem for p in messages_dir.glob("*.toml")))


def load_catalogue(language: str, messages_dir: Path = MESSAGES_DIR) -> Catalogue:
    """Load and check ``<messages_dir>/<language>.toml``."""
    path = messages_dir / f"{language}.toml"
    if not path.is_file():
        raise CatalogueError(
            f"{path}: no message catalogue for language {language!r} "
            f"(available: {', '.join(available_languages(messages_dir)) or 'none'})"
        )
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from None
    flat = _flatten(data, path)
    for key, placeholders in _REQUIRED.items():
        if key not in flat:
            raise CatalogueError(f"{path}: missing key {key!r}")
        used = _placeholders(flat[key], path, key)
        if used != placeholders:
            raise CatalogueError(
                f"{path}: key {key!r} must use placeholders {sorted(placeholders)}, found {sorted(used)}"
            )
    if flat["meta.language"] != language:
        raise CatalogueError(
            f"{path}: key 'meta.language' must be {language!r} (the file name), found {flat['meta.language']!r}"
        )
    return Catalogue(language=language, path=path, messages=MappingProxyType(flat))


def _flatten(data: Mapping[str, object], path: Path, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path, dotted + "."))
        elif isinstance(value, str):
            flat[dotted] = value
        else:
            raise CatalogueError(f"{path}: key {dotted!r} must be a string, found {type(value).__name__}")
    return flat


def _placeholders(template: str, path: Path, key: str) -> frozenset[str]:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise CatalogueError(f"{path}: key {key!r} is not a valid template: {exc}") from None
    if "" in fields:
        raise CatalogueError(f"{path}: key {key!r} uses an unnamed placeholder '{{}}'")
    return frozenset(fields)
