"""safelens render: an MP4 or PNGs that read back, a summary, atomic output, clear errors."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_app.cli import main
from camera_app.output.writers import Mp4Writer


def _count_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_render_demo_to_mp4_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.mp4"
    code = main(["render", "--source", "demo", "--frames", "12", "--resolution", "480p", "--out", str(out),
                 "--landmarks"])
    assert code == 0
    assert _count_frames(out) == 12
    cap = cv2.VideoCapture(str(out))
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (854, 480)
    cap.release()
    printed = capsys.readouterr().out
    assert f"wrote 12 frames to {out}" in printed
    assert "frames with a face: 12 of 12 (100%): landmarks detected on 4, predicted on 8" in printed  # 1 in 3
    for stage in ("capture", "landmarks", "mesh_overlay", "write"):
        assert any(line.startswith(stage) for line in printed.splitlines()), stage
    # No temporary file left; the signed MP4 has its provenance sidecar.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.mp4", "demo.mp4.provenance.json"]


def test_the_landmark_schedule_is_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["render", "--source", "demo", "--frames", "6", "--resolution", "480p"]
    assert main([*common, "--out", f"{tmp_path}/every/", "--landmark-schedule", "every"]) == 0
    assert "frames with a face: 6 of 6 (100%): landmarks detected on 6, predicted on 0" in capsys.readouterr().out
    assert main([*common, "--out", f"{tmp_path}/six/", "--detect-interval", "6"]) == 0
    assert "landmarks detected on 1, predicted on 5" in capsys.readouterr().out
    # async: the first frame detected, then every third frame detected beside the others (taken
    # 2 frames later) and brought forward by the flow: counted as predicted.
    assert main([*common, "--out", f"{tmp_path}/async/", "--landmark-schedule", "async"]) == 0
    assert "landmarks detected on 1, predicted on 5" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main([*common, "--out", f"{tmp_path}/x/", "--landmark-schedule", "sometimes"])
    assert info.value.code == 2
    assert "--landmark-schedule: invalid choice: 'sometimes'" in capsys.readouterr().err


def test_render_to_a_folder_writes_one_png_per_frame(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    face = Path(__file__).resolve().parents[3] / "assets" / "faces" / "us_congress_C001080.jpg"
    assert main(["render", "--source", str(face), "--frames", "3", "--out", f"{folder}/", "--landmarks"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["frame_00000.png", "frame_00001.png", "frame_00002.png"]
    original = cv2.imread(str(face))
    drawn = cv2.imread(str(folder / "frame_00000.png"))
    assert drawn.shape == original.shape
    # The mesh is drawn on the face and nowhere far from it (the top-left corner is background).
    assert np.abs(drawn.astype(int) - original.astype(int)).sum(axis=2)[80:200, 60:170].mean() > 5
    np.testing.assert_array_equal(drawn[:20, :20], original[:20, :20])


def test_render_without_landmarks_leaves_pixels_alone(tmp_path: Path) -> None:
    face = Path(__file__).resolve().parents[3] / "assets" / "faces" / "us_congress_C001080.jpg"
    assert main(["render", "--source", str(face), "--frames", "1", "--out", f"{tmp_path}/"]) == 0
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / "frame_00000.png")), cv2.imread(str(face)))


def test_render_errors_go_to_stderr_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", "--source", str(tmp_path / "missing.mp4"), "--out", str(tmp_path / "o.mp4")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"safelens render: error: video {tmp_path / 'missing.mp4'}: file not found" in err
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_an_unknown_output_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--source", "demo", "--frames", "1", "--out", str(tmp_path / "o.gif")]) == 2
    assert "expected a .mp4 file or a folder (ending with /), found '.gif'" in capsys.readouterr().err


def test_a_failed_mp4_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "half.mp4"
    with pytest.raises(RuntimeError, match="boom"):
        with Mp4Writer(out, 30.0) as writer:
            writer.write(np.zeros((32, 32, 3), np.uint8))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["render", "--help"])
    assert exit_info.value.code == 0
    assert "Example:\n  safelens render --source demo --frames 90 --out demo.mp4 --landmarks" in capsys.readouterr().out
