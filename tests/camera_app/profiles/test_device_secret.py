"""The device secret: the OS keystore through ``keyring`` when one works, else a 0600 key file.
Tests never touch the user's keystore: the keystore here is an in-memory keyring backend."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from camera_app.cli import main
from camera_app.profiles import ProfileStore, SignUpUnavailableError
from camera_app.profiles.secret import ENV_KEYSTORE, KEY_FILE, STATE_FILE, SecretError, open_secret


class MemoryKeyring(KeyringBackend):
    """A keystore that lives in this process only."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keystore(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv(ENV_KEYSTORE, "auto")
    yield backend
    keyring.set_keyring(previous)


def clock() -> datetime:
    return datetime(2024, 3, 1, 9, tzinfo=UTC)


def test_the_keystore_holds_the_secret_and_the_state(tmp_path: Path, memory_keystore: MemoryKeyring,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with ProfileStore(tmp_path, clock=clock) as store:
        assert store.secret.backend == "keystore"
        store.create_profile("Sam", date(1990, 1, 1))
    assert not (tmp_path / KEY_FILE).exists() and not (tmp_path / STATE_FILE).exists()
    names = sorted(name for _, name in memory_keystore.entries)
    assert names == [f"device-secret {tmp_path.resolve()}", f"device-state {tmp_path.resolve()}"]
    assert main(["profile", "show", "--security", "--json", "--data-dir", str(tmp_path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["device_secret"], shown["audit_log"], shown["profiles_failing_seal"]) == ("keystore", "intact", [])
    assert shown["description"].startswith("OS keystore (")


def test_an_existing_key_file_moves_into_the_keystore_and_seals_stay_valid(
        tmp_path: Path, memory_keystore: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KEYSTORE, "file")
    with ProfileStore(tmp_path, clock=clock) as store:
        store.create_profile("Sam", date(1990, 1, 1))
        key = store.secret.key
    monkeypatch.setenv(ENV_KEYSTORE, "auto")
    with ProfileStore(tmp_path, clock=clock) as store:
        assert store.secret.backend == "keystore" and store.secret.key == key
        assert [p.seal_ok for p in store.list_profiles()] == [True]
    assert not (tmp_path / KEY_FILE).exists()


def test_a_lost_keystore_secret_fails_closed(tmp_path: Path, memory_keystore: MemoryKeyring) -> None:
    with ProfileStore(tmp_path, clock=clock) as store:
        store.create_profile("Sam", date(1990, 1, 1))
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(2016, 1, 1))
    memory_keystore.entries.clear()  # the keystore was reset: a new secret is made
    with ProfileStore(tmp_path, clock=clock) as store:
        [sam] = store.list_profiles()
        assert not sam.seal_ok  # counts as under 18 and under review
        assert store.lock_state().locked
        with pytest.raises(SignUpUnavailableError):
            store.create_profile("Kid", date(1990, 1, 1))
        assert {"seal_broken"} <= {e.action for e in store.audit_events()}


def test_without_a_working_keystore_the_key_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv(ENV_KEYSTORE, "auto")
    try:
        secret = open_secret(tmp_path)
    finally:
        keyring.set_keyring(previous)
    assert (secret.backend, secret.location) == ("file", str(tmp_path / KEY_FILE))
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert "no OS keystore in use" in secret.describe()


def test_a_bad_keystore_choice_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KEYSTORE, "vault")
    with pytest.raises(SecretError, match=r"\$SAFELENS_KEYSTORE: expected one of auto, file, found 'vault'"):
        open_secret(tmp_path)
