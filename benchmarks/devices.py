"""Device profiles: the frame budget, resolution and CPU share of a class of device, as data.

A profile is a TOML file in ``assets/devices/`` named after its id::

    schema = 1
    id = "entry_phone"            # [a-z0-9_]+, the file's stem
    name = "Entry-level phone"
    description = "720p at 30 fps on a single core"
    resolution = "720p"           # 480p, 720p or 1080p: the profile's own preview size
    target_fps = 30               # frame budget = 1000 / target_fps ms
    cores = 1                     # CPUs the bench pins itself to, or "all"
    [screen] ... [front_camera] ...  # phones: read by the app (camera_app/app/devices.py), not the bench

Loading is strict: a missing or unknown key, a wrong type or a value out of range raises
:class:`DeviceProfileError` naming the file, the key, what was expected and what was found.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.models import ASSETS_DIR
from camera_app.capture.base import RESOLUTIONS

DEVICES_DIR = ASSETS_DIR / "devices"
SCHEMA = 1
ALL_CORES = "all"
_ID = re.compile(r"^[a-z0-9_]+$")
_KEYS = ("schema", "id", "name", "description", "resolution", "target_fps", "cores")
_APP_KEYS = ("screen", "front_camera")  # the app's (camera_app/app/devices.py checks them)


class DeviceProfileError(ValueError):
    """A device profile file is missing, unreadable or holds a bad value."""


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """One device class. ``cores`` is None for "all cores" (no pinning)."""

    id: str
    name: str
    description: str
    resolution: str
    target_fps: float
    cores: int | None
    path: Path | None = None

    @property
    def budget_ms(self) -> float:
        """The time one frame may take at ``target_fps``."""
        return 1000.0 / self.target_fps

    @property
    def cores_text(self) -> str:
        return ALL_CORES if self.cores is None else str(self.cores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "resolution": self.resolution,
            "target_fps": self.target_fps,
            "budget_ms": round(self.budget_ms, 3),
            "cores": self.cores_text,
        }


def parse_device(data: Mapping[str, Any], where: str, expected_id: str | None = None) -> DeviceProfile:
    """A profile from a parsed TOML table; ``where`` names the file in error messages."""
    unknown = sorted(set(data) - set(_KEYS) - set(_APP_KEYS))
    if unknown:
        raise DeviceProfileError(f"{where}: unknown key {unknown[0]!r}; expected only {', '.join(_KEYS + _APP_KEYS)}")
    for key in _KEYS:
        if key not in data:
            raise DeviceProfileError(f"{where}: missing key {key!r}")
    schema = data["schema"]
    if isinstance(schema, bool) or schema != SCHEMA:
        raise DeviceProfileError(f"{where}: schema: expected {SCHEMA}, found {schema!r}")
    ident = _text(data, "id", where)
    if not _ID.match(ident):
        raise DeviceProfileError(f"{where}: id: expected lower-case letters, digits and _, found {ident!r}")
    if expected_id is not None and ident != expected_id:
        raise DeviceProfileError(f"{where}: id: expected {expected_id!r} (the file's name), found {ident!r}")
    resolution = _text(data, "resolution", where)
    if resolution not in RESOLUTIONS:
        raise DeviceProfileError(f"{where}: resolution: expected one of {', '.join(RESOLUTIONS)}, found {resolution!r}")
    fps = data["target_fps"]
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= 240:
        raise DeviceProfileError(f"{where}: target_fps: expected a number in [1, 240], found {fps!r}")
    cores = data["cores"]
    if cores == ALL_CORES:
        core_count: int | None = None
    elif isinstance(cores, int) and not isinstance(cores, bool) and 1 <= cores <= 256:
        core_count = cores
    else:
        raise DeviceProfileError(f"{where}: cores: expected an int in [1, 256] or \"all\", found {cores!r}")
    return DeviceProfile(
        id=ident,
        name=_text(data, "name", where),
        description=_text(data, "description", where, allow_empty=True),
        resolution=resolution,
        target_fps=float(fps),
        cores=core_count,
    )


def _text(data: Mapping[str, Any], key: str, where: str, allow_empty: bool = False) -> str:
    value = data[key]
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise DeviceProfileError(f"{where}: {key}: expected a non-empty string, found {value!r}")
    return value


def load_device_file(path: Path) -> DeviceProfile:
    """One profile file; its ``id`` must be the file's stem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeviceProfileError(f"{path}: no such device profile") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeviceProfileError(f"{path}: cannot read the device profile ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeviceProfileError(f"{path}: not valid TOML ({exc})") from exc
    return dataclasses.replace(parse_device(data, str(path), expected_id=path.stem), path=path)


def load_devices(folder: Path = DEVICES_DIR) -> dict[str, DeviceProfile]:
    """Every ``*.toml`` profile of ``folder`` by id, smallest device first (cores, then frame rate)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DeviceProfileError(f"{folder}: expected a folder of device profiles, found none")
    profiles = [load_device_file(p) for p in sorted(folder.glob("*.toml"))]
    if not profiles:
        raise DeviceProfileError(f"{folder}: expected at least one device profile (*.toml), found none")
    profiles.sort(key=lambda p: (p.cores if p.cores is not None else 1 << 16, p.target_fps, p.id))
    return {p.id: p for p in profiles}


def select_devices(names: Sequence[str] | None, folder: Path = DEVICES_DIR) -> list[DeviceProfile]:
    """The profiles named (all when ``names`` is empty or None), in the order given."""
    known = load_devices(folder)
    if not names:
        return list(known.values())
    chosen = []
    for name in names:
        if name not in known:
            raise DeviceProfileError(f"device {name!r}: expected one of {', '.join(known)}")
        if known[name] not in chosen:
            chosen.append(known[name])
    return chosen


def available_cpus() -> list[int]:
    """The CPUs this process may run on, sorted."""
    return sorted(os.sched_getaffinity(0))


def cpu_set_for(profile: DeviceProfile, cpus: Sequence[int] | None = None) -> tuple[int, ...]:
    """The CPUs to pin to for ``profile``: its first ``cores`` CPUs, or all of them."""
    have = list(cpus) if cpus is not None else available_cpus()
    if profile.cores is None:
        return tuple(have)
    if profile.cores > len(have):
        raise DeviceProfileError(
            f"device {profile.id}: needs {profile.cores} cores, this machine lets the bench use {len(have)}"
        )
    return tuple(have[: profile.cores])
