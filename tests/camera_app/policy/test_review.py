"""The under-13 review queue: the flag rule, decisions, one appeal per decision, verified
adults, the append-only audit log, and the watch stage that feeds it from the live signal."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from camera_app.frame import Frame
from camera_app.policy.rules import FaceAge, FacesInView, PolicySubject
from camera_app.policy.gate import EffectGate
from camera_app.policy.moderators import Moderator
from camera_app.profiles import Assurance, ProfileNotFoundError, ProfileStore
from camera_app.policy.review import Outcome, ReviewError, ReviewKind, ReviewQueue, ReviewRule, ReviewStatus
from camera_app.stages.review_watch import UNDER_REVIEW_NOTICE, ReviewWatchStage

MOD = Moderator(1, "Mod", None)  # the passphrase check is the caller's (camera_app.cli.moderation)
CHILD = FaceAge(estimate_years=7.5, samples=5, spread_years=1.0, p_under_13=0.95)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 6, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every action a second apart
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProfileStore]:
    s = ProfileStore(tmp_path, clock=Clock())
    yield s
    s.close()


def one(face: FaceAge) -> FacesInView:
    return FacesInView((face,))


@pytest.mark.parametrize(
    "face,suspected",
    [
        (CHILD, True),
        (FaceAge(7.5, 3, 1.0, 0.95), False),  # too few samples
        (FaceAge(7.5, 4, 1.0, 0.95), True),
        (FaceAge(7.5, 5, 1.0, 0.79), False),  # not confident enough
        (FaceAge(11.5, 5, 1.5, 0.9), False),  # estimate + spread reaches 13
        (FaceAge(11.5, 5, 1.4, 0.9), True),
        (FaceAge(7.5, 5, 1.0, None), False),  # no probability: no flag
        (FaceAge(30.0, 9, 1.0, 0.0), False),
    ],
)
def test_the_flag_rule(face: FaceAge, suspected: bool) -> None:
    assert ReviewRule().suspects(face) is suspected


def test_flag_opens_one_entry_with_the_summary_only(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(2009, 1, 1))
    entry = queue.consider(p.profile_id, one(CHILD))
    assert entry is not None
    assert (entry.kind, entry.status, entry.profile_name) == (ReviewKind.SUSPECTED_UNDER_13, ReviewStatus.OPEN, "Sam")
    assert (entry.summary.estimate_years, entry.summary.spread_years, entry.summary.p_under_13,
            entry.summary.samples) == (7.5, 1.0, 0.95, 5)
    assert store.get("Sam").assurance is Assurance.CHALLENGED
    # Already open: no second entry.
    assert queue.consider(p.profile_id, one(CHILD)) is None
    assert [e.entry_id for e in queue.list()] == [entry.entry_id]


def test_no_flag_with_several_faces_or_no_rule(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(2009, 1, 1))
    assert queue.consider(p.profile_id, FacesInView((CHILD, FaceAge(40.0, 5, 1.0, 0.0)))) is None
    assert queue.consider(p.profile_id, one(FaceAge(16.0, 9, 1.0, 0.1))) is None
    assert queue.consider(p.profile_id, None) is None
    assert queue.list(None) == []
    with pytest.raises(ProfileNotFoundError):
        queue.consider(999, one(CHILD))


def test_keep_restores_declared_and_remove_deletes_the_profile(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    a = store.create_profile("Ann", date(2009, 1, 1))
    b = store.create_profile("Ben", date(2009, 1, 1))
    ea = queue.consider(a.profile_id, one(CHILD))
    eb = queue.consider(b.profile_id, one(CHILD))
    kept = queue.decide(ea.entry_id, Outcome.KEEP, MOD)
    assert kept.status is ReviewStatus.KEPT and store.get("Ann").assurance is Assurance.DECLARED
    removed = queue.decide(eb.entry_id, Outcome.REMOVE, MOD)
    assert removed.status is ReviewStatus.REMOVED and removed.profile_id is None
    assert [p.name for p in store.list_profiles()] == ["Ann"]
    with pytest.raises(ReviewError, match=r"review entry \d+: already decided \(removed\); appeal it to reopen it"):
        queue.decide(eb.entry_id, Outcome.KEEP, MOD)
    with pytest.raises(ReviewError, match="review entry 77: no such entry"):
        queue.decide(77, Outcome.KEEP, MOD)


def test_one_appeal_per_decision_and_an_appeal_reopens(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(2009, 1, 1))
    entry = queue.consider(p.profile_id, one(CHILD))
    with pytest.raises(ReviewError, match="it is open; only a decision can be appealed"):
        queue.appeal(entry.entry_id, "not yet decided")
    queue.decide(entry.entry_id, Outcome.KEEP, MOD)
    reopened = queue.appeal(entry.entry_id, "  someone else was in the picture  ")
    assert reopened.status is ReviewStatus.OPEN
    assert reopened.decisions[-1].appeal_reason == "someone else was in the picture"
    assert store.get("Sam").assurance is Assurance.CHALLENGED  # under review again
    with pytest.raises(ReviewError, match="it is open"):
        queue.appeal(entry.entry_id, "twice")
    again = queue.decide(entry.entry_id, Outcome.KEEP, MOD)  # a new decision may be appealed once
    assert again.can_appeal and len(again.decisions) == 2
    queue.appeal(entry.entry_id, "second decision")
    # The database itself refuses a second appeal of one decision.
    conn = sqlite3.connect(store.db_path)
    decision_id = again.decisions[-1].decision_id
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO review_appeals (decision_id, reason, appealed_utc) VALUES (?, 'x', 'y')",
                     (decision_id,))
    conn.close()
    with pytest.raises(ReviewError, match="appeal reason: expected some text, found nothing"):
        queue.appeal(entry.entry_id, "   ")


def test_appeal_after_remove_reopens_an_entry_without_a_profile(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(2009, 1, 1))
    entry = queue.consider(p.profile_id, one(CHILD))
    queue.decide(entry.entry_id, Outcome.REMOVE, MOD)
    reopened = queue.appeal(entry.entry_id, "I am 15")
    assert reopened.status is ReviewStatus.OPEN and reopened.profile_id is None
    with pytest.raises(ReviewError, match="the profile was removed; there is no one to verify"):
        queue.verify(entry.entry_id, MOD)
    assert queue.decide(entry.entry_id, Outcome.KEEP, MOD).status is ReviewStatus.KEPT


def test_adult_check_and_verified_adult(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    adult = store.create_profile("Eve", date(1999, 1, 1))
    teen = store.create_profile("Tom", date(2009, 1, 1))
    entry = queue.request_adult_check(adult.profile_id, FaceAge(21.0, 5, 2.0, 0.0))
    assert entry.kind is ReviewKind.ADULT_CHECK and entry.summary.estimate_years == 21.0
    assert store.get("Eve").assurance is Assurance.DECLARED  # asking does not pause anything more
    with pytest.raises(ReviewError, match="already has an open review entry"):
        queue.request_adult_check(adult.profile_id)
    verified = queue.verify(entry.entry_id, MOD)
    assert verified.status is ReviewStatus.VERIFIED_ADULT
    assert store.get("Eve").assurance is Assurance.VERIFIED_ADULT
    # An appeal of the verification withdraws it until the new decision.
    queue.appeal(entry.entry_id, "this account is shared with a child")
    assert store.get("Eve").assurance is Assurance.DECLARED
    with pytest.raises(ReviewError, match="an adult check is for profiles whose date of birth is 18 or over"):
        queue.request_adult_check(teen.profile_id)
    flagged = queue.consider(teen.profile_id, one(CHILD))
    with pytest.raises(ReviewError, match="the profile's date of birth is under 18; it cannot be verified as an adult"):
        queue.verify(flagged.entry_id, MOD)


def test_a_wrongly_flagged_adult_is_verified(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Ida", date(1990, 1, 1))
    entry = queue.consider(p.profile_id, one(CHILD))
    assert store.get("Ida").assurance is Assurance.CHALLENGED
    queue.verify(entry.entry_id, MOD)
    assert store.get("Ida").assurance is Assurance.VERIFIED_ADULT


def test_every_action_is_in_the_append_only_audit_log(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(2009, 1, 1))
    entry = queue.consider(p.profile_id, one(CHILD))
    queue.decide(entry.entry_id, Outcome.KEEP, MOD)
    queue.appeal(entry.entry_id, "why")
    queue.decide(entry.entry_id, Outcome.REMOVE, MOD)
    actions = [(e.action, e.detail.get("outcome")) for e in store.audit_events(entry.entry_id)]
    assert actions == [("flagged_suspected_under_13", None), ("decided", "kept"), ("appealed", None),
                       ("decided", "removed")]
    everything = [e.action for e in store.audit_events()]
    assert everything == ["profile_created", "assurance_changed", "flagged_suspected_under_13", "assurance_changed",
                          "decided", "assurance_changed", "appealed", "profile_deleted", "decided"]
    assert all("birthdate" not in e.detail for e in store.audit_events())
    conn = sqlite3.connect(store.db_path)
    with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
        conn.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
        conn.execute("DELETE FROM audit_log")
    conn.close()


def test_watch_stage_flags_once_and_challenges_the_gate(store: ProfileStore) -> None:
    queue = ReviewQueue(store)
    p = store.create_profile("Sam", date(1990, 1, 1))
    signal: list[FacesInView] = [one(FaceAge(7.5, 2, 1.0, 0.95))]
    gate = EffectGate(PolicySubject(34, Assurance.DECLARED), lambda spec: None)
    watch = ReviewWatchStage(queue, p.profile_id, lambda frame: signal[0], gate)
    frame = Frame(pixels=np.zeros((8, 8, 3), np.uint8), index=0, timestamp_ms=0)
    assert watch.process(frame) is frame and watch.take_notices() == []  # too few samples yet
    signal[0] = one(CHILD)
    assert watch.process(frame) is frame
    assert watch.take_notices() == [UNDER_REVIEW_NOTICE]
    assert gate.subject.assurance is Assurance.CHALLENGED
    assert store.get("Sam").assurance is Assurance.CHALLENGED
    watch.process(frame)
    assert watch.take_notices() == [] and len(queue.list()) == 1
