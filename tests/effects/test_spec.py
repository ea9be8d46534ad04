"""effects.spec / effects.validate / effects.spec_zip: malformed specs and hostile archives, each with its exact message."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest
from spec_helpers import HEADER, HEADER_LINES, WARP_OP, fake_ops, make_effect, write_png  # noqa: F401

from effects import spec_zip
from effects.classification import Category
from effects.regions import REGIONS
from effects.spec import EffectSpec, EffectSpecError, load_effect

pytestmark = pytest.mark.usefixtures("fake_ops")

OPS_LINE = HEADER_LINES + 2  # line of the first [[ops]]
KNOWN_REGIONS = ", ".join(sorted(REGIONS))


def _error(path: Path) -> str:
    with pytest.raises(EffectSpecError) as info:
        load_effect(path)
    return str(info.value)


def _toml(folder: Path) -> str:
    return str(folder / "effect.toml")


# --- a valid spec --------------------------------------------------------------------------------


def test_valid_spec_loads_with_defaults_filled_in(tmp_path: Path) -> None:
    folder = make_effect(
        tmp_path / "demo",
        WARP_OP + '\n[[ops]]\nop = "fake_sticker"\nimage = "sticker.png"\nanchor = 10\noffset_fw = [0, -0.5]\n',
    )
    spec = load_effect(folder)
    assert isinstance(spec, EffectSpec)
    assert (spec.id, spec.version, spec.author) == ("demo", "1.0.0", "Tests")
    assert spec.name["en"] == "Demo" and spec.name["fr"] == "Démo"
    assert spec.description["fr"] == "Un effet de test."
    assert spec.declared_category is Category.PLAYFUL
    assert [op.op for op in spec.ops] == ["fake_warp", "fake_sticker"]
    warp, sticker = spec.ops
    assert dict(warp.params) == {
        "strength": 1.0, "scale": 1.2, "regions": ("face",), "count": 3, "mode": "normal", "color": (255, 0, 0),
    }
    assert warp.line == OPS_LINE and sticker.line == OPS_LINE + 4
    assert sticker.params["anchor"] == 10 and sticker.params["offset_fw"] == (0.0, -0.5)
    assert spec.root == folder and len(spec.content_hash) == 64


def test_integer_for_a_float_parameter_is_the_same_number(tmp_path: Path) -> None:
    spec = load_effect(make_effect(tmp_path / "d", '[[ops]]\nop = "fake_warp"\nscale = 2\nstrength = 1\n'))
    assert spec.ops[0].params["scale"] == 2.0 and isinstance(spec.ops[0].params["scale"], float)


def test_category_is_optional(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('category = "playful"\n', ""))
    assert load_effect(folder).declared_category is None


def test_content_hash_changes_with_any_file(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP)
    before = load_effect(folder).content_hash
    write_png(folder / "sticker.png", size=9)
    assert load_effect(folder).content_hash != before


# --- malformed specs, exact messages -------------------------------------------------------------


def test_unknown_op_lists_known_ops(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", '[[ops]]\nop = "fake_wrap"\nscale = 1.2\n')
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 1}: ops[0].op: unknown op "fake_wrap"; expected one of fake_sticker, fake_warp'
    )


def test_missing_field(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + '\n[[ops]]\nop = "fake_warp"\nstrength = 0.5\n')
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 4}: ops[1].scale: missing field of op "fake_warp"; '
        "expected a number in [0.3, 3]"
    )


def test_missing_op_name(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", "[[ops]]\nscale = 1.2\n")
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE}: ops[0]: missing field "op"; expected the name of an op, '
        "one of fake_sticker, fake_warp"
    )


def test_value_out_of_range(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "strength = 1.5\n")
    assert _error(folder) == f"{_toml(folder)}:{OPS_LINE + 3}: ops[0].strength: expected a number in [0, 1], found 1.5"


def test_integer_out_of_range(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "count = 0\n")
    assert _error(folder) == f"{_toml(folder)}:{OPS_LINE + 3}: ops[0].count: expected an integer in [1, 100], found 0"


def test_wrong_type(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", '[[ops]]\nop = "fake_warp"\nscale = "big"\n')
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 2}: ops[0].scale: expected a number in [0.3, 3], found a string "big"'
    )


def test_float_for_an_integer_is_refused(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "count = 2.5\n")
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 3}: ops[0].count: expected an integer in [1, 100], found a number (2.5)"
    )


def test_wrong_type_bool(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", '[[ops]]\nop = "fake_sticker"\nimage = "sticker.png"\nflip = "yes"\n')
    assert _error(folder) == f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].flip: expected true or false, found a string "yes"'


def test_unknown_region_lists_known_regions(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + 'regions = ["lips", "lefteye"]\n')
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].regions[1]: unknown landmark region "lefteye"; '
        f"expected one of {KNOWN_REGIONS}"
    )


@pytest.mark.parametrize(
    ("value", "found"),
    [('"#ff00zz"', '"#ff00zz"'), ("[255, 0]", "[255, 0]"), ("[255, 0, 256]", "[255, 0, 256]"), ("12", "an integer (12)")],
)
def test_bad_colour(tmp_path: Path, value: str, found: str) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + f"color = {value}\n")
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].color: expected a colour "#rrggbb" or [r, g, b] '
        f"with integers 0-255, found {found}"
    )


def test_colour_forms_are_normalised(tmp_path: Path) -> None:
    spec = load_effect(make_effect(tmp_path / "d", WARP_OP + 'color = "#FF8000"\n'))
    assert spec.ops[0].params["color"] == (255, 128, 0)


def test_bad_choice(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + 'mode = "add"\n')
    assert _error(folder) == f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].mode: expected one of "normal", "multiply", found "add"'


def test_landmark_out_of_range(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", '[[ops]]\nop = "fake_sticker"\nimage = "sticker.png"\nanchor = 478\n')
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].anchor: expected a landmark index 0-477 or one of "forehead", '
        '"nose_tip", found 478'
    )


def test_unknown_field_lists_the_op_fields(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "strenght = 0.5\n")
    assert _error(folder) == (
        f'{_toml(folder)}:{OPS_LINE + 3}: ops[0].strenght: unknown field of op "fake_warp"; '
        "expected one of op, color, count, mode, regions, scale, strength"
    )


@pytest.mark.parametrize("bad_id", ["My Effect", "", "glam!", "x" * 65])
def test_bad_id(tmp_path: Path, bad_id: str) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('id = "demo"', f'id = "{bad_id}"'))
    assert _error(folder) == (
        f'{_toml(folder)}:1: id: expected an id of 1-64 lowercase letters, digits, "_" or "-", found "{bad_id}"'
    )


def test_bad_version(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('"1.0.0"', '"1.0"'))
    assert _error(folder) == f'{_toml(folder)}:2: version: expected a version "MAJOR.MINOR.PATCH" such as "1.0.0", found "1.0"'


def test_bad_category(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('"playful"', '"fun"'))
    assert _error(folder) == f'{_toml(folder)}:4: category: expected one of "playful", "appearance_altering", found "fun"'


def test_missing_french_name(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('fr = "Démo"\n', ""))
    assert _error(folder) == f"{_toml(folder)}:6: name.fr: missing text; expected a non-empty string"


def test_missing_id(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('id = "demo"\n', ""))
    assert _error(folder) == f'{_toml(folder)}: id: missing field; expected an id of 1-64 lowercase letters, digits, "_" or "-"'


def test_unknown_top_level_field(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('author = "Tests"', 'author = "Tests"\nauthr = "x"'))
    assert _error(folder) == (
        f"{_toml(folder)}:4: authr: unknown field; expected one of id, version, author, category, name, description, ops"
    )


def test_no_ops(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", "")
    assert _error(folder) == f"{_toml(folder)}: ops: missing; expected one or more [[ops]] tables"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", '[[ops]]\nop = "fake_warp"\nscale = 1.2.3\n')
    assert _error(folder) == f"{_toml(folder)}:{OPS_LINE + 2}: TOML syntax error: Expected newline or end of document after a statement (column 12)"


def test_toml_line_locator_skips_multiline_values(tmp_path: Path) -> None:
    ops = '[[ops]]\nop = "fake_warp"\nregions = [\n  "lips",\n  "face",\n]\nscale = 9\n'
    folder = make_effect(tmp_path / "d", ops)
    assert _error(folder) == f"{_toml(folder)}:{OPS_LINE + 6}: ops[0].scale: expected a number in [0.3, 3], found 9.0"


def test_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "effect.toml").write_bytes(b'id = "demo"\nauthor = "\xe9"\n')
    assert _error(folder) == f"{_toml(folder)}:2: expected UTF-8 text, found the byte 0xe9"


def test_folder_without_effect_toml(tmp_path: Path) -> None:
    assert _error(tmp_path) == f"{tmp_path / 'effect.toml'}: missing; an effect folder must hold an effect.toml"


# --- hostile asset paths -------------------------------------------------------------------------


def _sticker(path: str) -> str:
    return f'[[ops]]\nop = "fake_sticker"\nimage = "{path}"\n'


def test_asset_path_traversal(tmp_path: Path) -> None:
    write_png(tmp_path / "outside.png")
    folder = make_effect(tmp_path / "d", _sticker("../outside.png"))
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 2}: ops[0].image: expected a path inside the effect folder, "
        "found '..' in '../outside.png'"
    )


def test_asset_absolute_path(tmp_path: Path) -> None:
    write_png(tmp_path / "outside.png")
    absolute = (tmp_path / "outside.png").as_posix()
    folder = make_effect(tmp_path / "d", _sticker(absolute))
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 2}: ops[0].image: expected a path relative to the effect folder, "
        f"found the absolute path '{absolute}'"
    )


def test_asset_symlink(tmp_path: Path) -> None:
    write_png(tmp_path / "outside.png")
    folder = make_effect(tmp_path / "d", _sticker("link.png"))
    os.symlink(tmp_path / "outside.png", folder / "link.png")
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 2}: ops[0].image: expected no links on the path, "
        "found a link at 'link.png' in 'link.png'"
    )


def test_asset_missing(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", _sticker("nope.png"))
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 2}: ops[0].image: expected an existing file, found nothing at 'nope.png'"
    )


def test_asset_image_too_large(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", _sticker("big.png"))
    write_png(folder / "big.png", size=2049)
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 2}: ops[0].image: expected an image of at most 2048x2048 px, "
        f"found 2049x2049 px in '{folder / 'big.png'}'"
    )


# --- zip archives --------------------------------------------------------------------------------


def _zip_of(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, prefix + path.name)
    return archive


def test_zip_loads_like_the_folder_into_a_private_copy(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", _sticker("sticker.png"))
    archive = _zip_of(folder, tmp_path / "demo.zip")
    from_zip, from_folder = load_effect(archive), load_effect(folder)
    assert from_zip.content_hash == from_folder.content_hash
    assert from_zip.source == archive and from_zip.root != folder
    assert stat.S_IMODE(os.stat(from_zip.root).st_mode) == 0o700
    assert (from_zip.root / "sticker.png").read_bytes() == (folder / "sticker.png").read_bytes()


def test_zip_with_one_top_folder(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP)
    archive = _zip_of(folder, tmp_path / "demo.zip", prefix="demo/")
    assert load_effect(archive).id == "demo"


def test_zip_errors_in_the_toml_name_the_entry(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "strength = 2\n")
    archive = _zip_of(folder, tmp_path / "demo.zip")
    assert _error(archive) == f"{archive}!effect.toml:{OPS_LINE + 3}: ops[0].strength: expected a number in [0, 1], found 2.0"


def test_zip_entry_whose_local_name_is_not_utf8_is_refused(tmp_path: Path) -> None:
    # Found by the zip fuzzer: the local header says "UTF-8 name" over a byte that is not UTF-8,
    # while the central directory is sound; zipfile raised UnicodeDecodeError when opening it.
    folder = make_effect(tmp_path / "d", _sticker("sticker.png"))
    archive = _zip_of(folder, tmp_path / "demo.zip")
    data = bytearray(archive.read_bytes())
    header = data.index(b"PK\x03\x04" + bytes(data[4:6]), data.index(b"sticker.png") - 40)
    name_at = header + 30
    assert data[name_at:name_at + 11] == b"sticker.png"
    data[header + 6:header + 8] = (0x0800).to_bytes(2, "little")  # general purpose flag: UTF-8 name
    data[name_at] = 0x80
    archive.write_bytes(bytes(data))
    assert _error(archive).startswith(f'{archive}: entry "sticker.png": cannot be unpacked (')


def _hostile_zip(tmp_path: Path, name: str, data: bytes = b"x", attr: int | None = None) -> Path:
    folder = make_effect(tmp_path / "d", WARP_OP)
    archive = _zip_of(folder, tmp_path / "evil.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        info = zipfile.ZipInfo(name)
        if attr is not None:
            info.external_attr = attr << 16
        zf.writestr(info, data)
    return archive


def test_zip_slip_is_refused(tmp_path: Path) -> None:
    archive = _hostile_zip(tmp_path, "../../evil.txt")
    assert _error(archive) == f'{archive}: entry "../../evil.txt": expected a path inside the archive, found a ".." component'
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_absolute_name_is_refused(tmp_path: Path) -> None:
    archive = _hostile_zip(tmp_path, "/tmp/evil.txt")
    assert _error(archive) == (
        f'{archive}: entry "/tmp/evil.txt": expected a relative path inside the archive, found an absolute path'
    )


def test_zip_symlink_entry_is_refused(tmp_path: Path) -> None:
    archive = _hostile_zip(tmp_path, "link.png", b"/etc/passwd", attr=stat.S_IFLNK | 0o777)
    assert _error(archive) == f'{archive}: entry "link.png": expected a regular file, found a symbolic link'


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP)
    archive = _zip_of(folder, tmp_path / "bomb.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", bytes(8 * 1024 * 1024))
    message = _error(archive)
    assert message.startswith(f'{archive}: entry "zeros.bin": compression ratio ')
    assert message.endswith(":1 exceeds the limit of 100:1 (a zip bomb?)")


def test_zip_total_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_zip, "MAX_TOTAL_BYTES", 4096)
    folder = make_effect(tmp_path / "d", WARP_OP)
    (folder / "notes.txt").write_bytes(os.urandom(5000))
    archive = _zip_of(folder, tmp_path / "big.zip")
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert _error(archive) == f"{archive}: expected at most 4096 bytes uncompressed in total, found {total} declared"


def test_zip_too_many_entries(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP)
    archive = _zip_of(folder, tmp_path / "many.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        for i in range(spec_zip.MAX_ENTRIES):
            zf.writestr(f"f{i}.txt", b"")
    assert _error(archive) == f"{archive}: expected at most 256 entries, found {256 + 2}"


def test_zip_without_effect_toml(tmp_path: Path) -> None:
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/readme.txt", b"hi")
        zf.writestr("b/readme.txt", b"hi")
    assert _error(archive) == f"{archive}: expected effect.toml at the top of the archive or in its only folder, found none"


def test_not_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "fake.zip"
    archive.write_bytes(b"not a zip")
    assert _error(archive) == f"{archive}: expected a zip archive, found an unreadable file (File is not a zip file)"


def test_failed_zip_leaves_no_unpacked_folder(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP + "strength = 2\n")
    archive = _zip_of(folder, tmp_path / "demo.zip")
    before = list(spec_zip._TEMP_DIRS)
    _error(archive)
    assert spec_zip._TEMP_DIRS == before


def test_checks_made_by_the_op_itself_are_reported_at_the_op(tmp_path: Path) -> None:
    from effects.ops.base import OPS, Op, Param

    class Picky(Op):
        name = "picky"
        params = (Param("strength", "float", 1.0, 0.0, 1.0), Param("points", "points"))

        def __init__(self, **values: object) -> None:
            super().__init__(**values)
            if "landmark" not in self.values["points"][0]:
                raise ValueError("picky: points[0]: missing field 'landmark'")

        def apply_into(self, frame, tracks, ctx):  # type: ignore[no-untyped-def]
            return None

    OPS["picky"] = Picky  # removed again when the fake_ops fixture ends
    folder = make_effect(tmp_path / "d", WARP_OP + '\n[[ops]]\nop = "picky"\npoints = [{dx_iod = 0.1}]\n')
    assert _error(folder) == (
        f"{_toml(folder)}:{OPS_LINE + 4}: ops[1]: op \"picky\" refused its values: "
        "picky: points[0]: missing field 'landmark'"
    )


def test_ops_are_built_from_the_values_the_toml_gave(tmp_path: Path) -> None:
    from effects.ops.base import OPS, Op, Param

    class OneOf(Op):  # like ``lut``: "file" or "preset", each defaulting to ""
        name = "one_of"
        params = (Param("strength", "float", 1.0, 0.0, 1.0), Param("file", "str", ""), Param("preset", "str", ""))

        def __init__(self, **values: object) -> None:
            if "file" in values and "preset" in values:
                raise ValueError("one_of: expected file or preset, found both")
            super().__init__(**values)

        def apply_into(self, frame, tracks, ctx):  # type: ignore[no-untyped-def]
            return None

    OPS["one_of"] = OneOf  # removed again when the fake_ops fixture ends
    spec = load_effect(make_effect(tmp_path / "d", '[[ops]]\nop = "one_of"\npreset = "sepia"\n'))
    assert dict(spec.ops[0].params) == {"strength": 1.0, "file": "", "preset": "sepia"}
    # only "preset" reached the constructor (OneOf did not refuse it); the op filled in the rest
    assert dict(spec.ops[0].build().values) == {"strength": 1.0, "file": "", "preset": "sepia"}


def test_spec_is_immutable(tmp_path: Path) -> None:
    import dataclasses

    spec = load_effect(make_effect(tmp_path / "d", WARP_OP))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.ops[0].params["scale"] = 2.0  # type: ignore[index]
    assert hash(spec) == hash(load_effect(tmp_path / "d"))


def test_name_table_refuses_non_language_keys(tmp_path: Path) -> None:
    folder = make_effect(tmp_path / "d", WARP_OP, header=HEADER.replace('fr = "Démo"', 'fr = "Démo"\nshort = "D"'))
    assert _error(folder) == (
        f"{_toml(folder)}:9: name.short: unknown field; expected a two-letter language code such as en or fr"
    )
