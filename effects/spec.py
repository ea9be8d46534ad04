"""Effect specs: an effect is data, a folder (or ``.zip``) holding ``effect.toml`` and its assets.

``load_effect(path)`` reads and validates one effect and returns an immutable
``EffectSpec``; any problem raises ``EffectSpecError`` naming the file, the line,
the field, what was expected and what was found. The shape of effect.toml::

    id = "glam"                      # 1-64 of [a-z0-9_-]
    version = "1.0.0"                # MAJOR.MINOR.PATCH
    author = "SafeLens"
    category = "appearance_altering" # optional, the creator's *declared* category
    [name]
    en = "Glam"
    fr = "Glamour"
    [description]
    en = "..."
    fr = "..."
    [[ops]]                          # one table per op, applied in order
    op = "smooth_skin"
    strength = 0.8
    trigger = { blendshape = "jawOpen", above = 0.5 }   # optional: only while the mouth is open

``content_hash`` is a SHA-256 over effect.toml and every other file of the
effect (by relative path), so the same effect as a folder or as a zip hashes the same.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import effects.ops  # noqa: F401  (fills OPS: every op module registers itself on import)
from effects.classification import Category
from effects.cost_limits import cost_problem
from effects.ops.base import OPS, Op
from effects.spec_guard import MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS, nesting_problem, text_problem
from effects.spec_zip import discard, unpack_effect_zip
from effects.toml_lines import TomlLines
from effects.ops.values import describe, quoted_list, show
from effects.triggers import Trigger, TriggerError, parse_trigger
from effects.validate import EffectSpecError, SpecSite, validate_op

__all__ = ["EffectSpec", "EffectSpecError", "OpSpec", "load_effect", "parse_effect"]

MAX_TOML_BYTES = 256 * 1024
MAX_OPS = 64
MAX_HASHED_BYTES = 64 * 1024 * 1024
LANGUAGES = ("en", "fr")
ID_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
VERSION_PATTERN = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")  # ASCII digits only
_TOP_KEYS = ("id", "version", "author", "category", "name", "description", "ops")
_SYNTAX = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


@dataclass(frozen=True, slots=True)
class OpSpec:
    """One validated ``[[ops]]`` table: the op name, all its parameters (defaults filled in)."""

    op: str
    params: Mapping[str, Any] = field(hash=False)
    index: int = 0
    line: int | None = None
    given: frozenset[str] = frozenset()
    trigger: Trigger | None = None  # runs only while a face's expression is past a threshold

    def build(self) -> Op:
        """A configured instance of the op, given the values the TOML set (the op fills in its defaults)."""
        return OPS[self.op](**{k: v for k, v in self.params.items() if k in self.given})

    def to_dict(self) -> dict[str, Any]:
        trigger = {"trigger": self.trigger.to_dict()} if self.trigger is not None else {}
        return {"op": self.op, **{k: _plain(v) for k, v in self.params.items()}, **trigger}


@dataclass(frozen=True, slots=True)
class EffectSpec:
    """A validated effect. ``root`` is the folder its assets are read from (a private
    unpacked copy for a zip); ``source`` is what was loaded (folder or archive)."""

    id: str
    version: str
    name: Mapping[str, str] = field(hash=False)
    author: str
    declared_category: Category | None
    description: Mapping[str, str] = field(hash=False)
    ops: tuple[OpSpec, ...]
    root: Path
    source: Path
    content_hash: str

    @property
    def has_triggers(self) -> bool:
        """Whether an op waits for an expression (the tracker must then score expressions)."""
        return any(op.trigger is not None for op in self.ops)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (used by ``safelens effects list --json``)."""
        return {
            "id": self.id,
            "version": self.version,
            "name": dict(self.name),
            "author": self.author,
            "declared_category": None if self.declared_category is None else self.declared_category.value,
            "description": dict(self.description),
            "ops": [op.to_dict() for op in self.ops],
            "source": str(self.source),
            "content_hash": self.content_hash,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _require_str(site: SpecSite, data: Mapping[str, Any], key: str, expected: str) -> str:
    if key not in data:
        raise site.error((key,), f"missing field; expected {expected}", line_path=())
    value = data[key]
    if not isinstance(value, str):
        raise site.error((key,), f"expected {expected}, found {describe(value)}")
    return value


def _texts(site: SpecSite, data: Mapping[str, Any], key: str) -> Mapping[str, str]:
    expected = f"a table with {' and '.join(LANGUAGES)} texts"
    if key not in data:
        raise site.error((key,), f"missing table; expected {expected}", line_path=())
    table = data[key]
    if not isinstance(table, dict):
        raise site.error((key,), f"expected {expected}, found {describe(table)}")
    for lang in LANGUAGES:
        if lang not in table:
            raise site.error((key, lang), "missing text; expected a non-empty string", line_path=(key,))
    for lang, text in table.items():
        if not re.fullmatch(r"[a-z]{2}", lang):
            raise site.error((key, lang), "unknown field; expected a two-letter language code such as en or fr")
        if not isinstance(text, str) or not text.strip():
            raise site.error((key, lang), f"expected a non-empty string, found {describe(text)}")
        problem = text_problem(text, MAX_DESCRIPTION_CHARS if key == "description" else MAX_TEXT_CHARS)
        if problem is not None:
            raise site.error((key, lang), problem)
    return MappingProxyType(dict(table))


def _header(site: SpecSite, data: Mapping[str, Any]) -> dict[str, Any]:
    for key in data:
        if key not in _TOP_KEYS:
            raise site.error((key,), f"unknown field; expected one of {', '.join(_TOP_KEYS)}")
    ident = _require_str(site, data, "id", 'an id of 1-64 lowercase letters, digits, "_" or "-"')
    if not ID_PATTERN.fullmatch(ident):
        raise site.error(("id",), f'expected an id of 1-64 lowercase letters, digits, "_" or "-", found {show(ident)}')
    version = _require_str(site, data, "version", 'a version "MAJOR.MINOR.PATCH"')
    if not VERSION_PATTERN.fullmatch(version):
        raise site.error(("version",), f'expected a version "MAJOR.MINOR.PATCH" such as "1.0.0", found {show(version)}')
    author = _require_str(site, data, "author", "the author's name")
    if not author.strip():
        raise site.error(("author",), f"expected the author's name, found {show(author)}")
    problem = text_problem(author, MAX_TEXT_CHARS)
    if problem is not None:
        raise site.error(("author",), problem)
    category: Category | None = None
    if "category" in data:
        choices = [c.value for c in Category]
        raw = data["category"]
        if not isinstance(raw, str) or raw not in choices:
            found = show(raw) if isinstance(raw, str) else describe(raw)
            raise site.error(("category",), f"expected one of {quoted_list(choices)}, found {found}")
        category = Category(raw)
    return {
        "id": ident,
        "version": version,
        "author": author,
        "declared_category": category,
        "name": _texts(site, data, "name"),
        "description": _texts(site, data, "description"),
    }


def _ops(site: SpecSite, data: Mapping[str, Any]) -> tuple[OpSpec, ...]:
    if "ops" not in data:
        raise site.error(("ops",), "missing; expected one or more [[ops]] tables", line_path=())
    raw = data["ops"]
    if not isinstance(raw, list) or not raw:
        raise site.error(("ops",), f"expected one or more [[ops]] tables, found {describe(raw)}")
    if len(raw) > MAX_OPS:
        raise site.error(("ops",), f"expected at most {MAX_OPS} ops, found {len(raw)}")
    specs = []
    for index, table in enumerate(raw):
        trigger = None
        if isinstance(table, dict) and "trigger" in table:
            try:
                trigger = parse_trigger(table["trigger"])
            except TriggerError as exc:
                where = ("ops", index, "trigger", exc.key) if exc.key else ("ops", index, "trigger")
                raise site.error(where, str(exc), line_path=("ops", index, "trigger")) from None
            table = {k: v for k, v in table.items() if k != "trigger"}
        name, values = validate_op(site, index, table)
        line = site.lines.line_of(("ops", index)) if site.lines else None
        given = frozenset(k for k in table if k != "op")
        spec = OpSpec(op=name, params=MappingProxyType(values), index=index, line=line, given=given, trigger=trigger)
        try:  # ops may check more than their Param list says (e.g. the tables inside a list)
            spec.build()
        except ValueError as exc:
            raise site.error(("ops", index), f'op "{name}" refused its values: {exc}') from None
        specs.append(spec)
    too_costly = cost_problem([(s.op, s.params) for s in specs], site.asset_root)
    if too_costly is not None:
        raise site.error(("ops",), too_costly, line_path=())
    return tuple(specs)


def parse_effect(text: str, file: str, root: Path) -> dict[str, Any]:
    """Validate the TOML ``text`` (labelled ``file`` in messages; assets under ``root``).

    Returns the fields of an EffectSpec except root, source and content_hash.
    """
    too_deep = nesting_problem(text)
    if too_deep is not None:
        raise EffectSpecError(file, too_deep)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # the scan above should have caught it; never a traceback
        raise EffectSpecError(file, nesting_problem(text) or "expected less deeply nested arrays") from None
    except tomllib.TOMLDecodeError as exc:
        match = _SYNTAX.match(str(exc))
        if match:
            detail = f"TOML syntax error: {match['msg']} (column {match['col']})"
            raise EffectSpecError(file, detail, line=int(match["line"])) from None
        raise EffectSpecError(file, f"TOML syntax error: {exc}") from None
    site = SpecSite(file=file, lines=TomlLines(text), asset_root=root)
    fields = _header(site, data)
    fields["ops"] = _ops(site, data)
    return fields


def _read_toml(path: Path, label: str) -> str:
    if path.is_symlink():
        raise EffectSpecError(label, "expected a regular file, found a symbolic link")
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read forever, a device never end
            raise EffectSpecError(label, "expected a regular file, found something else")
        if st.st_size > MAX_TOML_BYTES:
            raise EffectSpecError(label, f"expected at most {MAX_TOML_BYTES} bytes, found {st.st_size}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EffectSpecError(label, "missing; an effect folder must hold an effect.toml") from None
    except OSError as exc:
        raise EffectSpecError(label, f"cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EffectSpecError(label, f"expected UTF-8 text, found the byte 0x{raw[exc.start]:02x}", line=line) from None


def content_hash(root: Path) -> str:
    """SHA-256 over every regular, non-hidden file under ``root`` (symlinks are not followed)."""
    digest = hashlib.sha256()
    total = 0
    entries: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            full = Path(folder, name)
            if name.startswith(".") or full.is_symlink() or not full.is_file():
                continue
            entries.append((full.relative_to(root).as_posix(), full))
    too_big = EffectSpecError(str(root), f"expected at most {MAX_HASHED_BYTES} bytes of files, found more")
    for rel, full in sorted(entries):
        # The size is checked before reading, so a huge file is refused without loading it.
        size = full.stat().st_size
        total += size
        if total > MAX_HASHED_BYTES:
            raise too_big
        with full.open("rb") as fh:
            data = fh.read(size + 1)
        if len(data) != size:
            raise EffectSpecError(str(root), f"{rel}: expected {size} bytes, found {len(data)} (changed while read)")
        digest.update(rel.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0")
        digest.update(data)
    return digest.hexdigest()


def load_effect(path: str | os.PathLike[str]) -> EffectSpec:
    """Load the effect at ``path``: a folder with effect.toml, an effect.toml file, or a .zip."""
    source = Path(path)
    if source.suffix.lower() == ".zip" and not source.is_dir():
        unpacked = unpack_effect_zip(source)
        try:
            text = _read_toml(unpacked.root / "effect.toml", unpacked.toml_label)
            fields = parse_effect(text, unpacked.toml_label, unpacked.root)
            digest = content_hash(unpacked.root)
        except BaseException:
            discard(unpacked.root)
            raise
        return EffectSpec(**fields, root=unpacked.root, source=source, content_hash=digest)
    if source.is_dir():
        root = source
        toml_path = source / "effect.toml"
    elif source.name == "effect.toml":
        root = source.parent
        toml_path = source
    elif not source.exists():
        raise EffectSpecError(str(source), "not found; expected an effect folder, an effect.toml or a .zip")
    else:
        raise EffectSpecError(str(source), "expected an effect folder, an effect.toml or a .zip, found another file")
    label = str(toml_path)
    text = _read_toml(toml_path, label)
    fields = parse_effect(text, label, root)
    return EffectSpec(**fields, root=root, source=source, content_hash=content_hash(root))
