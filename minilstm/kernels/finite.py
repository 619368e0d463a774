r"""Whether an array holds only finite numbers (no NaN, no ±inf): two twins.

``fit``, ``evaluate`` and ``predict`` check their data with it before any of it reaches a
kernel, so that a NaN in the data is named rather than trained on. Over the values v of
the array::

    finite = ∀ v: v - v = 0        (inf - inf and NaN - NaN are NaN, never 0)

The NumPy twin is ``np.isfinite(a).all()``. The Numba twin counts, in one loop, the values
whose v - v is not 0: a comparison and an addition a value, which vectorise without any
reassociation of floating-point sums. At the tutorials' sizes it is the call that costs,
not the loop: the echo recipe checks one pair of (1, 5, 50) arrays at every training step,
where the step's megabytes of weights have just passed through the caches, and NumPy's
reduction took about 4 µs an array there against about 1 µs in a loop of its own calls
(benchmarks/README.md, "Tried in the forty-sixth session"); the jitted call's path from
Python is the one every kernel takes, warm at every step.
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit

FLOAT_DTYPES = frozenset({np.dtype(np.float32), np.dtype(np.float64)})


def all_finite_reference(array):
    """True when every value of ``array`` (any shape, any real dtype) is finite."""
    return bool(np.isfinite(array).all())


@kernel_jit()
def _non_finite_count(values):
    """The number of values of the 1-D ``values`` whose v - v is not 0: NaN and ±inf."""
    count = 0
    for i in range(values.shape[0]):
        count += values[i] - values[i] != 0.0
    return count


def all_finite_numba(array):
    """Same contract as ``all_finite_reference``; float32 and float64 arrays by the jitted
    loop, any other dtype (integers, float16) by the NumPy twin."""
    array = np.asarray(array)
    if array.dtype not in FLOAT_DTYPES:
        return all_finite_reference(array)
    return _non_finite_count(array.reshape(-1)) == 0


all_finite = dispatch(all_finite_reference, all_finite_numba)
