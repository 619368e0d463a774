r"""The mean squared and mean absolute errors with their gradients: two twins each.

Over the N values of a prediction ``p`` and its target ``y`` (Keras's reduction, the mean
over the last axis and then over every other, is the mean over all N values), with the
error e = p - y::

    mean squared error     L = 1/N Σ e²       dL/dp = 2 e / N
    mean absolute error    L = 1/N Σ |e|      dL/dp = sign(e) / N

Each returns ``(L, dL/dp)``, as a training step needs both. The NumPy twin forms e once and
makes three more array passes; the Numba twin makes one loop. At the tutorials' batch of
10 samples the arithmetic is a few dozen values, and what took the time was the NumPy calls
(inside the damped-sine recipe about 20 µs a step for the mean absolute error, right after
the LSTM time loops; see ``kernels/dense.py``).

The Numba twin adds up L in float64, the NumPy twin in the prediction's dtype: the values
agree to that dtype's rounding. The gradients are equal: each value is one correctly
rounded operation on e either way (a float64 quotient rounded to float32 rounds as a
float32 quotient does). NaN propagates into both.
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit


def as_same_shape_arrays(y_true, y_pred):
    """Both as arrays of the prediction's floating dtype (float64 for integers), checked
    to have one shape: a loss never broadcasts a target against a prediction."""
    y_pred = np.asarray(y_pred)
    y_pred = y_pred.astype(np.result_type(y_pred, np.float32), copy=False)
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true must have y_pred's shape {y_pred.shape}; got {y_true.shape}")
    return y_true, y_pred


# ---------------------------------------------------------------- NumPy twin

def mean_squared_error_reference(y_true, y_pred):
    """``(L, dL/dp)`` of L = 1/N Σ (p - y)²."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    error = y_pred - y_true                                              # (...)
    return float(np.vdot(error, error)) / error.size, 2.0 * error / error.size


def mean_absolute_error_reference(y_true, y_pred):
    """``(L, dL/dp)`` of L = 1/N Σ |p - y|."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    error = y_pred - y_true                                              # (...)
    return float(np.abs(error).sum()) / error.size, np.sign(error) / error.size


def error_per_row(y_true, y_pred, absolute):
    """mean_k e² (or mean_k |e|, ``absolute``) for each row (every axis but the last),
    whose mean is L: what a sample weight weighs (NumPy, for weighted training only)."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    error = y_pred - y_true                                              # (...)
    return (np.abs(error) if absolute else np.square(error)).mean(axis=-1)


# ---------------------------------------------------------------- Numba twin

@kernel_jit()
def _mean_error(y_true, y_pred, gradient, absolute):
    """1/N Σ e² over the 1-D arrays, ``gradient`` receiving 2 e / N; with ``absolute``,
    1/N Σ |e| and sign(e) / N (NaN for NaN). One loop for both losses, so one compilation
    (the flag's test is taken out of the loop by the compiler)."""
    count = y_pred.shape[0]
    total = 0.0
    for i in range(count):
        error = y_pred[i] - y_true[i]
        if not absolute:
            total += error * error
            gradient[i] = 2.0 * error / count
            continue
        total += abs(error)
        if error > 0:
            sign = 1.0
        elif error < 0:
            sign = -1.0
        elif error == 0:
            sign = 0.0
        else:
            sign = error                                                 # NaN
        gradient[i] = sign / count
    return total / count


def _loop_takes(y_true, y_pred):
    """Whether the arrays go to the loop as they are: floating arrays of one dtype and
    shape, as a model hands them over. Checked by attribute: at a batch's size a NumPy
    call, such as a conversion, costs more than the loop."""
    return (type(y_true) is np.ndarray and type(y_pred) is np.ndarray
            and y_pred.dtype.kind == "f" and y_true.dtype == y_pred.dtype
            and y_true.shape == y_pred.shape)


def _by_loop(y_true, y_pred, absolute):
    """``(L, dL/dp)`` from ``_mean_error`` on the flattened arrays, converted first
    (``as_same_shape_arrays``) only where the loop cannot take them as they are. Flattened here, not
    inside the loop: ``ravel`` there took about 0.35 s more to compile on an empty cache,
    for a microsecond a call saved."""
    if not _loop_takes(y_true, y_pred):
        y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    gradient = np.empty(y_pred.shape, y_pred.dtype)                      # (...)
    value = _mean_error(y_true.reshape(-1), y_pred.reshape(-1), gradient.reshape(-1), absolute)
    return float(value), gradient


def mean_squared_error_numba(y_true, y_pred):
    """Same contract as ``mean_squared_error_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, absolute=False)


def mean_absolute_error_numba(y_true, y_pred):
    """Same contract as ``mean_absolute_error_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, absolute=True)


mean_squared_error = dispatch(mean_squared_error_reference, mean_squared_error_numba)
mean_absolute_error = dispatch(mean_absolute_error_reference, mean_absolute_error_numba)
