"""The one switch that chooses which twin of every kernel runs.

Two backends exist:

- ``"numba"`` (default): the jitted time loops, the fast path.
- ``"numpy"``: the readable NumPy references, the teaching path.

The starting value comes from the environment variable ``MINILSTM_BACKEND``;
``set_backend`` changes it for the whole process and ``use_backend`` for a
``with`` block (the tests run both and compare).
"""
import contextlib
import functools
import os

BACKENDS = ("numba", "numpy")


def _validated(name, argument="backend"):
    if name not in BACKENDS:
        raise ValueError(
            f"{argument} must be one of {list(BACKENDS)}; got {name!r}"
        )
    return name


_current = _validated(os.environ.get("MINILSTM_BACKEND", "numba").strip().lower(),
                      "the environment variable MINILSTM_BACKEND")


def get_backend():
    """Return the name of the backend in use: ``"numba"`` or ``"numpy"``."""
    return _current


def set_backend(name):
    """Choose the backend for every kernel call from now on."""
    global _current
    _current = _validated(name)


@contextlib.contextmanager
def use_backend(name):
    """Run a ``with`` block under another backend, then restore the previous one."""
    previous = get_backend()
    set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def dispatch(numpy_twin, numba_twin):
    """Return a function that calls the twin of the backend in use at call time."""

    @functools.wraps(numpy_twin)
    def kernel(*args, **kwargs):
        twin = numba_twin if _current == "numba" else numpy_twin
        return twin(*args, **kwargs)

    return kernel
