r"""Whether an array holds only finite numbers (no NaN, no ±inf): two twins.

``fit``, ``evaluate`` and ``predict`` check their data with it before any of it reaches a
kernel, so that a NaN in the data is named rather than trained on. Over the values v of
the array::

    finite = ∀ v: v - v = 0        (inf - inf and NaN - NaN are NaN, never 0)

The NumPy twin is ``np.isfinite(a).all()``. The Numba twin counts, in one loop, the values
whose v - v is not 0: a comparison and an addition a value, with no sum of the values that
could overflow. At the tutorials' sizes it is the call that costs, not the loop: the echo
recipe checks a pair of (1, 5, 50) arrays at every training step, just after the step
before has passed its megabytes of weights through the caches. There the NumPy reduction
that checked them before took 2.6 µs for the first array against 1.1 µs for the same
reduction repeated at once; the jitted call takes the path every kernel call keeps warm,
and made the echo-baseline step 2.6–4.6 µs shorter (benchmarks/README.md, "What made it
fast").
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit
from .shapes import FLOAT_DTYPES


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
