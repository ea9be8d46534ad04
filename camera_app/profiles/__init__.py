"""Profiles: the neutral age gate, the SQLite profile store and its sealed under-13 lock."""

from camera_app.profiles.gate import AgeBand, BirthdateError, age_band, age_on, gate_form, parse_birthdate
from camera_app.profiles.model import Assurance, Profile
from camera_app.profiles.errors import (
    ProfileExistsError,
    ProfileNameError,
    ProfileNotFoundError,
    ProfileStoreBusyError,
    ProfileStoreUnavailableError,
    ProfileStoreCorruptError,
    ProfileStoreError,
    ProfileStoreVersionError,
    SignUpUnavailableError,
)
from camera_app.profiles.store import ProfileStore, StoreOptions, resolve_data_dir

__all__ = [
    "AgeBand",
    "Assurance",
    "BirthdateError",
    "Profile",
    "ProfileExistsError",
    "ProfileNameError",
    "ProfileNotFoundError",
    "ProfileStore",
    "ProfileStoreBusyError",
    "ProfileStoreUnavailableError",
    "ProfileStoreCorruptError",
    "ProfileStoreError",
    "ProfileStoreVersionError",
    "SignUpUnavailableError",
    "StoreOptions",
    "age_band",
    "age_on",
    "gate_form",
    "parse_birthdate",
    "resolve_data_dir",
]
