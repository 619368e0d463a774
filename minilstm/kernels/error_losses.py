r"""Losses of the error alone, with their gradients: two twins each.

Over the N values of a prediction ``p`` and its target ``y`` (Keras's reduction, the mean
over the last axis and then over every other, is the mean over all N values), with the
error e = p - y::

    mean squared error     L = 1/N Σ e²       dL/dp = 2 e / N
    mean absolute error    L = 1/N Σ |e|      dL/dp = sign(e) / N
    huber (δ > 0)          L = 1/N Σ h(e)     dL/dp = clip(e, -δ, δ) / N
                           h(e) = ½ e² where |e| <= δ, else δ (|e| - ½ δ)
    log_cosh               L = 1/N Σ log cosh(e)     dL/dp = tanh(e) / N
                           log cosh(e) = |e| + log(1 + e^{-2|e|}) - log 2 for |e| >= 1,
                           which does not overflow for large |e| (Keras's x + softplus(-2x)
                           - log 2), and log(1 + 2 sinh²(e/2)) below, which keeps the
                           digits that the first form loses to cancellation near e = 0

Each returns ``(L, dL/dp)``, as a training step needs both. The NumPy twin forms e once and
makes three more array passes; the Numba twin makes one loop. At the tutorials' batch of
10 samples the arithmetic is a few dozen values, and what took the time was the NumPy calls
(inside the damped-sine recipe about 20 µs a step for the mean absolute error, right after
the LSTM time loops; see ``kernels/dense.py``).

The Numba twin adds up L in float64, the NumPy twin in the prediction's dtype: the values
agree to that dtype's rounding. The gradients of the first three are equal: each value is
one correctly rounded operation on e either way (a float64 quotient rounded to float32
rounds as a float32 quotient does; δ is taken in the prediction's dtype by both); log_cosh's
tanh(e) / N is taken in float64 by both, NumPy's tanh in one twin and the C library's in
the other, which agree to a few units in the last place of float64 (NumPy's vectorised
tanh is within 4 of them), and so in float32 to the last bit but where the float64 values
straddle a float32 rounding. NaN propagates into all of them.
"""
import math

import numpy as np

from .backend import dispatch
from .fast_math import like
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


def huber_reference(y_true, y_pred, delta=1.0):
    """``(L, dL/dp)`` of L = 1/N Σ h(p - y), Huber's loss with threshold ``delta``."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    error = y_pred - y_true                                              # (...)
    delta = y_pred.dtype.type(delta)
    return (float(huber_values(error, delta).sum()) / error.size,
            np.clip(error, -delta, delta) / error.size)


def log_cosh_reference(y_true, y_pred):
    """``(L, dL/dp)`` of L = 1/N Σ log cosh(p - y)."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    error = y_pred - y_true                                              # (...)
    slope = np.tanh(error.astype(np.float64)) / error.size              # (...) float64
    return float(log_cosh_values(error).sum()) / error.size, slope.astype(error.dtype)


def huber_values(error, delta):
    """h(e) of the module docstring, for each value: ½ q² + δ (|e| - q), q = min(|e|, δ)."""
    size = np.abs(error)
    inside = np.minimum(size, delta)
    return 0.5 * inside * inside + delta * (size - inside)


def log_cosh_values(error):
    """log cosh(e) for each value, by the form of the module docstring that fits |e|."""
    size = np.abs(error)
    half = np.sinh(0.5 * np.minimum(size, 1.0))                          # sinh(|e|/2) below 1
    return np.where(size < 1.0, np.log1p(2.0 * half * half),
                    size + np.log1p(np.exp(-2.0 * size)) - math.log(2.0))


def error_per_row(y_true, y_pred, values):
    """mean_k values(e) for each row (every axis but the last), ``values`` the loss's of
    each error (``np.square``, ``np.abs``, ``huber_values``...), whose mean is L: what a
    sample weight weighs (NumPy, for weighted training only)."""
    y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    return values(y_pred - y_true).mean(axis=-1)


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


@kernel_jit()
def _huber(y_true, y_pred, gradient, delta):
    """1/N Σ h(e) over the 1-D arrays, ``gradient`` receiving clip(e, -δ, δ) / N (NaN for
    NaN), δ taken in the arrays' dtype."""
    count = y_pred.shape[0]
    delta = like(y_pred, delta)
    total = 0.0
    for i in range(count):
        error = y_pred[i] - y_true[i]
        size = abs(error)
        if size <= delta:
            total += 0.5 * size * size
        else:
            total += delta * (size - 0.5 * delta)                        # NaN here
        if error > delta:
            error = delta
        elif error < -delta:
            error = -delta
        gradient[i] = error / count
    return total / count


@kernel_jit()
def _log_cosh(y_true, y_pred, gradient):
    """1/N Σ log cosh(e) over the 1-D arrays, ``gradient`` receiving tanh(e) / N."""
    count = y_pred.shape[0]
    total = 0.0
    log_2 = math.log(2.0)
    for i in range(count):
        error = y_pred[i] - y_true[i]
        size = abs(error)
        if size < 1.0:
            half = math.sinh(0.5 * size)
            total += math.log1p(2.0 * half * half)
        else:
            total += size + math.log1p(math.exp(-2.0 * size)) - log_2   # NaN here
        gradient[i] = math.tanh(float(error)) / count                   # in float64
    return total / count


def _loop_takes(y_true, y_pred):
    """Whether the arrays go to the loop as they are: floating arrays of one dtype and
    shape, as a model hands them over. Checked by attribute: at a batch's size a NumPy
    call, such as a conversion, costs more than the loop."""
    return (type(y_true) is np.ndarray and type(y_pred) is np.ndarray
            and y_pred.dtype.kind == "f" and y_true.dtype == y_pred.dtype
            and y_true.shape == y_pred.shape)


def _by_loop(y_true, y_pred, loop, *options):
    """``(L, dL/dp)`` from the jitted ``loop(y_true, y_pred, gradient, *options)`` on the
    flattened arrays, converted first (``as_same_shape_arrays``) only where the loop cannot
    take them as they are. Flattened here, not inside the loop: ``ravel`` there took about
    0.35 s more to compile on an empty cache, for a microsecond a call saved."""
    if not _loop_takes(y_true, y_pred):
        y_true, y_pred = as_same_shape_arrays(y_true, y_pred)
    gradient = np.empty(y_pred.shape, y_pred.dtype)                      # (...)
    value = loop(y_true.reshape(-1), y_pred.reshape(-1), gradient.reshape(-1), *options)
    return float(value), gradient


def mean_squared_error_numba(y_true, y_pred):
    """Same contract as ``mean_squared_error_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, _mean_error, False)


def mean_absolute_error_numba(y_true, y_pred):
    """Same contract as ``mean_absolute_error_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, _mean_error, True)


def huber_numba(y_true, y_pred, delta=1.0):
    """Same contract as ``huber_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, _huber, float(delta))


def log_cosh_numba(y_true, y_pred):
    """Same contract as ``log_cosh_reference``, in one jitted loop."""
    return _by_loop(y_true, y_pred, _log_cosh)


mean_squared_error = dispatch(mean_squared_error_reference, mean_squared_error_numba)
mean_absolute_error = dispatch(mean_absolute_error_reference, mean_absolute_error_numba)
huber = dispatch(huber_reference, huber_numba)
log_cosh = dispatch(log_cosh_reference, log_cosh_numba)
