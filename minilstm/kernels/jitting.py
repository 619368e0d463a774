"""How every Numba twin is compiled: one decorator, one set of options.

``kernel_jit(**options)`` is ``numba.njit`` with these, plus any ``options`` given
(``fastmath=...`` where a loop may reassociate or contract):

- ``cache=True``: the machine code is written to ``__pycache__`` beside the source, so
  a new process loads it instead of compiling again (a warm start). Importing this module
  first drops that cache when any kernel's source has changed since it was written
  (``cache_freshness``): Numba checks only each kernel's own file.
- ``error_model="numpy"``: a float division by zero gives inf or NaN, as in NumPy,
  instead of raising, so no division carries a branch and the loops vectorise.
- ``no_cfunc_wrapper=True``: Numba otherwise also builds, for every function it
  compiles, a C-callable wrapper (for use through ``ctypes``) that nothing here
  calls. Leaving it out made every example's first training step on an empty cache
  3–11% shorter (``benchmarks/bench_startup.py``, benchmarks/README.md); calls from Python and from
  other jitted functions are unchanged.

``INLINED_HELPER_OPTIONS`` are those of the small ``overload``s of ``fast_math``,
which only jitted code reaches: no Python-callable wrapper either, and no cache of
their own (their machine code is cached inside that of the kernels calling them).
"""
from numba import njit

from .cache_freshness import cache_folder, drop_stale_caches, sources_fingerprint

_OPTIONS = {"error_model": "numpy", "no_cfunc_wrapper": True}

INLINED_HELPER_OPTIONS = {**_OPTIONS, "no_cpython_wrapper": True}


def kernel_jit(**options):
    """``numba.njit`` with this package's options (module docstring) and ``options``."""
    return njit(cache=True, **_OPTIONS, **options)


drop_stale_caches(cache_folder(), sources_fingerprint())
