"""Strict validation of effect.toml values against the op library's ``Param`` lists.

Every problem raises ``EffectSpecError`` naming the file, the line (found by
scanning the text, see ``effects.toml_lines``), the field path such as
``ops[2].strength``, what was expected and what was found. Nothing is coerced
except integers given for a ``float`` parameter (TOML writes ``1`` and ``1.0``
as different types; both are the number one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from effects.asset_files import IMAGE_SUFFIXES, AssetError, read_rgba_image, resolve_asset
from effects.face import N_LANDMARKS
from effects.lut_io import CubeError, read_cube
from effects.ops.base import OPS, REQUIRED, Param
from effects.regions import REGIONS
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


class _Bad(Exception):
    """Raised by a value checker; the caller turns it into an EffectSpecError at the right field."""

    def __init__(self, detail: str, sub_path: tuple[PathPart, ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.sub_path = sub_path


def field_path(path: Sequence[PathPart]) -> str:
    """``("ops", 2, "regions", 0)`` -> ``"ops[2].regions[0]"``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def show(value: Any) -> str:
    """A TOML-like rendering of a value for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, list):
        inner = ", ".join(show(v) for v in value[:6])
        return f"[{inner}{', ...' if len(value) > 6 else ''}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show(v)}" for k, v in list(value.items())[:6]) + "}"
    return str(value)


def describe(value: Any) -> str:
    """What kind of value this is, for 'found ...' in a type error."""
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, str):
        return f"a string {show(value)}"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({show(value)})"
    if isinstance(value, list):
        return f"a list {show(value)}"
    if isinstance(value, dict):
        return f"a table {show(value)}"
    return f"a date/time ({value})"


def quoted_list(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def expected_text(param: Param) -> str:
    """What a value of ``param`` must look like, in words."""
    kind = param.kind
    if kind == "float":
        return "a number" + param.range_text()
    if kind == "int":
        return "an integer" + param.range_text()
    if kind == "bool":
        return "true or false"
    if kind == "str":
        return f"one of {quoted_list(param.choices)}" if param.choices else "a string"
    if kind == "color":
        return 'a colour "#rrggbb" or [r, g, b] with integers 0-255'
    if kind == "region":
        return "a landmark region name"
    if kind == "regions":
        return "a non-empty list of landmark region names"
    if kind == "landmark":
        text = f"a landmark index 0-{N_LANDMARKS - 1}"
        return text + (f" or one of {quoted_list(param.choices)}" if param.choices else "")
    if kind == "asset":
        if param.choices:
            return f"a relative path to a {', '.join(param.choices)} file inside the effect folder"
        return "a relative path to a file inside the effect folder"
    if kind == "vec2":
        return "a list of two numbers" + param.range_text()
    if kind == "points":
        return "a non-empty list of tables"
    raise ValueError(f"Param {param.name!r}: unknown kind {kind!r}")


def _check_range(param: Param, value: float, expected: str) -> None:
    if (param.min is not None and value < param.min) or (param.max is not None and value > param.max):
        raise _Bad(f"expected {expected}, found {show(value)}")


def _as_float(param: Param, value: Any, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"expected {expected}, found {describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise _Bad(f"expected {expected}, found {show(value)}")
    _check_range(param, number, expected)
    return number


def _check_float(param: Param, value: Any, root: Path | None) -> float:
    return _as_float(param, value, expected_text(param))


def _check_int(param: Param, value: Any, root: Path | None) -> int:
    expected = expected_text(param)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected {expected}, found {describe(value)}")
    _check_range(param, value, expected)
    return value


def _check_bool(param: Param, value: Any, root: Path | None) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"expected true or false, found {describe(value)}")
    return value


def _check_str(param: Param, value: Any, root: Path | None) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected {expected_text(param)}, found {describe(value)}")
    if param.choices and value not in param.choices:
        raise _Bad(f"expected one of {quoted_list(param.choices)}, found {show(value)}")
    return value


_HEX = frozenset("0123456789abcdefABCDEF")


def _check_color(param: Param, value: Any, root: Path | None) -> tuple[int, int, int]:
    expected = expected_text(param)
    if isinstance(value, str):
        if len(value) == 7 and value[0] == "#" and all(c in _HEX for c in value[1:]):
            return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
        raise _Bad(f"expected {expected}, found {show(value)}")
    if isinstance(value, list):
        ok = len(value) == 3 and all(
            isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value
        )
        if ok:
            return (value[0], value[1], value[2])
        raise _Bad(f"expected {expected}, found {show(value)}")
    raise _Bad(f"expected {expected}, found {describe(value)}")


def _region_name(value: Any, sub_path: tuple[PathPart, ...] = ()) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a landmark region name, found {describe(value)}", sub_path)
    if value not in REGIONS:
        raise _Bad(f"unknown landmark region {show(value)}; expected one of {', '.join(sorted(REGIONS))}", sub_path)
    return value


def _check_region(param: Param, value: Any, root: Path | None) -> str:
    return _region_name(value)


def _check_regions(param: Param, value: Any, root: Path | None) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _Bad(f"expected {expected_text(param)}, found {describe(value)}")
    names = tuple(_region_name(v, (i,)) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        raise _Bad(f"expected each region once, found {show(value)}")
    return names


def _check_landmark(param: Param, value: Any, root: Path | None) -> int | str:
    expected = expected_text(param)
    if isinstance(value, str) and param.choices:
        if value in param.choices:
            return value
        raise _Bad(f"expected {expected}, found {show(value)}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected {expected}, found {describe(value)}")
    if not 0 <= value < N_LANDMARKS:
        raise _Bad(f"expected {expected}, found {value}")
    return value


def _check_vec2(param: Param, value: Any, root: Path | None) -> tuple[float, float]:
    expected = expected_text(param)
    if not isinstance(value, list) or len(value) != 2:
        raise _Bad(f"expected {expected}, found {describe(value)}")
    x = _as_float(param, value[0], expected)
    y = _as_float(param, value[1], expected)
    return (x, y)


def _check_points(param: Param, value: Any, root: Path | None) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise _Bad(f"expected {expected_text(param)}, found {describe(value)}")
    return tuple(dict(v) for v in value)


def _check_asset(param: Param, value: Any, root: Path | None) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected {expected_text(param)}, found {describe(value)}")
    if param.choices and value and not value.lower().endswith(tuple(param.choices)):
        # The op reads only these kinds of file: refuse now rather than when the effect first renders.
        raise _Bad(f"expected a file ending in {', '.join(param.choices)}, found {show(value)}")
    if root is None:
        raise _Bad("an asset path needs the effect folder, and none was given")
    return value


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


_CHECKERS: dict[str, Callable[[Param, Any, Path | None], Any]] = {
    "float": _check_float,
    "int": _check_int,
    "bool": _check_bool,
    "str": _check_str,
    "color": _check_color,
    "region": _check_region,
    "regions": _check_regions,
    "landmark": _check_landmark,
    "vec2": _check_vec2,
    "points": _check_points,
    "asset": _check_asset,
}


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
    checker = _CHECKERS.get(param.kind)
    if checker is None:
        raise ValueError(f"Param {param.name!r}: unknown kind {param.kind!r}; expected one of {sorted(_CHECKERS)}")
    try:
        checked = checker(param, value, site.asset_root)
    except _Bad as bad:
        raise site.error((*path, *bad.sub_path), bad.detail, line_path=path) from None
    if param.kind == "asset":
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
