"""The app's own words, one TOML file per language in ``camera_app/app/messages/``.

Label and info-sheet text come from ``disclosure``'s catalogues; these are the buttons,
titles and messages of the app. Every language must define every key of ``en.toml`` with
the same placeholders; a gap is an error naming the file and key when the language loads.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
REFERENCE_LANGUAGE = "en"
# The policy's reasons are English in camera_app/policy/rules.py; other languages translate them
# under these keys (by ReasonCode), which en.toml therefore does not have.
TRANSLATION_ONLY_PREFIX = "policy."


class MessagesError(LookupError):
    """A language file is missing, unreadable, or does not match ``en.toml``."""


def _flatten(prefix: str, table: Mapping[str, Any], path: Path, out: dict[str, str]) -> None:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(f"{dotted}.", value, path, out)
        elif isinstance(value, str):
            out[dotted] = value
        else:
            raise MessagesError(f"{path}: key {dotted!r}: expected text, found {type(value).__name__}")


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in MESSAGES_DIR.glob("*.toml")))


def _read(language: str) -> tuple[Path, dict[str, str]]:
    path = MESSAGES_DIR / f"{language}.toml"
    if not path.is_file():
        raise MessagesError(
            f"language {language!r}: expected one of {', '.join(available_languages())} ({path} does not exist)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MessagesError(f"{path}: unreadable ({exc})") from None
    flat: dict[str, str] = {}
    _flatten("", data, path, flat)
    return path, flat


@dataclass(frozen=True, slots=True)
class Messages:
    language: str
    path: Path
    texts: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        try:
            template = self.texts[key]
        except KeyError:
            raise MessagesError(f"{self.path}: missing key {key!r}") from None
        return template.format(**values) if values else template

    def month(self, number: int) -> str:
        return self(f"months.m{number}")

    @property
    def name(self) -> str:
        return self("meta.name")


@lru_cache(maxsize=8)
def load_messages(language: str) -> Messages:
    """The words of ``language``, checked against ``en.toml`` (same keys, same placeholders)."""
    path, texts = _read(language)
    if language != REFERENCE_LANGUAGE:
        ref_path, reference = _read(REFERENCE_LANGUAGE)
        for key, template in reference.items():
            if key not in texts:
                raise MessagesError(f"{path}: missing key {key!r} (defined in {ref_path.name})")
            if _placeholders(texts[key]) != _placeholders(template):
                raise MessagesError(
                    f"{path}: key {key!r}: expected placeholders {sorted(_placeholders(template))}, "
                    f"found {sorted(_placeholders(texts[key]))}"
                )
        extra = sorted(k for k in set(texts) - set(reference) if not k.startswith(TRANSLATION_ONLY_PREFIX))
        if extra:
            raise MessagesError(f"{path}: keys not in {ref_path.name}: {', '.join(extra)}")
    return Messages(language=language, path=path, texts=texts)
