"""camera_app.tracking.native_stderr: known native log lines written to fd 2 are dropped, others kept."""

from __future__ import annotations

import os
import re
import sys
import threading

import pytest

from camera_app.tracking.native_stderr import filtered_stderr, unknown_lines

KNOWN = (re.compile(r"W0000 [\d:.]+ +\d+ chatty\.cc:\d+\] all is well\."), re.compile(r"INFO: hello"))


def test_known_lines_are_dropped_and_the_rest_is_passed_on(capfd: pytest.CaptureFixture[str]) -> None:
    os.write(2, b"before\n")
    with filtered_stderr(KNOWN):
        os.write(2, b"W0000 00:00:1795868435.423079   18422 chatty.cc:12] all is well.\nINFO: hello\n")
        os.write(2, b"E0000 00:00:1795868435.5   18422 chatty.cc:40] something is wrong\n")
        os.write(2, b"INFO: hello again\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == (
        "before\nE0000 00:00:1795868435.5   18422 chatty.cc:40] something is wrong\nINFO: hello again\nafter\n")


def test_python_writes_inside_the_block_are_kept_in_order(capfd: pytest.CaptureFixture[str]) -> None:
    with filtered_stderr(KNOWN):
        print("from python", file=sys.stderr)
        os.write(2, b"INFO: hello\n")
    assert capfd.readouterr().err == "from python\n"


def test_more_than_a_pipe_buffer_does_not_block(capfd: pytest.CaptureFixture[str]) -> None:
    line = b"INFO: hello\n"
    with filtered_stderr(KNOWN):
        for _ in range(20000):  # 240 KB, several times a pipe's buffer
            os.write(2, line)
        os.write(2, b"the end\n")
    assert capfd.readouterr().err == "the end\n"


def test_fd_2_is_restored_when_the_block_raises(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="model failed"), filtered_stderr(KNOWN):
        os.write(2, b"E0000 why it failed\n")
        raise RuntimeError("model failed")
    os.write(2, b"still here\n")
    assert capfd.readouterr().err == "E0000 why it failed\nstill here\n"


def test_blocks_on_two_threads_are_serialised(capfd: pytest.CaptureFixture[str]) -> None:
    def work(name: str) -> None:
        with filtered_stderr(KNOWN):
            os.write(2, b"INFO: hello\n")
            os.write(2, f"{name} kept\n".encode())

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert sorted(err.splitlines()) == ["after", "t0 kept", "t1 kept", "t2 kept", "t3 kept"]
    assert err.endswith("after\n")


def test_unknown_lines_match_patterns_in_full() -> None:
    assert unknown_lines("INFO: hello\nINFO: hello world\n\n", KNOWN) == ["INFO: hello world", ""]
