"""Device profiles: the bundled ones load, and every malformed profile is refused with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.devices import (
    DEVICES_DIR,
    DeviceProfile,
    DeviceProfileError,
    cpu_set_for,
    load_device_file,
    load_devices,
    select_devices,
)

GOOD = """schema = 1
id = "{id}"
name = "Test phone"
description = "for tests"
resolution = "720p"
target_fps = 30
cores = 1
"""


def test_bundled_profiles_are_the_three_devices_of_the_issue() -> None:
    devices = load_devices()
    assert list(devices) == ["entry_phone", "flagship_phone", "desktop"]  # smallest first
    entry, flagship, desktop = devices.values()
    assert (entry.resolution, entry.target_fps, entry.cores) == ("720p", 30.0, 1)
    assert (flagship.resolution, flagship.target_fps, flagship.cores) == ("1080p", 30.0, 2)
    assert (desktop.resolution, desktop.target_fps, desktop.cores) == ("1080p", 60.0, None)
    assert entry.budget_ms == pytest.approx(33.333, abs=1e-3)
    assert desktop.budget_ms == pytest.approx(16.667, abs=1e-3)
    assert desktop.to_dict()["cores"] == "all"
    assert all(d.path is not None and d.path.parent == DEVICES_DIR for d in devices.values())


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('resolution = "720p"\n', ""), "missing key 'resolution'"),
        (lambda t: t + "gpu = true\n", "unknown key 'gpu'; expected only schema, id, name, description, resolution, "
                                       "target_fps, cores, screen, front_camera"),
        (lambda t: t.replace("schema = 1", "schema = 2"), "schema: expected 1, found 2"),
        (lambda t: t.replace('"720p"', '"4k"'), "resolution: expected one of 480p, 720p, 1080p, found '4k'"),
        (lambda t: t.replace("target_fps = 30", "target_fps = 0"), "target_fps: expected a number in [1, 240], found 0"),
        (lambda t: t.replace("target_fps = 30", 'target_fps = "30"'),
         "target_fps: expected a number in [1, 240], found '30'"),
        (lambda t: t.replace("cores = 1", "cores = 0"), 'cores: expected an int in [1, 256] or "all", found 0'),
        (lambda t: t.replace("cores = 1", 'cores = "most"'), 'cores: expected an int in [1, 256] or "all", found \'most\''),
        (lambda t: t.replace("cores = 1", "cores = true"), 'cores: expected an int in [1, 256] or "all", found True'),
        (lambda t: t.replace('name = "Test phone"', 'name = ""'), "name: expected a non-empty string, found ''"),
        (lambda t: t.replace('id = "phone"', 'id = "Phone X"'),
         "id: expected lower-case letters, digits and _, found 'Phone X'"),
        (lambda t: t.replace('id = "phone"', 'id = "other"'), "id: expected 'phone' (the file's name), found 'other'"),
        (lambda t: t.replace("cores = 1", "cores = [1"), "not valid TOML"),
    ],
)
def test_malformed_profiles_name_the_file_the_key_and_what_was_found(tmp_path: Path, edit: object, message: str) -> None:
    path = _write(tmp_path, "phone", edit(GOOD.format(id="phone")))  # type: ignore[operator]
    with pytest.raises(DeviceProfileError) as info:
        load_device_file(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_a_good_profile_loads(tmp_path: Path) -> None:
    profile = load_device_file(_write(tmp_path, "phone", GOOD.format(id="phone")))
    assert profile == DeviceProfile("phone", "Test phone", "for tests", "720p", 30.0, 1, tmp_path / "phone.toml")


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DeviceProfileError, match="no such device profile"):
        load_device_file(tmp_path / "nope.toml")
    with pytest.raises(DeviceProfileError, match="expected at least one device profile"):
        load_devices(tmp_path)


def test_select_devices_keeps_the_order_given_and_refuses_unknown_names() -> None:
    assert [d.id for d in select_devices(["desktop", "entry_phone"])] == ["desktop", "entry_phone"]
    assert [d.id for d in select_devices(None)] == ["entry_phone", "flagship_phone", "desktop"]
    with pytest.raises(DeviceProfileError) as info:
        select_devices(["tablet"])
    assert str(info.value) == "device 'tablet': expected one of entry_phone, flagship_phone, desktop"


def test_cpu_set_takes_the_first_cores_or_all_and_refuses_more_than_the_machine_has() -> None:
    devices = load_devices()
    assert cpu_set_for(devices["entry_phone"], [2, 5, 7]) == (2,)
    assert cpu_set_for(devices["flagship_phone"], [2, 5, 7]) == (2, 5)
    assert cpu_set_for(devices["desktop"], [2, 5, 7]) == (2, 5, 7)
    with pytest.raises(DeviceProfileError) as info:
        cpu_set_for(devices["flagship_phone"], [0])
    assert str(info.value) == "device flagship_phone: needs 2 cores, this machine lets the bench use 1"
