"""A full SafeLens session without export, audited: run by test_privacy.py in its own process.

Phase 1 ("startup") sets the machine up as a first start does: modules imported, the kernels
compiled (Numba's on-disk cache), the effects' label classifications cached (they are measured
on the bundled reference faces, not on the camera). It is audited and reported separately.

Phase 2 ("session") is the user's session: a profile is created through the age gate (and an
under-13 sign-up refused), then the live pipeline runs over the demo feed with the MediaPipe
tracker, the age estimator, the policy-gated effects (switched every few frames) and the
disclosure overlay. Meanwhile

- an audit hook (``sys.addaudithook``) records every file opened for writing (``open``, which
  covers Python's open, os.open and the import system), every SQLite database opened
  (``sqlite3.connect``: SQLite writes through its own C code) and every socket created,
  connected, bound or sent from, and every name resolved;
- the process's open file descriptors are sampled for sockets (native code such as
  MediaPipe or onnxruntime would not pass through the audit hook);
- the data folder, HOME, the working folder and the temp folders are listed (with sizes
  and modification times) before and after, which also catches native writes.

The report (JSON on stdout) lists what was seen; the test decides.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
INET = {int(socket.AF_INET), int(socket.AF_INET6)}


class Audit:
    """Records, per phase ("startup" or "session"), files opened for writing, SQLite files and
    INET socket activity."""

    def __init__(self) -> None:
        self.phase = "startup"
        self.seen: dict[str, dict[str, list[str]]] = {
            phase: {"writes": [], "sqlite": [], "sockets": []} for phase in ("startup", "session", "after")
        }
        self.lock = threading.Lock()

    @property
    def writes(self) -> list[str]:
        return self.seen[self.phase]["writes"]

    @property
    def sqlite(self) -> list[str]:
        return self.seen[self.phase]["sqlite"]

    @property
    def sockets(self) -> list[str]:
        return self.seen[self.phase]["sockets"]

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing:
                if isinstance(path, int):  # open(fd, ...) wraps a descriptor: name its file
                    try:
                        path = os.readlink(f"/proc/self/fd/{path}")
                    except OSError:
                        path = f"fd {path}"
                with self.lock:
                    self.writes.append(os.fsdecode(path) if isinstance(path, (str, bytes)) else repr(path))
        elif event == "sqlite3.connect":
            with self.lock:
                self.sqlite.append(str(args[0]))
        elif event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
            detail = event
            if event == "socket.__new__":
                family = args[1]
                if int(family) not in INET:
                    return  # e.g. an AF_UNIX socketpair a library uses to wake a thread
                detail = f"{event} family={int(family)}"
            else:
                detail = f"{event} {args[1:]!r}"[:200]
            with self.lock:
                self.sockets.append(detail)


def listing(folders: list[Path]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for root, dirs, files in os.walk(folder):
            for name in files + dirs:
                p = Path(root, name)
                try:
                    st = p.lstat()
                except OSError:
                    continue
                out[str(p)] = [st.st_size, st.st_mtime_ns]
    return out


def open_inet_sockets() -> list[str]:
    """Sockets among this process's fds that are TCP/UDP (v4 or v6), from /proc."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                found.append(f"{table} {fields[1]} -> {fields[2]}")
    return found


AUDIT = Audit()
sys.addaudithook(AUDIT.hook)  # from the first line: start-up (imports, JIT, caches) is audited too


def main() -> None:
    audit = AUDIT
    config = json.loads(sys.argv[1])
    data_dir = Path(os.environ["SAFELENS_DATA_DIR"])
    watched = [Path(p) for p in config["watch"]]
    at_start = listing(watched)
    frames_wanted = int(config["frames"])

    # -- phase 1: set-up, as after a first start (not audited) -------------------------------
    import numpy as np

    from contextlib import ExitStack

    from age_estimation.model import AgeModel, AgeModelOptions
    from camera_app.catalog.classifications import ResultBook, results_for
    from camera_app.catalog.effects import load_registry
    from camera_app.models import model_path
    from camera_app.catalog.result_cache import result_cache
    from camera_app.policy.gate import subject_of
    from camera_app.policy.rules import PolicySubject
    from camera_app.profiles import ProfileStore, SignUpUnavailableError
    from camera_app.runtime.chain import ChainOptions, ChainResources, build_chain
    from camera_app.runtime.pipeline import Pipeline
    from camera_app.capture.demo import DemoOptions, DemoSource
    from camera_app.tracking.tracker import FaceTracker, FaceTrackerOptions
    from effects.engine import build_stack
    from effects.ops.base import OpContext

    registry = {s.id: s for s in load_registry()}
    specs = [registry[i] for i in config["effects"]]
    results = results_for(specs, result_cache())
    with DemoSource(DemoOptions(resolution="480p", seed=1, paced=False, max_frames=1)) as warm_source, \
            FaceTracker(FaceTrackerOptions(max_faces=1)) as warm_tracker:
        warm = warm_tracker.track(warm_source.read())
        for spec in specs:  # compile or load every kernel the session will run
            build_stack([spec]).apply(warm.pixels, warm.tracks, OpContext())
    np.seterr(all="ignore")

    before = listing(watched)
    socket_samples: list[str] = []

    # -- phase 2: the user's session (audited) ------------------------------------------------
    audit.phase = "session"
    frames = 0
    shown: set[str] = set()
    with ExitStack() as stack:
        store = stack.enter_context(ProfileStore())
        profile = store.create_profile("Sam", date(1988, 4, 2))
        try:
            store.create_profile("Kid", date(date.today().year - 9, 1, 1))
            refused = False
        except SignUpUnavailableError:
            refused = True
        subject = subject_of(profile, date.today())
        assert isinstance(subject, PolicySubject)
        book = ResultBook()  # the session applies one effect at a time: no stack is judged
        for spec, result in zip(specs, results_for(specs, result_cache()), strict=True):
            book.add((spec,), result)
        tracker = stack.enter_context(FaceTracker(FaceTrackerOptions(max_faces=2)))
        model = stack.enter_context(AgeModel(AgeModelOptions(model_path("age"))))
        chain = build_chain(ChainOptions(subject=subject, profile_id=profile.profile_id),
                            ChainResources(results=book, age_model=model, store=store), stack)
        pipeline = Pipeline(tracker, chain.stages)
        cycle = [*specs, None]
        with DemoSource(DemoOptions(resolution="480p", seed=4, paced=False, max_frames=frames_wanted)) as source:
            for done in pipeline.run(source):
                if frames % config["switch_every"] == 0:
                    spec = cycle[(frames // config["switch_every"]) % len(cycle)]
                    chain.set_effects([] if spec is None else [spec])
                if not np.array_equal(done.output.pixels, done.input.pixels):
                    shown.update(s.id for s in chain.applied)
                frames += 1
                if frames % 10 == 0:
                    socket_samples.extend(open_inet_sockets())
    audit.phase = "after"
    after = listing(watched)

    changed = sorted(p for p in after if before.get(p) != after[p])
    removed = sorted(p for p in before if p not in after)
    print(json.dumps({
        "frames": frames,
        "profile": profile.name,
        "under_13_refused": refused,
        "effects_rendered": sorted(shown),
        "data_dir": str(data_dir),
        "writes": sorted(set(audit.seen["session"]["writes"])),
        "sqlite": sorted(set(audit.seen["session"]["sqlite"])),
        "sockets": audit.seen["session"]["sockets"],
        "startup_writes": sorted(set(audit.seen["startup"]["writes"])),
        "startup_sqlite": sorted(set(audit.seen["startup"]["sqlite"])),
        "startup_sockets": audit.seen["startup"]["sockets"],
        "inet_fds": sorted(set(socket_samples)),
        "changed": changed,
        "removed": removed,
        "tmp_after": sorted(p for p in after if p.startswith(tempfile.gettempdir())),
        "made_during_setup": sorted(p for p in before if p not in at_start),
    }))


if __name__ == "__main__":
    main()
