"""``safelens app``: argument checks before any window, the QA screenshot run, and the
no-display fallback's message."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from camera_app.cli import main
from camera_app.profiles.store import ProfileStore

REPO = Path(__file__).resolve().parents[3]


def _profile(data_dir: Path, name: str, age_years: int) -> None:
    with ProfileStore(data_dir) as store:
        store.create_profile(name, date(store.today().year - age_years, 1, 1))


def test_unknown_profile_fails_before_a_window_opens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["app", "--data-dir", str(tmp_path), "--profile", "Nobody", "--screenshot", str(tmp_path / "s.png")])
    err = capsys.readouterr().err
    assert code == 2
    assert "safelens app: error: --profile:" in err and "Nobody" in err
    assert "safelens profile create --name NAME --birthdate YYYY-MM-DD" in err
    assert not (tmp_path / "s.png").exists()


def test_unknown_effect_names_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _profile(tmp_path, "Ada", 40)
    code = main(["app", "--data-dir", str(tmp_path), "--profile", "Ada", "--effect", "nope", "--offscreen"])
    err = capsys.readouterr().err
    assert code == 2 and "--effect: unknown effect 'nope'; expected one of" in err and "glam" in err


def test_a_missing_source_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["app", "--source", str(tmp_path / "gone.mp4"), "--offscreen", "--data-dir", str(tmp_path)])
    assert code == 2 and "does not exist" in capsys.readouterr().err


def test_display_stats_into_a_missing_folder_is_refused_before_a_window_opens(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _profile(tmp_path, "Ada", 40)
    target = tmp_path / "nowhere" / "display.json"
    code = main(["app", "--data-dir", str(tmp_path), "--profile", "Ada", "--offscreen", "--quit-after-frames", "5",
                 "--display-stats", str(target)])
    assert code == 2 and f"--display-stats: the folder of {target} does not exist" in capsys.readouterr().err
    assert not target.parent.exists()


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["app", "--help"])
    assert "Example:\n  safelens app --source demo" in capsys.readouterr().out


def test_screenshot_run_shows_the_camera_for_the_profile(tmp_path: Path) -> None:
    """The QA path: the real app, a profile, N frames, a PNG of the window, exit 0."""
    _profile(tmp_path, "Sam", 15)
    shot = tmp_path / "camera.png"
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", "from camera_app.cli import main; raise SystemExit(main())", "app",
         "--data-dir", str(tmp_path), "--profile", "Sam", "--effect", "glam", "--screenshot", str(shot),
         "--quit-after-frames", "10", "--size", "960x600"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"screenshot: {shot}" in done.stdout
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape == (600, 960, 3)
    preview = pixels[100:400, 200:700]
    assert preview.std() > 20  # the camera picture, not an empty window


def _without_display(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                     fake_run: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    """No display in the environment, demo output under ``tmp_path``, the app's process replaced by ``fake_run``."""
    import camera_app.cli.cmd_app as cmd_app

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cmd_app, "DEMO_OUT", tmp_path / "out")
    monkeypatch.setattr(cmd_app.subprocess, "run", fake_run)


def test_no_display_says_so_and_renders_offscreen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        assert kwargs["env"]["SDL_VIDEODRIVER"] == "offscreen"
        out = Path(command[command.index("--export-dir") + 1])
        (out / "app.png").write_bytes(b"png")
        (out / "safelens-20260101-000000.mp4").write_bytes(b"mp4")
        return subprocess.CompletedProcess(command, 0)

    _without_display(monkeypatch, tmp_path, fake_run)
    assert main(["app", "--source", "demo"]) == 0
    captured = capsys.readouterr()
    assert "no display found (DISPLAY and WAYLAND_DISPLAY are not set), so no window can open" in captured.err
    assert f"screenshot of the app: {tmp_path / 'out' / 'app.png'}" in captured.out
    assert f"signed): {tmp_path / 'out' / 'safelens-20260101-000000.mp4'}" in captured.out
    assert "an adult demo profile (no --profile was named" in captured.err
    command = calls[0]
    assert command[command.index("--effect") + 1] == "glam" and "--record" in command and "--offscreen" in command
    assert command[command.index("--profile") + 1] == "Demo"


def test_no_display_honours_every_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Finding: offscreen, the app ignored --source, --profile, --data-dir, --policy-mode and --effect and
    recorded glam on a 35-year-old demo profile. Now the offscreen run is asked for exactly what was given."""
    from camera_app.profiles import ProfileStore

    data = tmp_path / "data"
    with ProfileStore(data) as store:
        store.create_profile("Teen", date(store.today().year - 15, 1, 1))
    photo = REPO / "assets" / "faces" / "nasa_astronaut_eileen_collins.jpg"
    calls: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    _without_display(monkeypatch, tmp_path, fake_run)
    assert main(["app", "--source", str(photo), "--profile", "Teen", "--effect", "glam", "--data-dir", str(data),
                 "--language", "fr", "--challenge-age", "28"]) == 0
    err = capsys.readouterr().err
    assert f"source {photo}, profile Teen, effect glam" in err
    command = calls[0]

    def value(flag: str) -> str:
        return command[command.index(flag) + 1]

    assert (value("--source"), value("--profile"), value("--effect"), value("--data-dir")) == (
        str(photo), "Teen", "glam", str(data))
    assert (value("--language"), value("--challenge-age")) == ("fr", "28")
    # Loosening is refused before anything runs.
    assert main(["app", "--source", str(photo), "--profile", "Teen", "--data-dir", str(data),
                 "--policy-mode", "declared"]) == 2
    assert "installation setting" in capsys.readouterr().err and len(calls) == 1


def test_with_a_display_no_fallback_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from camera_app.ui import kivy_env

    assert kivy_env.has_display({"DISPLAY": ":0"})
    assert kivy_env.has_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert not kivy_env.has_display({})
    assert kivy_env.forced_offscreen({"SDL_VIDEODRIVER": "offscreen"})


def test_an_unknown_device_names_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["app", "--data-dir", str(tmp_path), "--device", "brick_phone", "--offscreen"])
    err = capsys.readouterr().err
    assert code == 2 and "--device: unknown device 'brick_phone'; expected one of" in err and "flagship_phone" in err


def test_a_device_run_has_the_phones_shape_and_fills_it(tmp_path: Path) -> None:
    """``--device``: a window of the phone screen's shape (19.5:9), the picture edge to edge."""
    _profile(tmp_path, "Ada", 40)
    shot = tmp_path / "phone.png"
    done = subprocess.run(
        [sys.executable, "-c", "from camera_app.cli import main; raise SystemExit(main())", "app",
         "--data-dir", str(tmp_path), "--profile", "Ada", "--device", "flagship_phone", "--screenshot", str(shot),
         "--quit-after-frames", "5", "--size", "800x600"],
        env=dict(os.environ, SDL_VIDEODRIVER="offscreen"), cwd=REPO, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    height, width = pixels.shape[:2]
    assert height <= 600 and width / height == pytest.approx(1080 / 2340, rel=0.02)
    middle = pixels[height // 3: 2 * height // 3]
    assert middle[:, :4].mean() > 20 and middle[:, -4:].mean() > 20, "no black bars at the sides: aspect fill"


def test_no_display_passes_the_device_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    _without_display(monkeypatch, tmp_path, fake_run)
    assert main(["app", "--device", "entry_phone", "--size", "640x480"]) == 0
    command = calls[0]
    assert command[command.index("--device") + 1] == "entry_phone"
    assert command[command.index("--size") + 1] == "640x480"


def test_multisampling_is_dropped_only_where_opengl_is_software(tmp_path: Path) -> None:
    """llvmpipe renders every sample: the offscreen runs, a forced software GL and a Linux
    machine without a GPU device skip multisampling; a machine with a GPU keeps it."""
    from camera_app.ui import kivy_env

    gpu = tmp_path / "dri"
    gpu.mkdir()
    assert kivy_env.likely_software_gl({"SDL_VIDEODRIVER": "offscreen"}, dri=gpu)
    assert kivy_env.likely_software_gl({"LIBGL_ALWAYS_SOFTWARE": "1"}, dri=gpu)
    assert not kivy_env.likely_software_gl({"LIBGL_ALWAYS_SOFTWARE": "0", "DISPLAY": ":0"}, dri=gpu)
    if sys.platform.startswith("linux"):
        assert kivy_env.likely_software_gl({"DISPLAY": ":0"}, dri=tmp_path / "absent")
