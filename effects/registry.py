"""The effect registry: every effect the app knows, by id.

Built-in effects come from one folder (the app passes ``assets/effects``); users
may name more folders. A folder is either one effect (it holds ``effect.toml``) or
a folder of effects (sub-folders with ``effect.toml`` and ``.zip`` archives; other
entries such as scripts or READMEs are not effects and are left alone). Ids are
unique across all folders: a second effect with a known id is an error naming both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from effects.spec import EffectSpec, EffectSpecError, load_effect


class DuplicateEffectError(EffectSpecError):
    """Two effects share an id."""


class UnknownEffectError(KeyError):
    """No effect has the id asked for."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def effect_paths(folder: Path) -> list[Path]:
    """The effects in ``folder``, sorted: itself if it holds effect.toml, else its effect sub-folders and zips."""
    if not folder.is_dir():
        what = "no such folder" if not folder.exists() else "a file; put the effect (folder or .zip) inside a folder and give that"
        raise EffectSpecError(str(folder), f"expected a folder of effects, found {what}")
    if (folder / "effect.toml").exists():
        return [folder]
    found = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") or child.name == "__pycache__":
            continue
        if child.is_dir() and (child / "effect.toml").exists():
            found.append(child)
        elif child.suffix.lower() == ".zip" and child.is_file():
            found.append(child)
    return found


class EffectRegistry:
    """Effects by id, loaded eagerly from ``builtin_dir`` then each of ``user_dirs``.

    With ``strict`` (the default) the first bad effect raises its ``EffectSpecError``;
    otherwise bad effects are left out and their errors kept in ``errors`` (a duplicate
    id always raises: which of the two is meant cannot be guessed).
    """

    def __init__(self, builtin_dir: Path | None, user_dirs: Sequence[Path] = (), *, strict: bool = True) -> None:
        self._specs: dict[str, EffectSpec] = {}
        self._builtin: set[str] = set()
        self.errors: list[EffectSpecError] = []
        if builtin_dir is not None:
            self._add_folder(Path(builtin_dir), builtin=True, strict=strict)
        for folder in user_dirs:
            self._add_folder(Path(folder), builtin=False, strict=strict)

    def _add_folder(self, folder: Path, *, builtin: bool, strict: bool) -> None:
        for path in effect_paths(folder):
            try:
                spec = load_effect(path)
            except EffectSpecError as exc:
                if strict:
                    raise
                self.errors.append(exc)
                continue
            self.add(spec, builtin=builtin)

    def add(self, spec: EffectSpec, *, builtin: bool = False) -> None:
        """Register one loaded effect; an id already taken raises DuplicateEffectError."""
        known = self._specs.get(spec.id)
        if known is not None:
            raise DuplicateEffectError(
                str(spec.source), f'duplicate effect id "{spec.id}": already loaded from {known.source}'
            )
        self._specs[spec.id] = spec
        if builtin:
            self._builtin.add(spec.id)

    def get(self, effect_id: str) -> EffectSpec:
        try:
            return self._specs[effect_id]
        except KeyError:
            known = ", ".join(sorted(self._specs)) or "(none)"
            raise UnknownEffectError(f'unknown effect "{effect_id}"; expected one of {known}') from None

    __getitem__ = get

    def resolve(self, ids: str | Sequence[str]) -> tuple[EffectSpec, ...]:
        """The specs for ``"a,b"`` or ``["a", "b"]``, in that order; empty or repeated ids are errors."""
        names = [part.strip() for part in ids.split(",")] if isinstance(ids, str) else list(ids)
        if not names or any(not n for n in names):
            raise UnknownEffectError(f"expected comma-separated effect ids, found {ids!r}")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise UnknownEffectError(f'effect "{name}" is listed twice in {ids!r}')
            seen.add(name)
        return tuple(self.get(name) for name in names)

    def is_builtin(self, effect_id: str) -> bool:
        return self.get(effect_id).id in self._builtin

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._specs))

    def __contains__(self, effect_id: object) -> bool:
        return effect_id in self._specs

    def __iter__(self) -> Iterator[EffectSpec]:
        return iter([self._specs[i] for i in self.ids])

    def __len__(self) -> int:
        return len(self._specs)
