"""Numba kernels of the op library, each beside its NumPy reference (see effects.backend)."""
