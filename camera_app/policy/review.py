"""The under-13 review queue: suspected children, adults asking to be verified, decisions, appeals.

When a profile's face is the only face in view and its aggregated estimate says
"under 13" with high confidence (``ReviewRule``), an entry is opened with the
estimate summary only (estimate, spread, P(under 13), sample count: no image, no
history) and the profile's assurance becomes ``challenged`` (appearance-altering
effects pause, see ``camera_app.policy.rules``). The flag rule, all three must hold:

- at least ``min_samples`` (4: about 1.2 s of steady view at the estimator's ~300 ms cadence;
  its default 1.5 s window holds at most 5, so 4 still fires when a sample is late)
  samples in the aggregate,
- P(age < 13) >= ``min_p_under_13`` (0.8),
- estimate + spread < 13 years (the estimate stays under 13 even moved by its spread).

An adult held back by the live estimate can ask for a check (``request_adult_check``).
A moderator (``camera_app.policy.moderators``, passphrase checked by the caller) decides an
open entry, never one of their own profile: ``keep`` (the profile stays; a challenged profile
goes back to ``declared``), ``remove`` (the profile is deleted) or ``verify`` (a
declared adult becomes ``verified_adult``). Each decision may be appealed once; an
appeal reopens the entry (the profile is ``challenged`` again for a suspected child,
back to ``declared`` for an adult check) until a new decision, which, when the installation
has more than one moderator, someone other than the appealed decision's moderator makes.
Every record is sealed and every action is written to the hash-chained audit log, with the
moderator's name; an entry whose records fail their seals cannot be decided or appealed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from enum import StrEnum

from camera_app.policy.moderators import Moderator, list_moderators, refuse_own
from camera_app.policy.rules import FaceAge, FacesInView
from camera_app.profiles import audit
from camera_app.profiles.errors import ProfileNotFoundError
from camera_app.profiles.gate import age_on
from camera_app.profiles.model import Assurance
from camera_app.profiles.seal import reseal_row, row_ok
from camera_app.profiles.rows import delete_profile_row, set_assurance_row
from camera_app.profiles.store import ProfileStore

MAX_APPEAL_CHARS = 500


class ReviewError(ValueError):
    """A review action that cannot be done (unknown entry, wrong state, bad input)."""


class ReviewKind(StrEnum):
    SUSPECTED_UNDER_13 = "suspected_under_13"
    ADULT_CHECK = "adult_check"


class ReviewStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    REMOVED = "removed"
    VERIFIED_ADULT = "verified_adult"


class Outcome(StrEnum):
    KEEP = "kept"
    REMOVE = "removed"
    VERIFIED_ADULT = "verified_adult"


@dataclass(frozen=True, slots=True)
class ReviewRule:
    min_samples: int = 4
    min_p_under_13: float = 0.8
    age_years: float = 13.0

    def suspects(self, face: FaceAge) -> bool:
        """The flag rule (see the module docstring). No P(under 13): no flag."""
        return (
            face.samples >= self.min_samples
            and face.p_under_13 is not None
            and face.p_under_13 >= self.min_p_under_13
            and face.estimate_years + face.spread_years < self.age_years
        )


@dataclass(frozen=True, slots=True)
class EstimateSummary:
    estimate_years: float
    spread_years: float
    p_under_13: float | None
    samples: int


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: int
    outcome: Outcome
    decided_utc: datetime
    appeal_reason: str | None
    appealed_utc: datetime | None
    moderator: str | None = None  # who decided (None for decisions made before moderators existed)


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    entry_id: int
    profile_id: int | None  # None once the profile was removed
    profile_name: str | None
    kind: ReviewKind
    status: ReviewStatus
    summary: EstimateSummary | None
    created_utc: datetime
    updated_utc: datetime
    decisions: tuple[Decision, ...]
    sealed: bool = True  # False: one of its records fails its seal (it cannot be decided or appealed)

    @property
    def can_appeal(self) -> bool:
        return self.status is not ReviewStatus.OPEN and bool(self.decisions) and self.decisions[-1].appeal_reason is None


_SEALED_ENTRY = ("SELECT entry_id, profile_id, kind, status, estimate_years, spread_years, p_under_13, n_samples, "
                 "created_utc, updated_utc, seal FROM review_entries")
_SEALED_DECISION = "SELECT decision_id, entry_id, outcome, decided_utc, moderator, seal FROM review_decisions"
_SEALED_APPEAL = "SELECT appeal_id, decision_id, reason, appealed_utc, seal FROM review_appeals"

_ENTRY = (
    "SELECT e.entry_id, e.profile_id, p.name, e.kind, e.status, e.estimate_years, e.spread_years, e.p_under_13, "
    "e.n_samples, e.created_utc, e.updated_utc FROM review_entries e LEFT JOIN profiles p USING (profile_id)"
)


class ReviewQueue:
    """The review queue of one profile store."""

    def __init__(self, store: ProfileStore, rule: ReviewRule | None = None) -> None:
        self.store = store
        self.rule = rule or ReviewRule()

    # -- opening entries ------------------------------------------------------------------
    def consider(self, profile_id: int, faces: FacesInView | None) -> ReviewEntry | None:
        """Open a suspected-under-13 entry when the rule holds for the only face in view.

        Returns the new entry, or None (rule not met, several faces, or an entry of this
        profile is already open)."""
        if faces is None or len(faces.faces) != 1 or not self.rule.suspects(faces.faces[0]):
            return None
        face = faces.faces[0]
        now = self.store.now_utc()
        with self.store.write() as conn:
            if conn.execute("SELECT 1 FROM profiles WHERE profile_id = ?", (profile_id,)).fetchone() is None:
                raise ProfileNotFoundError(f"profile: no profile with id {profile_id}")
            if self._open_entry_of(conn, profile_id) is not None:
                return None
            entry_id = self._insert(conn, now, profile_id, ReviewKind.SUSPECTED_UNDER_13, face)
            reseal_row(conn, self.store.keys, "review_entries", entry_id)
            set_assurance_row(conn, self.store.keys, now, profile_id, Assurance.CHALLENGED)
            audit.record(
                conn, self.store.keys, now, "flagged_suspected_under_13", entry_id=entry_id, profile_id=profile_id,
                estimate_years=round(face.estimate_years, 1), samples=face.samples,
                p_under_13=None if face.p_under_13 is None else round(face.p_under_13, 3),
            )
        return self.get(entry_id)

    def request_adult_check(self, profile_id: int, face: FaceAge | None = None) -> ReviewEntry:
        """An adult whom the live estimate holds back asks to be verified."""
        now = self.store.now_utc()
        today = self.store.today()
        with self.store.write() as conn:
            row = conn.execute("SELECT birthdate FROM profiles WHERE profile_id = ?", (profile_id,)).fetchone()
            if row is None:
                raise ProfileNotFoundError(f"profile: no profile with id {profile_id}")
            if age_on(date.fromisoformat(row[0]), today) < 18:
                raise ReviewError("an adult check is for profiles whose date of birth is 18 or over")
            existing = self._open_entry_of(conn, profile_id)
            if existing is not None:
                raise ReviewError(f"profile {profile_id} already has an open review entry ({existing})")
            entry_id = self._insert(conn, now, profile_id, ReviewKind.ADULT_CHECK, face)
            reseal_row(conn, self.store.keys, "review_entries", entry_id)
            audit.record(conn, self.store.keys, now, "adult_check_requested", entry_id=entry_id, profile_id=profile_id)
        return self.get(entry_id)

    # -- reading --------------------------------------------------------------------------
    def get(self, entry_id: int) -> ReviewEntry:
        with self.store.read() as conn:
            row = conn.execute(_ENTRY + " WHERE e.entry_id = ?", (entry_id,)).fetchone()
            if row is None:
                raise ReviewError(f"review entry {entry_id}: no such entry")
            return self._entry(conn, row)

    def list(self, status: ReviewStatus | None = None) -> list[ReviewEntry]:
        with self.store.read() as conn:
            if status is None:
                rows = conn.execute(_ENTRY + " ORDER BY e.entry_id").fetchall()
            else:
                rows = conn.execute(_ENTRY + " WHERE e.status = ? ORDER BY e.entry_id", (status.value,)).fetchall()
            return [self._entry(conn, r) for r in rows]

    # -- decisions and appeals ----------------------------------------------------------
    def decide(self, entry_id: int, outcome: Outcome, moderator: Moderator) -> ReviewEntry:
        """``KEEP``, ``REMOVE`` (deletes the profile) or ``VERIFIED_ADULT`` on an open entry, by
        ``moderator`` (whose passphrase the caller checked)."""
        outcome = Outcome(outcome)
        now = self.store.now_utc()
        today = self.store.today()
        n_moderators = len(list_moderators(self.store))
        keys = self.store.keys
        with self.store.write() as conn:
            entry = self._open_or_raise(conn, entry_id)
            kind, profile_id = ReviewKind(entry[0]), entry[1]
            refuse_own(moderator, profile_id, "decide a review entry of")
            appealed_by = conn.execute(
                "SELECT d.moderator FROM review_decisions d JOIN review_appeals a USING (decision_id) "
                "WHERE d.entry_id = ? ORDER BY d.decision_id DESC LIMIT 1", (entry_id,)).fetchone()
            if appealed_by is not None and n_moderators > 1 and appealed_by[0] == moderator.name:
                raise ReviewError(f"review entry {entry_id}: the appeal goes to another moderator than "
                                  f"{moderator.name} (who made the appealed decision)")
            if outcome is Outcome.VERIFIED_ADULT:
                if profile_id is None:
                    raise ReviewError(f"review entry {entry_id}: the profile was removed; there is no one to verify")
                born = conn.execute("SELECT birthdate FROM profiles WHERE profile_id = ?", (profile_id,)).fetchone()[0]
                if age_on(date.fromisoformat(born), today) < 18:
                    raise ReviewError(
                        f"review entry {entry_id}: the profile's date of birth is under 18; it cannot be verified as an adult"
                    )
                set_assurance_row(conn, keys, now, profile_id, Assurance.VERIFIED_ADULT)
            elif outcome is Outcome.KEEP:
                if profile_id is not None and kind is ReviewKind.SUSPECTED_UNDER_13:
                    set_assurance_row(conn, keys, now, profile_id, Assurance.DECLARED)
            elif profile_id is not None:
                delete_profile_row(conn, keys, now, profile_id, reason=f"review entry {entry_id}")
            cur = conn.execute(
                "INSERT INTO review_decisions (entry_id, outcome, decided_utc, moderator) VALUES (?, ?, ?, ?)",
                (entry_id, outcome.value, now.isoformat(), moderator.name),
            )
            assert cur.lastrowid is not None
            reseal_row(conn, keys, "review_decisions", cur.lastrowid)
            conn.execute(
                "UPDATE review_entries SET status = ?, updated_utc = ? WHERE entry_id = ?",
                (ReviewStatus(outcome.value).value, now.isoformat(), entry_id),
            )
            reseal_row(conn, keys, "review_entries", entry_id)
            audit.record(conn, keys, now, "decided", entry_id=entry_id, profile_id=profile_id,
                         outcome=outcome.value, decision_id=cur.lastrowid, moderator=moderator.name)
        return self.get(entry_id)

    def verify(self, entry_id: int, moderator: Moderator) -> ReviewEntry:
        return self.decide(entry_id, Outcome.VERIFIED_ADULT, moderator)

    def appeal(self, entry_id: int, reason: str) -> ReviewEntry:
        """Appeal the latest decision of a closed entry (once per decision); reopens the entry."""
        if not isinstance(reason, str) or not reason.strip():
            raise ReviewError("appeal reason: expected some text, found nothing")
        reason = reason.strip()
        if len(reason) > MAX_APPEAL_CHARS:
            raise ReviewError(f"appeal reason: expected at most {MAX_APPEAL_CHARS} characters, found {len(reason)}")
        now = self.store.now_utc()
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT kind, profile_id, status FROM review_entries WHERE entry_id = ?", (entry_id,)
            ).fetchone()
            if row is None:
                raise ReviewError(f"review entry {entry_id}: no such entry")
            self._sealed_or_raise(conn, entry_id)
            kind, profile_id, status = ReviewKind(row[0]), row[1], ReviewStatus(row[2])
            if status is ReviewStatus.OPEN:
                raise ReviewError(f"review entry {entry_id}: it is open; only a decision can be appealed")
            decision_id = conn.execute(
                "SELECT decision_id FROM review_decisions WHERE entry_id = ? ORDER BY decision_id DESC LIMIT 1",
                (entry_id,),
            ).fetchone()[0]
            if conn.execute("SELECT 1 FROM review_appeals WHERE decision_id = ?", (decision_id,)).fetchone():
                raise ReviewError(f"review entry {entry_id}: its decision was already appealed (one appeal per decision)")
            cur = conn.execute(
                "INSERT INTO review_appeals (decision_id, reason, appealed_utc) VALUES (?, ?, ?)",
                (decision_id, reason, now.isoformat()),
            )
            assert cur.lastrowid is not None
            reseal_row(conn, self.store.keys, "review_appeals", cur.lastrowid)
            conn.execute(
                "UPDATE review_entries SET status = 'open', updated_utc = ? WHERE entry_id = ?",
                (now.isoformat(), entry_id),
            )
            reseal_row(conn, self.store.keys, "review_entries", entry_id)
            if profile_id is not None:
                pending = Assurance.CHALLENGED if kind is ReviewKind.SUSPECTED_UNDER_13 else Assurance.DECLARED
                set_assurance_row(conn, self.store.keys, now, profile_id, pending)
            audit.record(conn, self.store.keys, now, "appealed", entry_id=entry_id, profile_id=profile_id, decision_id=decision_id)
        return self.get(entry_id)

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _open_entry_of(conn: sqlite3.Connection, profile_id: int) -> int | None:
        row = conn.execute(
            "SELECT entry_id FROM review_entries WHERE profile_id = ? AND status = 'open'", (profile_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _insert(conn: sqlite3.Connection, now: datetime, profile_id: int, kind: ReviewKind, face: FaceAge | None) -> int:
        cur = conn.execute(
            "INSERT INTO review_entries (profile_id, kind, status, estimate_years, spread_years, p_under_13, "
            "n_samples, created_utc, updated_utc) VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?)",
            (
                profile_id,
                kind.value,
                None if face is None else face.estimate_years,
                None if face is None else face.spread_years,
                None if face is None else face.p_under_13,
                None if face is None else face.samples,
                now.isoformat(),
                now.isoformat(),
            ),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def _broken_record(self, conn: sqlite3.Connection, entry_id: int) -> str | None:
        """The table of the first of the entry's records (entry, decisions, appeals) that fails its seal."""
        checks = [("review_entries", _SEALED_ENTRY + " WHERE entry_id = ?"),
                  ("review_decisions", _SEALED_DECISION + " WHERE entry_id = ?"),
                  ("review_appeals", _SEALED_APPEAL + " WHERE decision_id IN "
                                     "(SELECT decision_id FROM review_decisions WHERE entry_id = ?)")]
        for table, sql in checks:
            for row in conn.execute(sql, (entry_id,)).fetchall():
                if not row_ok(self.store.keys.records, table, row[:-1], row[-1]):
                    return table
        return None

    def _sealed_or_raise(self, conn: sqlite3.Connection, entry_id: int) -> None:
        """Refuse an entry whose record, decisions or appeals fail their seals."""
        table = self._broken_record(conn, entry_id)
        if table is not None:
            raise ReviewError(
                f"review entry {entry_id}: a stored {table} record fails its seal (changed outside "
                "SafeLens; the audit log records it). The entry can no longer be decided or appealed; "
                "a moderator can open a new one (`safelens review request`) or confirm the profile "
                "(`safelens moderator confirm`)")

    def _open_or_raise(self, conn: sqlite3.Connection, entry_id: int) -> tuple[str, int | None]:
        row = conn.execute(
            "SELECT kind, profile_id, status FROM review_entries WHERE entry_id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise ReviewError(f"review entry {entry_id}: no such entry")
        self._sealed_or_raise(conn, entry_id)
        if row[2] != ReviewStatus.OPEN.value:
            raise ReviewError(f"review entry {entry_id}: already decided ({row[2]}); appeal it to reopen it")
        return row[0], row[1]

    def _entry(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> ReviewEntry:
        entry_id, profile_id, name, kind, status, est, spread, p13, n, created, updated = row
        decisions = conn.execute(
            "SELECT d.decision_id, d.outcome, d.decided_utc, a.reason, a.appealed_utc, d.moderator FROM review_decisions d "
            "LEFT JOIN review_appeals a USING (decision_id) WHERE d.entry_id = ? ORDER BY d.decision_id",
            (entry_id,),
        ).fetchall()
        return ReviewEntry(
            entry_id=entry_id,
            profile_id=profile_id,
            profile_name=name,
            kind=ReviewKind(kind),
            status=ReviewStatus(status),
            summary=None if est is None else EstimateSummary(est, spread, p13, n),
            created_utc=datetime.fromisoformat(created),
            updated_utc=datetime.fromisoformat(updated),
            decisions=tuple(
                Decision(
                    decision_id=d_id,
                    outcome=Outcome(outcome),
                    decided_utc=datetime.fromisoformat(decided),
                    appeal_reason=reason,
                    appealed_utc=None if appealed is None else datetime.fromisoformat(appealed),
                    moderator=moderator,
                )
                for d_id, outcome, decided, reason, appealed, moderator in decisions
            ),
            sealed=self._broken_record(conn, entry_id) is None,
        )
