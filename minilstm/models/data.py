"""Checks on the data given to ``fit``/``evaluate``/``predict``, and batching.

Every check raises an error that names the argument, what was expected and
what arrived, before any array reaches a kernel.
"""
from collections.abc import Iterator

import numpy as np

from ..checks import is_int_at_least, is_real_number, require_finite
from ..kernels.finite import all_finite
from ..layers.base import describe_shape


def as_arrays(data, argument, dtype, count=1, role=None):
    """``count`` finite float arrays of ``dtype``, as a list, from ``data``.

    One array is given as an array, as anything ``np.asarray`` takes (nested lists of
    numbers, of one sample too), or as a list holding one array; several as a list or
    tuple of that many. Else a ValueError says what ``argument`` held, and why that many
    for the model's ``role='input'`` or ``'output'``.
    """
    if not isinstance(data, (list, tuple)):
        if count == 1:                                  # the common case, first
            return [_as_array(data, argument, dtype)]
        items = [data]
    elif count == 1 and not all(isinstance(item, np.ndarray) for item in data):
        items = [data]                                  # nested lists of numbers
    else:
        items = data
    if len(items) != count:
        wanted = "one array" if count == 1 else f"a list of {count} arrays"
        given = "one array" if items is not data else \
            f"a {type(data).__name__} of {len(data)} array{'s' if len(data) != 1 else ''}"
        why = {None: "", "output": " (the model has one output)",
               "input": f" (the model takes {count} input array{'s' if count > 1 else ''})"}
        raise ValueError(f"{argument} must be {wanted}{why[role]}; got {given}")
    return [_as_array(item, argument if count == 1 else f"{argument}[{index}]", dtype)
            for index, item in enumerate(items)]


def _as_array(item, label, dtype):
    """``item`` as a C-contiguous array of ``dtype``, with at least one sample, all finite."""
    if item is None:
        raise TypeError(f"{label} must be an array; got None")
    if isinstance(item, np.ndarray) and item.dtype.kind == "c":   # not cast: NumPy drops .imag
        raise TypeError(f"{label} must be a real array; got {item.dtype}")
    try:
        array = np.ascontiguousarray(item, dtype=dtype)
    except (TypeError, ValueError) as error:
        if isinstance(item, (dict, Iterator)):
            raise TypeError(f"{label} must be a numeric array; got a {type(item).__name__}: "
                            "Keras takes dicts of arrays by name, generators and datasets, "
                            "minilstm arrays (or nested lists) alone") from None
        raise TypeError(f"{label} must be a numeric array; {error}") from None
    if array.ndim == 0:
        raise ValueError(f"{label} must have a batch axis; got a scalar")
    if array.shape[0] == 0:
        raise ValueError(f"{label} holds no samples (shape {array.shape})")
    if not all_finite(array):
        require_finite(array, label)
    return array


def check_same_samples(xs, y=None):
    """The input arrays ``xs``, and the targets ``y`` when given, must have the same number
    of samples; the error names each array's count. (The names are made only then: at a
    call of ``fit`` on one sample, as the echo tutorial trains, making them every call cost
    a few microseconds.)"""
    arrays = xs if y is None else [*xs, y]
    size = arrays[0].shape[0]
    for array in arrays:
        if array.shape[0] != size:
            names = ["x"] if len(xs) == 1 else [f"x[{i}]" for i in range(len(xs))]
            listing = ", ".join(f"{name}: {array.shape[0]}"
                                for name, array in zip(names + ["y"], arrays))
            raise ValueError(f"x and y must have the same number of samples; got {listing}")
    return size


def check_input_shapes(xs, input_shapes):
    """Each input array must match the model's input shape for it on every axis the model
    fixes between the batch and the features (``None`` matches any size), as Keras checks
    a model built for a shape: the model's output shape, which ``y`` must match, follows
    from those sizes (a model built for 3 steps refuses 4). The rank and the features are
    the first layer's checks, whose errors name the layer."""
    for index, (x, shape) in enumerate(zip(xs, input_shapes)):
        if x.shape[1:] == shape[1:] or x.ndim != len(shape):
            continue
        if any(e is not None and e != a for e, a in zip(shape[1:-1], x.shape[1:-1])):
            label = "x" if len(xs) == 1 else f"x[{index}]"
            raise ValueError(
                f"{label} must match the model's input shape {describe_shape(shape)}; "
                f"got shape {x.shape}"
            )


def check_target_shape(y, output_shape, target_shape=None):
    """``y`` must match the model's output shape (``None`` matches any size), or the loss's
    ``target_shape`` for it where that differs (the class indices of the sparse
    cross-entropy, ``(None, T, 1)`` for ``(None, T, K)``).

    As in Keras, targets ``(n,)`` for a shape ``(None, 1)`` are taken as ``(n, 1)``.
    Returns ``y``, so reshaped where needed.
    """
    expected = output_shape if target_shape is None else target_shape
    if y.shape[1:] == expected[1:]:
        return y
    if y.ndim == len(expected) - 1 and expected[-1] == 1:
        y = y[..., None]
    if y.ndim != len(expected) or any(
            e is not None and e != a for e, a in zip(expected[1:], y.shape[1:])):
        what = (f"match the model's output shape {describe_shape(output_shape)}"
                if expected == output_shape else
                f"hold a class index for each row of the model's output "
                f"{describe_shape(output_shape)}: shape {describe_shape(expected[:-1])} or "
                f"{describe_shape(expected)}")
        raise ValueError(f"y must {what}; got shape {y.shape}")
    return y


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if not is_int_at_least(batch_size, 1):
        raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}")
    return int(batch_size)


def batches(n_samples, batch_size, order=None):
    """The samples of each batch (the last may be smaller): slices of consecutive
    samples, which take views of the data, or index arrays cut from the permutation
    ``order``."""
    if order is None:
        if n_samples <= batch_size:                     # one batch: the common call
            return [slice(0, n_samples)]
        return [slice(start, start + batch_size) for start in range(0, n_samples, batch_size)]
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def check_shuffle(shuffle):
    """``shuffle`` as ``True``, ``False`` or ``'batch'``; a ValueError naming it otherwise
    (a string such as ``'no'`` would be true, and shuffle)."""
    if shuffle is True or shuffle is False or isinstance(shuffle, np.bool_):
        return bool(shuffle)
    if isinstance(shuffle, str) and shuffle == "batch":
        return shuffle
    raise ValueError(f"shuffle must be True, False or 'batch'; got {shuffle!r}")


def epoch_batches(n_samples, batch_size, shuffle, rng):
    """One epoch's batches, as ``batches`` gives them, for a checked ``shuffle``.

    ``True``: the samples in a new random order, drawn from ``rng``. ``'batch'`` (Keras
    2's option for data read in chunks): the batches of consecutive samples, each a view,
    visited in a random order, the smaller last one still last. ``False``: in order.
    Nothing is drawn from ``rng`` where there is nothing to reorder.
    """
    if n_samples == 1 or not shuffle:
        return batches(n_samples, batch_size)
    if shuffle is True:
        return batches(n_samples, batch_size, rng.permutation(n_samples))
    in_order = batches(n_samples, batch_size)
    full = n_samples // batch_size                      # the batches of batch_size samples
    if full < 2:
        return in_order
    return [in_order[number] for number in rng.permutation(full)] + in_order[full:]


def take(arrays, index):
    """The samples ``index`` of each array: views for a slice, copies for an index array,
    gathered by ``ndarray.take``, which took about a third of the time of ``array[index]``
    on the sine tutorial's batches of 10 (1.0 against 2.6 µs, ad hoc)."""
    if isinstance(index, slice):
        return [array[index] for array in arrays]
    return [array.take(index, axis=0) for array in arrays]


def split_validation(xs, y, weights, validation_split):
    """Keras's rule: the *last* fraction of the samples, before any shuffling. Returns the
    training inputs, targets and weights (None if ``weights`` is), then the held-out
    ones."""
    if not is_real_number(validation_split) or not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1); got {validation_split!r}")
    n_samples = y.shape[0]
    n_train = int(n_samples * (1.0 - validation_split))
    if n_train < 1 or n_train == n_samples:
        raise ValueError(
            f"validation_split={validation_split} leaves no samples on one side of "
            f"the split of {n_samples} samples"
        )
    split_weights = (None, None) if weights is None else (weights[:n_train],
                                                          weights[n_train:])
    return ([x[:n_train] for x in xs], y[:n_train], split_weights[0],
            [x[n_train:] for x in xs], y[n_train:], split_weights[1])


def row_weights(y, sample_weight=None, class_weight=None, classes=None):
    """One weight per row of the checked targets ``y`` (every axis but the last: a sample,
    or a step of a sequence), of ``y``'s dtype, as Keras weighs a loss: ``sample_weight``,
    one a sample ``(n,)`` (for each of its rows) or one a row ``(n, T)``, times
    ``class_weight[c]`` for the class c of the row, ``classes`` (the loss's
    ``row_classes``: the argmax, 0 or 1 for one output, or the class index of the sparse
    cross-entropy). A ValueError names a weight that is no finite number >= 0, a shape
    that is neither, or a class of ``y`` that ``class_weight`` gives no weight."""
    rows = y.shape[:-1]
    weights = np.ones(rows, y.dtype)                                     # (n, ...)
    if sample_weight is not None:
        given = _weights_array(sample_weight, "sample_weight")
        if given.shape == rows[:1]:
            given = given.reshape(rows[:1] + (1,) * (len(rows) - 1))     # each row of a sample
        elif given.shape != rows:
            per_row = f" or {rows} (a weight a row of y)" if len(rows) > 1 else ""
            raise ValueError(f"sample_weight must have shape {rows[:1]} (a weight a sample)"
                             f"{per_row}; got {given.shape}")
        weights = weights * given
    if class_weight is not None:
        weights = weights * _class_row_weights(class_weight, classes)
    return weights.astype(y.dtype, copy=False)


def _weights_array(weights, label):
    """``weights`` as a float64 array of finite numbers >= 0, or an error naming ``label``."""
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{label} must be an array of numbers; {error}") from None
    flat = array.reshape(-1)
    valid = np.isfinite(flat) & (flat >= 0)
    if not valid.all():
        raise ValueError(f"{label} must hold finite numbers >= 0; got "
                         f"{flat[np.argmin(valid)].item()!r}")
    return array


def _class_row_weights(class_weight, classes):
    """``class_weight[c]`` for the class c of each row (``row_weights``)."""
    if not isinstance(class_weight, dict) or not class_weight or not all(
            is_int_at_least(key, 0) for key in class_weight):
        raise ValueError(f"class_weight must be a dict of a weight per class, such as "
                         f"{{0: 1.0, 1: 5.0}}; got {class_weight!r:.80}")
    table = np.full(max(class_weight) + 1, np.nan)
    table[list(class_weight)] = _weights_array(list(class_weight.values()), "class_weight")
    missing = [int(c) for c in np.unique(classes) if c >= table.size or np.isnan(table[c])]
    if missing:
        raise ValueError(f"class_weight gives no weight for class {missing[0]}, which y holds; "
                         f"it gives one for {sorted(class_weight)}")
    return table[classes]
