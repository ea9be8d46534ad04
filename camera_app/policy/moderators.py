"""Moderators: the people who decide review entries, confirm profiles and change the policy.

A moderator has a name, optionally the profile that is their own, and a passphrase stored only
as an scrypt hash (``hashlib.scrypt``, a random salt per moderator). Every review decision,
verification, profile confirmation and policy change names the moderator who made it, after
their passphrase checked out (``authenticate``). Rules:

- the first moderator of an installation is added by whoever sets it up; every further one
  needs an existing moderator's passphrase (``add_moderator(..., by=...)``);
- a moderator never acts on their own profile (so a profile can never verify itself);
- moderator rows are sealed (``camera_app.profiles.seal``); a row whose seal fails cannot act,
  and the moderators are also kept beside the device secret, so deleting the database does
  not free the way to add oneself as the first moderator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date

from camera_app.profiles import audit
from camera_app.profiles.gate import AgeBand, age_band, age_on
from camera_app.profiles.model import Assurance, Profile
from camera_app.profiles.seal import broken_rows, reseal_row
from camera_app.profiles.rows import clean_name
from camera_app.profiles.store import ProfileStore

MIN_PASSPHRASE_CHARS = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32


class ModeratorError(ValueError):
    """A moderator could not be added or did not check out; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Moderator:
    moderator_id: int
    name: str
    profile_id: int | None  # their own profile, on which they may not act


def hash_passphrase(passphrase: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex); a fresh 16-byte salt unless one is given."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                            dklen=_SCRYPT_LEN)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def passphrase_matches(stored: str, passphrase: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(passphrase.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(bytes.fromhex(digest)), maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), digest)


def list_moderators(store: ProfileStore) -> list[Moderator]:
    """The moderators whose records check out."""
    with store.read() as conn:
        broken = set(broken_rows(conn, store.keys, "moderators"))
        rows = conn.execute("SELECT moderator_id, name, profile_id FROM moderators ORDER BY moderator_id").fetchall()
    return [Moderator(i, name, profile) for i, name, profile in rows if i not in broken]


def authenticate(store: ProfileStore, name: str, passphrase: str) -> Moderator:
    """The moderator called ``name`` when ``passphrase`` is theirs; else ``ModeratorError``."""
    with store.read() as conn:
        row = conn.execute("SELECT moderator_id, name, profile_id, passphrase FROM moderators WHERE name = ?",
                           (name.strip(),)).fetchone()
        broken = set(broken_rows(conn, store.keys, "moderators"))
    if row is None:
        raise ModeratorError(f"moderator {name!r}: no such moderator in {store.data_dir} "
                             "(`safelens moderator list` shows them)")
    if row[0] in broken:
        raise ModeratorError(f"moderator {row[1]!r}: the stored record fails its seal (changed outside SafeLens); "
                             "this moderator cannot act. Another moderator can add them again under a new name")
    if not passphrase_matches(row[3], passphrase):
        raise ModeratorError(f"moderator {row[1]!r}: wrong passphrase")
    return Moderator(row[0], row[1], row[2])


def add_moderator(store: ProfileStore, name: str, passphrase: str, *, profile_name: str | None = None,
                  by: Moderator | None = None) -> Moderator:
    """Add a moderator. Their own profile is ``profile_name``, else the profile with their name
    if there is one. The first moderator needs no ``by``; every other one does."""
    name = clean_name(name)
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise ModeratorError(f"passphrase: expected at least {MIN_PASSPHRASE_CHARS} characters, found {len(passphrase)}")
    existing = list_moderators(store)
    if existing and by is None:
        raise ModeratorError(
            f"this installation has moderators ({', '.join(m.name for m in existing)}); adding another needs one "
            "of them: `safelens moderator add NAME --by MODERATOR`")
    if by is None and _any_moderator_record(store):
        raise ModeratorError(
            "the stored moderator records fail their seals (changed outside SafeLens, or the device secret "
            "changed; the audit log records it), so no moderator can act and no first moderator can be added. "
            "Whoever owns this installation sets it up again in a new data folder")
    own = store.get(profile_name).profile_id if profile_name else _profile_id_named(store, name)
    hashed = hash_passphrase(passphrase)
    now = store.now_utc()
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM moderators WHERE name = ?", (name,)).fetchone():
            raise ModeratorError(f"moderator {name!r}: already exists")
        cur = conn.execute("INSERT INTO moderators (name, profile_id, passphrase, created_utc) VALUES (?, ?, ?, ?)",
                           (name, own, hashed, now.isoformat()))
        moderator_id = cur.lastrowid
        assert moderator_id is not None
        reseal_row(conn, store.keys, "moderators", moderator_id)
        audit.record(conn, store.keys, now, "moderator_added", profile_id=own, moderator=name,
                     by=None if by is None else by.name)
    return Moderator(moderator_id, name, own)


def _any_moderator_record(store: ProfileStore) -> bool:
    """Whether a moderator was ever added here: a row (sound or not) or one kept beside the secret."""
    with store.read() as conn:
        rows = conn.execute("SELECT count(*) FROM moderators").fetchone()[0]
    return rows > 0 or bool(store.secret.read_state().moderators)


def _profile_id_named(store: ProfileStore, name: str) -> int | None:
    with store.read() as conn:
        row = conn.execute("SELECT profile_id FROM profiles WHERE name = ?", (name,)).fetchone()
    return None if row is None else int(row[0])


def refuse_own(moderator: Moderator, profile_id: int | None, what: str) -> None:
    """A moderator never acts on their own profile."""
    if profile_id is not None and moderator.profile_id == profile_id:
        raise ModeratorError(f"moderator {moderator.name!r}: cannot {what} their own profile; another moderator must")


def confirm_profile(store: ProfileStore, moderator: Moderator, name: str, birthdate: date) -> Profile:
    """The way out for a profile that failed closed: a moderator (never the profile's owner) states
    its date of birth; the row is written again as ``declared``, sealed, and the act logged."""
    profile = store.get(name)
    refuse_own(moderator, profile.profile_id, "confirm")
    with store.read() as conn:
        open_entry = conn.execute("SELECT entry_id FROM review_entries WHERE profile_id = ? AND status = 'open'",
                                  (profile.profile_id,)).fetchone()
    if profile.seal_ok and (profile.assurance is not Assurance.CHALLENGED or open_entry is not None):
        what = (f"decide its open review entry {open_entry[0]} instead (`safelens review decide`)"
                if open_entry is not None else "there is nothing to confirm")
        raise ModeratorError(f"profile {profile.name}: its record checks out and it is not held by a reset; {what}")
    if age_band(age_on(birthdate, store.today())) is AgeBand.UNDER_13:
        raise ModeratorError(f"profile {profile.name}: a date of birth under 13 cannot hold a profile; "
                             "remove it instead (`safelens profile delete`)")
    now = store.now_utc()
    with store.write() as conn:
        conn.execute("UPDATE profiles SET birthdate = ?, assurance = ? WHERE profile_id = ?",
                     (birthdate.isoformat(), Assurance.DECLARED.value, profile.profile_id))
        reseal_row(conn, store.keys, "profiles", profile.profile_id)
        audit.record(conn, store.keys, now, "profile_confirmed", profile_id=profile.profile_id,
                     moderator=moderator.name, was_sealed=profile.seal_ok)
    return store.get(name)
