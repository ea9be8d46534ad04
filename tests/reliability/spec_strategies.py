"""Hypothesis strategies for effect.toml texts, and a hostile effect folder to resolve assets in.

The texts are mostly *almost* valid (every op of the real library, parameters drawn near and
at their limits), with wild values (wrong types, NaN, infinities, huge integers, dates,
nested tables), unknown keys, hostile asset paths and text-level damage mixed in, so that
the fuzzer reaches the op constructors and the asset checks instead of stopping at the
TOML syntax check every time.
"""

from __future__ import annotations

import math
import os
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from hypothesis import strategies as st

import effects.ops  # noqa: F401  (fills OPS)
from effects.lut_io import identity_cube_text
from effects.ops.base import OPS, REQUIRED, Param
from effects.regions import REGIONS

OP_NAMES = tuple(sorted(OPS))
REGION_NAMES = tuple(sorted(REGIONS))
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

# Names of the hostile effect folder (see make_hostile_root); "../outside.png" exists beside it.
SAFE_ASSETS = ("sticker.png", "art/ears.png", "photo.jpg", "grade.cube", "./sticker.png", "art//ears.png",
               "./grade.cube")
HOSTILE_ASSETS = (
    "link.png", "hard.png", "linkdir/ears.png", "fifo.png", "bomb.png", "bomb.jpg", "corrupt.png", "bad.cube",
    "art", "missing.png", "../outside.png", "art/../../outside.png", "/etc/passwd", "C:/x.png", "art\\ears.png",
    "", ".", "sticker.png/", "nul\x00.png", "sticker.png/x", "huge.cube",
)


def make_hostile_root(base: Path) -> Path:
    """An effect folder holding good assets and every kind of bad one; returns its path."""
    root = base / "effect"
    (root / "art").mkdir(parents=True)
    rgba = np.zeros((24, 32, 4), np.uint8)
    rgba[..., 0] = np.arange(32, dtype=np.uint8) * 8
    rgba[4:20, 6:26, 3] = 255
    assert cv2.imwrite(str(root / "sticker.png"), rgba)
    assert cv2.imwrite(str(root / "art" / "ears.png"), rgba)
    assert cv2.imwrite(str(root / "photo.jpg"), rgba[..., :3])
    (root / "grade.cube").write_text(identity_cube_text(4), encoding="utf-8")
    (root / "bad.cube").write_text("LUT_3D_SIZE 3\n0 0 0\n", encoding="utf-8")
    (root / "huge.cube").write_text("LUT_3D_SIZE 64\n" + "0.5 0.5 0.5\n" * 300_000, encoding="utf-8")
    (root / "notes.txt").write_text("not an image", encoding="utf-8")
    (root / "bomb.png").write_bytes(png_with_size(60_000, 60_000))
    (root / "bomb.jpg").write_bytes(jpeg_with_size(65_000, 65_000))
    (root / "corrupt.png").write_bytes(png_with_size(32, 24)[:40] + b"\x00garbage" * 20)
    (base / "outside.png").write_bytes((root / "sticker.png").read_bytes())
    os.symlink(root / "sticker.png", root / "link.png")
    os.symlink(root / "art", root / "linkdir")
    (root / "art" / "hard-source.png").write_bytes((root / "sticker.png").read_bytes())
    os.link(root / "art" / "hard-source.png", root / "hard.png")
    os.mkfifo(root / "fifo.png")
    return root


def png_with_size(width: int, height: int) -> bytes:
    """A small valid 1x1 PNG whose IHDR is rewritten to claim ``width`` x ``height`` (CRC fixed)."""
    import struct
    import zlib

    ok, buf = cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))
    assert ok
    data = bytearray(buf.tobytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small valid JPEG whose start-of-frame is rewritten to claim ``width`` x ``height``."""
    import struct

    ok, buf = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))
    assert ok
    data = bytearray(buf.tobytes())
    sof = data.find(b"\xff\xc0")
    assert sof > 0
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# -- a tiny TOML writer (enough for these values; emits odd but valid TOML on purpose) ---------


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")  # a lone surrogate cannot be written in TOML at all
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_document(doc: dict[str, Any]) -> str:
    """Scalars first, then tables, then arrays of tables (the shape of effect.toml)."""
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    arrays: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in doc.items():
        if isinstance(value, dict) and value and all(not isinstance(v, dict) for v in value.values()):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, table in tables:
        lines.append(f"\n[{toml_key(key)}]")
        lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
    for key, items in arrays:
        for item in items:
            lines.append(f"\n[[{toml_key(key)}]]")
            lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in item.items())
    return "\n".join(lines) + "\n"


# -- values -------------------------------------------------------------------------------------

_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
wild_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


def _in_range(p: Param) -> st.SearchStrategy[float]:
    lo = -1e6 if p.min is None else p.min
    hi = 1e6 if p.max is None else p.max
    edges = st.sampled_from((hi, lo, (lo + hi) / 2))  # (hypothesis favours the first element)
    if p.name == "strength":  # strength 0 is the identity: keep it rare so the kernels run
        return st.one_of(st.floats(0.05, 1.0), st.floats(0.05, 1.0), st.floats(0.05, 1.0), edges)
    return st.one_of(st.floats(lo, hi, allow_nan=False), edges)


safe_asset_paths = st.sampled_from(SAFE_ASSETS)
hostile_asset_paths = st.one_of(
    st.sampled_from(HOSTILE_ASSETS),
    st.lists(st.sampled_from(("..", ".", "", "art", "linkdir", "sticker.png", "ears.png", "x")), min_size=1,
             max_size=5).map("/".join),
    st.text(max_size=16),
)
_valid_points = st.lists(
    st.fixed_dictionaries({"landmark": st.integers(0, 477), "dx_iod": st.floats(-0.2, 0.2),
                           "dy_iod": st.floats(-0.2, 0.2), "radius_iod": st.floats(0.05, 3.0)}),
    min_size=1, max_size=4,
)
_odd_points = st.lists(
    st.fixed_dictionaries(
        {"landmark": st.integers(-2, 480), "dx_iod": st.floats(-1.5, 1.5), "dy_iod": st.floats(-1.5, 1.5),
         "radius_iod": st.floats(-0.1, 3.5)},
        optional={"extra": st.integers()},
    ),
    max_size=4,
)


def valid_value(p: Param) -> st.SearchStrategy[Any]:
    """Values the parameter's own checks accept (ops may still refuse some combinations)."""
    kind = p.kind
    if kind == "float":
        out: st.SearchStrategy[Any] = _in_range(p)
        if p.min is not None and p.max is not None and math.ceil(p.min) <= math.floor(p.max):
            out = st.one_of(out, out, out, st.integers(math.ceil(p.min), math.floor(p.max)))  # TOML ints
        return out
    if kind == "int":
        lo = -(2**40) if p.min is None else int(p.min)
        hi = 2**40 if p.max is None else int(p.max)
        return st.one_of(st.integers(lo, hi), st.sampled_from((lo, hi)))
    if kind == "bool":
        return st.booleans()
    if kind == "str":
        return st.sampled_from(p.choices) if p.choices else st.text(max_size=8)
    if kind == "color":
        return st.one_of(st.integers(0, 0xFFFFFF).map(lambda c: f"#{c:06x}"),
                         st.lists(st.integers(0, 255), min_size=3, max_size=3))
    if kind == "region":
        return st.sampled_from(REGION_NAMES)
    if kind == "regions":
        return st.lists(st.sampled_from(REGION_NAMES), min_size=1, max_size=4, unique=True)
    if kind == "landmark":
        ints = st.integers(0, 477)
        return st.one_of(ints, st.sampled_from(p.choices)) if p.choices else ints
    if kind == "vec2":
        return st.lists(_in_range(p), min_size=2, max_size=2)
    if kind == "points":
        return _valid_points
    if kind == "asset":
        fitting = [a for a in SAFE_ASSETS if not p.choices or a.endswith(tuple(p.choices))]
        return st.sampled_from(fitting)
    raise AssertionError(f"unknown parameter kind {kind!r}")


def invalid_value(p: Param) -> st.SearchStrategy[Any]:
    """Values just past the parameter's limits, or of the right type but wrong shape."""
    kind = p.kind
    if kind in ("float", "int", "vec2"):
        edges = [v for v in (None if p.min is None else p.min - (1e-9 if kind != "int" else 1),
                             None if p.max is None else p.max + (1e-9 if kind != "int" else 1)) if v is not None]
        base = st.sampled_from(edges or [float("nan")])
        if kind == "int":
            base = st.one_of(base.map(int), st.just(1.0))
        return st.lists(base, min_size=2, max_size=2) if kind == "vec2" else base
    if kind == "color":
        return st.one_of(st.text(max_size=8), st.lists(st.integers(-1, 256), max_size=4))
    if kind in ("region", "regions", "str"):
        return st.one_of(st.text(max_size=8), st.lists(st.sampled_from(REGION_NAMES), max_size=3))
    if kind == "landmark":
        return st.sampled_from((-1, 478, 10**9, "nose"))
    if kind == "points":
        return _odd_points
    if kind == "asset":
        return hostile_asset_paths
    return wild_values


@st.composite
def op_tables(draw: st.DrawFn) -> dict[str, Any]:
    """One [[ops]] table: a real op with values that pass its checks, and now and then one bad value,
    a missing or unknown field, or an unknown op (rare branches draw high numbers: hypothesis
    favours small ones)."""
    # st.randoms: every op equally often (sampled_from leans towards the first names)
    name = draw(st.randoms()).choice(OP_NAMES) if draw(st.integers(0, 19)) < 19 else draw(st.text(max_size=10))
    table: dict[str, Any] = {"op": name}
    if draw(st.integers(0, 39)) == 39:
        del table["op"]
    params = OPS[name].params if name in OPS else ()
    for p in params:
        mode = draw(st.integers(0, 39))
        if mode < 30 or (p.default is REQUIRED and mode < 39):
            table[p.name] = draw(valid_value(p))
        elif mode < 36:
            pass  # left out: its default
        elif mode < 38:
            table[p.name] = draw(invalid_value(p))
        elif mode == 38:
            table[p.name] = draw(wild_values)
        # 39: a required field left out
    if draw(st.integers(0, 29)) == 29:
        table[draw(st.text(min_size=1, max_size=8))] = draw(wild_values)
    return table


_nonblank = st.text(min_size=1, max_size=30).filter(str.strip)
_good_texts = st.fixed_dictionaries({"en": _nonblank, "fr": _nonblank})
_texts_table = st.one_of(
    _good_texts,
    st.fixed_dictionaries({"en": st.text(max_size=30)}, optional={"fr": st.text(max_size=5), "de": _nonblank,
                                                                  "EN": _nonblank}),
)


# Characters that drive or fool a terminal: ESC, BEL, NUL, CSI (C1), bidi override and isolate,
# zero-width space, byte order mark.
_HOSTILE_CHARS = st.sampled_from(["\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff", "\r"])
hostile_text = st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), _HOSTILE_CHARS, st.text(max_size=8))


@st.composite
def deep_nesting(draw: st.DrawFn) -> str:
    """A TOML value nested ``depth`` arrays or inline tables deep (tomllib recurses on each)."""
    depth = draw(st.one_of(st.integers(1, 40), st.integers(40, 3000)))
    if draw(st.booleans()):
        return "[" * depth + draw(st.sampled_from(["", "1", '"x"'])) + "]" * depth
    return "{a = " * depth + "1" + " }" * depth


@st.composite
def effect_documents(draw: st.DrawFn) -> dict[str, Any]:
    broken = draw(st.integers(0, 5)) == 5  # one header in six has bad fields

    def mostly(valid: st.SearchStrategy[Any], wild: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(valid, valid, wild) if broken else valid)

    doc: dict[str, Any] = {
        "id": mostly(st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True), st.text(max_size=70)),
        "version": mostly(st.from_regex(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True), st.text(max_size=8)),
        "author": mostly(st.text(min_size=1, max_size=20).filter(str.strip), st.one_of(st.text(max_size=3), hostile_text)),
        "category": mostly(st.sampled_from(("playful", "appearance_altering")), st.sampled_from(("other", ""))),
        "name": mostly(_good_texts, st.one_of(_texts_table, wild_values,
                                              st.fixed_dictionaries({"en": hostile_text, "fr": _nonblank}))),
        "description": mostly(_good_texts, st.one_of(_texts_table, wild_values)),
        "ops": draw(st.lists(op_tables(), min_size=1, max_size=5)) if draw(st.integers(0, 39)) < 39 else [],
    }
    for key in list(doc):
        roll = draw(st.integers(0, 19)) if broken else 0
        if roll == 19:
            del doc[key]
        elif roll == 18:
            doc[key] = draw(wild_values)
    if broken and draw(st.integers(0, 4)) == 4:
        doc[draw(st.text(min_size=1, max_size=8))] = draw(wild_values)
    return doc


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few text-level edits: insert, delete, duplicate or swap lines, truncate."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(text)
        op = draw(st.integers(0, 4))
        at = draw(st.integers(0, n))
        if op == 0:
            text = text[:at] + draw(st.text(min_size=1, max_size=4)) + text[at:]
        elif op == 1:
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif op == 2:
            text = text[:at]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == 3:
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@st.composite
def effect_texts(draw: st.DrawFn) -> str:
    """An effect.toml text: a generated document, sometimes damaged, sometimes plain noise."""
    kind = draw(st.integers(0, 19))
    if kind == 19:
        return draw(st.text(max_size=200))
    text = toml_document(draw(effect_documents()))
    if kind >= 16:
        text = draw(damaged(text))
    elif kind == 15:  # a deeply nested value on a line of its own, anywhere
        lines = text.split("\n")
        key = draw(st.sampled_from(["extra", "strength", "ops", "regions", "points"]))
        lines.insert(draw(st.integers(0, len(lines))), f"{key} = {draw(deep_nesting())}")
        text = "\n".join(lines)
    return text


# -- seeded valid effects (uniform over ops and values; for the render fuzz) ----------------------


def _random_value(rng: random.Random, p: Param) -> Any:
    kind = p.kind
    edge = rng.random() < 0.2
    if kind in ("float", "int", "vec2"):
        lo = -1e3 if p.min is None else p.min
        hi = 1e3 if p.max is None else p.max
        if p.name == "strength":
            lo = 0.05 if not edge else lo

        def one() -> float | int:
            if kind == "int":
                return rng.choice((int(lo), int(hi))) if edge else rng.randint(int(lo), int(hi))
            return rng.choice((lo, hi)) if edge else rng.uniform(lo, hi)

        return [one(), one()] if kind == "vec2" else one()
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "str":
        return rng.choice(p.choices) if p.choices else "x"
    if kind == "color":
        return [rng.randint(0, 255) for _ in range(3)]
    if kind == "region":
        return rng.choice(REGION_NAMES)
    if kind == "regions":
        return rng.sample(REGION_NAMES, rng.randint(1, 3))
    if kind == "landmark":
        return rng.choice(p.choices) if p.choices and rng.random() < 0.5 else rng.randint(0, 477)
    if kind == "points":
        return [{"landmark": rng.randint(0, 477), "dx_iod": rng.uniform(-0.15, 0.15), "dy_iod": rng.uniform(-0.15, 0.15),
                 "radius_iod": rng.uniform(0.3, 3.0)} for _ in range(rng.randint(1, 4))]
    if kind == "asset":
        return rng.choice([a for a in SAFE_ASSETS if not p.choices or a.endswith(tuple(p.choices))])
    raise AssertionError(f"unknown parameter kind {kind!r}")


def random_valid_effect(seed: int) -> str:
    """An effect.toml of 1-4 ops chosen uniformly, values uniform in their ranges (a fifth at an edge).
    Ops that check combinations (e.g. a move larger than its radius) may still refuse some."""
    rng = random.Random(seed)
    ops = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(OP_NAMES)
        table: dict[str, Any] = {"op": name}
        for p in OPS[name].params:
            if p.default is REQUIRED or rng.random() < 0.7:
                table[p.name] = _random_value(rng, p)
        if name == "lut":  # exactly one of file and preset
            table.pop(rng.choice(("file", "preset")), None)
            if not table.get("file") and not table.get("preset"):
                table["preset"] = "sepia"
        ops.append(table)
    doc = {"id": f"fx{seed % 1000}", "version": "1.0.0", "author": "fuzz", "name": {"en": "Fx", "fr": "Fx"},
           "description": {"en": "Fuzzed.", "fr": "Fuzzé."}, "ops": ops}
    return toml_document(doc)
