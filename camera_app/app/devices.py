"""Device profiles (``assets/devices/*.toml``) as the app reads them: a name, a resolution and
a target frame rate, which sets the HUD's frame budget. Strict: a bad file is an error that
names the file and field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from camera_app.models import ASSETS_DIR
from camera_app.capture.base import RESOLUTIONS

DEVICES_DIR = ASSETS_DIR / "devices"


class DeviceProfileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    device_id: str
    name: str
    resolution: str
    target_fps: float

    @property
    def budget_ms(self) -> float:
        return 1000.0 / self.target_fps


def read_device(path: Path) -> DeviceProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeviceProfileError(f"{path}: unreadable device profile ({exc})") from None
    for key, kind in (("id", str), ("name", str), ("resolution", str), ("target_fps", (int, float))):
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DeviceProfileError(f"{path}: field {key!r}: expected {getattr(kind, '__name__', 'a number')}, found {value!r}")
    if data["resolution"] not in RESOLUTIONS:
        raise DeviceProfileError(f"{path}: field 'resolution': expected one of {', '.join(RESOLUTIONS)}, found {data['resolution']!r}")
    if not 1 <= data["target_fps"] <= 240:
        raise DeviceProfileError(f"{path}: field 'target_fps': expected a number in [1, 240], found {data['target_fps']!r}")
    return DeviceProfile(data["id"], data["name"], data["resolution"], float(data["target_fps"]))


def load_devices(folder: Path = DEVICES_DIR) -> list[DeviceProfile]:
    """Every device profile in ``folder`` (none when the folder does not exist), by id."""
    if not folder.is_dir():
        return []
    return sorted((read_device(p) for p in folder.glob("*.toml")), key=lambda d: d.device_id)
