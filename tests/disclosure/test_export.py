"""disclosure.export: snapshots and recordings carry the burned-in label (altering effects only),
are signed, and fail without leaving files behind."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from disclosure_factories import FONT, glam, puppy

from disclosure.atomic import ExportError
from disclosure.catalogue import load_catalogue
from disclosure.export import Mp4Recorder, Mp4RecorderOptions, write_snapshot
from disclosure.labels import build_label
from disclosure.overlay import DisclosureOverlay, DisclosureOverlayOptions
from disclosure.provenance import ProvenanceOptions, ProvenanceSigner
from disclosure.sidecar import sidecar_path
from disclosure.verify import read_provenance
from effects.face import Box

W, H = 640, 360


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> ProvenanceSigner:
    with ProvenanceSigner(ProvenanceOptions(identity_dir=tmp_path_factory.mktemp("data") / "provenance")) as s:
        yield s


def _overlay() -> DisclosureOverlay:
    return DisclosureOverlay(DisclosureOverlayOptions(font_path=FONT))


def _frame(i: int) -> tuple[np.ndarray, Box]:
    """A bright, smooth picture with a darker "face" square drifting right."""
    y, x = np.mgrid[0:H, 0:W]
    rgb = np.dstack([200 + 30 * x / W, 190 + 40 * y / H, 210 + 0 * x]).astype(np.uint8)
    x0 = 250 + 3 * i
    rgb[120:300, x0 : x0 + 150] = (150, 110, 90)
    return rgb, Box(float(x0), 120.0, float(x0 + 150), 300.0)


def _decode_all(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(bgr[:, :, ::-1])
    capture.release()
    return frames


def test_snapshot_burns_the_altering_label_and_signs(signer: ProvenanceSigner, tmp_path: Path) -> None:
    rgb, face = _frame(0)
    overlay = _overlay()
    label = build_label(glam(), load_catalogue("en"))
    signed = write_snapshot(rgb, tmp_path / "snap.png", signer, [glam()], label, overlay, [face])
    written = cv2.imread(str(signed.path))[:, :, ::-1]
    p = overlay.last_placement
    assert p is not None and not p.intersects(face)
    expected = overlay.render(rgb, label, [face])
    assert np.array_equal(written, expected)  # PNG is lossless: exactly the overlay's pixels
    report = read_provenance(signed.path, signer.identity.root_pem)
    assert report.trusted and report.label is not None and report.label["burned_in"] is True
    assert sidecar_path(signed.path).is_file()


def test_playful_snapshot_has_no_label_in_the_pixels(signer: ProvenanceSigner, tmp_path: Path) -> None:
    rgb, face = _frame(0)
    label = build_label(puppy(), load_catalogue("en"))
    signed = write_snapshot(rgb, tmp_path / "snap.png", signer, [puppy()], label, _overlay(), [face])
    assert np.array_equal(cv2.imread(str(signed.path))[:, :, ::-1], rgb)
    report = read_provenance(signed.path)
    assert report.label is not None and report.label["kind"] == "chip" and report.label["burned_in"] is False


def test_jpeg_snapshot(signer: ProvenanceSigner, tmp_path: Path) -> None:
    rgb, face = _frame(0)
    label = build_label(glam(), load_catalogue("fr"))
    signed = write_snapshot(rgb, tmp_path / "snap.jpg", signer, [glam()], label, _overlay(), [face], jpeg_quality=90)
    assert read_provenance(signed.path, signer.identity.root_pem).trusted


def test_altering_label_without_an_overlay_is_refused(signer: ProvenanceSigner, tmp_path: Path) -> None:
    rgb, _ = _frame(0)
    label = build_label(glam(), load_catalogue("en"))
    with pytest.raises(ExportError, match=r"snap.png: an appearance-altering export needs a DisclosureOverlay"):
        write_snapshot(rgb, tmp_path / "snap.png", signer, [glam()], label, None)
    assert list(tmp_path.iterdir()) == []


def _record(signer: ProvenanceSigner, target: Path, results: tuple, frames: int = 24) -> list[tuple[np.ndarray, Box]]:
    label = build_label(results, load_catalogue("en"))
    source = [_frame(i) for i in range(frames)]
    with Mp4Recorder(Mp4RecorderOptions(target, 24.0, results, label), signer, _overlay()) as recorder:
        for rgb, face in source:
            recorder.write(rgb, [face])
    assert recorder.result is not None and recorder.frames_written == frames
    return source


def test_altering_recording_shows_the_label_on_every_frame(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "glam.mp4"
    source = _record(signer, target, (glam(),))
    decoded = _decode_all(target)
    assert len(decoded) == len(source)
    probe = _overlay()  # the same layout as the recorder's: the plate sits top-left here
    label = build_label(glam(), load_catalogue("en"))
    for n, ((rgb, face), out) in enumerate(zip(source, decoded, strict=True)):
        p = probe.place(label, W, H, [face])
        plate = (slice(p.y, p.y + p.height), slice(p.x, p.x + p.width))
        # The plate is near-black over a bright picture; elsewhere only codec noise.
        assert out[plate].mean() < 90 < rgb[plate].mean(), n
        outside = np.ones((H, W), bool)
        outside[plate] = False
        assert np.abs(out.astype(int) - rgb.astype(int))[outside].mean() < 6, n
    report = read_provenance(target, signer.identity.root_pem)
    assert report.trusted and report.effects[0]["id"] == "glam" and report.label["burned_in"] is True


def test_playful_recording_has_no_label(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "puppy.mp4"
    source = _record(signer, target, (puppy(),), frames=6)
    decoded = _decode_all(target)
    for (rgb, _), out in zip(source, decoded, strict=True):
        assert np.abs(out.astype(int) - rgb.astype(int)).mean() < 6
        assert out[10:60, 10:400].mean() > 150  # no dark plate at the top-left
    assert read_provenance(target).effects[0]["category"] == "playful"


def test_error_while_recording_leaves_nothing(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "broken.mp4"
    with pytest.raises(RuntimeError, match="camera unplugged"):
        with Mp4Recorder(Mp4RecorderOptions(target, 24.0, (glam(),), build_label(glam(), load_catalogue("en"))),
                         signer, _overlay()) as recorder:
            rgb, face = _frame(0)
            recorder.write(rgb, [face])
            raise RuntimeError("camera unplugged")
    assert list(tmp_path.iterdir()) == []


def test_frame_size_change_is_refused(signer: ProvenanceSigner, tmp_path: Path) -> None:
    recorder = Mp4Recorder(Mp4RecorderOptions(tmp_path / "v.mp4", 24.0), signer, None)
    recorder.write(np.zeros((H, W, 3), np.uint8))
    with pytest.raises(ExportError, match=r"v.mp4: frame 1 is 320x240, expected 640x360 like the first frame"):
        recorder.write(np.zeros((240, 320, 3), np.uint8))
    recorder.abort()
    assert list(tmp_path.iterdir()) == []


def test_no_frames_is_an_error(signer: ProvenanceSigner, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"empty.mp4: no frames were recorded"):
        Mp4Recorder(Mp4RecorderOptions(tmp_path / "empty.mp4", 24.0), signer, None).close()


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"v.avi: expected a .mp4 target, found '.avi'"):
        Mp4RecorderOptions(tmp_path / "v.avi", 24.0)
    with pytest.raises(ExportError, match=r"v.mp4: expected fps in \(0, 240\], found 0"):
        Mp4RecorderOptions(tmp_path / "v.mp4", 0)


def test_short_video_from_the_encoder_is_refused_and_removed(
    signer: ProvenanceSigner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while OpenCV encodes shows up as missing frames: no file, no temporary left."""
    import disclosure.export as export

    monkeypatch.setattr(export, "_frame_count", lambda path: 2)
    recorder = Mp4Recorder(Mp4RecorderOptions(tmp_path / "short.mp4", 24.0), signer, None)
    for i in range(4):
        recorder.write(_frame(i)[0])
    with pytest.raises(ExportError, match=r"short.mp4: the encoder wrote 2 of 4 frames \(disk full\?\)"):
        recorder.close()
    assert list(tmp_path.iterdir()) == []


def _bar_frame(n: int) -> np.ndarray:
    """Frame ``n``: a bright bar at x = 20 + 30 n on a dark picture (found again after encoding)."""
    rgb = np.full((H, W, 3), 30, np.uint8)
    rgb[:, 20 + 30 * n : 40 + 30 * n] = 230
    return rgb


def _bar_index(rgb: np.ndarray) -> int:
    return int(round((int(np.argmax(rgb.mean(axis=(0, 2)))) - 30) / 30))


def test_timestamped_frames_play_at_real_speed(signer: ProvenanceSigner, tmp_path: Path) -> None:
    """Frames processed at 10 fps into a 30 fps recording: each is held for three frames, so
    two seconds of capture are two seconds of video (and not 0.7 s)."""
    target = tmp_path / "slow.mp4"
    label = build_label(puppy(), load_catalogue("en"))
    with Mp4Recorder(Mp4RecorderOptions(target, 30.0, (puppy(),), label), signer, _overlay()) as recorder:
        for n in range(20):
            recorder.write(_bar_frame(n), timestamp_ms=5000 + 100 * n)
    assert recorder.frames_written == 58 and recorder.frames_dropped == 0
    shown = [_bar_index(f) for f in _decode_all(target)]
    assert shown == [n for n in range(19) for _ in range(3)] + [19]  # 19 gaps of 100 ms = 57 slots, + the last


def test_timestamped_frames_faster_than_the_rate_are_dropped(signer: ProvenanceSigner, tmp_path: Path) -> None:
    target = tmp_path / "fast.mp4"
    timestamps = [0, 10, 33, 45, 67, 80, 100, 110, 133, 145, 167, 180]  # twice the rate
    with Mp4Recorder(Mp4RecorderOptions(target, 30.0, (puppy(),), build_label(puppy(), load_catalogue("en"))),
                     signer, _overlay()) as recorder:
        for n, ts in enumerate(timestamps):
            recorder.write(_bar_frame(n), timestamp_ms=ts)
    assert (recorder.frames_written, recorder.frames_dropped) == (6, 6)
    assert [_bar_index(f) for f in _decode_all(target)] == [0, 2, 4, 6, 8, 10]


def test_timestamps_are_for_every_frame_or_none(signer: ProvenanceSigner, tmp_path: Path) -> None:
    options = Mp4RecorderOptions(tmp_path / "mixed.mp4", 30.0, (puppy(),), build_label(puppy(), load_catalogue("en")))
    recorder = Mp4Recorder(options, signer, _overlay())
    recorder.write(_bar_frame(0), timestamp_ms=0)
    with pytest.raises(ExportError, match=r"mixed\.mp4: frame 1: expected a timestamp like the first frame"):
        recorder.write(_bar_frame(1))
    with pytest.raises(ExportError, match=r"mixed\.mp4: timestamp 0 ms does not follow 0 ms"):
        recorder.write(_bar_frame(1), timestamp_ms=0)
    recorder.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="expected max_hold_ms an int >= 0, found -5"):
        Mp4RecorderOptions(tmp_path / "x.mp4", 30.0, max_hold_ms=-5)
