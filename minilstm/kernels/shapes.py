"""Shape checks at the kernels' entries, shared by both twins.

A jitted loop does not check its indices (Numba compiles without bounds checks): given a
weight of the wrong shape it reads, or writes, past the end of an array, and returns
garbage or corrupts memory. So each kernel compares what it is given with the shapes its
loops will index, before either twin runs, and names the array that does not fit.
"""


def require_shape(name, array, shape):
    """``array`` when its shape is ``shape``; else a ValueError naming ``name``."""
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
    return array


def require_shapes(names, arrays, shapes):
    """``require_shape`` for each of ``arrays`` (a sequence, e.g. a weights named tuple),
    against ``shapes`` (a sequence) in the same order: one comparison when all fit, and
    ``names`` (any iterable) read only when one does not."""
    if [array.shape for array in arrays] != list(shapes):
        for name, array, shape in zip(names, arrays, shapes):
            require_shape(name, array, shape)
