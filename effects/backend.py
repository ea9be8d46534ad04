"""One switch between the Numba kernels and their NumPy references.

``SAFELENS_KERNELS=numpy`` in the environment, or ``use("numpy")``, makes every op
run its NumPy reference (the path for devices without Numba). Kernels are
registered in pairs with ``kernel_pair`` and called through ``pick``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal

Backend = Literal["numba", "numpy"]
_VALID: tuple[Backend, ...] = ("numba", "numpy")


def _from_env() -> Backend:
    value = os.environ.get("SAFELENS_KERNELS", "numba").strip().lower()
    if value not in _VALID:
        raise ValueError(f"SAFELENS_KERNELS: expected one of {_VALID}, found {value!r}")
    if value == "numba":
        try:
            import numba  # noqa: F401
        except ImportError:
            return "numpy"
    return value  # type: ignore[return-value]


_current: Backend = _from_env()


def current() -> Backend:
    return _current


def use(backend: Backend) -> None:
    """Select the kernels every op calls from now on."""
    global _current
    if backend not in _VALID:
        raise ValueError(f"backend: expected one of {_VALID}, found {backend!r}")
    _current = backend


def pick(numba_fn: Callable[..., Any], numpy_fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function of the pair that the current backend runs."""
    return numba_fn if _current == "numba" else numpy_fn
