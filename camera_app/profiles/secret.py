"""The installation's one device secret, and the small state kept beside it.

Everything that seals policy state (profile rows, locks, settings, review records, the audit
chain, classification results) uses keys derived from this one secret (``derive``). Where it
lives, in order:

1. the **OS keystore** through ``keyring`` (Secret Service, macOS Keychain, Windows Credential
   Locker), one entry per data folder;
2. where no keystore backend works (headless Linux, CI) or ``$SAFELENS_KEYSTORE=file``: a
   0600 **key file** in the data folder (``gate.key``: the name it had when it sealed only the
   under-13 lock, kept so older installations keep their seals).

Beside the secret (a second keystore entry, or the 0600 file ``device.state``) the store keeps
what must survive the database being deleted or replaced: the audit chain's head, the active
under-13 locks and the moderators (``SideState``). The side state carries its own MAC.

A lost or rotated secret is not an error here: a new one is made, every seal made with the old
one stops verifying, and the store fails closed (see ``camera_app.profiles.seal``). Someone who
can read the secret can forge seals; on a desktop this is a deterrent, not a guarantee.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.profiles.errors import ProfileStoreError

ENV_KEYSTORE = "SAFELENS_KEYSTORE"  # "auto" (default): the OS keystore when one works; "file": the key file
KEY_FILE = "gate.key"
STATE_FILE = "device.state"
SERVICE = "safelens"
_KEYSTORE_CHOICES = ("auto", "file")


class SecretError(ProfileStoreError):
    """The device secret could not be read or stored; the message names where."""


@dataclass(frozen=True, slots=True)
class SideState:
    """What is kept beside the secret. ``intact`` is False when the stored state's MAC failed
    (edited, or written under another secret); its contents are then empty."""

    head_seq: int = 0
    head_hash: str = ""
    locks: tuple[tuple[str | None, str], ...] = ()  # (birthdate or None, expires_utc ISO)
    moderators: tuple[dict[str, Any], ...] = ()
    present: bool = False
    intact: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"head_seq": self.head_seq, "head_hash": self.head_hash,
                "locks": [list(lock) for lock in self.locks], "moderators": list(self.moderators)}


@dataclass(frozen=True, slots=True)
class DeviceSecret:
    key: bytes
    backend: str  # "keystore" or "file"
    location: str  # the keystore's name, or the key file's path
    data_dir: Path
    created: bool = False  # made by this call: there was no secret before

    def derive(self, purpose: str) -> bytes:
        """A key for one purpose (record seals, the audit chain, the result cache ...)."""
        return hmac.new(self.key, b"safelens/" + purpose.encode(), hashlib.sha256).digest()

    def describe(self) -> str:
        if self.backend == "keystore":
            return f"OS keystore ({self.location})"
        return f"key file {self.location} (no OS keystore in use: a deterrent, readable by this user)"

    # -- the side state -------------------------------------------------------------------------
    def read_state(self) -> SideState:
        text = _keystore_get(_state_name(self.data_dir)) if self.backend == "keystore" else _read_text(self._state_path)
        if text is None:
            return SideState()
        try:
            data = json.loads(text)
            body, mac = data["state"], data["mac"]
            intact = hmac.compare_digest(mac, self._state_mac(body))
            if not intact:
                return SideState(present=True, intact=False)
            return SideState(
                head_seq=int(body["head_seq"]), head_hash=str(body["head_hash"]),
                locks=tuple((lock[0], str(lock[1])) for lock in body["locks"]),
                moderators=tuple(dict(m) for m in body["moderators"]), present=True,
            )
        except (ValueError, KeyError, TypeError, IndexError):
            return SideState(present=True, intact=False)

    def write_state(self, state: SideState) -> None:
        body = state.as_dict()
        text = json.dumps({"state": body, "mac": self._state_mac(body)}, sort_keys=True)
        if self.backend == "keystore":
            _keystore_set(_state_name(self.data_dir), text)
        else:
            write_private(self._state_path, text)

    @property
    def _state_path(self) -> Path:
        return self.data_dir / STATE_FILE

    def _state_mac(self, body: dict[str, Any]) -> str:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self.derive("side-state"), canonical, hashlib.sha256).hexdigest()


def keystore_choice() -> str:
    choice = os.environ.get(ENV_KEYSTORE, "auto").strip().lower() or "auto"
    if choice not in _KEYSTORE_CHOICES:
        raise SecretError(f"${ENV_KEYSTORE}: expected one of {', '.join(_KEYSTORE_CHOICES)}, found {choice!r}")
    return choice


def open_secret(data_dir: Path) -> DeviceSecret:
    """This data folder's secret (created when there is none): the OS keystore's when one works
    and ``$SAFELENS_KEYSTORE`` is not ``file``, else the key file's."""
    name = _working_keystore() if keystore_choice() == "auto" else None
    if name is not None:
        secret = _from_keystore(data_dir, name)
    else:
        key, created = _ensure_key_file(data_dir)
        secret = DeviceSecret(key, "file", str(data_dir / KEY_FILE), data_dir, created)
    if secret.created:
        # A new secret starts with an (empty) state beside it, so a secret found later without
        # its state means the state was removed (see ``camera_app.profiles.integrity``).
        secret.write_state(SideState())
    return secret


# -- the OS keystore --------------------------------------------------------------------------------


def _working_keystore() -> str | None:
    """The name of a usable keyring backend, or None (no backend, or only the fail/null ones)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except KeyringError:
        return None
    priority = getattr(backend, "priority", 0)
    module = type(backend).__module__
    if priority is None or priority <= 0 or module.endswith((".fail", ".null")):
        return None
    if module.endswith(".chainer") and not getattr(backend, "backends", ()):
        return None
    return f"{type(backend).__module__.rsplit('.', 1)[-1]} {type(backend).__name__}"


def _secret_name(data_dir: Path) -> str:
    return f"device-secret {data_dir.resolve()}"


def _state_name(data_dir: Path) -> str:
    return f"device-state {data_dir.resolve()}"


def _keystore_get(name: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, name)
    except KeyringError as exc:
        raise SecretError(f"OS keystore: cannot read {SERVICE}/{name} ({exc})") from exc


def _keystore_set(name: str, value: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, name, value)
    except KeyringError as exc:
        raise SecretError(f"OS keystore: cannot store {SERVICE}/{name} ({exc})") from exc


def _from_keystore(data_dir: Path, backend_name: str) -> DeviceSecret:
    name = _secret_name(data_dir)
    stored = _keystore_get(name)
    key = _parse_key(stored) if stored is not None else None
    created = False
    if key is None:
        # First use of the keystore here: adopt an existing key file (its seals stay valid), then
        # remove the file so the secret lives in one place only.
        key = _parse_key(_read_text(data_dir / KEY_FILE) or "")
        if key is None:
            key, created = secrets.token_bytes(32), True
        _keystore_set(name, key.hex())
        (data_dir / KEY_FILE).unlink(missing_ok=True)
    return DeviceSecret(key, "keystore", backend_name, data_dir, created)


# -- the key file -----------------------------------------------------------------------------------


def _parse_key(text: str) -> bytes | None:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == 32 else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return ""


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by this user only (0600)."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _ensure_key_file(data_dir: Path) -> tuple[bytes, bool]:
    """The key file's key and whether this call made it (0600, atomically: link of a finished
    temp file); a garbled key counts as a lost one and is replaced."""
    path = data_dir / KEY_FILE
    existing = _parse_key(_read_text(path) or "")
    if existing is not None:
        return existing, False
    tmp = data_dir / f"{KEY_FILE}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_bytes(32).hex())
        fh.flush()
        os.fsync(fh.fileno())
    try:
        if path.exists():
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass  # another process won the race; use its key
    finally:
        tmp.unlink(missing_ok=True)
    key = _parse_key(_read_text(path) or "")
    if key is None:
        raise SecretError(f"{path}: could not create the device key file")
    return key, True
