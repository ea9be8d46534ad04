"""safelens effects synth: valid effects across the op library, reproducible from the seed,
each with the category its construction implies; and the audit command's own output."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from audit_helpers import small_faces

from camera_app.audit.catalogue import find_effects
from camera_app.audit.synth import KINDS, synthesize, tint_de
from camera_app.cli import main
from effects.spec import load_effect


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_synth_writes_valid_effects_of_every_kind_reproducibly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects", "synth", "60", "--out", str(tmp_path / "a"), "--seed", "3"]) == 0
    assert "wrote 60 effects" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "a" / "synth.json").read_text(encoding="utf-8"))
    entries = manifest["effects"]
    assert {e["kind"] for e in entries} == set(KINDS)
    paths = [source.path for source in find_effects([tmp_path / "a"])]
    assert sorted(str(p.relative_to(tmp_path / "a")) for p in paths) == sorted(e["path"] for e in entries)
    assert any(p.suffix == ".zip" for p in paths) and any(p.is_dir() for p in paths)
    assert len({p.parent for p in paths}) == 2, "nested in part-NNN folders of 50"
    declared = {e["path"]: e["declared"] for e in entries}
    for path in paths:
        spec = load_effect(path)  # strict: every generated effect is valid
        value = None if spec.declared_category is None else spec.declared_category.value
        assert value == declared[str(path.relative_to(tmp_path / "a"))]
    overruled = [e for e in entries if e["declared"] not in (None, e["implied"])]
    assert overruled, "some creators declare the other category, so an audit has something to overrule"
    for e in entries:
        if e["kind"] == "tint":
            op = e["ops"][0]
            colour = tuple(int(op["color"][i:i + 2], 16) for i in (1, 3, 5))
            assert tint_de(colour, op["opacity"]) >= 8.0  # type: ignore[arg-type]
        if e["kind"] in ("eye_warp", "lip_plump"):
            assert 1.07 <= e["ops"][0]["scale"] <= 1.18
        if e["kind"] == "caricature":
            assert e["ops"][0]["scale"] >= 1.9
    assert main(["effects", "synth", "60", "--out", str(tmp_path / "b"), "--seed", "3"]) == 0
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert main(["effects", "synth", "60", "--out", str(tmp_path / "c"), "--seed", "4"]) == 0
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_synth_refuses_a_folder_with_files_and_leaves_nothing_behind(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    assert main(["effects", "synth", "3", "--out", str(tmp_path / "full")]) == 2
    assert "expected a new or empty folder" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"], "no staging folder left"
    with pytest.raises(SystemExit) as bad_count:
        main(["effects", "synth", "0", "--out", str(tmp_path / "x")])
    assert bad_count.value.code == 2 and "expected a whole number >= 1, found '0'" in capsys.readouterr().err


def test_the_audit_command_reports_progress_and_what_it_wrote(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    faces = small_faces(tmp_path / "faces")
    assert main(["effects", "synth", "2", "--out", str(tmp_path / "cat"), "--seed", "1"]) == 0
    capsys.readouterr()
    code = main(["effects", "audit", str(tmp_path / "cat"), "--out", str(tmp_path / "out"), "--workers", "1",
                 "--faces", str(faces)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "audited 2 effects" in out.out and "0 invalid, 0 failed" in out.out
    assert f"wrote {tmp_path / 'out' / 'report.html'}" in out.out
    assert "audit [" in out.err and "effects/min" in out.err and "ETA" in out.err
    with pytest.raises(SystemExit) as help_exit:
        main(["effects", "audit", "--help"])
    assert help_exit.value.code == 0 and "--ray [ADDRESS]" in capsys.readouterr().out


def test_a_catalogue_zip_holds_many_effects_that_pack_as_their_folders_do(tmp_path: Path) -> None:
    """A .zip of a whole catalogue (effect folders and effect zips inside, nested): each effect
    is found, loaded strictly and hashes as the same effect on disk; a bad one is named inside it."""
    import zipfile

    from camera_app.audit.catalogue import Invalid, Packed, pack

    entries = synthesize(5, tmp_path / "cat", 9)
    (tmp_path / "cat" / "broken").mkdir()
    (tmp_path / "cat" / "broken" / "effect.toml").write_text('id = "Bad Id"\n', encoding="utf-8")
    archive = tmp_path / "catalogue.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((tmp_path / "cat").rglob("*")):
            if path.is_file():
                zf.write(path, f"shop/{path.relative_to(tmp_path / 'cat').as_posix()}")
    inside = {s.member: s for s in find_effects([archive])}
    assert sorted(inside) == sorted(["shop/broken/", *(f"shop/{e['path']}" + ("" if e["path"].endswith(".zip") else "/")
                                                       for e in entries)])
    on_disk = {str(s.path.relative_to(tmp_path / "cat")): pack(s) for s in find_effects([tmp_path / "cat"])}
    for entry in entries:
        member = f"shop/{entry['path']}" + ("" if entry["path"].endswith(".zip") else "/")
        packed = pack(inside[member])
        assert isinstance(packed, Packed), packed
        assert packed.path == f"{archive}!shop/{entry['path']}"
        twin = on_disk[entry["path"]]
        assert isinstance(twin, Packed) and (packed.content_hash, packed.effect_id) == (twin.content_hash, twin.effect_id)
    bad = pack(inside["shop/broken/"])
    assert isinstance(bad, Invalid) and bad.path == f"{archive}!shop/broken"
    assert bad.message.startswith(f"{archive}!shop/broken!effect.toml:1: id: expected an id")
    assert find_effects([tmp_path / "cat" / "part-000" / f"{entries[3]['id']}.zip"])[0].member is None, \
        "an effect zip is one effect"

