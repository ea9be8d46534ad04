"""``safelens render --profile``: the policy decides which effects reach the pixels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.cli import main
from camera_app.profiles import Assurance, ProfileStore

FACES = Path(__file__).resolve().parents[2] / "assets" / "faces"
ADULT_FACE = FACES / "nasa_astronaut_eileen_collins.jpg"
CHILD_FACE = FACES / "documerica_543863_child.jpg"  # a minor: renders stay in tmp, and glam is blocked on it


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the module, so each effect is classified once (cached there)."""
    folder = tmp_path_factory.mktemp("policy-data")
    today = date.today()
    with ProfileStore(folder) as store:
        store.create_profile("Teen", date(today.year - 15, 1, 1))
        store.create_profile("Adult", date(today.year - 40, 1, 1))
        held = store.create_profile("Held", date(today.year - 30, 1, 1))
        store.set_assurance(held.profile_id, Assurance.CHALLENGED)
    return folder


def render(capsys: pytest.CaptureFixture[str], data_dir: Path, out: Path, source: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["render", "--source", str(source), "--out", f"{out}/", "--data-dir", str(data_dir), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def frames(folder: Path) -> list[np.ndarray]:
    return [cv2.imread(str(p)) for p in sorted(folder.glob("frame_*.png"))]


def test_teen_and_glam_exits_with_the_reason(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = render(capsys, data_dir, tmp_path / "out", ADULT_FACE, "--frames", "2", "--effect", "glam",
                            "--profile", "Teen")
    assert code == 2
    assert err.splitlines()[-1] == (
        'safelens render: error: effect "glam" blocked: Effects that change how a face looks aren\'t available on '
        "profiles under 18. (profile Teen)"
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_teen_gets_playful_effects(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = render(capsys, data_dir, tmp_path / "out", ADULT_FACE, "--frames", "2", "--effect", "bunny_ears",
                            "--profile", "Teen")
    assert code == 0, err
    original = cv2.imread(str(ADULT_FACE))
    assert all(not np.array_equal(f, original) for f in frames(tmp_path / "out"))


def test_a_profile_under_review_gets_no_glam(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = render(capsys, data_dir, tmp_path / "out", ADULT_FACE, "--frames", "2", "--effect", "glam",
                          "--profile", "Held", "--policy-mode", "declared")
    assert code == 2 and "This profile's age is being reviewed" in err


def test_declared_adult_gets_glam_in_declared_mode(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = render(capsys, data_dir, tmp_path / "out", ADULT_FACE, "--frames", "2", "--effect", "glam",
                            "--profile", "Adult", "--policy-mode", "declared")
    assert code == 0, err
    original = cv2.imread(str(ADULT_FACE))
    assert all(not np.array_equal(f, original) for f in frames(tmp_path / "out"))
    assert "notice" not in err


def test_adult_profile_with_a_child_in_view_gets_no_glam(tmp_path: Path, data_dir: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = render(capsys, data_dir, tmp_path / "out", CHILD_FACE, "--frames", "20", "--effect", "glam",
                            "--profile", "Adult")
    assert code == 0, err
    original = cv2.imread(str(CHILD_FACE))
    written = frames(tmp_path / "out")
    assert len(written) == 20
    assert all(np.array_equal(f, original) for f in written)  # no effect, and so no label either
    assert 'notice: effect "glam" blocked:' in err


def test_unknown_profile(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = render(capsys, data_dir, tmp_path / "out", ADULT_FACE, "--frames", "1", "--effect", "comic",
                          "--profile", "Nobody")
    assert code == 2
    assert err.splitlines()[-1] == f"safelens render: error: profile: no profile called 'Nobody' in {data_dir}"
