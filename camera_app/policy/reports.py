"""Reports of effects: anyone may report an effect; moderators keep or remove it; a decision can
be appealed once, and the appeal goes to another moderator when there is one.

A report stores the effect (id and content hash), the reason, the optional text and the
reporting profile's id; nothing else about the person. Every step is audit-logged (with the
moderator's name for decisions) and every record is sealed (``profiles.seal``). An effect with
a report decided "removed" is removed from this installation: the carousel drops it with a
notice and ``render`` refuses it. A report record whose seal fails counts as "removed"
(failing closed: an edited row cannot bring an effect back).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from camera_app.policy.moderators import Moderator, list_moderators
from camera_app.profiles import audit
from camera_app.profiles.seal import SEALED, broken_rows, reseal_row, row_ok
from camera_app.profiles.store import ProfileStore
from camera_app.support.sensitive import ReportReason

MAX_NOTE_CHARS = 500


class ReportError(ValueError):
    """A report or a decision that cannot be made (names the report and why)."""


class ReportStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class EffectReport:
    report_id: int
    effect_id: str
    content_hash: str
    reason: ReportReason
    note: str
    profile_id: int | None
    status: ReportStatus
    created_utc: str
    decided_utc: str | None
    moderator: str | None
    appeal: str | None
    seal_ok: bool = True


_COLUMNS = ", ".join(SEALED["effect_reports"])  # the sealed columns, in the seal's order


def _clean_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ReportError(f"{what}: expected at most {MAX_NOTE_CHARS} characters, found {len(note)}")
    if any(ord(c) < 32 and c not in "\n\t" for c in note) or any(c in note for c in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"):
        raise ReportError(f"{what}: expected plain text, found control characters")
    return note


class ReportQueue:
    def __init__(self, store: ProfileStore) -> None:
        self.store = store

    def file(self, effect_id: str, content_hash: str, reason: ReportReason | str, note: str = "",
             profile_id: int | None = None) -> EffectReport:
        """Record a report of an effect (audit-logged)."""
        try:
            reason = ReportReason(reason)
        except ValueError:
            raise ReportError(f"reason: expected one of {', '.join(r.value for r in ReportReason)}, found {reason!r}") from None
        note = _clean_note(note, "report text")
        now = self.store.now_utc().isoformat()
        keys = self.store.keys
        with self.store.write() as conn:
            cur = conn.execute(
                "INSERT INTO effect_reports (effect_id, content_hash, reason, note, profile_id, status, created_utc) "
                "VALUES (?, ?, ?, ?, ?, 'open', ?)", (effect_id, content_hash, reason.value, note, profile_id, now))
            assert cur.lastrowid is not None
            reseal_row(conn, keys, "effect_reports", cur.lastrowid)
            audit.record(conn, keys, self.store.now_utc(), "effect_reported", profile_id=profile_id,
                         report_id=cur.lastrowid, effect_id=effect_id, reason=reason.value)
        return self.get(cur.lastrowid)

    def get(self, report_id: int) -> EffectReport:
        with self.store.read() as conn:
            return self._get(conn, report_id)

    def list(self, status: ReportStatus | None = None) -> list[EffectReport]:
        with self.store.read() as conn:
            broken = set(broken_rows(conn, self.store.keys, "effect_reports"))
            rows = conn.execute(f"SELECT {_COLUMNS} FROM effect_reports ORDER BY report_id").fetchall()
        reports = [_report(row, row[0] not in broken) for row in rows]
        return [r for r in reports if status is None or r.status is status]

    def decide(self, report_id: int, keep: bool, moderator: Moderator) -> EffectReport:
        """Keep or remove the reported effect (an open report only). After an appeal, another
        moderator than the one who decided must decide again, when there is one."""
        n_moderators = len(list_moderators(self.store))
        now = self.store.now_utc()
        keys = self.store.keys
        with self.store.write() as conn:
            report = self._get(conn, report_id)
            if not report.seal_ok:
                raise ReportError(f"report {report_id}: its record was changed outside SafeLens (seal broken); "
                                  "the effect stays removed")
            if report.status is not ReportStatus.OPEN:
                raise ReportError(f"report {report_id}: already decided ({report.status.value}); it can be appealed")
            if report.appeal is not None and n_moderators > 1 and report.moderator == moderator.name:
                raise ReportError(f"report {report_id}: the appeal goes to another moderator than {moderator.name} "
                                  "(who made the appealed decision)")
            status = ReportStatus.KEPT if keep else ReportStatus.REMOVED
            conn.execute("UPDATE effect_reports SET status = ?, decided_utc = ?, moderator = ? WHERE report_id = ?",
                         (status.value, now.isoformat(), moderator.name, report_id))
            reseal_row(conn, keys, "effect_reports", report_id)
            audit.record(conn, keys, now, "report_decided", report_id=report_id, effect_id=report.effect_id,
                         outcome=status.value, moderator=moderator.name)
        return self.get(report_id)

    def appeal(self, report_id: int, reason: str) -> EffectReport:
        """Appeal a decided report once: it opens again for another moderator."""
        text = _clean_note(reason, "appeal reason")
        if not text:
            raise ReportError("appeal reason: expected some text, found nothing")
        now = self.store.now_utc()
        keys = self.store.keys
        with self.store.write() as conn:
            report = self._get(conn, report_id)
            if report.status is ReportStatus.OPEN:
                raise ReportError(f"report {report_id}: not decided yet; there is nothing to appeal")
            if report.appeal is not None:
                raise ReportError(f"report {report_id}: already appealed once")
            conn.execute("UPDATE effect_reports SET status = 'open', appeal = ? WHERE report_id = ?", (text, report_id))
            reseal_row(conn, keys, "effect_reports", report_id)
            audit.record(conn, keys, now, "report_appealed", report_id=report_id, effect_id=report.effect_id)
        return self.get(report_id)

    def removed_effects(self) -> set[str]:
        """The ids of effects removed from this installation (a broken record counts as removed)."""
        return {r.effect_id for r in self.list() if r.status is ReportStatus.REMOVED or not r.seal_ok}

    def _get(self, conn: sqlite3.Connection, report_id: int) -> EffectReport:
        row = conn.execute(f"SELECT {_COLUMNS}, seal FROM effect_reports WHERE report_id = ?", (report_id,)).fetchone()
        if row is None:
            raise ReportError(f"report {report_id}: no such report (see `safelens review reports`)")
        return _report(row[:-1], row_ok(self.store.keys.records, "effect_reports", row[:-1], row[-1]))


def _report(row: tuple[object, ...], seal_ok: bool) -> EffectReport:
    rid, effect_id, content_hash, reason, note, profile_id, status, created, decided, moderator, appeal = row
    return EffectReport(int(str(rid)), str(effect_id), str(content_hash), ReportReason(str(reason)), str(note),
                        None if profile_id is None else int(str(profile_id)), ReportStatus(str(status)), str(created),
                        None if decided is None else str(decided), None if moderator is None else str(moderator),
                        None if appeal is None else str(appeal), seal_ok)
