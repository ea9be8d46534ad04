"""The session model, the stats, the age status, the messages and the exports' names: plain Python, no Kivy."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from camera_app.policy.rules import FaceAge, FacesInView, PolicyOptions, PolicySubject, decide
from camera_app.profiles.model import Assurance, Profile
from camera_app.app.exports import export_name
from camera_app.app.i18n import MessagesError, load_messages
from camera_app.app.session import (
    AgeState,
    AgeStatus,
    Banner,
    BannerKind,
    EffectEntry,
    FrameUpdate,
    Session,
    SessionError,
    Settings,
)
from camera_app.app.stats import FrameStats
from camera_app.app.worker_messages import age_status
from effects.classification import Category

REPO = Path(__file__).resolve().parents[3]
GLAM = EffectEntry("glam", {"en": "Glam", "fr": "Glamour"}, Category.APPEARANCE_ALTERING)
EARS = EffectEntry("bunny_ears", {"en": "Bunny ears"}, Category.PLAYFUL)
NEW = EffectEntry("fresh", {"en": "Fresh"}, None)
TEEN = PolicySubject(15, Assurance.DECLARED)
ADULT = PolicySubject(40, Assurance.DECLARED)


def _profile(name: str = "Ada") -> Profile:
    return Profile(1, name, date(1985, 3, 9), Assurance.DECLARED, datetime(2026, 1, 1, tzinfo=UTC))


def _session() -> tuple[Session, list[str]]:
    session = Session()
    topics: list[str] = []
    session.subscribe(topics.append)
    session.set_effects([GLAM, EARS, NEW])
    topics.clear()
    return session, topics


def _update(decisions: dict, age: AgeStatus | None = None, notices: tuple[str, ...] = ()) -> FrameUpdate:
    return FrameUpdate(stats=FrameStats().snapshot(), age=age or AgeStatus(AgeState.NO_FACE), decisions=decisions,
                       notices=notices)


def test_the_model_and_the_worker_do_not_import_kivy() -> None:
    # They must work without a window: import them in a fresh interpreter and look.
    code = (
        "import sys; import camera_app.app.session, camera_app.app.worker, camera_app.app.results, "
        "camera_app.app.thumbnails, camera_app.app.exports, camera_app.app.config, camera_app.app.devices; "
        "print(sorted(m for m in sys.modules if m == 'kivy' or m.startswith('kivy.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"


def test_before_any_decision_only_measured_playful_effects_show_unlocked() -> None:
    session, _ = _session()
    assert session.is_locked("glam") is True
    assert session.is_locked("bunny_ears") is False
    assert session.is_locked("fresh") is True  # unmeasured: fails closed like the policy


def test_locks_follow_the_policy_decisions_of_each_frame() -> None:
    session, topics = _session()
    teen = {e.effect_id: decide(e.category, TEEN, None) for e in (GLAM, EARS, NEW)}
    session.apply_update(_update(teen))
    assert (session.is_locked("glam"), session.is_locked("bunny_ears")) == (True, False)
    assert "decisions" in topics
    steady_adult = FacesInView((FaceAge(38.0, 5),))
    adult = {e.effect_id: decide(e.category, ADULT, steady_adult) for e in (GLAM, EARS, NEW)}
    topics.clear()
    session.apply_update(_update(adult))
    assert session.is_locked("glam") is False and session.is_locked("fresh") is False
    assert topics == ["frame", "stats", "decisions"]
    topics.clear()
    session.apply_update(_update(adult))  # the same answers again: no "decisions" change
    assert topics == ["frame", "stats"]
    assert session.frames_shown == 3


def test_selecting_a_locked_effect_keeps_it_selected_and_returns_the_blocking_decision() -> None:
    session, topics = _session()
    session.apply_update(_update({"glam": decide(Category.APPEARANCE_ALTERING, TEEN, None)}))
    decision = session.select_effect("glam")
    assert session.active_effect_id == "glam" and session.active_effect == GLAM
    assert decision is not None and decision.blocked
    assert "under 18" in decision.reason
    assert "active" in topics


def test_unknown_effect_is_an_error_naming_the_choices() -> None:
    session, _ = _session()
    with pytest.raises(SessionError, match=r"effect 'nope': expected one of glam, bunny_ears, fresh"):
        session.select_effect("nope")


def test_step_effect_walks_the_carousel_with_none_first_and_wraps() -> None:
    session, _ = _session()
    assert session.step_effect(+1) == "glam"
    assert session.step_effect(+1) == "bunny_ears"
    assert session.step_effect(+2) is None  # past "fresh", back to no effect
    assert session.step_effect(-1) == "fresh"


def test_a_new_profile_clears_the_effect_and_the_decisions() -> None:
    session, topics = _session()
    session.select_effect("bunny_ears")
    session.apply_update(_update({"bunny_ears": decide(Category.PLAYFUL, TEEN, None)}))
    session.set_profile(_profile())
    assert session.profile is not None and session.profile.name == "Ada"
    assert session.active_effect_id is None and dict(session.decisions) == {}
    assert {"profile", "active", "decisions"} <= set(topics)


def test_update_effect_replaces_one_entry_and_keeps_the_order() -> None:
    session, topics = _session()
    session.update_effect(EffectEntry("fresh", {"en": "Fresh"}, Category.PLAYFUL, thumbnail="/t/fresh.png"))
    assert [e.effect_id for e in session.effects] == ["glam", "bunny_ears", "fresh"]
    assert session.effects[2].thumbnail == "/t/fresh.png" and not session.is_locked("fresh")
    assert topics == ["effects"]


def test_duplicate_effect_ids_are_refused() -> None:
    with pytest.raises(SessionError, match="ids must be unique"):
        Session().set_effects([GLAM, GLAM])


def test_banner_timer_never_clears_a_newer_banner() -> None:
    session, _ = _session()
    saved = Banner("Photo saved")
    session.set_banner(saved)
    lost = Banner("Camera lost", BannerKind.WARNING, sticky=True)
    session.set_banner(lost)
    session.clear_banner(only_if=saved)  # the toast's timer fires late
    assert session.banner == lost
    session.clear_banner(only_if=lost)
    assert session.banner is None


def test_hud_settings_and_recording_emit_their_topics() -> None:
    session, topics = _session()
    assert session.toggle_hud() is True and session.hud_visible
    settings = session.update_settings(language="fr")
    assert settings == Settings(language="fr")
    session.set_recording(12.5)
    assert session.recording and session.recording_since_s == 12.5
    session.set_recording(None)
    assert not session.recording
    assert topics == ["hud", "settings", "recording", "recording"]


def test_effect_names_fall_back_to_english_then_to_the_id() -> None:
    assert GLAM.name("fr") == "Glamour"
    assert EARS.name("fr") == "Bunny ears"
    assert EffectEntry("x", {}, None).name("fr") == "x"


def test_stats_fps_frame_time_and_budget() -> None:
    stats = FrameStats(budget_ms=20.0, window_s=2.0)
    for i in range(31):  # 30 intervals of 1/30 s
        stats.add(i / 30.0, {"capture": 30.0, "landmarks": 8.0, "effects": 4.0 if i % 2 else 16.0})
    snap = stats.snapshot()
    assert snap.fps == pytest.approx(30.0)
    # capture (waiting for the camera) is left out: frames cost 24 ms (16 of them) or 12 ms (15)
    assert snap.frame_ms == pytest.approx(24.0)
    assert snap.frame_p95_ms == pytest.approx(24.0)
    assert snap.over_budget == 16
    assert snap.load == pytest.approx(1.2)
    assert snap.stages_ms["landmarks"] == pytest.approx(8.0)


def test_stats_window_drops_old_frames() -> None:
    stats = FrameStats(budget_ms=33.3, window_s=1.0)
    stats.add(0.0, {"effects": 100.0})
    stats.add(5.0, {"effects": 10.0})
    stats.add(5.5, {"effects": 10.0})
    snap = stats.snapshot()
    assert snap.frames == 2 and snap.frame_ms == pytest.approx(10.0) and snap.fps == pytest.approx(2.0)


def test_stats_count_detected_and_predicted_landmarks_in_the_window() -> None:
    stats = FrameStats(budget_ms=33.3, window_s=1.0)
    stats.add(0.0, {}, "detected")  # leaves the window
    for i, kind in enumerate(["detected", "predicted", "predicted", None, "detected", "predicted"]):
        stats.add(5.0 + i / 30.0, {}, kind)
    snap = stats.snapshot()
    assert (snap.landmarks_detected, snap.landmarks_predicted) == (2, 3)


def test_stats_reject_a_bad_budget() -> None:
    with pytest.raises(ValueError, match=r"FrameStats.budget_ms: expected > 0, found 0"):
        FrameStats(budget_ms=0)


@pytest.mark.parametrize(
    ("faces", "state", "youngest"),
    [
        ((), AgeState.NO_FACE, None),
        ((FaceAge(0.0, 0),), AgeState.MEASURING, None),
        ((FaceAge(38.0, 5),), AgeState.ADULT, 38.0),
        ((FaceAge(38.0, 5), FaceAge(19.0, 4)), AgeState.POSSIBLY_MINOR, 19.0),
        ((FaceAge(38.0, 5), FaceAge(0.0, 1)), AgeState.MEASURING, 38.0),
    ],
)
def test_age_status_reads_the_signal_like_the_policy(faces: tuple[FaceAge, ...], state: AgeState, youngest: float | None) -> None:
    status = age_status(FacesInView(faces), True, PolicyOptions())
    assert status.state is state and status.youngest_years == youngest
    assert age_status(FacesInView(faces), False, PolicyOptions()).state is AgeState.OFF


def test_messages_have_the_same_keys_in_every_language() -> None:
    en, fr = load_messages("en"), load_messages("fr")
    assert set(en.texts) == {k for k in fr.texts if not k.startswith("policy.")}
    assert fr("camera.snapshot_saved", name="a.png") == "Photo enregistrée : a.png"
    assert en.month(2) == "February" and fr.month(2) == "février"


def test_the_gate_words_never_mention_an_age() -> None:
    for language in ("en", "fr"):
        m = load_messages(language)
        gate_text = " ".join(v for k, v in m.texts.items() if k.startswith("gate."))
        assert not any(ch.isdigit() for ch in gate_text), gate_text
        for word in ("13", "18", "old", "âge", "age ", "minimum", "adult", "adulte"):
            assert word not in gate_text.lower()


def test_an_unknown_language_is_an_error_naming_the_choices() -> None:
    with pytest.raises(MessagesError, match=r"language 'de': expected one of en, fr"):
        load_messages("de")


def test_export_names_never_overwrite(tmp_path: Path) -> None:
    first = export_name(tmp_path, ".png", now=0.0)
    first.write_bytes(b"x")
    second = export_name(tmp_path, ".png", now=0.0)
    assert first.name.startswith("safelens-") and second != first and second.name.endswith("-2.png")
