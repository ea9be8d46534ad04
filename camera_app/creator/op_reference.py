"""The creator reference, generated from the op library: every op's fields, and what a value does.

``reference()`` reads the registered ops (``effects.ops.base.OPS``): each parameter's
name, type, default, range, unit and allowed values, plus the vocabularies they use
(landmark regions, sticker anchors, blend modes, LUT presets). For the ops the
dose-response sweeps cover (``assets/effects/dose_response.json``), it adds what a value
does on the reference faces ("scale 1.06 -> eye size about +5% on adults, +4% on
children") and from which value the classifier judges the op appearance-altering.
``markdown()`` renders it as ``docs/effects-reference.md``; ``safelens effects ops``
prints it (text, ``--json`` or ``--markdown``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import effects.ops  # noqa: F401  (fills the op registry)
from camera_app.models import ASSETS_DIR
from effects.kernels.blend import MODES
from effects.lut_presets import PRESET_NAMES
from effects.ops.base import OPS, REQUIRED, Param
from effects.ops.sprite_assets import ANCHORS
from effects.regions import REGIONS

DOSE_RESPONSE = ASSETS_DIR / "effects" / "dose_response.json"
_UNITS = {"_iod": "inter-ocular distances (eye centre to eye centre)", "_fw": "face widths", "_px": "pixels",
          "_deg": "degrees"}
_FRACTION = {"strength", "opacity", "amount", "detail", "blur"}


def _unit(p: Param) -> str:
    if "inter-ocular" in p.doc:
        return _UNITS["_iod"]
    if "frame's shorter side" in p.doc:
        return "fraction of the frame's shorter side"
    for suffix, unit in _UNITS.items():
        if p.name.endswith(suffix):
            return unit
    if p.kind == "float" and p.name in _FRACTION:
        return "fraction (0 = none, 1 = full)"
    if p.name == "scale":
        return "factor (1 = unchanged, 1.06 = +6% at the centre)"
    return ""


def _plain(value: Any) -> Any:
    if value is REQUIRED:
        return None
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def param_entry(p: Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "type": p.kind,
        "required": p.default is REQUIRED,
        "default": _plain(p.default),
        "min": p.min,
        "max": p.max,
        "choices": list(p.choices) if p.choices else None,
        "unit": _unit(p),
        "doc": p.doc,
    }


def load_dose_response(path: Path = DOSE_RESPONSE) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _what_values_do(sweep: dict[str, Any]) -> list[str]:
    scale = 100.0 if sweep["unit"] == "%" else 1.0
    out = []
    for point in sweep["points"][1:]:
        parts = []
        for group in ("adults", "children"):
            med = point[group]["median"]
            if med is None:
                continue
            text = f"{med * scale:+.1f}%" if sweep["unit"] == "%" else f"dE {med:.1f}"
            verdict = "altering" if point[group]["category"] == "appearance_altering" else "playful"
            parts.append(f"{text} on {group} ({verdict})")
        out.append(f"{sweep['param']} {point['value']:g} -> {sweep['label']} about " + ", ".join(parts))
    return out


def reference(dose: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole reference as plain data (``--json``)."""
    dose = dose if dose is not None else load_dose_response()
    sweeps = dose["sweeps"] if dose else []
    ops = []
    for name in sorted(OPS):
        cls = OPS[name]
        effects_of = [
            {"sweep": s["key"], "param": s["param"], "measure": s["label"], "unit": s["unit"],
             "setup": s["toml"].strip().replace("{v}", "<value>"), "altering_from": s["altering_from"], "values": _what_values_do(s)}
            for s in sweeps if s["op"] == name
        ]
        ops.append({"op": name, "doc": (cls.__doc__ or "").strip().splitlines()[0],
                    "params": [param_entry(p) for p in cls.params], "dose_response": effects_of})
    return {
        "ops": ops,
        "regions": sorted(REGIONS),
        "anchors": list(ANCHORS),
        "blend_modes": list(MODES),
        "lut_presets": list(PRESET_NAMES),
        "dose_response_faces": dose["faces"] if dose else None,
    }


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) >= 1e6 else f"{v:g}"


def _range(p: dict[str, Any]) -> str:
    if p["min"] is not None and p["max"] is not None:
        return f"{_n(p['min'])} to {_n(p['max'])}"
    if p["min"] is not None:
        return f">= {_n(p['min'])}"
    if p["max"] is not None:
        return f"<= {_n(p['max'])}"
    return ", ".join(p["choices"]) if p["choices"] and len(p["choices"]) <= 8 else ("see below" if p["choices"] else "")


def _default(p: dict[str, Any]) -> str:
    if p["required"]:
        return "required"
    d = p["default"]
    return "(none)" if d in ("", None) else json.dumps(d)


def markdown(ref: dict[str, Any]) -> str:
    """The reference as Markdown (``docs/effects-reference.md``)."""
    faces = ref["dose_response_faces"]
    out = [
        "# Effect ops reference",
        "",
        "Generated from the op library by `safelens effects ops --markdown` (do not edit by hand; "
        "`tests/camera_app/creator/test_op_reference_doc.py` checks it is current).",
        "",
        "An effect is a folder with an `effect.toml`: a header (`id`, `version`, `author`, `category`, "
        "`[name]`, `[description]`) and a list of `[[ops]]` tables, applied in order. Every op has a "
        "`strength` (0 = no change, 1 = the full effect).",
        "",
    ]
    if faces:
        out += [
            "**What a value does** comes from the dose-response sweeps (`python -m camera_app.cli.dose_response`): "
            f"the op alone, run on the reference faces ({faces['adults']} adults, {faces['children']} children), "
            "measured by the classifier. The verdict in brackets is the classifier's on that group; an effect that "
            "is appearance-altering on children's faces is appearance-altering. Other settings (radius, feather, "
            "colour) change these numbers: check your effect with `safelens effects check`.",
            "",
        ]
    for op in ref["ops"]:
        out += [f"## `{op['op']}`", "", op["doc"], "", "| field | type | default | range / choices | unit | meaning |",
                "|---|---|---|---|---|---|"]
        for p in op["params"]:
            out.append(f"| `{p['name']}` | {p['type']} | {_default(p)} | {_range(p)} | {p['unit']} | {p['doc']} |")
        out.append("")
        for d in op["dose_response"]:
            turn = d["altering_from"]
            out += [f"What `{d['param']}` does ({d['measure']}), with:", "", "```toml", d["setup"], "```", ""]
            out += [f"- {line}" for line in d["values"]]
            out += [f"- judged appearance-altering from {d['param']} = {turn['adults']} on adults, "
                    f"{turn['children']} on children (None: not within the sweep)", ""]
    out += ["## Regions", "", ", ".join(f"`{r}`" for r in ref["regions"]), "",
            "## Sticker anchors", "", ", ".join(f"`{a}`" for a in ref["anchors"]) + " (or a landmark index 0-477)", "",
            "## Blend modes", "", ", ".join(f"`{m}`" for m in ref["blend_modes"]), "",
            "## LUT presets", "", ", ".join(f"`{p}`" for p in ref["lut_presets"]), ""]
    return "\n".join(out)


def text(ref: dict[str, Any]) -> str:
    """A terminal listing: each op with its fields, then the vocabularies."""
    out = []
    for op in ref["ops"]:
        out.append(f"{op['op']}: {op['doc']}")
        for p in op["params"]:
            rng = _range(p)
            unit = f" [{p['unit']}]" if p["unit"] else ""
            out.append(f"  {p['name']} ({p['type']}, default {_default(p)}{', ' + rng if rng else ''}){unit}: {p['doc']}")
        for d in op["dose_response"]:
            out.extend(f"    {line}" for line in d["values"])
    out.append("regions: " + ", ".join(ref["regions"]))
    out.append("anchors: " + ", ".join(ref["anchors"]))
    out.append("blend modes: " + ", ".join(ref["blend_modes"]))
    out.append("LUT presets: " + ", ".join(ref["lut_presets"]))
    return "\n".join(out)
