"""Keras's two data helpers that LSTM tutorials call most: ``to_categorical`` (class
indices to one-hot rows) and ``pad_sequences`` (sequences of several lengths to one array).

    to_categorical([2, 0], num_classes=3)            # [[0, 0, 1], [1, 0, 0]]
    pad_sequences([[1, 2], [3]], maxlen=3)            # [[0, 1, 2], [0, 0, 3]]
"""
import numpy as np

from .checks import first_non_index, is_int_at_least, is_real_number

_SIDES = ("pre", "post")


def to_categorical(x, num_classes=None, dtype="float32"):
    """One-hot rows ``(..., num_classes)`` for the class indices ``x`` (a trailing axis of 1
    is dropped first, as Keras drops it); ``num_classes`` defaults to ``max(x) + 1``. An
    index that is no integer in [0, num_classes) is refused by name (NumPy would have read
    -1 as the last class)."""
    x = np.asarray(x)
    if x.dtype.kind not in "iuf":
        raise ValueError(f"x must hold class indices, integers; got dtype {x.dtype}")
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x[..., 0]
    if num_classes is None:
        num_classes = int(np.max(x, initial=-1)) + 1
        if num_classes < 1:
            raise ValueError("x holds no class index to count the classes by: give "
                             "num_classes")
    elif not is_int_at_least(num_classes, 1):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}")
    bad = first_non_index(x, num_classes)
    if bad is not None:
        raise ValueError(f"x must hold class indices, integers in [0, {num_classes}); got "
                         f"{bad!r}")
    return one_hot(x, num_classes, dtype)


def one_hot(indices, classes, dtype):
    """The one-hot rows ``(..., classes)`` of checked class indices ``(...)``."""
    rows = np.zeros(np.shape(indices) + (classes,), dtype)              # (..., K)
    np.put_along_axis(rows, np.asarray(indices).astype(np.intp)[..., None], 1, axis=-1)
    return rows


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """The sequences as one array ``(n, maxlen, ...)``, as Keras's: each shorter one padded
    with ``value`` before (``padding='pre'``) or after (``'post'``) its steps, each longer
    one cut at its start (``truncating='pre'``) or end (``'post'``); ``maxlen`` defaults to
    the longest. The steps may be numbers or arrays of one shape (``(n, maxlen, F)``)."""
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in _SIDES:
            raise ValueError(f"{name} must be 'pre' or 'post'; got {side!r}")
    if maxlen is not None and not is_int_at_least(maxlen, 1):
        raise ValueError(f"maxlen must be a positive integer or None; got {maxlen!r}")
    if not is_real_number(value):
        raise ValueError(f"value must be a number; got {value!r}")
    try:
        arrays = [np.asarray(sequence, dtype=dtype) for sequence in sequences]
    except (TypeError, ValueError) as error:
        raise ValueError(f"sequences must be sequences of numbers (or of arrays of one "
                         f"shape); {error}") from None
    step_shapes = {array.shape[1:] for array in arrays if array.size}
    if any(array.ndim == 0 for array in arrays) or len(step_shapes) > 1:
        raise ValueError(f"each sequence must be a sequence of steps of one shape; got steps "
                         f"of shapes {sorted(step_shapes)}" if step_shapes else
                         "each sequence must be a sequence, not a number")
    step_shape = step_shapes.pop() if step_shapes else ()
    length = maxlen or max((len(array) for array in arrays), default=0)
    padded = np.full((len(arrays), length) + step_shape, value, dtype)    # (n, maxlen, ...)
    for row, array in zip(padded, arrays):
        kept = array[-length:] if truncating == "pre" else array[:length]
        if not len(kept):
            continue
        if padding == "pre":
            row[length - len(kept):] = kept
        else:
            row[:len(kept)] = kept
    return padded
