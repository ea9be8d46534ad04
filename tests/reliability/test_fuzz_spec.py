"""Fuzzing the effect-spec loader (effect.toml), and running every effect it accepts.

Claims:
- whatever the text of effect.toml, ``parse_effect`` / ``load_effect`` either return a spec
  or raise ``EffectSpecError``; never another exception, a hang or a large allocation;
- asset paths in a spec never reach a link, a special file, a file outside the effect
  folder, or an image bigger than the limits (such specs are refused);
- an effect the loader accepts renders without an error on faces anywhere in (or far out of)
  a frame, of any size, and keeps the frame's shape: a creator's values cannot crash the
  kernels.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from fuzz_support import Guard, examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from spec_strategies import effect_texts, make_hostile_root, random_valid_effect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "effects"))
from library_faces import portrait  # noqa: E402

from effects.engine import build_stack  # noqa: E402
from effects.face import FaceTrack  # noqa: E402
from effects.ops.base import OpContext  # noqa: E402
from effects.spec_guard import text_problem  # noqa: E402
from effects.spec import MAX_TOML_BYTES, EffectSpec, EffectSpecError, load_effect, parse_effect  # noqa: E402

PARSE_EXAMPLES = examples(400)
APPLY_EXAMPLES = examples(150)
FILE_EXAMPLES = examples(150)


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hostile_root(tmp_path_factory.mktemp("spec-fuzz"))


@pytest.fixture(scope="module")
def warm_kernels() -> None:
    """Compile (or load) every kernel before the watchdog runs: a first JIT compile is start-up, not a
    hang (with NUMBA_BOUNDSCHECK=1 and a cold cache it can take longer than the watchdog allows)."""
    from camera_app.catalog.effects import load_registry

    rgb, track = _FACE
    for spec in load_registry():
        build_stack([spec], segmenter=SEGMENTER).apply(rgb, [track], OpContext())


_FACE = portrait("nasa_astronaut_eileen_collins")


class _MaskSegmenter:
    """A model-free person mask for fuzzing (the person ops need one; what is fuzzed is the spec):
    a soft ellipse over the middle of the frame."""

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = ((xx - w / 2) / max(1.0, 0.3 * w)) ** 2 + ((yy - h / 2) / max(1.0, 0.45 * h)) ** 2
        return np.clip(1.5 - r, 0.0, 1.0).astype(np.float32)


SEGMENTER = _MaskSegmenter()


@st.composite
def scenes(draw: st.DrawFn) -> tuple[np.ndarray, tuple[FaceTrack, ...]]:
    """A frame (the portrait, a sliver of it, or a large canvas) with 0-2 faces moved, scaled and
    turned anywhere, including mostly or wholly outside the frame and far bigger than it."""
    rgb, track = _FACE
    shape = draw(st.sampled_from(("portrait", "sliver", "pixel", "wide")))
    if shape == "sliver":
        rgb = np.ascontiguousarray(rgb[:9, :200])
    elif shape == "pixel":
        rgb = np.ascontiguousarray(rgb[:1, :1])
    elif shape == "wide":
        rgb = np.ascontiguousarray(np.tile(rgb, (1, 3, 1)))
    tracks = []
    for i in range((1 + draw(st.integers(0, 2))) % 3):  # mostly one face, sometimes none or two
        near = draw(st.integers(0, 4)) < 4  # mostly on or near the frame; sometimes anywhere
        scale = draw(st.floats(0.5, 2.0)) if near else draw(st.floats(0.02, 40.0))
        angle = math.radians(draw(st.floats(-30.0, 30.0) if near else st.floats(-180.0, 180.0)))
        reach = 150.0 if near else 1e5
        tx = draw(st.floats(-reach, reach))
        ty = draw(st.floats(-reach, reach))
        c, s = scale * math.cos(angle), scale * math.sin(angle)
        cx, cy = track.box.center  # turn and scale about the face centre, then move
        m = np.array([[c, -s, cx - c * cx + s * cy + tx], [s, c, cy - s * cx - c * cy + ty]])
        tracks.append(track.transformed(m, track_id=i))
    return rgb, tuple(tracks)


# Uniform over ops and values (hypothesis' own draws lean towards small, often identity values).
seeded_effects = st.integers(0, 2**32 - 1).map(random_valid_effect)


def _spec(fields: dict, root: Path) -> EffectSpec:
    return EffectSpec(**fields, root=root, source=root, content_hash="0" * 64)


@fuzz_settings(ci=PARSE_EXAMPLES)
@given(text=effect_texts())
def test_any_effect_toml_gives_a_spec_or_an_effect_spec_error(hostile_root: Path, text: str) -> None:
    guard = Guard("spec: parse effect.toml text", (EffectSpecError,), peak_limit_mib=96,
                  examples_setting=PARSE_EXAMPLES)
    with guard.case():
        fields = parse_effect(text, "fuzz/effect.toml", hostile_root)
        for op in fields["ops"]:
            for value in op.params.values():
                _assert_no_hostile_asset(value)
        shown = [fields["author"], *fields["name"].values(), *fields["description"].values()]
        assert all(text_problem(t, 1000) is None for t in shown), shown  # nothing that drives a terminal


def _assert_no_hostile_asset(value: object) -> None:
    from spec_strategies import SAFE_ASSETS

    if isinstance(value, str) and value.endswith((".png", ".jpg", ".cube")):
        assert value in SAFE_ASSETS, f"the loader accepted the asset path {value!r}"


@fuzz_settings(ci=APPLY_EXAMPLES)
@given(text=st.one_of(seeded_effects, seeded_effects, seeded_effects, effect_texts()), scene=scenes(),
       seed=st.integers(0, 2**31 - 1), frame_index=st.integers(0, 10**6))
def test_every_accepted_effect_renders_on_any_scene(
    hostile_root: Path, warm_kernels: None, text: str, scene: tuple[np.ndarray, tuple[FaceTrack, ...]], seed: int, frame_index: int
) -> None:
    try:
        fields = parse_effect(text, "fuzz/effect.toml", hostile_root)
    except EffectSpecError:
        return
    rgb, tracks = scene
    # No error at all is allowed here: whatever an op reads at render time was checked at load
    # time (a .png given to the lut op used to pass the loader and fail on the first frame).
    guard = Guard("spec: render accepted effects", (), peak_limit_mib=512, examples_setting=APPLY_EXAMPLES)
    with guard.case():
        stack = build_stack([_spec(fields, hostile_root)], segmenter=SEGMENTER)
        out = stack.apply(rgb, tracks, OpContext(frame_index=frame_index, timestamp_ms=frame_index * 33, seed=seed))
        assert out.shape == rgb.shape and out.dtype == np.uint8


@fuzz_settings(ci=FILE_EXAMPLES)
@given(raw=st.one_of(st.binary(max_size=300), effect_texts().map(lambda t: t.encode("utf-8", "surrogatepass"))),
       bom=st.booleans())
def test_any_effect_toml_file_gives_a_spec_or_an_effect_spec_error(tmp_path_factory: pytest.TempPathFactory,
                                                                   raw: bytes, bom: bool) -> None:
    folder = tmp_path_factory.mktemp("file-fuzz")
    (folder / "effect.toml").write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    guard = Guard("spec: load effect folder (bytes)", (EffectSpecError,), peak_limit_mib=96,
                  examples_setting=FILE_EXAMPLES)
    with guard.case():
        load_effect(folder)


# -- hostile folders, one by one ---------------------------------------------------------------


def _valid_text() -> str:
    return (Path(__file__).resolve().parents[2] / "assets" / "effects" / "comic" / "effect.toml").read_text("utf-8")


def test_effect_toml_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    folder.mkdir()
    os.mkfifo(folder / "effect.toml")
    guard = Guard("spec: hostile folders", (EffectSpecError,), peak_limit_mib=64, timeout_s=10)
    with pytest.raises(EffectSpecError, match=r"effect.toml: expected a regular file, found something else"):
        with guard.case(reraise=True):
            load_effect(folder)


def test_effect_toml_that_is_a_folder_or_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a" / "effect.toml").mkdir(parents=True)
    with pytest.raises(EffectSpecError, match=r"effect.toml: expected a regular file, found something else"):
        load_effect(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "real.toml").write_text(_valid_text(), encoding="utf-8")
    os.symlink(tmp_path / "real.toml", tmp_path / "b" / "effect.toml")
    with pytest.raises(EffectSpecError, match=r"effect.toml: expected a regular file, found a symbolic link"):
        load_effect(tmp_path / "b")


def test_an_oversized_effect_toml_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    folder.mkdir()
    with open(folder / "effect.toml", "wb") as fh:
        fh.truncate(2 * 1024**3)  # a sparse 2 GiB file: reading it would be the bug
    guard = Guard("spec: hostile folders", (EffectSpecError,), peak_limit_mib=16)
    with pytest.raises(EffectSpecError, match=rf"expected at most {MAX_TOML_BYTES} bytes, found {2 * 1024**3}"):
        with guard.case(reraise=True):
            load_effect(folder)


def test_a_huge_extra_file_in_an_effect_folder_is_not_read_into_memory(tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    folder.mkdir()
    (folder / "effect.toml").write_text(_valid_text(), encoding="utf-8")
    with open(folder / "video.bin", "wb") as fh:
        fh.truncate(1024**3)  # sparse 1 GiB: hashing must refuse it from its size
    guard = Guard("spec: hostile folders", (EffectSpecError,), peak_limit_mib=80)
    with pytest.raises(EffectSpecError, match=r"expected at most \d+ bytes of files, found more"):
        with guard.case(reraise=True):
            load_effect(folder)


def test_special_files_beside_effect_toml_are_not_opened(tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    folder.mkdir()
    (folder / "effect.toml").write_text(_valid_text(), encoding="utf-8")
    os.mkfifo(folder / "pipe")  # hashing must skip it (opening it would block)
    os.symlink("/etc/hostname", folder / "outside")
    guard = Guard("spec: hostile folders", (EffectSpecError,), peak_limit_mib=64, timeout_s=10)
    with guard.case():
        spec = load_effect(folder)
    assert spec.id == "comic"


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ('op = "lut"\nfile = "sticker.png"', 'ops[0].file: expected a file ending in .cube, found "sticker.png"'),
        ('op = "sticker"\nimage = "grade.cube"',
         'ops[0].image: expected a file ending in .png, .jpg, .jpeg, found "grade.cube"'),
        ('op = "particles"\nimage = "notes.txt"',
         'ops[0].image: expected a file ending in .png, .jpg, .jpeg, found "notes.txt"'),
    ],
)
def test_an_asset_of_the_wrong_kind_is_refused_at_load_time(hostile_root: Path, op: str, message: str) -> None:
    text = _valid_text().split("[[ops]]")[0] + "[[ops]]\n" + op + "\n"
    with pytest.raises(EffectSpecError) as info:
        parse_effect(text, "fx/effect.toml", hostile_root)
    assert str(info.value).endswith(message)


def test_the_largest_dilation_on_a_face_filling_a_1080p_frame_does_not_stall(hostile_root: Path) -> None:
    """region_tint at its limits (dilate_iod 0.5, feather_iod 1) on a face as tall as a 1080p frame:
    17 s per frame with disc morphology (found by the render fuzz), now a distance transform."""
    text = _valid_text().split("[[ops]]")[0] + (
        '[[ops]]\nop = "region_tint"\nregions = ["face"]\ncolor = "#c08060"\ndilate_iod = 0.5\nfeather_iod = 1.0\n'
    )
    spec = _spec(parse_effect(text, "fx/effect.toml", hostile_root), hostile_root)
    rgb, track = _FACE
    scale = 0.9 * 1080 / track.box.height
    cx, cy = track.box.center
    face = track.transformed(np.array([[scale, 0.0, 960 - scale * cx], [0.0, scale, 540 - scale * cy]]))
    frame = np.full((1080, 1920, 3), 128, np.uint8)
    guard = Guard("spec: render accepted effects", (), peak_limit_mib=512, timeout_s=10)  # a hang detector
    with guard.case():
        out = build_stack([spec], segmenter=SEGMENTER).apply(frame, [face], OpContext())
    assert not np.array_equal(out[540, 960], frame[540, 960])  # the tint reached the middle of the face
