"""Checks on the data given to ``fit``/``evaluate``/``predict``, and batching.

Every check raises an error that names the argument, what was expected and
what arrived, before any array reaches a kernel.
"""
import math

import numpy as np

from ..layers.base import describe_shape


def as_arrays(data, argument, dtype):
    """A list of finite float arrays of ``dtype`` from one array or a list of them."""
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    arrays = []
    for index, item in enumerate(items):
        label = argument if len(items) == 1 else f"{argument}[{index}]"
        if item is None:
            raise TypeError(f"{label} must be an array; got None")
        try:
            array = np.ascontiguousarray(item, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{label} must be a numeric array; {error}") from None
        if array.ndim == 0:
            raise ValueError(f"{label} must have a batch axis; got a scalar")
        if array.shape[0] == 0:
            raise ValueError(f"{label} holds no samples (shape {array.shape})")
        if not math.isfinite(np.add.reduce(array, axis=None)):
            _check_finite(array, label)   # a NaN or inf anywhere makes the sum non-finite
        arrays.append(array)
    return arrays


def _check_finite(array, label):
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{label} contains {int(bad.sum())} non-finite values (NaN or inf); "
            f"the first at index {first}"
        )


def check_same_samples(named_arrays):
    """All arrays must have the same batch size; name them when they differ."""
    sizes = {name: array.shape[0] for name, array in named_arrays}
    if len(set(sizes.values())) > 1:
        listing = ", ".join(f"{name}: {size}" for name, size in sizes.items())
        raise ValueError(f"x and y must have the same number of samples; got {listing}")
    return next(iter(sizes.values()))


def check_target_shape(y, output_shape):
    """``y`` must match the model's output shape (``None`` matches any size).

    As in Keras, targets ``(n,)`` for an output ``(None, 1)`` are taken as ``(n, 1)``.
    Returns ``y``, so reshaped where needed.
    """
    expected = tuple(output_shape)
    if y.ndim == len(expected) - 1 and expected[-1] == 1:
        y = y[..., None]
    matches = y.ndim == len(expected) and all(
        e is None or e == a for e, a in zip(expected[1:], y.shape[1:]))
    if not matches:
        raise ValueError(
            f"y must match the model's output shape {describe_shape(expected)}; "
            f"got shape {y.shape}"
        )
    return y


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}")
    return int(batch_size)


def batches(n_samples, batch_size, order=None):
    """The samples of each batch (the last may be smaller): slices of consecutive
    samples, which take views of the data, or index arrays cut from the permutation
    ``order``."""
    starts = range(0, n_samples, batch_size)
    if order is None:
        return [slice(start, start + batch_size) for start in starts]
    return [order[start:start + batch_size] for start in starts]


def take(arrays, index):
    return [array[index] for array in arrays]


def split_validation(xs, y, validation_split):
    """Keras's rule: the *last* fraction of the samples, before any shuffling."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1); got {validation_split!r}")
    n_samples = y.shape[0]
    n_train = int(n_samples * (1.0 - validation_split))
    if n_train < 1 or n_train == n_samples:
        raise ValueError(
            f"validation_split={validation_split} leaves no samples on one side of "
            f"the split of {n_samples} samples"
        )
    return ([x[:n_train] for x in xs], y[:n_train],
            [x[n_train:] for x in xs], y[n_train:])
