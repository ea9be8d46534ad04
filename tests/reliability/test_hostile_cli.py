"""Issue 15: every hostile or careless input ends in a clear error, and nothing is left behind.

Each numbered case of the issue, reproduced as it was found: a real read-only filesystem, a
real lock held by another connection, ``/dev/full`` as standard output, real signals sent
to a real ``python -m camera_app.cli render`` process. A clear error is exit code 2 (or the
documented code), a message that names the file or option, and no traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.cli import main
from camera_app.profiles import ProfileStore

REPO = Path(__file__).resolve().parents[2]
FACES = REPO / "assets" / "faces"
CHILD_FACE = FACES / "documerica_543863_child.jpg"
HEADER = 'id = "{id}"\nversion = "1.0.0"\nauthor = "{author}"\n[name]\nen = "{name}"\nfr = "N"\n' \
         '[description]\nen = "d"\nfr = "d"\n'


def _effect(folder: Path, body: str, ident: str = "hostile", name: str = "N", author: str = "a") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "effect.toml").write_text(HEADER.format(id=ident, name=name, author=author) + body, encoding="utf-8")
    return folder


def _clean_error(code: int, err: str, *needles: str, expected_code: int = 2) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def _cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "camera_app.cli", *args], cwd=REPO, env=env, text=True,
                          capture_output=kwargs.pop("capture", True), check=False, timeout=300, **kwargs)  # type: ignore[call-overload]


# -- 1. deep TOML nesting ----------------------------------------------------------------------------


def test_1_deeply_nested_toml_is_a_typed_error_in_list_check_and_render(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    deep = _effect(tmp_path / "effects" / "deep", "extra = " + "[" * 500 + "]" * 500 + "\n")
    with zipfile.ZipFile(tmp_path / "deep.zip", "w") as zf:
        zf.write(deep / "effect.toml", "deep/effect.toml")
    runs = [
        ["effects", "list", "--effects-dir", str(tmp_path / "effects")],
        ["effects", "check", str(deep)],
        ["effects", "check", str(tmp_path / "deep.zip")],
        ["render", "--source", "demo", "--frames", "1", "--effect", "hostile", "--effects-dir",
         str(tmp_path / "effects"), "--out", f"{tmp_path / 'out'}/", "--data-dir", str(tmp_path / "data")],
    ]
    for argv in runs:
        code = main(argv)
        err = capsys.readouterr().err
        _clean_error(code, err, "effect.toml", "nested at most 16 levels deep, found 500")
    assert not (tmp_path / "out").exists()


# -- 2. read-only output, 3. unwritable data folder ---------------------------------------------------


def test_2_render_onto_a_read_only_filesystem(read_only_disk: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    for out in (read_only_disk / "x.mp4", f"{read_only_disk / 'frames'}/"):
        code = main(["render", "--source", "demo", "--frames", "2", "--resolution", "480p", "--out", str(out),
                     "--data-dir", str(tmp_path / "data")])
        err = capsys.readouterr().err
        _clean_error(code, err, str(read_only_disk), "Read-only file system" if str(out).endswith("/")
                     else "read-only filesystem")
    assert sorted(p.name for p in read_only_disk.iterdir()) == ["earlier.txt"]


def test_3_a_read_only_data_folder(read_only_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = [
        ["render", "--source", "demo", "--frames", "2", "--out", str(tmp_path / "x.mp4"), "--data-dir",
         str(read_only_disk / "data")],
        ["profile", "list", "--data-dir", str(read_only_disk)],
        ["profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", "--data-dir", str(read_only_disk)],
    ]
    for argv in runs:
        code = main(argv)
        err = capsys.readouterr().err
        _clean_error(code, err, str(read_only_disk), "the data folder cannot be used", "--data-dir")
    assert not (tmp_path / "x.mp4").exists()


def test_3_the_signing_identity_in_an_unwritable_folder_is_a_typed_error(read_only_disk: Path) -> None:
    from disclosure.identity import IdentityError, load_or_create_identity

    with pytest.raises(IdentityError, match=r"cannot create the signing identity \(Read-only file system\)"):
        load_or_create_identity(read_only_disk / "provenance")


# -- 4. a database locked by another program during a render ------------------------------------------


def test_4_database_locked_while_the_review_watch_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with ProfileStore(data) as store:
        store.create_profile("Adult", date(date.today().year - 40, 1, 1))
    holder = sqlite3.connect(data / "profiles.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = main(["render", "--source", str(CHILD_FACE), "--profile", "Adult", "--effect", "glam", "--frames", "300",
                     "--out", str(tmp_path / "x.mp4"), "--data-dir", str(data)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    _clean_error(code, err, "profiles.db: the profile database is busy", "try again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no video, no temporary file


# -- 5. standard output on a full device --------------------------------------------------------------


@pytest.mark.parametrize("argv", [["effects", "list"], ["profile", "list"]])
def test_5_standard_output_on_dev_full(tmp_path: Path, argv: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = _cli(*argv, *(["--data-dir", str(tmp_path)] if argv[0] == "profile" else []), capture=False,
                    stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"safelens {argv[0]}: error: cannot write to standard output (No space left on device)"


# -- 6. SIGTERM and SIGHUP during a render; leftovers of a crash ---------------------------------------


def _wait_for_partial(folder: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if any(".partial" in p.name for p in folder.iterdir()):
            return
        time.sleep(0.1)
    raise AssertionError(f"no temporary file appeared (exit {proc.poll()})")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_6_a_signal_during_a_render_leaves_nothing(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "camera_app.cli", "render", "--source", "demo", "--frames", "100000",
                             "--resolution", "480p", "--out", str(out / "x.mp4"), "--data-dir", str(tmp_path / "data")],
                            cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_partial(out, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signum), err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_6_stale_partial_files_of_a_crash_are_removed_on_the_next_write(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead_pid = int(gone.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = tmp_path / f".old.mp4.{dead_pid}-0badc0de.partial.mp4"  # killed outright (SIGKILL, power cut)
        legacy = tmp_path / ".older.mp4.d66d4357.partial.mp4"  # named by an earlier version
        busy = tmp_path / f".live.mp4.{alive.pid}-1234abcd.partial.mp4"  # another process still writing
        fresh = tmp_path / f".new.mp4.{dead_pid}-feedf00d.partial.mp4"  # too recent to judge
        for path in (stale, legacy, busy, fresh):
            path.write_bytes(b"\0" * 1024)
        hour_ago = time.time() - 7200
        for path in (stale, legacy, busy):
            os.utime(path, (hour_ago, hour_ago))
        code = main(["render", "--source", "demo", "--frames", "3", "--resolution", "480p",
                     "--out", str(tmp_path / "x.mp4"), "--data-dir", str(tmp_path / "data")])
        assert code == 0, capsys.readouterr().err
        left = sorted(p.name for p in tmp_path.iterdir() if p.name != "data")
        assert left == sorted([busy.name, fresh.name, "x.mp4", "x.mp4.provenance.json"])
    finally:
        alive.kill()
        alive.wait()


# -- 7. a costly effect ------------------------------------------------------------------------------


def test_7_the_64_particle_ops_effect_is_refused_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ops = '[[ops]]\nop = "particles"\ncount = 400\nsize_iod = 3.0\n' * 64
    folder = _effect(tmp_path / "costly", ops)
    code = main(["effects", "check", str(folder), "--quick"])
    _clean_error(code, capsys.readouterr().err, "effect.toml: ops: expected at most 1000 particles", "found 25600")
    one = _effect(tmp_path / "one", '[[ops]]\nop = "particles"\ncount = 400\nsize_iod = 3.0\n')
    code = main(["effects", "check", str(one), "--quick"])
    _clean_error(code, capsys.readouterr().err, "covering at most 100 eye distances squared", "found 3600")


def test_7_effects_check_refuses_an_effect_over_max_cost_before_classifying(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = _effect(tmp_path / "slowish", '[[ops]]\nop = "particles"\ncount = 400\nsize_iod = 0.5\n')
    data = tmp_path / "data"
    code = main(["effects", "check", str(folder), "--quick", "--max-cost", "0.01", "--data-dir", str(data)])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "refused: a 1280x720 frame with one face takes" in captured.out
    assert "over the budget of 0.0 ms (--max-cost)" in captured.out
    assert "category:" not in captured.out  # not classified
    assert not (data / "classifications").exists()  # nothing cached either


# -- 8. huge source images ---------------------------------------------------------------------------


def test_8_a_huge_png_is_refused_from_its_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.png"
    cv2.imwrite(str(huge), np.zeros((10000, 10000), np.uint8), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert huge.stat().st_size < 1_000_000
    import tracemalloc

    tracemalloc.start()
    code = main(["render", "--source", str(huge), "--frames", "1", "--out", str(tmp_path / "x.mp4"),
                 "--data-dir", str(tmp_path / "data")])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    _clean_error(code, capsys.readouterr().err, str(huge), "10000x10000 px (100.0 megapixels) is over the limit of 50")
    assert peak < 50_000_000  # never decoded (the decoded picture would be 100 MB)
    assert not (tmp_path / "x.mp4").exists()


# -- 9. terminal escapes in creator text ---------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "found"), [
    ("name", "Glam\\u001b]0;pwned\\u0007", "U+001B"),
    ("name", "\\u202egnp.exe", "U+202E"),
    ("author", "a\\u0000b", "U+0000"),
    ("author", "x" * 201, "at most 200 characters, found 201"),
])
def test_9_control_characters_in_creator_text_are_refused_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  field: str, value: str, found: str) -> None:
    folder = _effect(tmp_path / "e", '[[ops]]\nop = "vignette"\n', **{field: value})
    code = main(["effects", "check", str(folder)])
    err = capsys.readouterr().err
    _clean_error(code, err, f"{field}.en: " if field == "name" else "author: ", found)
    assert "\x1b" not in err and "\u202e" not in err and "\x00" not in err


def test_9_whatever_a_command_prints_cannot_drive_the_terminal(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", "--source", "demo", "--effect", "x\x1b]0;pwned\x07\u202e", "--out", str(tmp_path / "x.mp4"),
                 "--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    _clean_error(code, err, "--effect", "x\\u001b]0;pwned\\u0007\\u202e")
    assert not any(ch in err for ch in "\x1b\x07\u202e")


def test_9_inspecting_an_untrusted_export_cannot_drive_the_terminal(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A signed file made elsewhere can say anything in its manifest; inspect prints it escaped."""
    from disclosure.export import write_snapshot
    from disclosure.provenance import ProvenanceOptions, ProvenanceSigner
    from effects.classification import Category, ClassificationResult

    hostile = ClassificationResult("x\x1b]0;pwned\x07\u202e", "1.0.0\x1b[2J", Category.PLAYFUL, 0.9, ())
    target = tmp_path / "shot.png"
    with ProvenanceSigner(ProvenanceOptions(identity_dir=tmp_path / "elsewhere")) as signer:
        write_snapshot(np.full((32, 32, 3), 90, np.uint8), target, signer, results=[hostile])
    for extra in ([], ["--json"]):
        code = main(["inspect", str(target), "--data-dir", str(tmp_path / "here"), *extra])
        out = capsys.readouterr().out
        assert code == 0
        assert "x\\u001b]0;pwned\\u0007\\u202e" in out
        assert not any(ch in out for ch in "\x1b\x07\u202e")

    assert json.loads(out)["effects"][0]["id"] == "x\x1b]0;pwned\x07\u202e"  # the JSON still decodes to the text


# -- 10. the smaller ones ------------------------------------------------------------------------------


def test_10_an_empty_or_file_data_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "data.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    for value, found in (("", "found an empty string"), (str(a_file), "found a file")):
        for argv in (["profile", "list"], ["effects", "check", str(REPO / "assets" / "effects" / "comic")],
                     ["inspect", str(a_file)]):
            with pytest.raises(SystemExit) as info:
                main([*argv, "--data-dir", value])
            _clean_error(info.value.code, capsys.readouterr().err, "--data-dir", found)  # type: ignore[arg-type]


def test_10_review_log_of_an_unknown_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["review", "log", "99", "--data-dir", str(tmp_path)])
    _clean_error(code, capsys.readouterr().err, "review entry 99: no such entry")


def test_10_an_empty_effect_and_an_unknown_profile_without_effect(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = f"{tmp_path / 'out'}/"
    code = main(["render", "--source", "demo", "--frames", "1", "--effect", "", "--out", out, "--data-dir", str(tmp_path)])
    _clean_error(code, capsys.readouterr().err, "--effect: expected effect ids")
    code = main(["render", "--source", "demo", "--frames", "1", "--profile", "Ghost", "--out", out,
                 "--data-dir", str(tmp_path)])
    _clean_error(code, capsys.readouterr().err, "no profile called 'Ghost'")
    assert not (tmp_path / "out").exists()


def test_10_a_file_given_as_effects_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "effect.zip"
    a_file.write_bytes(b"PK")
    code = main(["effects", "list", "--effects-dir", str(a_file)])
    _clean_error(code, capsys.readouterr().err, str(a_file), "expected a folder of effects, found a file")


def test_10_birthdate_in_other_digits_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["profile", "create", "--name", "Sam", "--birthdate", "\u0661\u0669\u0669\u0660-\u0660\u0661-\u0660\u0661",
                 "--data-dir", str(tmp_path)])
    _clean_error(code, capsys.readouterr().err, "expected a date as YYYY-MM-DD")


def _signed_render(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Path:
    source = tmp_path / "IMG_0042 me without makeup.jpg"
    source.write_bytes((FACES / "nasa_astronaut_eileen_collins.jpg").read_bytes())
    out = tmp_path / "x.mp4"
    code = main(["render", "--source", str(source), "--frames", "3", "--out", str(out), "--data-dir",
                 str(tmp_path / "data"), *extra])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return out


@pytest.mark.parametrize("change", ["truncate", "append"])
def test_10_a_signed_file_cut_or_extended_after_signing_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               change: str) -> None:
    out = _signed_render(tmp_path, capsys)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) // 2] if change == "truncate" else data + b"appended")
    code = main(["inspect", str(out), "--data-dir", str(tmp_path / "data")])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "signature: INVALID: the file was changed after it was signed" in captured.out
    assert "Traceback" not in captured.err


def test_10_the_source_file_name_stays_out_of_provenance_unless_asked(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = _signed_render(tmp_path, capsys)
    for written in (out, out.with_name("x.mp4.provenance.json")):
        assert b"makeup" not in written.read_bytes() and b"IMG_0042" not in written.read_bytes()
    out = _signed_render(tmp_path, capsys, "--record-source-name")
    assert b"IMG_0042 me without makeup.jpg" in out.with_name("x.mp4.provenance.json").read_bytes()


def test_10_ffmpeg_noise_is_not_printed_before_the_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 4000)
    done = _cli("render", "--source", str(broken), "--out", f"{tmp_path / 'out'}/", "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"safelens render: error: video {broken}: cannot be opened "
                                                "(corrupt, truncated, or not a video)"]


def test_10_a_transparent_source_shows_grey_not_its_hidden_colours(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rgba = np.zeros((48, 64, 4), np.uint8)
    rgba[:, :, 2] = 255  # red under a fully transparent alpha
    rgba[:, 32:, 3] = 255  # the right half opaque
    source = tmp_path / "clear.png"
    cv2.imwrite(str(source), rgba)
    code = main(["render", "--source", str(source), "--frames", "1", "--out", f"{tmp_path / 'out'}/",
                 "--data-dir", str(tmp_path / "d")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "transparent areas shown on grey" in captured.out
    frame = cv2.imread(str(tmp_path / "out" / "frame_00000.png"))
    assert (frame[:, :32] == 128).all()
    assert (frame[:, 32:] == (0, 0, 255)).all()

