"""The kernel runner: warms every callable, times them in turns, stops slow references early."""

from __future__ import annotations

import sys
import types

import pytest

from benchmarks import kernel_runner
from benchmarks.kernel_runner import KernelBenchError, kernel_modules, load_cases, time_case
from benchmarks.kernels import KernelCase


def test_every_comparison_module_is_found_and_private_helpers_are_not() -> None:
    modules = kernel_modules()
    assert "benchmarks.kernels.warp" in modules and "benchmarks.kernels.smooth" in modules
    assert not any(m.rsplit(".", 1)[-1].startswith("_") for m in modules)


def test_calls_are_warmed_then_timed_in_turns() -> None:
    calls: list[str] = []
    case = KernelCase("fake", lambda: calls.append("numba"), lambda: calls.append("numpy"),
                      lambda: calls.append("opencv"), "cv2.fake")
    timing = time_case(case, "m", "720p", repeats=3)
    assert calls == ["numba", "numpy", "opencv"] + ["numba", "numpy", "opencv"] * 3
    assert len(timing.numba_ms) == len(timing.numpy_ms) == len(timing.opencv_ms) == 3
    assert timing.ratio([]) is None


def test_ratio_is_median_numba_over_median_reference() -> None:
    timing = kernel_runner.KernelTiming("k", "m", "720p", "cv2.x", [1.0, 2.0, 9.0], [10.0, 20.0, 30.0], [4.0])
    assert timing.ratio(timing.opencv_ms) == pytest.approx(0.5)
    assert timing.ratio(timing.numpy_ms) == pytest.approx(0.1)


def test_a_slow_reference_stops_after_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel_runner, "NUMPY_BUDGET_S", 0.0)
    case = KernelCase("slow", lambda: None, lambda: None, None, "")
    timing = time_case(case, "m", "720p", repeats=10)
    assert len(timing.numba_ms) == 10
    assert len(timing.numpy_ms) == kernel_runner.MIN_REPEATS
    assert timing.opencv_ms == []


def test_a_module_without_cases_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fake_kernels_mod", types.ModuleType("fake_kernels_mod"))
    with pytest.raises(KernelBenchError, match="expected a function cases"):
        load_cases("fake_kernels_mod", 72, 128)
    bad = types.ModuleType("fake_kernels_bad")
    bad.cases = lambda h, w: ["not a case"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_kernels_bad", bad)
    with pytest.raises(KernelBenchError, match="expected KernelCase items, found str"):
        load_cases("fake_kernels_bad", 72, 128)
