"""Property tests: any single-byte change to a sealed record or an audit log entry is detected."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camera_app.profiles import ProfileStore
from camera_app.profiles import audit
from camera_app.profiles.seal import SEALED, Keys, row_ok, row_seal

KEYS = Keys(records=b"r" * 32, audit=b"a" * 32, gate=b"g" * 32, settings=b"s" * 32)
PROFILE = (7, "Sam", "2010-06-01", "declared", "2024-03-01T09:00:00+00:00")


def flip(text: str, position: int, value: int) -> str | None:
    """``text`` with one byte of its UTF-8 form replaced; None when that is no change or not UTF-8."""
    raw = bytearray(text.encode("utf-8"))
    if not raw:
        return None
    i = position % len(raw)
    if raw[i] == value:
        return None
    raw[i] = value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@given(column=st.integers(1, 4), position=st.integers(0, 200), value=st.integers(0, 255))
def test_a_changed_byte_in_a_profile_row_fails_its_seal(column: int, position: int, value: int) -> None:
    seal = row_seal(KEYS.records, "profiles", PROFILE)
    assert row_ok(KEYS.records, "profiles", PROFILE, seal)
    changed = flip(str(PROFILE[column]), position, value)
    if changed is None:
        return
    row = list(PROFILE)
    row[column] = changed
    assert not row_ok(KEYS.records, "profiles", row, seal)


@given(position=st.integers(0, 63), value=st.sampled_from(b"0123456789abcdef"))
def test_a_changed_byte_in_a_seal_fails(position: int, value: int) -> None:
    seal = row_seal(KEYS.records, "profiles", PROFILE)
    changed = flip(seal, position, value)
    if changed is not None:
        assert not row_ok(KEYS.records, "profiles", PROFILE, changed)


@given(table=st.sampled_from(sorted(SEALED)), data=st.data())
def test_a_row_moved_to_another_table_or_id_fails(table: str, data: st.DataObject) -> None:
    values = [data.draw(st.integers(1, 99))] + ["x"] * (len(SEALED[table]) - 1)
    seal = row_seal(KEYS.records, table, values)
    other = data.draw(st.sampled_from([t for t in SEALED if t != table]))
    assert not row_ok(KEYS.records, other, values, seal)
    assert not row_ok(KEYS.records, table, [values[0] + 1, *values[1:]], seal)


# -- the audit chain -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chain_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple], Keys]:
    """The audit log of a store after a few actions, as rows (with the store's keys)."""
    folder = tmp_path_factory.mktemp("chain")
    now = datetime(2024, 3, 1, 9, tzinfo=UTC)

    def clock() -> datetime:
        return now

    with ProfileStore(folder, clock=clock) as store:
        for name in ("Ann", "Ben", "Cy"):
            store.create_profile(name, date(1990, 1, 1))
        store.delete_profile("Ben")
        keys = store.keys
    conn = sqlite3.connect(folder / "profiles.db")
    rows = conn.execute(
        "SELECT seq, at_utc, action, entry_id, profile_id, detail, prev_hash, mac FROM audit_log ORDER BY seq").fetchall()
    conn.close()
    return rows, keys


def _log(rows: list[tuple]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at_utc TEXT, action TEXT, entry_id INTEGER, "
                 "profile_id INTEGER, detail TEXT, prev_hash TEXT, mac TEXT)")
    conn.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return conn


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_changed_byte_in_a_log_entry_is_found_at_that_entry(chain_rows: tuple[list[tuple], Keys],
                                                              data: st.DataObject) -> None:
    rows, keys = chain_rows
    assert len(rows) >= 4 and audit.verify_chain(_log(rows), keys) is None
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from([1, 2, 5, 6, 7]))  # at_utc, action, detail, prev_hash, mac
    changed = flip(str(rows[index][column]), data.draw(st.integers(0, 300)), data.draw(st.integers(0, 255)))
    if changed is None:
        return
    row = list(rows[index])
    row[column] = changed
    forged = [*rows[:index], tuple(row), *rows[index + 1:]]
    found = audit.verify_chain(_log(forged), keys)
    assert found is not None and found.seq == rows[index][0]


def test_the_chain_head_names_the_last_entry(chain_rows: tuple[list[tuple], Keys]) -> None:
    rows, keys = chain_rows
    conn = _log(rows)
    seq, digest = audit.head(conn)
    assert seq == rows[-1][0] and audit.contains(conn, seq, digest)
    assert not audit.contains(_log(rows[:-1]), seq, digest)  # the last entry deleted


# -- the state kept beside the secret ---------------------------------------------------------------


@given(field=st.sampled_from(["head_hash", "locks", "moderators"]), position=st.integers(0, 300),
       value=st.integers(0x20, 0x7E))
def test_a_changed_byte_in_the_side_state_is_detected(tmp_path_factory: pytest.TempPathFactory, field: str,
                                                      position: int, value: int) -> None:
    import json

    from camera_app.profiles.secret import STATE_FILE, SideState, open_secret

    folder = tmp_path_factory.mktemp("state")
    secret = open_secret(folder)
    secret.write_state(SideState(head_seq=3, head_hash="ab" * 32, locks=(("2015-04-02", "2024-04-01T09:00:00+00:00"),),
                                 moderators=({"name": "Mum", "profile_id": None, "passphrase": "scrypt$x",
                                              "created_utc": "2024-03-01T09:00:00+00:00"},)))
    assert secret.read_state().intact
    stored = json.loads((folder / STATE_FILE).read_text())
    text = json.dumps(stored["state"][field])
    changed = flip(text, position, value)
    if changed is None:
        return
    try:
        stored["state"][field] = json.loads(changed)
    except ValueError:
        stored["state"][field] = changed  # no longer JSON of the same shape: as text
    if stored["state"][field] == json.loads(text):
        return  # the same content (e.g. a changed space)
    (folder / STATE_FILE).write_text(json.dumps(stored))
    assert not secret.read_state().intact
