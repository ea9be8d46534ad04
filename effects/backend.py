"""One switch between the Numba kernels and their NumPy references, and the one import of Numba.

``SAFELENS_KERNELS=numpy`` in the environment, or ``use("numpy")``, makes every op
run its NumPy reference (the path for devices without Numba). Every op calls its
kernel through ``pick``. Kernel modules decorate with this module's ``njit``: Numba's
when it is installed; otherwise the plain Python function, which the NumPy backend
never calls, so that the packages import on a device without Numba.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType
from typing import Any, Literal

Backend = Literal["numba", "numpy"]
_VALID: tuple[Backend, ...] = ("numba", "numpy")


_numba: ModuleType | None
try:
    import numba as _numba
except ImportError:
    _numba = None

HAS_NUMBA = _numba is not None


def njit(*args: Any, **options: Any) -> Any:
    """``numba.njit`` where Numba is installed; without it, the function itself (never picked)."""
    if _numba is not None:
        return _numba.njit(*args, **options)
    if len(args) == 1 and callable(args[0]) and not options:
        return args[0]
    return lambda fn: fn


def _from_env() -> Backend:
    value = os.environ.get("SAFELENS_KERNELS", "numba").strip().lower()
    if value == "numba":
        return "numba" if HAS_NUMBA else "numpy"
    if value == "numpy":
        return "numpy"
    raise ValueError(f"SAFELENS_KERNELS: expected one of {_VALID}, found {value!r}")


_current: Backend = _from_env()


def current() -> Backend:
    return _current


def use(backend: Backend) -> None:
    """Select the kernels every op calls from now on."""
    global _current
    if backend not in _VALID:
        raise ValueError(f"backend: expected one of {_VALID}, found {backend!r}")
    if backend == "numba" and not HAS_NUMBA:
        raise RuntimeError("backend: Numba is not installed here; use the 'numpy' backend")
    _current = backend


def pick(numba_fn: Callable[..., Any], numpy_fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function of the pair that the current backend runs."""
    return numba_fn if _current == "numba" else numpy_fn
