"""Injected storage faults: the disk fills during an export; the profile database is locked or
corrupted.

The disk really fills: a 3 MiB tmpfs is mounted for the test (``tiny_disk`` in conftest.py) (as root, which CI is). Where
mounting is not allowed the tmpfs tests skip, and the ENOSPC-injecting tests (which replace
the export's file opener) still run. Claims: a failed export leaves no file and no temporary
file, and the files exported before it are byte-for-byte intact (with their sidecars); the
profile store turns a lock held elsewhere and a damaged file into clear typed errors, and
loses nothing that was committed.
"""

from __future__ import annotations

import errno
import io
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest

from camera_app.cli import main
from camera_app.profiles.recovery import recover
from camera_app.profiles import (
    ProfileStore,
    ProfileStoreBusyError,
    ProfileStoreCorruptError,
    StoreOptions,
)
from disclosure import atomic
from disclosure.atomic import ExportError
from disclosure.export import Mp4Recorder, Mp4RecorderOptions, write_snapshot
from disclosure.provenance import ProvenanceOptions, ProvenanceSigner
from disclosure.sidecar import sidecar_path

@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProvenanceSigner]:
    with ProvenanceSigner(ProvenanceOptions(identity_dir=tmp_path_factory.mktemp("id") / "identity")) as s:
        yield s


def _fill(folder: Path, leave_bytes: int) -> Path:
    """Fill the filesystem of ``folder`` until only about ``leave_bytes`` are free."""
    filler = folder / "filler.bin"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))
    return filler


def _frames(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (240, 320, 3), dtype=np.uint8) for _ in range(n)]


def _snapshot(frame: np.ndarray, target: Path, signer: ProvenanceSigner) -> dict[Path, bytes]:
    write_snapshot(frame, target, signer)
    return {p: p.read_bytes() for p in (target, sidecar_path(target))}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_disk_fills_during_a_recording(tiny_disk: Path, signer: ProvenanceSigner) -> None:
    earlier = _snapshot(_frames(1)[0], tiny_disk / "before.png", signer)
    _fill(tiny_disk, leave_bytes=400_000)
    target = tiny_disk / "clip.mp4"
    with pytest.raises(ExportError, match=r"clip.mp4: (the encoder wrote \d+ of 40 frames \(disk full\?\)|"
                                          r"writing the signed file failed: .*No space left on device)"):
        with Mp4Recorder(Mp4RecorderOptions(target=target, fps=25.0), signer, overlay=None) as recorder:
            for frame in _frames(40, seed=1):  # ~3 MB of noise: cannot fit
                recorder.write(frame)
    assert not target.exists() and not sidecar_path(target).exists()
    assert _leftovers(tiny_disk) == []
    assert {p: p.read_bytes() for p in earlier} == earlier


def test_disk_fills_during_a_snapshot(tiny_disk: Path, signer: ProvenanceSigner) -> None:
    earlier = _snapshot(_frames(1)[0], tiny_disk / "before.png", signer)
    _fill(tiny_disk, leave_bytes=100_000)  # a 230 KB noise PNG does not fit
    target = tiny_disk / "after.png"
    with pytest.raises(ExportError, match=r"after.png: writing the signed file failed: .*No space left on device"):
        write_snapshot(_frames(1, seed=2)[0], target, signer)
    assert not target.exists() and not sidecar_path(target).exists()
    assert _leftovers(tiny_disk) == []
    assert {p: p.read_bytes() for p in earlier} == earlier


def test_disk_fills_during_render(tiny_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """safelens render onto a full disk: exit code 2 with the reason, no file and no temporary left."""
    (tiny_disk / "keep.txt").write_text("earlier export", encoding="utf-8")
    _fill(tiny_disk, leave_bytes=150_000)
    out = tiny_disk / "demo.mp4"
    code = main(["render", "--source", "demo", "--resolution", "480p", "--frames", "45", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "safelens render: error:" in err and "demo.mp4" in err and "Traceback" not in err
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler.bin", "keep.txt"]
    assert (tiny_disk / "keep.txt").read_text(encoding="utf-8") == "earlier export"


# -- ENOSPC injected into the export's own writes (runs everywhere) --------------------------------


class _FullAfter(io.FileIO):
    """A file that fails like a full disk once ``budget`` bytes were written to files that match."""

    budget = 0
    only: str = ""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if isinstance(self.name, str) and _FullAfter.only in Path(self.name).name:
            if _FullAfter.budget < len(data):
                raise OSError(errno.ENOSPC, "No space left on device")
            _FullAfter.budget -= len(data)
        return super().write(data)


def _disk_full_for(monkeypatch: pytest.MonkeyPatch, only: str, budget: int = 0) -> None:
    _FullAfter.budget, _FullAfter.only = budget, only

    def open_new(path: Path) -> BinaryIO:
        return _FullAfter(str(path), "x+")  # type: ignore[return-value]

    monkeypatch.setattr(atomic, "open_new", open_new)


def test_disk_full_exactly_when_the_sidecar_is_written(tmp_path: Path, signer: ProvenanceSigner,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The media file fits, its JSON sidecar does not: the export fails as a whole, the earlier
    export of the same name keeps its media and its matching sidecar."""
    target = tmp_path / "shot.png"
    earlier = _snapshot(_frames(1)[0], target, signer)
    _disk_full_for(monkeypatch, only=".provenance.json")  # the sidecar's temporary file
    with pytest.raises(ExportError, match=r"shot.png: writing the signed file failed: .*No space left on device"):
        write_snapshot(_frames(1, seed=5)[0], target, signer)
    assert {p: p.read_bytes() for p in earlier} == earlier, "the new media must not sit beside the old sidecar"
    assert _leftovers(tmp_path) == []


# -- the profile database ----------------------------------------------------------------------------


def _clock() -> datetime:
    return datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _store(folder: Path, busy_ms: int = 10_000) -> ProfileStore:
    return ProfileStore(folder, StoreOptions(busy_timeout_ms=busy_ms), clock=_clock)


def test_a_database_locked_by_another_program(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.create_profile("Ada", date(1990, 5, 17))
    holder = sqlite3.connect(tmp_path / "profiles.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing (and taking its time)
    holder.execute("INSERT INTO meta (key, value) VALUES ('x', 'uncommitted')")
    try:
        with _store(tmp_path, busy_ms=300) as store:
            with pytest.raises(ProfileStoreBusyError) as info:
                store.create_profile("Bob", date(1985, 1, 2))
            message = str(info.value)
            assert message.startswith(f"{tmp_path / 'profiles.db'}: the profile database is busy: another program "
                                      "held its lock for more than 300 ms")
            assert f"using {tmp_path} and try again" in message
            assert [p.name for p in store.list_profiles()] == ["Ada"]  # readers still read (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with _store(tmp_path) as store:  # once released, writing works and nothing was lost
        store.create_profile("Bob", date(1985, 1, 2))
        assert [p.name for p in store.list_profiles()] == ["Ada", "Bob"]


def _damage(db: Path) -> None:
    """Overwrite the middle of the file (past the header page) with noise, as a bad sector would."""
    data = bytearray(db.read_bytes())
    start = 4096 if len(data) > 8192 else 100
    noise = np.random.default_rng(7).integers(0, 256, len(data) - start, dtype=np.uint8).tobytes()
    data[start:] = noise
    db.write_bytes(bytes(data))


def _checkpointed(folder: Path) -> None:
    conn = sqlite3.connect(folder / "profiles.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_a_corrupted_database_gives_a_clear_error_and_recovery_keeps_every_commit(tmp_path: Path) -> None:
    names = [f"P{i}-{uuid.uuid4().hex[:6]}" for i in range(5)]
    with _store(tmp_path) as store:
        for i, name in enumerate(names):
            store.create_profile(name, date(1980 + i, 3, 4))
    _checkpointed(tmp_path)
    _damage(tmp_path / "profiles.db")
    with pytest.raises(ProfileStoreCorruptError) as info:
        _store(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'profiles.db'}: the profile database is damaged (")
    assert f"`safelens profile recover --data-dir {tmp_path}`" in message
    report = recover(tmp_path, clock=_clock)
    assert report.restored_from == tmp_path / "profiles.db.bak" and report.n_profiles == 5
    with _store(tmp_path) as store:
        assert sorted(p.name for p in store.list_profiles()) == sorted(names)
    assert any(p.name.startswith("profiles.db.corrupt-") for p in tmp_path.iterdir()), "the damaged file is kept"


def test_corruption_while_the_app_has_the_store_open(tmp_path: Path) -> None:
    """The file is damaged under a running session: its next read or write raises the typed error
    (no crash, no silent empty list), and recovery keeps what was committed before."""
    store = _store(tmp_path)
    try:
        store.create_profile("Ada", date(1990, 5, 17))
        store.create_profile("Bob", date(1985, 1, 2))
        _checkpointed(tmp_path)
        _damage(tmp_path / "profiles.db")
        with pytest.raises(ProfileStoreCorruptError):
            store.list_profiles()
            store.create_profile("Cy", date(1970, 1, 1))
    finally:
        store.close()
    recover(tmp_path, clock=_clock)
    with _store(tmp_path) as store:
        assert [p.name for p in store.list_profiles()] == ["Ada", "Bob"]


def test_safelens_profile_list_on_a_damaged_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _store(tmp_path) as store:
        store.create_profile("Ada", date(1990, 5, 17))
    _checkpointed(tmp_path)
    _damage(tmp_path / "profiles.db")
    code = main(["profile", "list", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "the profile database is damaged" in err and "safelens profile recover" in err
