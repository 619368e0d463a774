"""Kernels: pure functions on arrays, each a NumPy reference twin and a Numba twin.

``get_backend`` / ``set_backend`` / ``use_backend`` choose which twin runs
(``MINILSTM_BACKEND=numpy`` in the environment chooses the reference at start).
"""
from .backend import BACKENDS, get_backend, set_backend, use_backend

__all__ = ["BACKENDS", "get_backend", "set_backend", "use_backend"]
