"""safelens effects audit: Ctrl-C keeps finished rows, --resume skips them, a killed worker's
task is retried, and an effect whose worker dies twice is recorded as failed."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from audit_helpers import SEED, audit, rows, small_faces, without_machine

from camera_app.audit.catalogue import AuditError
from camera_app.audit.run import AuditInterrupted
from camera_app.audit.synth import synthesize
from camera_app.cli import main


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_faces(tmp_path_factory.mktemp("audit_faces") / "faces")


def _three_effects(folder: Path) -> list[Path]:
    entries = synthesize(5, folder, SEED)  # eye warp, lip plump, caricature, smooth, tint
    keep = [folder / entries[i]["path"] for i in (0, 1, 4)]
    for entry in entries:
        path = folder / entry["path"]
        if path not in keep:
            path.unlink() if path.is_file() else shutil.rmtree(path)
    return keep


def test_ctrl_c_keeps_finished_rows_and_resume_skips_them(tmp_path: Path, faces: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    effects = _three_effects(tmp_path / "catalogue")
    out = tmp_path / "out"
    dispatched: list[str] = []

    def ctrl_c_on_the_second(path: str, pid: int | None) -> None:
        dispatched.append(path)
        if len(dispatched) == 2:
            raise KeyboardInterrupt

    with pytest.raises(AuditInterrupted) as stopped:
        audit([tmp_path / "catalogue"], out, faces, workers=1, on_dispatch=ctrl_c_on_the_second)
    assert stopped.value.summary.counts["audited"] == 1
    assert list(rows(out)) == [str(effects[0])], "the finished row is kept and written to audit.jsonl"
    with sqlite3.connect(out / "audit.sqlite") as db:
        assert db.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    assert (out / "report.html").is_file()

    # Without --resume the folder is not overwritten.
    assert main(["effects", "audit", str(tmp_path / "catalogue"), "--out", str(out), "--faces", str(faces)]) == 2
    assert "already holds an audit of 1 effects; pass --resume" in capsys.readouterr().err

    # The same content at a new path is not measured again: its row is copied.
    shutil.copytree(effects[0], tmp_path / "catalogue" / "zz_copy")
    dispatched.clear()
    resumed = audit([tmp_path / "catalogue"], out, faces, workers=1, resume=True,
                    on_dispatch=lambda path, pid: dispatched.append(path))
    assert sorted(dispatched) == sorted(str(p) for p in effects[1:])
    assert resumed.counts["skipped"] == 2 and resumed.counts["audited"] == 2
    found = rows(out)
    assert len(found) == 4 and all(r["status"] == "ok" for r in found.values())
    copy = found[str(tmp_path / "catalogue" / "zz_copy")]
    assert {**copy, "path": None} == {**found[str(effects[0])], "path": None}


def test_a_killed_worker_is_retried_and_a_second_death_recorded_as_failed(tmp_path: Path, faces: Path) -> None:
    effects = _three_effects(tmp_path / "catalogue")[:2]
    shutil.rmtree(tmp_path / "catalogue" / "part-000" / "synth_tint_000004")
    first, second = (str(p) for p in effects)
    sent: list[str] = []
    timers: list[threading.Timer] = []

    def kill_mid_task(path: str, pid: int | None) -> None:
        sent.append(path)
        if path == second or sent.count(first) == 1:  # the first effect once, the second every time
            assert pid is not None
            timer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
            timers.append(timer)
            timer.start()

    summary = audit([tmp_path / "catalogue"], tmp_path / "out", faces, workers=1, on_dispatch=kill_mid_task)
    for timer in timers:
        timer.join()
    assert sent == [first, first, second, second]
    assert summary.counts["retried"] == 2 and summary.counts["audited"] == 1 and summary.counts["failed"] == 1
    found = rows(tmp_path / "out")
    assert found[first]["status"] == "ok" and found[first]["timing"]["attempts"] == 2
    failed = found[second]
    assert failed["status"] == "failed" and failed["error"]["type"] == "WorkerDied"
    assert "exit code -9" in failed["error"]["message"] and "failed 2 times" in failed["error"]["message"]

    # The retried effect's row is the one an undisturbed worker gives.
    clean = audit([effects[0]], tmp_path / "clean", faces, workers=1)
    assert without_machine(rows(clean.out_dir))[first] == without_machine(found)[first]


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _ray_task_pids() -> list[int]:
    """Processes running this module's Ray task right now in the Ray instance this test started
    (Ray titles a worker by its task; the worker's parent is the raylet this process started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
                if title.startswith(b"ray::run_task") and _parent(_parent(int(entry.name))) == os.getpid():
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def test_a_ray_worker_killed_mid_task_is_retried(tmp_path: Path, faces: Path) -> None:
    pytest.importorskip("ray")
    _three_effects(tmp_path / "catalogue")
    killed: list[int] = []
    stop = threading.Event()

    def hunt() -> None:
        while not stop.is_set() and not killed:
            for pid in _ray_task_pids():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
            time.sleep(0.05)

    hunter = threading.Thread(target=hunt)
    hunter.start()
    try:
        summary = audit([tmp_path / "catalogue"], tmp_path / "out", faces, workers=2, ray=True)
    finally:
        stop.set()
        hunter.join()
    assert len(killed) == 1
    assert summary.counts["retried"] == 1 and summary.counts["audited"] == 3 and summary.counts["failed"] == 0
    assert sorted(r["timing"]["attempts"] for r in rows(tmp_path / "out").values()) == [1, 1, 2]


def test_bad_paths_and_folders_are_errors_naming_them(tmp_path: Path, faces: Path) -> None:
    with pytest.raises(AuditError, match="no_such_catalogue: no such file or folder"):
        audit([tmp_path / "no_such_catalogue"], tmp_path / "out", faces)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(AuditError, match="expected a folder of effects or a .zip, found another file"):
        audit([tmp_path / "file.txt"], tmp_path / "out", faces)
    with pytest.raises(AuditError, match="--faces .*no_faces: expected a folder of face photos"):
        audit([tmp_path], tmp_path / "out", tmp_path / "no_faces")
    with pytest.raises(AuditError, match="does not exist"):
        audit([tmp_path], tmp_path / "nowhere" / "out", faces)
