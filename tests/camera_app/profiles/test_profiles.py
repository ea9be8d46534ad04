"""Profiles: the neutral age gate, ages on birthdays, the sealed under-13 lock, the SQLite
store (WAL, migrations, two writers at once, corruption and recovery)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from camera_app.profiles import (
    Assurance,
    BirthdateError,
    ProfileExistsError,
    ProfileNameError,
    ProfileNotFoundError,
    ProfileStore,
    ProfileStoreCorruptError,
    ProfileStoreError,
    ProfileStoreVersionError,
    SignUpUnavailableError,
    StoreOptions,
    age_on,
    gate_form,
    parse_birthdate,
    resolve_data_dir,
)
from camera_app.profiles import lock as gate_lock
from camera_app.profiles.gate import days_in
from camera_app.profiles.schema import MIGRATIONS, SCHEMA_VERSION
from camera_app.profiles.recovery import recover
from camera_app.profiles.secret import open_secret


class Clock:
    """An injected clock: an aware datetime that tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def at(y: int, m: int, d: int, hour: int = 12) -> Clock:
    return Clock(datetime(y, m, d, hour, tzinfo=UTC))


def raw(store_dir: Path) -> sqlite3.Connection:
    """A hand editor's connection to the database (what someone with a DB browser can do)."""
    return sqlite3.connect(store_dir / "profiles.db", isolation_level=None)


# -- ages and the form --------------------------------------------------------------------------


def test_age_on_birthday_today_tomorrow_and_yesterday() -> None:
    born = date(2011, 6, 15)
    assert age_on(born, date(2024, 6, 15)) == 13  # birthday today
    assert age_on(born, date(2024, 6, 14)) == 12  # birthday tomorrow
    assert age_on(born, date(2024, 6, 16)) == 13
    assert age_on(born, date(2011, 6, 15)) == 0
    assert age_on(date(2000, 12, 31), date(2001, 1, 1)) == 0


def test_age_on_29_february_in_leap_and_non_leap_years() -> None:
    born = date(2008, 2, 29)
    # Non-leap year: a year older on 1 March, not on 28 February.
    assert age_on(born, date(2021, 2, 28)) == 12
    assert age_on(born, date(2021, 3, 1)) == 13
    # Leap year: on the day itself.
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16
    # Someone born on 28 February or 1 March is not affected.
    assert age_on(date(2008, 2, 28), date(2021, 2, 28)) == 13
    assert age_on(date(2008, 3, 1), date(2021, 2, 28)) == 12


def test_age_on_refuses_a_today_before_birth() -> None:
    with pytest.raises(BirthdateError, match=r"age_on: today \(2020-01-01\) is before the birthdate \(2020-01-02\)"):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


def test_the_form_is_neutral_full_range_and_empty() -> None:
    form = gate_form(date(2024, 5, 1))
    assert form.years[0] == 2024 and form.years[-1] == 2024 - 120 and len(form.years) == 121
    assert (form.selected_year, form.selected_month, form.selected_day) == (None, None, None)
    assert [m for m, _ in form.months] == list(range(1, 13)) and form.months[1][1] == "February"
    assert days_in(2024, 2)[-1] == 29 and days_in(2023, 2)[-1] == 28 and days_in(2023, 4)[-1] == 30


@pytest.mark.parametrize(
    "text,message",
    [
        ("2010-13-01", "birthdate: expected a month from 01 to 12, found 13"),
        ("2023-02-29", "birthdate: 2023 is not a leap year, so February 2023 has no 29th"),
        ("2010-04-31", "birthdate: April 2010 has 30 days, found day 31"),
        ("2024-05-02", "birthdate: expected a date that has passed, found 2024-05-02 (after today, 2024-05-01)"),
        ("1900-01-01", "birthdate: expected a year from 1904 to 2024, found 1900"),
        ("01/02/2010", "birthdate: expected a date as YYYY-MM-DD, found '01/02/2010'"),
        ("2010-1-2", "birthdate: expected a date as YYYY-MM-DD, found '2010-1-2'"),
    ],
)
def test_parse_birthdate_errors(text: str, message: str) -> None:
    with pytest.raises(BirthdateError) as info:
        parse_birthdate(text, date(2024, 5, 1))
    assert str(info.value) == message


def test_parse_birthdate_accepts_29_february_of_a_leap_year_and_today() -> None:
    assert parse_birthdate("2020-02-29", date(2024, 5, 1)) == date(2020, 2, 29)
    assert parse_birthdate(" 2024-05-01 ", date(2024, 5, 1)) == date(2024, 5, 1)


# -- sign-up through the gate -------------------------------------------------------------------


def test_sign_up_on_the_13th_birthday_but_not_the_day_before(tmp_path: Path) -> None:
    with ProfileStore(tmp_path / "a", clock=at(2024, 6, 15)) as store:
        assert store.create_profile("Ana", date(2011, 6, 15)).age_on(date(2024, 6, 15)) == 13
    with ProfileStore(tmp_path / "b", clock=at(2024, 6, 14)) as store:
        with pytest.raises(SignUpUnavailableError) as info:
            store.create_profile("Ana", date(2011, 6, 15))
        assert info.value.cause == "under_13"
        assert str(info.value) == "Sign-up isn't available."
        assert store.list_profiles() == []


def test_sign_up_with_a_29_february_birthday(tmp_path: Path) -> None:
    clock = at(2025, 2, 28)  # 2025 is not a leap year: 13 only on 1 March
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Leo", date(2012, 2, 29))
        clock.advance(days=1)
        assert store.create_profile("Leo", date(2012, 2, 29)).birthdate == date(2012, 2, 29)


def test_future_birthdate_is_refused_by_the_store(tmp_path: Path) -> None:
    with ProfileStore(tmp_path, clock=at(2024, 5, 1)) as store:
        with pytest.raises(BirthdateError, match="expected a date that has passed"):
            store.create_profile("Zed", date(2024, 5, 2))


# -- the lock --------------------------------------------------------------------------------


def test_under_13_locks_other_birthdates_for_30_days_across_restarts(tmp_path: Path) -> None:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 4, 2))
    # A new process (a restart): the lock is still there, same neutral message.
    clock.advance(days=29, hours=23)
    with ProfileStore(tmp_path, clock=clock) as store:
        state = store.lock_state()
        assert state.locked and not state.tampered
        assert state.until_utc == datetime(2024, 3, 31, 12, tzinfo=UTC)
        with pytest.raises(SignUpUnavailableError) as info:
            store.create_profile("Kid", date(2000, 4, 2))
        assert (info.value.cause, str(info.value)) == ("locked", "Sign-up isn't available.")
    clock.advance(hours=1)  # exactly 30 days after
    with ProfileStore(tmp_path, clock=clock) as store:
        assert not store.lock_state().locked
        assert store.create_profile("Kid", date(2000, 4, 2)).name == "Kid"


def test_same_birthdate_is_allowed_once_it_is_13_during_the_lock(tmp_path: Path) -> None:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2011, 3, 10))  # 13 in nine days
        clock.advance(days=9)
        assert store.create_profile("Kid", date(2011, 3, 10)).age_on(clock.now.date()) == 13


def test_lock_length_is_configurable(tmp_path: Path) -> None:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, StoreOptions(lock_days=7), clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 1, 1))
        clock.advance(days=7)
        store.create_profile("Kid", date(1999, 1, 1))


def test_turning_the_clock_back_does_not_lift_the_lock(tmp_path: Path) -> None:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 1, 1))
        clock.advance(days=-400)
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(1990, 1, 1))


def _lock_then(tmp_path: Path, edit: str) -> Clock:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 4, 2))
    conn = raw(tmp_path)
    conn.execute("DROP TRIGGER gate_locks_no_update")  # a determined hand editor drops the guards first
    conn.execute("DROP TRIGGER gate_locks_no_delete")
    conn.execute(edit)
    conn.close()
    return clock


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE gate_locks SET expires_utc = '2000-01-01T00:00:00+00:00'",
        "UPDATE gate_locks SET birthdate = '1990-01-01'",
        "UPDATE gate_locks SET expires_utc = 'garbage'",
        "DELETE FROM gate_locks",
        "DELETE FROM meta WHERE key = 'gate_seal'",
        "UPDATE meta SET value = 'ff' WHERE key = 'gate_seal'",
    ],
)
def test_hand_editing_the_lock_does_not_undo_it(tmp_path: Path, edit: str) -> None:
    clock = _lock_then(tmp_path, edit)
    with ProfileStore(tmp_path, clock=clock) as store:
        state = store.lock_state()
        assert state.locked and state.tampered
        with pytest.raises(SignUpUnavailableError) as info:
            store.create_profile("Kid", date(1990, 1, 1))
        assert (info.value.cause, str(info.value)) == ("tampered", "Sign-up isn't available.")
        # The tamper lock runs its own 30 days from when it was found, then lifts.
        clock.advance(days=29)
        with pytest.raises(SignUpUnavailableError) as again:
            store.create_profile("Kid", date(1990, 1, 1))
        assert again.value.cause == "locked"
        clock.advance(days=1)
        assert store.create_profile("Kid", date(1990, 1, 1)).name == "Kid"
        assert [e.action for e in store.audit_events()].count("gate_tamper_detected") == 1


def test_deleting_the_key_file_counts_as_locked(tmp_path: Path) -> None:
    clock = at(2024, 3, 1)
    with ProfileStore(tmp_path, clock=clock) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 4, 2))
    (tmp_path / "gate.key").unlink()
    clock.advance(days=60)
    with ProfileStore(tmp_path, clock=clock) as store:
        assert store.lock_state().tampered
        with pytest.raises(SignUpUnavailableError) as info:
            store.create_profile("Kid", date(1990, 1, 1))
        assert info.value.cause == "tampered"


def test_the_lock_table_refuses_update_and_delete(tmp_path: Path) -> None:
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2015, 4, 2))
    conn = raw(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="gate_locks is append-only"):
        conn.execute("UPDATE gate_locks SET expires_utc = '2000-01-01T00:00:00+00:00'")
    with pytest.raises(sqlite3.IntegrityError, match="gate_locks is append-only"):
        conn.execute("DELETE FROM gate_locks")
    conn.close()


def test_a_fresh_data_dir_is_not_locked(tmp_path: Path) -> None:
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        state = store.lock_state()
        assert not state.locked and not state.tampered
    assert (tmp_path / "gate.key").stat().st_mode & 0o777 == 0o600


# -- the store --------------------------------------------------------------------------------


def test_profiles_crud_and_names(tmp_path: Path) -> None:
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        p = store.create_profile("  Sam ", date(1990, 1, 2))
        assert (p.name, p.assurance, p.birthdate) == ("Sam", Assurance.DECLARED, date(1990, 1, 2))
        with pytest.raises(ProfileExistsError, match="name: a profile called 'sam' already exists"):
            store.create_profile("sam", date(1991, 1, 2))
        with pytest.raises(ProfileNameError, match="name: expected 1 to 40 characters, found 0"):
            store.create_profile("   ", date(1991, 1, 2))
        with pytest.raises(ProfileNameError, match="name: expected printable characters only"):
            store.create_profile("a\nb", date(1991, 1, 2))
        assert store.get("SAM").profile_id == p.profile_id
        store.set_assurance(p.profile_id, Assurance.VERIFIED_ADULT)
        assert store.get_by_id(p.profile_id).assurance is Assurance.VERIFIED_ADULT
        assert store.delete_profile("Sam") == replace(p, assurance=Assurance.VERIFIED_ADULT)
        with pytest.raises(ProfileNotFoundError, match="profile: no profile called 'Sam' in"):
            store.get("Sam")


def test_wal_and_schema_version(tmp_path: Path) -> None:
    ProfileStore(tmp_path).close()
    conn = raw(tmp_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    conn.close()


def test_nothing_but_profile_facts_is_stored(tmp_path: Path) -> None:
    """No frames, crops or history of estimates: no BLOB column anywhere, and these columns only."""
    ProfileStore(tmp_path).close()
    conn = raw(tmp_path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    columns = {t: [(c[1], c[2]) for c in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    conn.close()
    assert all(kind.upper() != "BLOB" for cols in columns.values() for _, kind in cols)
    assert [c for c, _ in columns["profiles"]] == ["profile_id", "name", "birthdate", "assurance", "created_utc",
                                                   "seal"]
    assert [c for c, _ in columns["moderators"]] == ["moderator_id", "name", "profile_id", "passphrase", "created_utc",
                                                     "seal"]
    # a report of an effect keeps the effect, the reason, the optional text and the profile id; nothing more
    assert [c for c, _ in columns["effect_reports"]] == ["report_id", "effect_id", "content_hash", "reason", "note",
                                                         "profile_id", "status", "created_utc", "decided_utc",
                                                         "moderator", "appeal", "seal"]
    assert sorted(columns) == ["audit_log", "effect_reports", "gate_locks", "meta", "moderators", "profiles",
                               "review_appeals", "review_decisions", "review_entries"]


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    conn = raw(tmp_path)
    conn.execute("BEGIN")
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    gate_lock.reseal(conn, open_secret(tmp_path).key)
    conn.execute("INSERT INTO profiles (name, birthdate, assurance, created_utc) "
                 "VALUES ('Old', '1980-01-01', 'declared', '2020-01-01T00:00:00+00:00')")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        assert [(p.name, p.seal_ok) for p in store.list_profiles()] == [("Old", True)]  # sealed by the migration
        assert not store.lock_state().locked
        assert store.audit_events() == []  # the v2 table exists and is empty
    conn = raw(tmp_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    ProfileStore(tmp_path).close()
    conn = raw(tmp_path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(ProfileStoreVersionError) as info:
        ProfileStore(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'profiles.db'}: schema version 9 was written by a newer SafeLens (this one knows up to 4); "
        "upgrade SafeLens"
    )


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("SAFELENS_DATA_DIR")
    assert resolve_data_dir(None) == Path(platformdirs.user_data_dir("safelens"))


# -- two writers at once ---------------------------------------------------------------------------


def _writer(folder: str, prefix: str, count: int) -> None:
    with ProfileStore(folder) as store:
        for i in range(count):
            store.create_profile(f"{prefix}{i:02d}", date(1980 + i, 1, 1))


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    ProfileStore(tmp_path).close()
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_writer, args=(str(tmp_path), prefix, 15)) for prefix in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    with ProfileStore(tmp_path) as store:
        names = sorted(p.name for p in store.list_profiles())
    assert names == sorted([f"a{i:02d}" for i in range(15)] + [f"b{i:02d}" for i in range(15)])
    backup = sqlite3.connect(tmp_path / "profiles.db.bak")
    assert backup.execute("SELECT count(*) FROM profiles").fetchone()[0] == 30  # the last copy holds every commit
    backup.close()


# -- corruption and recovery ---------------------------------------------------------------------


def _three_profiles(folder: Path) -> None:
    with ProfileStore(folder, clock=at(2024, 3, 1)) as store:
        for name, year in (("Ann", 1970), ("Bob", 1985), ("Cy", 2000)):
            store.create_profile(name, date(year, 5, 5))
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2016, 1, 1))


def _scribble(path: Path, offset: int, length: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(bytes((i * 37 + 11) % 256 for i in range(length)))


@pytest.mark.parametrize("offset", [0, 4096], ids=["header", "page2"])
def test_a_corrupt_database_gives_a_clear_error_and_recovers_everything_committed(tmp_path: Path, offset: int) -> None:
    _three_profiles(tmp_path)
    db = tmp_path / "profiles.db"
    assert db.stat().st_size > offset + 4096
    _scribble(db, offset, 4096)
    with pytest.raises(ProfileStoreCorruptError) as info:
        ProfileStore(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{db}: the profile database is damaged (")
    assert f"The last good copy is {tmp_path / 'profiles.db.bak'}" in message
    assert f"Run `safelens profile recover --data-dir {tmp_path}`" in message

    report = recover(tmp_path, clock=at(2024, 3, 2))
    assert report.restored_from == tmp_path / "profiles.db.bak" and report.n_profiles == 3
    assert report.moved_aside[0] == tmp_path / "profiles.db.corrupt-20240302T120000Z"
    assert report.moved_aside[0].exists()  # kept aside, not deleted
    with ProfileStore(tmp_path, clock=at(2024, 3, 2)) as store:
        assert [p.name for p in store.list_profiles()] == ["Ann", "Bob", "Cy"]
        assert store.lock_state().locked and not store.lock_state().tampered  # the lock came back too
        assert store.audit_events()[-1].action == "store_recovered"


def test_recover_refuses_a_healthy_database(tmp_path: Path) -> None:
    _three_profiles(tmp_path)
    with pytest.raises(ProfileStoreError, match="the database checks out; there is nothing to recover"):
        recover(tmp_path)


def test_recover_without_a_backup_starts_empty(tmp_path: Path) -> None:
    _three_profiles(tmp_path)
    (tmp_path / "profiles.db.bak").unlink()
    _scribble(tmp_path / "profiles.db", 0, 100)
    with pytest.raises(ProfileStoreCorruptError, match="There is no backup"):
        ProfileStore(tmp_path)
    report = recover(tmp_path)
    assert report.restored_from is None and report.n_profiles == 0


def test_backup_follows_every_commit(tmp_path: Path) -> None:
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        for n, name in enumerate(("Ann", "Bob"), start=1):
            store.create_profile(name, date(1990, 1, 1))
            copy = sqlite3.connect(tmp_path / "profiles.db.bak")
            assert copy.execute("SELECT count(*) FROM profiles").fetchone()[0] == n
            copy.close()
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_a_version_2_store_is_sealed_and_chained_as_it_was(tmp_path: Path) -> None:
    """The migration that added seals trusts what was there: rows, settings and log keep working."""
    from camera_app.policy.settings import load_settings

    conn = raw(tmp_path)
    conn.execute("BEGIN")
    for statement in (*MIGRATIONS[0], *MIGRATIONS[1]):
        conn.execute(statement)
    gate_lock.reseal(conn, open_secret(tmp_path).key)
    conn.execute("INSERT INTO profiles (name, birthdate, assurance, created_utc) "
                 "VALUES ('Old', '1980-01-01', 'verified_adult', '2020-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO meta (key, value) VALUES ('policy.mode', 'declared')")
    conn.execute("INSERT INTO audit_log (at_utc, action, detail) VALUES ('2020-01-01T00:00:00+00:00', "
                 "'profile_created', '{}')")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("COMMIT")
    conn.close()
    with ProfileStore(tmp_path, clock=at(2024, 3, 1)) as store:
        assert [(p.name, p.assurance, p.seal_ok) for p in store.list_profiles()] == [
            ("Old", Assurance.VERIFIED_ADULT, True)]
        assert load_settings(store).mode.value == "declared" and load_settings(store).seal_ok
        assert store.verify_audit_chain() is None
        assert [e.action for e in store.audit_events()] == ["profile_created"]
    conn = raw(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):  # the trigger is back
        conn.execute("UPDATE audit_log SET action = 'x'")
    conn.close()
