"""Device profiles (``assets/devices/*.toml``) as the app reads them: a name, a resolution and
a target frame rate (the HUD's frame budget), and for phones a screen and a front camera.

A phone's ``[screen]`` says its size in pixels, its density (pixels per dp), its orientation
and its safe area (insets for a notch or status bar and a home bar); its ``[front_camera]``
says the frames it delivers (size in pixels, hence aspect). ``safelens app --device NAME``
opens a window of the screen's shape and runs the camera as that phone would. Strict: a bad
file is an error that names the file and field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_app.models import ASSETS_DIR
from camera_app.capture.base import RESOLUTIONS

DEVICES_DIR = ASSETS_DIR / "devices"
ORIENTATIONS = ("portrait", "landscape")


class DeviceProfileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SafeArea:
    """Insets in screen pixels that controls and the label keep out of."""

    top_px: int = 0
    bottom_px: int = 0
    left_px: int = 0
    right_px: int = 0


@dataclass(frozen=True, slots=True)
class Screen:
    width_px: int
    height_px: int
    density: float  # pixels per dp (Android's density: 160 dpi = 1.0)
    orientation: str
    safe_area: SafeArea = SafeArea()

    @property
    def aspect(self) -> float:
        """Long side over short side (19.5:9 = 2.17)."""
        return max(self.width_px, self.height_px) / min(self.width_px, self.height_px)

    def window_size(self, max_w: int = 1600, max_h: int = 900) -> tuple[tuple[int, int], float]:
        """The window of this screen's shape scaled to fit ``max_w`` x ``max_h`` (never up), and the
        scale. The width is a multiple of 4 pixels (screenshots read whole 4-byte rows)."""
        scale = min(1.0, max_w / self.width_px, max_h / self.height_px)
        width = max(4, int(self.width_px * scale) // 4 * 4)
        scale = width / self.width_px
        return (width, round(self.height_px * scale)), scale


@dataclass(frozen=True, slots=True)
class FrontCamera:
    width_px: int
    height_px: int

    @property
    def size(self) -> tuple[int, int]:
        return (self.width_px, self.height_px)


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    device_id: str
    name: str
    resolution: str
    target_fps: float
    screen: Screen | None = None
    front_camera: FrontCamera | None = None

    @property
    def budget_ms(self) -> float:
        return 1000.0 / self.target_fps


def _field(path: Path, table: Mapping[str, Any], where: str, key: str, kind: type | tuple[type, ...],
           low: float, high: float) -> Any:
    value: Any = table.get(key)
    name = f"{where}.{key}" if where else key
    is_number = not isinstance(value, bool) and isinstance(value, kind)
    if not is_number or not low <= value <= high:
        what = "a whole number" if kind is int else "a number"
        raise DeviceProfileError(f"{path}: field {name!r}: expected {what} in [{low:g}, {high:g}], found {value!r}")
    return value


def _table(path: Path, data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    table = data.get(key)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise DeviceProfileError(f"{path}: field {key!r}: expected a table, found {table!r}")
    return table


def _screen(path: Path, data: Mapping[str, Any]) -> Screen | None:
    table = _table(path, data, "screen")
    if table is None:
        return None
    width = _field(path, table, "screen", "width_px", int, 240, 8000)
    height = _field(path, table, "screen", "height_px", int, 240, 8000)
    density = float(_field(path, table, "screen", "density", (int, float), 0.5, 6.0))
    orientation = table.get("orientation")
    if orientation not in ORIENTATIONS:
        raise DeviceProfileError(f"{path}: field 'screen.orientation': expected one of {', '.join(ORIENTATIONS)}, "
                                 f"found {orientation!r}")
    if (orientation == "portrait") != (height > width):
        raise DeviceProfileError(f"{path}: field 'screen.orientation': {orientation} does not match "
                                 f"{width}x{height} px")
    insets = _table(path, table, "safe_area") or {}
    safe = SafeArea(*(int(_field(path, insets, "screen.safe_area", k, int, 0, 1000)) if k in insets else 0
                      for k in ("top_px", "bottom_px", "left_px", "right_px")))
    if safe.top_px + safe.bottom_px > height // 2 or safe.left_px + safe.right_px > width // 2:
        raise DeviceProfileError(f"{path}: field 'screen.safe_area': insets leave less than half the screen")
    return Screen(width, height, density, orientation, safe)


def _front_camera(path: Path, data: Mapping[str, Any]) -> FrontCamera | None:
    table = _table(path, data, "front_camera")
    if table is None:
        return None
    return FrontCamera(_field(path, table, "front_camera", "width_px", int, 160, 4096),
                       _field(path, table, "front_camera", "height_px", int, 160, 4096))


def read_device(path: Path) -> DeviceProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeviceProfileError(f"{path}: unreadable device profile ({exc})") from None
    for key in ("id", "name", "resolution"):
        if not isinstance(data.get(key), str):
            raise DeviceProfileError(f"{path}: field {key!r}: expected str, found {data.get(key)!r}")
    if data["resolution"] not in RESOLUTIONS:
        raise DeviceProfileError(f"{path}: field 'resolution': expected one of {', '.join(RESOLUTIONS)}, found {data['resolution']!r}")
    fps = _field(path, data, "", "target_fps", (int, float), 1, 240)
    return DeviceProfile(data["id"], data["name"], data["resolution"], float(fps), _screen(path, data),
                         _front_camera(path, data))


def load_devices(folder: Path = DEVICES_DIR) -> list[DeviceProfile]:
    """Every device profile in ``folder`` (none when the folder does not exist), by id."""
    if not folder.is_dir():
        return []
    return sorted((read_device(p) for p in folder.glob("*.toml")), key=lambda d: d.device_id)


def find_device(device_id: str | None, folder: Path = DEVICES_DIR) -> DeviceProfile | None:
    if device_id is None:
        return None
    return next((d for d in load_devices(folder) if d.device_id == device_id), None)
