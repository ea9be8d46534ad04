"""Privacy: a full session without export writes nothing but the profile store and opens no
network socket.

The session runs in its own process (privacy_session.py) with private HOME, working,
data and temp folders; where the test may (root, as CI is), that process also gets its own
empty /tmp in a private mount namespace, so a native library writing there would show.
See privacy_session.py for what is audited and how.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("privacy_session.py")
FRAMES = 150
EFFECTS = ["glam", "bunny_ears", "comic", "skin_smoothing"]
# The profile store's own files: the database (and SQLite's journal files), its backup (made
# through a temporary copy after each commit), the device key file that seals the records, and
# the state kept beside it (audit chain head, running under-13 locks, moderators; written
# through a temporary file).
STORE_FILES = ("profiles.db", "profiles.db-wal", "profiles.db-shm", "profiles.db-journal", "profiles.db.bak",
               "device.state")


def _is_store_file(path: str, data_dir: Path) -> bool:
    p = Path(path)
    if p.parent != data_dir:
        return False
    return (p.name in STORE_FILES or p.name.startswith(("profiles.db.bak.tmp", ".device.state.tmp"))
            or p.name.startswith("gate"))


def _can_unshare() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs -o size=1m tmpfs /mnt && umount /mnt"], capture_output=True, check=False)
    return probe.returncode == 0


def _tmp_holds_the_code() -> bool:
    """A private /tmp would hide the checkout or its virtual environment when they live there."""
    tmp = Path("/tmp").resolve()
    code = (Path(sys.prefix).resolve(), Path(__file__).resolve().parents[2])
    return any(tmp == p or tmp in p.parents for p in code)


@pytest.fixture()
def session_root() -> Iterator[Path]:
    """Outside /tmp, so a private /tmp can be mounted over it without hiding these folders."""
    base = Path("/var/tmp") if os.access("/var/tmp", os.W_OK) else Path.home()
    root = base / f"safelens-privacy-{uuid.uuid4().hex[:8]}"
    root.mkdir()
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_a_session_without_export_writes_only_the_profile_store_and_opens_no_socket(session_root: Path) -> None:
    data, home, work = session_root / "data", session_root / "home", session_root / "work"
    for folder in (data, home, work):
        folder.mkdir()
    private_tmp = _can_unshare() and not _tmp_holds_the_code()
    tmp = Path("/tmp") if private_tmp else session_root / "tmp"
    tmp.mkdir(exist_ok=True)
    config = {"frames": FRAMES, "effects": EFFECTS, "switch_every": 12,
              "watch": [str(data), str(home), str(work), str(tmp)]}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFELENS_", "TMP", "TEMP"))}
    env.update(SAFELENS_DATA_DIR=str(data), HOME=str(home), TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, str(SCRIPT), json.dumps(config)]
    if private_tmp:
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount -t tmpfs -o size=512m tmpfs /tmp && exec "$@"', "sh", *command]
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["private_tmp"] = private_tmp
    out = Path(__file__).resolve().parents[2] / "artifacts" / "reliability" / "privacy-report.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")

    assert report["frames"] == FRAMES and report["under_13_refused"] is True
    assert report["effects_rendered"], "the session must actually render effects"
    # Files: written (Python level) and changed (any level) only inside the profile store.
    assert [w for w in report["writes"] if not _is_store_file(w, data)] == []
    assert [s for s in report["sqlite"] if not _is_store_file(s, data)] == []
    assert [c for c in report["changed"] if not _is_store_file(c, data)] == []
    assert report["removed"] == [] or all(_is_store_file(r, data) for r in report["removed"])
    assert any(Path(w).name == "profiles.db" for w in report["writes"] + report["sqlite"])
    assert [p for p in report["tmp_after"] if p in report["changed"]] == []
    # Network: no INET socket made, connected or used, by Python or (sampled) native code.
    assert report["sockets"] == [] and report["startup_sockets"] == []
    assert report["inet_fds"] == []
    # Start-up (imports, kernels, label measurements) writes only caches that hold nothing of
    # the user: Numba's compiled kernels, the label classifications of the bundled effects
    # (measured on the bundled reference faces) and the device secret that seals them (a random
    # key and the state beside it), matplotlib's font list (mediapipe imports it).
    # Also allowed: /dev/null, and temporary files (tempfile's writability probes, Numba's
    # O_TMPFILE check of its cache folder) that are gone again at the end.
    startup = report["startup_writes"] + report["made_during_setup"]
    transient = {w for w in startup if (w == str(tmp) or Path(w).parent == tmp) and w not in report["tmp_after"]}
    assert [w for w in startup if not (_startup_cache(w, data, home) or w in transient or w == "/dev/null")] == []
    assert not any("Microsoft" in w or ".onnxruntime" in w for w in startup), "onnxruntime telemetry is on"


def _startup_cache(path: str, data: Path, home: Path) -> bool:
    p = Path(path)
    repo = Path(__file__).resolve().parents[2]
    if repo in p.parents and ((p.parent.name == "__pycache__" and p.suffix in (".nbi", ".nbc"))
                              or p.name == "__pycache__"):
        return True
    if p == data / "classifications" or (p.parent == data / "classifications" and p.suffix == ".json"):
        return True
    if p.name.startswith(".") and p.parent == data / "classifications":
        return True  # the cache's own atomic temporaries
    if p.parent == data and p.name.startswith(("gate.key", "device.state", ".device.state.tmp")):
        return True  # the device secret (key file) and its state, and their temporaries
    mpl = (home / ".cache" / "matplotlib", home / ".config" / "matplotlib")
    return any(p == m or m in p.parents for m in mpl) or p in (home / ".cache", home / ".config")
