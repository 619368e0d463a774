r"""Accuracy, the share of predictions that name their target's class: two twins.

Over the N rows of a prediction ``p (..., C)`` and its target ``y`` (every axis but the
last: samples, and timesteps for a sequence), as Keras averages it::

    C > 1 (categorical)   hits = Σ_n [argmax p_n = argmax y_n]
    C = 1 (binary)        hits = Σ_n [(p_n > ½) = (y_n > ½)]
    accuracy = hits / N

With ``binary=True`` every value is a binary prediction of its own, whatever C (Keras's
``binary_accuracy``, for a sigmoid over several labels): the binary count over the N·C
values, as rows of one.

argmax is NumPy's: the first of equal largest values, and the first NaN where there is one,
so both twins count the same hits. The NumPy twin makes two argmax passes, a comparison and
a count; the Numba twin one loop. At the tutorials' sizes (the echo tutorial's one sample of
(5, 50)) it was the NumPy calls that took the time: about 18 µs a training step in the echo
recipe, where they run after the step's megabytes of weights have passed through the caches.
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit


def _as_rows(y_true, y_pred, binary=False):
    """Both as ``(N, C)`` arrays, checked to have one shape: accuracy never broadcasts a
    target against a prediction (with ``binary``, ``(N·C, 1)``)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true must have y_pred's shape {y_pred.shape}; got {y_true.shape}")
    if y_pred.ndim == 0:
        raise ValueError("y_pred must have a last axis of classes; got a scalar")
    classes = 1 if binary else y_pred.shape[-1]
    return y_true.reshape(-1, classes), y_pred.reshape(-1, classes)      # (N, C) each


def accuracy_reference(y_true, y_pred, binary=False):
    """The share of rows whose predicted class is the target's (module docstring)."""
    y_true, y_pred = _as_rows(y_true, y_pred, binary)
    if y_pred.shape[1] == 1:
        hits = (y_pred > 0.5) == (y_true > 0.5)                           # (N, 1)
    else:
        hits = y_true.argmax(axis=1) == y_pred.argmax(axis=1)             # (N,)
    return int(np.count_nonzero(hits)) / y_pred.shape[0]


@kernel_jit()
def _first_largest(row):
    """NumPy's argmax of a (C,) row: the first largest value, or the first NaN."""
    best = 0
    for j in range(1, row.shape[0]):
        if row[best] != row[best]:                                        # a NaN: the largest
            return best
        if row[j] > row[best] or row[j] != row[j]:
            best = j
    return best


@kernel_jit()
def _hits(y_true, y_pred):
    """The number of rows of ``y_pred`` (N, C) whose class is that of ``y_true``'s row."""
    rows, classes = y_pred.shape
    hits = 0
    for n in range(rows):
        if classes == 1:
            hits += (y_pred[n, 0] > 0.5) == (y_true[n, 0] > 0.5)
        else:
            hits += _first_largest(y_pred[n]) == _first_largest(y_true[n])
    return hits


def accuracy_numba(y_true, y_pred, binary=False):
    """Same contract as ``accuracy_reference``, in one jitted loop."""
    y_true, y_pred = _as_rows(y_true, y_pred, binary)
    return _hits(y_true, y_pred) / y_pred.shape[0]


accuracy = dispatch(accuracy_reference, accuracy_numba)
