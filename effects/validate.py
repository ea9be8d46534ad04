"""Strict validation of effect.toml values against the op library's ``Param`` lists.

The values themselves are checked by ``effects.ops.values`` (the one checker, also used when
an op is built in code); this module adds where a problem is and checks asset files.

Every problem raises ``EffectSpecError`` naming the file, the line (found by
scanning the text, see ``effects.toml_lines``), the field path such as
``ops[2].strength``, what was expected and what was found. Nothing is coerced
except integers given for a ``float`` parameter (TOML writes ``1`` and ``1.0``
as different types; both are the number one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from effects.asset_files import IMAGE_SUFFIXES, AssetError, read_rgba_image, resolve_asset
from effects.lut_io import CubeError, read_cube
from effects.ops.base import OPS, REQUIRED, Param
from effects.ops.values import ValueProblem, check_value, describe, expected_text, quoted_list, show
from effects.toml_lines import PathPart, TomlLines


class EffectSpecError(ValueError):
    """An effect (its TOML, its archive or its assets) is not valid.

    ``file`` is where the problem is, ``line`` its 1-based line when known, ``field`` the
    path of the value (``ops[2].strength``) when there is one, ``detail`` what was expected
    and found.
    """

    def __init__(self, file: str, detail: str, line: int | None = None, field: str | None = None) -> None:
        self.file = file
        self.detail = detail
        self.line = line
        self.field = field
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {field}: {detail}" if field else f"{where}: {detail}")


def field_path(path: Sequence[PathPart]) -> str:
    """``("ops", 2, "regions", 0)`` -> ``"ops[2].regions[0]"``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _check_asset_file(site: SpecSite, path: tuple[PathPart, ...], value: str) -> None:
    """The asset must resolve safely inside the effect folder; images and LUTs must also read."""
    shown = field_path(path)
    try:
        real = resolve_asset(site.asset_root or Path("."), value, field=shown)
        suffix = real.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            read_rgba_image(real, field=shown)
        elif suffix == ".cube":
            read_cube(real)
    except AssetError as exc:
        detail = str(exc)
        prefix = f"{shown}: "
        raise site.error(path, detail[len(prefix) :] if detail.startswith(prefix) else detail) from None
    except CubeError as exc:
        raise site.error(path, f"expected a valid .cube LUT, found an error: {exc}") from None


@dataclass(frozen=True, slots=True)
class SpecSite:
    """Where values come from: the file label for messages, its line locator and the asset root."""

    file: str
    lines: TomlLines | None = None
    asset_root: Path | None = None

    def error(self, path: Sequence[PathPart], detail: str, *, line_path: Sequence[PathPart] | None = None) -> EffectSpecError:
        line = self.lines.line_of(path if line_path is None else line_path) if self.lines else None
        return EffectSpecError(self.file, detail, line=line, field=field_path(path) if path else None)


def check_param(site: SpecSite, path: tuple[PathPart, ...], param: Param, value: Any) -> Any:
    """The validated (normalised) value of one parameter, or EffectSpecError at ``path``."""
    try:
        checked = check_value(param, value)
    except ValueProblem as problem:
        raise site.error((*path, *problem.sub_path), problem.detail, line_path=path) from None
    if param.kind == "asset":
        if site.asset_root is None:
            raise site.error(path, "an asset path needs the effect folder, and none was given")
        _check_asset_file(site, path, checked)
    return checked


def validate_op(site: SpecSite, index: int, table: Any) -> tuple[str, dict[str, Any]]:
    """Check one ``[[ops]]`` table: returns the op name and every parameter (defaults filled in)."""
    path: tuple[PathPart, ...] = ("ops", index)
    known = ", ".join(sorted(OPS))
    if not isinstance(table, dict):
        raise site.error(path, f"expected a table with an 'op' key, found {describe(table)}")
    if "op" not in table:
        raise site.error(path, f'missing field "op"; expected the name of an op, one of {known}')
    name = table["op"]
    if not isinstance(name, str):
        raise site.error((*path, "op"), f"expected the name of an op, one of {known}; found {describe(name)}")
    if name not in OPS:
        raise site.error((*path, "op"), f"unknown op {show(name)}; expected one of {known}")
    params = {p.name: p for p in OPS[name].params}
    for key in table:
        if key != "op" and key not in params:
            allowed = ", ".join(["op", *sorted(params)])
            raise site.error((*path, key), f'unknown field of op "{name}"; expected one of {allowed}')
    values: dict[str, Any] = {}
    for pname, param in params.items():
        if pname not in table:
            if param.default is REQUIRED:
                raise site.error(
                    (*path, pname),
                    f'missing field of op "{name}"; expected {expected_text(param)}',
                    line_path=path,
                )
            values[pname] = param.default
            continue
        values[pname] = check_param(site, (*path, pname), param, table[pname])
    return name, values
