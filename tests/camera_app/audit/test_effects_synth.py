"""safelens effects synth: valid effects across the op library, reproducible from the seed,
each with the category its construction implies; and the audit command's own output."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from audit_helpers import small_faces

from camera_app.audit.catalogue import find_effects
from camera_app.audit.synth import KINDS, tint_de
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
    paths = find_effects([tmp_path / "a"])
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
