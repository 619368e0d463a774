"""Shape and dtype checks at the kernels' entries, shared by both twins.

A jitted loop does not check its indices (Numba compiles without bounds checks): given a
weight of the wrong shape it reads, or writes, past the end of an array, and returns
garbage or corrupts memory. So each kernel compares what it is given with the shapes its
loops will index, before either twin runs, and names the array that does not fit.

The recurrent kernels keep their states in arrays of their input's dtype: an input of
integers (a one-hot ``np.eye(n, dtype=int)``) gave integer states, every value truncated
to zero. So they take arrays of one float dtype, float32 or float64, and name any other.
"""
import numpy as np

FLOAT_DTYPES = frozenset({np.dtype(np.float32), np.dtype(np.float64)})


def require_shape(name, array, shape):
    """``array`` when its shape is ``shape``; else a ValueError naming ``name``."""
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
    return array


def require_one_float_dtype(names, arrays):
    """The one dtype of ``arrays`` (a sequence), float32 or float64; else a TypeError naming
    the array (``names``, read only then) that is no NumPy array, or of another dtype."""
    try:                                  # the common case, first: one dtype, by identity
        dtype = arrays[0].dtype
        if dtype in FLOAT_DTYPES:
            for array in arrays:
                if array.dtype is not dtype and array.dtype != dtype:
                    break
            else:
                return dtype
    except AttributeError:                # no array: named below
        dtype = None
    for name, array in zip(names, arrays):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"{name} must be a NumPy array; got {type(array).__name__}")
    first = list(names)[0]
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"{first} must be float32 or float64 (the loops keep their states in "
                        f"its dtype); got {dtype}")
    for name, array in zip(names, arrays):
        if array.dtype != dtype:
            raise TypeError(f"{name} has dtype {array.dtype} where {first} has {dtype}: give "
                            "every array one dtype, float32 or float64")


def require_given_float_dtype_and_rank(x, named_arrays):
    """Every given array of ``named_arrays`` (``(name, array or None)`` pairs, None: not
    given) of one float dtype (``require_one_float_dtype``), and x ``(B, T, I)``; else an
    error naming the array."""
    given = [(name, array) for name, array in named_arrays if array is not None]
    require_one_float_dtype([name for name, _ in given], [array for _, array in given])
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, steps, features); got {x.shape}")


def require_given_shapes(named_shapes):
    """``require_shapes`` for each given array of ``named_shapes`` (``(name, array or None,
    shape)``; None: not given)."""
    given = [entry for entry in named_shapes if entry[1] is not None]
    require_shapes([name for name, _, _ in given], [array for _, array, _ in given],
                   [shape for _, _, shape in given])


def require_shapes(names, arrays, shapes):
    """``require_shape`` for each of ``arrays`` (a sequence, e.g. a weights named tuple),
    against ``shapes`` (a sequence) in the same order: one comparison when all fit, and
    ``names`` (any iterable) read only when one does not."""
    if [array.shape for array in arrays] != list(shapes):
        for name, array, shape in zip(names, arrays, shapes):
            require_shape(name, array, shape)
