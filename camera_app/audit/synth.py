"""A synthetic effect catalogue: N valid random effects across the op library, each with the
category its construction implies (``safelens effects synth N --out DIR --seed S``).

Kinds and why each implies its category (the classifier's rule, ``effects.classify.rules``):

============  ===============================================================  ===========
kind          construction                                                     implies
============  ===============================================================  ===========
eye_warp      both eyes scaled by 7-18% (plausible: above 2.5%, under 28%)     altering
lip_plump     lips scaled by 10-18%                                            altering
caricature    eyes or nose scaled by 90-160% (past the 28% caricature limit)   playful
smooth        skin smoothing at strength 0.8-0.95 (removes far over 25% of     altering
              skin detail)
tint          a skin-coloured multiply tint on the skin, design dE76 >= 8 on   altering
              a mid skin tone (over the 4 dE rule)
sticker       a drawn sticker (star, disc, ring) on the head                   playful
style         a whole-picture style: posterize, vignette or grain              playful
stack         a sticker and an eye warp (altering: a stack is altering when    altering
              any part is)
stack_style   a style and a sticker                                            playful
============  ===============================================================  ===========

Creators' declarations are drawn too: 70% declare the implied category, 15% the other one
(so an audit has declarations to overrule), 15% none. Every fourth effect is written as a
``.zip``; effects sit in ``part-NNN`` sub-folders of 50. ``synth.json`` lists each effect's
path, id, kind, parameters, implied and declared category. The same seed gives the same
catalogue, byte for byte.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from camera_app.audit.catalogue import AuditError

KINDS = ("eye_warp", "lip_plump", "caricature", "smooth", "tint", "sticker", "style", "stack", "stack_style")
ALTERING = {"eye_warp", "lip_plump", "smooth", "tint", "stack"}
PER_FOLDER = 50
MANIFEST = "synth.json"
MID_SKIN = (198, 150, 120)  # an sRGB mid skin tone, for the tints' design dE


def _lab(rgb: tuple[float, float, float]) -> np.ndarray:
    import cv2

    pixel = np.array([[rgb]], np.float32) / 255.0
    return cv2.cvtColor(pixel, cv2.COLOR_RGB2Lab)[0, 0].astype(np.float64)


def tint_de(colour: tuple[int, int, int], opacity: float, base: tuple[int, int, int] = MID_SKIN) -> float:
    """CIE76 dE between ``base`` and ``base`` multiplied by ``colour`` at ``opacity``."""
    r, g, b = ((1 - opacity) * v + opacity * v * c / 255.0 for v, c in zip(base, colour, strict=True))
    return float(np.linalg.norm(_lab((r, g, b)) - _lab((float(base[0]), float(base[1]), float(base[2])))))


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _warp(rng: random.Random, regions: list[str], low: float, high: float, radius: float) -> dict[str, Any]:
    return {"op": "radial_scale", "regions": regions, "scale": round(rng.uniform(low, high), 3), "radius_iod": radius}


def _tint(rng: random.Random) -> dict[str, Any]:
    while True:
        colour = (rng.randint(170, 235), rng.randint(110, 170), rng.randint(70, 130))
        opacity = round(rng.uniform(0.45, 0.6), 2)
        if tint_de(colour, opacity) >= 8.0:
            return {"op": "region_tint", "regions": ["skin"], "color": _hex(colour), "mode": "multiply",
                    "opacity": opacity, "feather_iod": 0.3}


def _style(rng: random.Random) -> dict[str, Any]:
    choice = rng.choice(("posterize", "vignette", "film_grain"))
    if choice == "posterize":
        return {"op": "posterize", "levels": rng.randint(4, 6), "edges": True}
    if choice == "vignette":
        return {"op": "vignette", "amount": round(rng.uniform(0.5, 0.8), 2)}
    return {"op": "film_grain", "amount": round(rng.uniform(0.3, 0.5), 2), "seed": rng.randint(0, 999)}


def _sticker(rng: random.Random) -> dict[str, Any]:
    return {"op": "sticker", "image": "sticker.png", "anchor": rng.choice(("head_top", "forehead")),
            "width_fw": round(rng.uniform(0.6, 1.0), 2), "offset_fw": [0.0, round(rng.uniform(-0.35, -0.2), 2)]}


def sticker_png(rng: random.Random) -> bytes:
    """A 256x256 RGBA sticker: a star, a disc or a ring in a random bright colour."""
    size = 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = (rng.randint(60, 255), rng.randint(60, 255), rng.randint(60, 255), 255)
    shape = rng.choice(("star", "disc", "ring"))
    if shape == "star":
        points = []
        for i in range(10):
            r = 120 if i % 2 == 0 else 50
            a = math.pi / 2 + i * math.pi / 5
            points.append((128 + r * math.cos(a), 128 - r * math.sin(a)))
        draw.polygon(points, fill=colour, outline=(30, 30, 30, 255))
    elif shape == "disc":
        draw.ellipse((16, 16, 240, 240), fill=colour, outline=(30, 30, 30, 255), width=6)
    else:
        draw.ellipse((16, 16, 240, 240), outline=colour, width=40)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def construct(kind: str, rng: random.Random) -> list[dict[str, Any]]:
    """The ops of one effect of ``kind``."""
    if kind == "eye_warp":
        return [_warp(rng, ["left_eye", "right_eye"], 1.07, 1.18, 0.3)]
    if kind == "lip_plump":
        return [_warp(rng, ["lips"], 1.10, 1.18, 0.42)]
    if kind == "caricature":
        return [_warp(rng, ["left_eye", "right_eye"], 1.9, 2.6, 0.55) if rng.random() < 0.5
                else _warp(rng, ["nose"], 1.9, 2.4, 1.4)]
    if kind == "smooth":
        return [{"op": "smooth_skin", "radius_iod": 0.08, "detail": round(rng.uniform(0.2, 0.3), 2),
                 "strength": round(rng.uniform(0.8, 0.95), 2)}]
    if kind == "tint":
        return [_tint(rng)]
    if kind == "sticker":
        return [_sticker(rng)]
    if kind == "style":
        return [_style(rng)]
    if kind == "stack":
        return [_sticker(rng), _warp(rng, ["left_eye", "right_eye"], 1.08, 1.16, 0.3)]
    if kind == "stack_style":
        return [_style(rng), _sticker(rng)]
    raise ValueError(f"unknown kind {kind!r}")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def effect_toml(effect_id: str, kind: str, declared: str | None, ops: list[dict[str, Any]]) -> str:
    lines = [f'id = "{effect_id}"', 'version = "1.0.0"', 'author = "safelens synth"']
    if declared is not None:
        lines.append(f'category = "{declared}"')
    words = kind.replace("_", " ")
    lines += ["", "[name]", f'en = "Synthetic {words}"', f'fr = "Synthétique {words}"', "",
              "[description]", f'en = "A generated {words} effect."', f'fr = "Un effet {words} généré."']
    for op in ops:
        lines += ["", "[[ops]]", *(f"{k} = {_toml_value(v)}" for k, v in op.items())]
    return "\n".join(lines) + "\n"


def _declared(rng: random.Random, implied: str) -> str | None:
    draw = rng.random()
    if draw < 0.70:
        return implied
    if draw < 0.85:
        return "playful" if implied == "appearance_altering" else "appearance_altering"
    return None


def _write_effect(folder: Path, rel: str, files: dict[str, bytes], as_zip: bool) -> str:
    if as_zip:
        target = folder / f"{rel}.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in sorted(files.items()):
                zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
        return f"{rel}.zip"
    target = folder / rel
    target.mkdir(parents=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    return rel


def synthesize(count: int, out: Path, seed: int) -> list[dict[str, Any]]:
    """Write ``count`` effects into the new folder ``out``; returns the manifest's entries."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AuditError(f"--out {out}: expected a new or empty folder, found {'files' if out.is_dir() else 'a file'}")
    if not out.parent.is_dir():
        raise AuditError(f"--out {out}: folder {out.parent} does not exist")
    rng = random.Random(seed)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    entries = []
    try:
        for i in range(count):
            kind = KINDS[i % len(KINDS)] if i < len(KINDS) else rng.choice(KINDS)
            implied = "appearance_altering" if kind in ALTERING else "playful"
            declared = _declared(rng, implied)
            effect_id = f"synth_{kind}_{i:06d}"
            ops = construct(kind, rng)
            files = {"effect.toml": effect_toml(effect_id, kind, declared, ops).encode("utf-8")}
            if any(op["op"] == "sticker" for op in ops):
                files["sticker.png"] = sticker_png(rng)
            rel = _write_effect(staging, f"part-{i // PER_FOLDER:03d}/{effect_id}", files, as_zip=i % 4 == 3)
            entries.append({"path": rel, "id": effect_id, "kind": kind, "implied": implied, "declared": declared,
                            "ops": ops})
        manifest = {"seed": seed, "count": count, "effects": entries}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return entries
