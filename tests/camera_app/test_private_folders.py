"""Issue 14, attack 7: the Kivy home was a fixed, shared folder that another local user could
create first with a ``config.ini`` naming a module of theirs. Now it is a private folder in the
per-user runtime folder (or the data folder), and a planted one is refused before Kivy starts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from camera_app.cli import main
from camera_app.paths import PrivateFolderError, ensure_private_dir, runtime_dir

PLANTED_CONFIG = "[modules]\nplanted = \n"


def test_a_new_private_folder_is_0700(tmp_path: Path) -> None:
    folder = ensure_private_dir(tmp_path / "a" / "kivy")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_of_ours_readable_by_others_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    ensure_private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    folder.mkdir(mode=0o700)
    someone_else = folder.stat().st_uid + 1
    with pytest.raises(PrivateFolderError, match=r"belongs to another user \(uid \d+, not \d+\)"):
        ensure_private_dir(folder, uid=someone_else)


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "k").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PrivateFolderError, match="found a symbolic link or a file"):
        ensure_private_dir(tmp_path / "k")


def test_runtime_dir_prefers_xdg_runtime_and_falls_back_to_the_data_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir(mode=0o700)
    assert runtime_dir(tmp_path / "data", {"XDG_RUNTIME_DIR": str(tmp_path / "run")}) == tmp_path / "run" / "safelens"
    assert runtime_dir(tmp_path / "data", {}) == tmp_path / "data" / "runtime"
    assert stat.S_IMODE((tmp_path / "data" / "runtime").stat().st_mode) == 0o700


def test_the_app_refuses_a_planted_kivy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    planted = run / "safelens" / "kivy"
    planted.mkdir(parents=True)
    (planted / "config.ini").write_text(PLANTED_CONFIG)
    for folder in (run / "safelens", planted):
        os.chmod(folder, 0o777)  # what the other user leaves behind so the victim can use it
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.delenv("KIVY_HOME", raising=False)
    code = main(["app", "--source", "demo", "--offscreen", "--quit-after-frames", "1",
                 "--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{run / 'safelens'}: this folder is writable by others (mode 0777)" in err
    assert "SafeLens will not use it" in err
