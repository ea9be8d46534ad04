"""FaceTracker: faces on the public-domain set, landmarks in their box, stable ids, strict inputs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from conftest import FACES_DIR, face_files, load_rgb

from camera_app.frame import Frame
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.tracking.track_ids import iou
from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions, TrackerError, connection_lists
from effects.face import Box, FaceTrack


@pytest.fixture(scope="module")
def tracker() -> Iterator[FaceTracker]:
    with FaceTracker(FaceTrackerOptions(max_faces=2)) as t:
        yield t


def test_exactly_one_face_on_almost_every_reference_face(tracker: FaceTracker) -> None:
    files = face_files()
    assert len(files) == 38
    counts = {p.name: len(tracker.detect(load_rgb(p))) for p in files}
    one = [name for name, n in counts.items() if n == 1]
    assert len(one) >= 36, {name: n for name, n in counts.items() if n != 1}


def test_landmarks_lie_inside_the_face_box_and_the_image(tracker: FaceTracker) -> None:
    for path in face_files()[:10]:
        rgb = load_rgb(path)
        (face,) = tracker.detect(rgb)
        assert face.landmarks_px.shape == (478, 3) and face.landmarks_px.dtype == np.float32
        xy = face.xy
        b = face.box
        assert np.all((xy[:, 0] >= b.x0) & (xy[:, 0] <= b.x1) & (xy[:, 1] >= b.y0) & (xy[:, 1] <= b.y1))
        # The box is a face, not the whole picture: a sensible share of a portrait, inside it.
        h, w = rgb.shape[:2]
        assert -2 <= b.x0 and b.x1 <= w + 2 and -2 <= b.y0 and b.y1 <= h + 2, path.name
        assert 0.1 * h < b.height < 0.9 * h, path.name
        # Anatomy: the eyes are above the mouth, the subject's left eye on the image right.
        assert xy[263, 0] > xy[33, 0]
        assert xy[13, 1] > xy[159, 1]
        assert not face.blendshapes  # expressions are scored only when asked for
        assert abs(face.pose.yaw_deg) < 35 and abs(face.pose.roll_deg) < 25


def test_z_is_scaled_by_the_image_width(tracker: FaceTracker) -> None:
    rgb = load_rgb(face_files()[0])
    (small,) = tracker.detect(rgb)
    big_rgb = np.ascontiguousarray(np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1))
    (big,) = tracker.detect(big_rgb)
    # Twice the picture: x, y and z in pixels all about double.
    ratio_xy = big.interocular_px / small.interocular_px
    depth_small = float(np.ptp(small.landmarks_px[:, 2]))
    depth_big = float(np.ptp(big.landmarks_px[:, 2]))
    assert 1.9 < ratio_xy < 2.1
    assert 1.8 < depth_big / depth_small < 2.2


def test_ids_stay_stable_over_a_demo_clip() -> None:
    with FaceTracker() as video_tracker, DemoSource(DemoOptions(resolution="480p", seed=2, paced=False,
                                                                max_frames=45)) as source:
        ids: list[tuple[int, ...]] = []
        for _ in range(45):
            frame = video_tracker.track(source.read())
            ids.append(tuple(t.track_id for t in frame.tracks))
    assert sum(1 for i in ids if len(i) == 1) >= 43, ids
    assert {i for frame_ids in ids for i in frame_ids} == {0}


def test_a_second_face_gets_a_new_id_and_the_first_keeps_its_own() -> None:
    faces = face_files()
    left, right = load_rgb(faces[0]), load_rgb(faces[1])
    both = np.ascontiguousarray(np.concatenate([left, right], axis=1))
    alone = np.ascontiguousarray(np.concatenate([left, np.full_like(right, 128)], axis=1))
    with FaceTracker(FaceTrackerOptions(running_mode="image")) as t:
        first = t.track(Frame(alone, 0, 0))
        second = t.track(Frame(both, 1, 33))
        third = t.track(Frame(both, 2, 66))
    assert [tr.track_id for tr in first.tracks] == [0]
    by_side = {tr.box.center[0] < left.shape[1]: tr.track_id for tr in second.tracks}
    assert by_side == {True: 0, False: 1}
    assert {tr.box.center[0] < left.shape[1]: tr.track_id for tr in third.tracks} == by_side


def test_video_mode_refuses_timestamps_that_do_not_increase() -> None:
    rgb = load_rgb(face_files()[0])
    with FaceTracker() as t:
        t.track(Frame(rgb, 0, 100))
        with pytest.raises(TrackerError, match="frame 1 has timestamp 100 ms, expected more than the previous 100 ms"):
            t.track(Frame(rgb, 1, 100))
        t.reset()
        assert len(t.track(Frame(rgb, 0, 0)).tracks) == 1


def test_bad_inputs_and_options_are_typed_errors() -> None:
    with pytest.raises(TrackerError, match="FaceTrackerOptions.max_faces: expected an int >= 1, found 0"):
        FaceTrackerOptions(max_faces=0)
    with pytest.raises(TrackerError, match="running_mode: expected 'video' or 'image', found 'live'"):
        FaceTrackerOptions(running_mode="live")  # type: ignore[arg-type]
    with FaceTracker() as t:
        with pytest.raises(TrackerError, match=r"expected an \(H, W, 3\) uint8 RGB array, found \(4, 4\) float64"):
            t.detect(np.zeros((4, 4)))
    with pytest.raises(TrackerError, match=r"used after close\(\)"):
        t.detect(np.zeros((8, 8, 3), np.uint8))


def test_no_face_gives_no_tracks(tracker: FaceTracker) -> None:
    assert tracker.detect(np.full((200, 200, 3), 90, np.uint8)) == []


def test_iou() -> None:
    a = Box(0, 0, 10, 10)
    assert iou(a, a) == 1.0
    assert iou(a, Box(20, 20, 30, 30)) == 0.0
    assert iou(a, Box(5, 0, 15, 10)) == pytest.approx(50 / 150)


def test_connection_lists_come_from_mediapipe() -> None:
    lists = connection_lists()
    assert len(lists["FACE_OVAL"]) == 36 and len(lists["LEFT_IRIS"]) == 4


def test_pose_from_mediapipe_follows_the_documented_signs(tracker: FaceTracker) -> None:
    """Roll from the transformation matrix agrees with the eye line; a mirrored face flips yaw."""
    tracker.set_head_pose(True)
    try:
        _check_pose_signs(tracker)
    finally:
        tracker.set_head_pose(False)


def _check_pose_signs(tracker: FaceTracker) -> None:
    import cv2

    rgb = load_rgb(face_files()[0])
    h, w = rgb.shape[:2]
    for angle in (-15.0, 15.0):  # cv2: positive = counter-clockwise on screen = negative roll
        turned = np.ascontiguousarray(cv2.warpAffine(rgb, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h),
                                                     borderMode=cv2.BORDER_REFLECT))
        (face,) = tracker.detect(turned)
        from_eyes = FaceTrack.from_landmarks(face.landmarks_px).pose.roll_deg
        assert abs(face.pose.roll_deg - from_eyes) < 4.0
        assert face.pose.roll_deg * angle < 0
    elderly = load_rgb(FACES_DIR / "fsaowi_LC-USF33-012762_elderly_man.jpg")
    (face,) = tracker.detect(elderly)
    (mirrored,) = tracker.detect(np.ascontiguousarray(elderly[:, ::-1]))
    nose_right = face.xy[1, 0] > (face.xy[234, 0] + face.xy[454, 0]) / 2
    assert (face.pose.yaw_deg > 5) == nose_right and (mirrored.pose.yaw_deg > 5) != nose_right


def test_creating_a_landmarker_logs_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """MediaPipe's informational W0000/INFO lines at creation are filtered (fd 2 itself)."""
    from camera_app.tracking.native_stderr import unknown_lines
    from camera_app.tracking.tracker import INFORMATIONAL_LOG_LINES

    capfd.readouterr()
    with FaceTracker(FaceTrackerOptions(max_faces=1)) as video, \
            FaceTracker(FaceTrackerOptions(running_mode="image", max_faces=1)) as image:
        with DemoSource(DemoOptions(resolution="480p", seed=1, paced=False, max_frames=2)) as source:
            video.track(source.read())
            image.detect(source.read().pixels)
    assert capfd.readouterr().err == ""
    seen = [  # as MediaPipe 1.2.3 prints them
        "WARNING: Logging before InitGoogle() is written to STDERR",
        "W0000 00:00:1795867483.283198   12017 face_landmarker_graph.cc:181] Sets FaceBlendshapesGraph acceleration "
        "to xnnpack by default.",
        "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
        "W0000 00:00:1795867483.298023   12022 inference_feedback_manager.cc:121] Feedback manager requires a model "
        "with a single signature inference. Disabling support for feedback tensors.",
        "I0000 00:00:1752489631.572373  129295 gl_context_egl.cc:85] Successfully initialized EGL. Major : 1 Minor: 5",
    ]
    real = "E0000 00:00:1795867483.3   12022 model_resources.cc:60] Unable to open zip archive."
    assert unknown_lines("\n".join([*seen, real]), INFORMATIONAL_LOG_LINES) == [real]


def test_expressions_are_scored_only_when_asked_for(tracker: FaceTracker) -> None:
    rgb = load_rgb(face_files()[0])
    assert tracker.blendshapes is False and not tracker.detect(rgb)[0].blendshapes
    tracker.set_blendshapes(True)
    try:
        scores = tracker.detect(rgb)[0].blendshapes
        assert set(scores) >= {"jawOpen", "eyeBlinkLeft", "mouthSmileRight", "browInnerUp"}
        assert all(0.0 <= v <= 1.0 for v in scores.values())
    finally:
        tracker.set_blendshapes(False)
    assert not tracker.detect(rgb)[0].blendshapes
    with FaceTracker(FaceTrackerOptions(running_mode="image", blendshapes=True)) as scoring:
        assert scoring.detect(rgb)[0].blendshapes["jawOpen"] >= 0.0


def test_head_pose_is_computed_only_when_asked_for(tracker: FaceTracker) -> None:
    """Without ``head_pose`` MediaPipe computes no transformation matrix: a turned face has the
    roll of its eye line and no yaw or pitch; asked for, the matrix gives them."""
    elderly = load_rgb(FACES_DIR / "fsaowi_LC-USF33-012762_elderly_man.jpg")
    assert tracker.head_pose is False
    (plain,) = tracker.detect(elderly)
    assert plain.pose.yaw_deg == 0.0 and plain.pose.pitch_deg == 0.0
    assert plain.pose.roll_deg == pytest.approx(FaceTrack.from_landmarks(plain.landmarks_px).pose.roll_deg)
    with FaceTracker(FaceTrackerOptions(running_mode="image", head_pose=True)) as posing:
        (posed,) = posing.detect(elderly)
    assert abs(posed.pose.yaw_deg) > 1.0 or abs(posed.pose.pitch_deg) > 1.0


def test_reading_the_c_result_gives_the_same_tracks_as_mediapipes_python_result() -> None:
    """The tracker reads MediaPipe's C result straight into arrays; MediaPipe's own Python
    result of the same image gives identical landmarks, pose and expression scores."""
    from camera_app.tracking import tracker as tracker_module

    assert tracker_module._C_LAYOUT_OK  # the pinned MediaPipe takes the fast path
    faces = face_files()
    both = np.ascontiguousarray(np.concatenate([load_rgb(faces[0]), load_rgb(faces[1])], axis=1))
    height, width = both.shape[:2]
    options = FaceTrackerOptions(running_mode="image", blendshapes=True, head_pose=True)
    with FaceTracker(options) as t:
        landmarker = t._landmarker("image")
        image = tracker_module._mp_image(both)
        fast = tracker_module._to_tracks(tracker_module._run(landmarker, image, None), width, height)
        python = tracker_module._to_tracks(tracker_module._faces_of(landmarker.detect(image)), width, height)
    assert len(fast) == len(python) == 2
    for a, b in zip(fast, python, strict=True):
        assert np.array_equal(a.landmarks_px, b.landmarks_px)
        assert a.pose == b.pose and a.pose.yaw_deg != 0.0
        assert dict(a.blendshapes) == dict(b.blendshapes) and len(a.blendshapes) == 52
