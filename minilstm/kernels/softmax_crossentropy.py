r"""Softmax over the last axis, and categorical cross-entropy fused with it: two twins each.

Over rows ``z`` of ``K`` logits (every sample and timestep is a row; ``M`` rows), with
``m = max_k z_k`` taken out for stability and targets ``y``::

    softmax          a_k = e^{z_k - m} / S           S = Σ_j e^{z_j - m}
    cross-entropy    L = 1/M Σ_rows [ (Σ_k y_k) log S - Σ_k y_k (z_k - m) ]
                       = -1/M Σ_rows Σ_k y_k log a_k
    its gradient     dL/dz_k = (a_k Σ_j y_j - y_k) / M

(for one-hot ``y``, Σ_j y_j = 1 and dL/dz = (a - y) / M). One pass of the Numba twin
computes both the loss and its gradient, where the NumPy twin makes a dozen array
passes, each of which costs more than its arithmetic at the tutorials' batch of 1 or 10.

Arrays of any rank: the last axis holds the classes. The logits are float32 or float64,
the dtype of what is returned (integer logits gave the Numba twin's softmax truncated to
integers, and both twins' gradients all zeros); the targets may be of any real type. The
loss is accumulated in float64.

Numba has no vectorised ``exp`` here (no SVML): its loop calls libm once per value, where
NumPy's float32 ``exp`` runs in SIMD. The Numba softmax therefore hands arrays of more than
``SOFTMAX_LOOP_MAX_SIZE`` values to the NumPy twin: measured on this project's machine, the
loop took 0.4–0.6x NumPy's time at 240–1,200 values and 1.2–1.6x at 10,000 and more (about
level at 2,500–5,000). The fused cross-entropy saves more passes than that costs: its loop
stays ahead at every size measured (0.45x NumPy's time at 77,000 and 192,000 values).
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit
from .shapes import require_one_float_dtype

SOFTMAX_LOOP_MAX_SIZE = 4096


def _check_logits(logits):
    require_one_float_dtype(("logits",), (logits,))


def _check_targets(y_true, logits):
    _check_logits(logits)
    if y_true.shape != logits.shape:
        raise ValueError(f"y_true must have the logits' shape {logits.shape}; "
                         f"got {y_true.shape}")


# ---------------------------------------------------------------- NumPy twin

def _shifted_exp_sum(logits):
    """z - max_k z, its exponential, and the sum of that over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)         # (..., K)
    exp = np.exp(shifted)                                         # (..., K)
    return shifted, exp, exp.sum(axis=-1, keepdims=True)          # ..., (..., 1)


def softmax_reference(logits):
    """a = softmax(z) over the last axis."""
    _check_logits(logits)
    _, exp, total = _shifted_exp_sum(logits)
    return exp / total                                            # (..., K)


def _per_row(y_true, y_sums, shifted, total):
    """(Σ_k y_k) log S - Σ_k y_k (z_k - m) for each row."""
    return (y_sums * np.log(total) - (y_true * shifted).sum(axis=-1, keepdims=True))[..., 0]


def crossentropy_per_row(y_true, logits):
    """The cross-entropy of each row (every axis but the last), whose mean is L: what a
    sample weight weighs (NumPy, for weighted training only)."""
    _check_targets(y_true, logits)
    shifted, _, total = _shifted_exp_sum(logits)
    return _per_row(y_true, y_true.sum(axis=-1, keepdims=True), shifted, total)   # (...)


def crossentropy_from_logits_reference(y_true, logits):
    """``(L, dL/dz)``: the mean cross-entropy of softmax(z) against ``y_true`` and its
    gradient with respect to the logits."""
    _check_targets(y_true, logits)
    rows = logits.size // logits.shape[-1]
    shifted, exp, total = _shifted_exp_sum(logits)                # (..., K), (..., K), (..., 1)
    y_sums = y_true.sum(axis=-1, keepdims=True)                   # (..., 1)
    value = float(_per_row(y_true, y_sums, shifted, total).sum() / rows)
    gradient = exp * (y_sums / (total * rows))                    # a Σ_j y_j / M
    gradient -= y_true / rows
    return value, gradient.astype(logits.dtype, copy=False)


# ---------------------------------------------------------------- Numba twin

@kernel_jit()
def _exp_of_shifted_row(row, out):
    """out = e^{row - max(row)}; returns the sum of out, and the maximum."""
    largest = row[0]
    for k in range(1, row.shape[0]):
        largest = max(largest, row[k])
    total = 0.0
    for k in range(row.shape[0]):
        out[k] = np.exp(row[k] - largest)
        total += out[k]
    return total, largest


@kernel_jit()
def _softmax_rows(logits, out):
    """out = softmax(logits) row by row; both (M, K)."""
    for r in range(logits.shape[0]):
        total, _ = _exp_of_shifted_row(logits[r], out[r])
        for k in range(out.shape[1]):
            out[r, k] = out[r, k] / total


@kernel_jit()
def _crossentropy_rows(y_true, logits, gradient):
    """The loss over the rows (M, K) of ``logits``; ``gradient`` (M, K) receives dL/dz."""
    rows = logits.shape[0]
    loss = 0.0
    for r in range(rows):
        total, largest = _exp_of_shifted_row(logits[r], gradient[r])
        y_sum, y_dot_shifted = 0.0, 0.0
        for k in range(logits.shape[1]):
            y_sum += y_true[r, k]
            y_dot_shifted += y_true[r, k] * (logits[r, k] - largest)
        loss += y_sum * np.log(total) - y_dot_shifted
        scale = y_sum / (total * rows)
        for k in range(logits.shape[1]):
            gradient[r, k] = gradient[r, k] * scale - y_true[r, k] / rows
    return loss / rows


def _rows(array):
    """The array as C-contiguous rows (M, K) of its last axis."""
    return np.ascontiguousarray(array).reshape(-1, array.shape[-1])


def softmax_numba(logits):
    """Same contract as ``softmax_reference``; jitted up to ``SOFTMAX_LOOP_MAX_SIZE``
    values, NumPy's beyond."""
    _check_logits(logits)
    if logits.size > SOFTMAX_LOOP_MAX_SIZE:
        return softmax_reference(logits)
    out = np.empty(logits.shape, logits.dtype)                    # (..., K)
    _softmax_rows(_rows(logits), out.reshape(-1, logits.shape[-1]))
    return out


def crossentropy_from_logits_numba(y_true, logits):
    """Same contract as ``crossentropy_from_logits_reference``, in one jitted pass."""
    _check_targets(y_true, logits)
    gradient = np.empty(logits.shape, logits.dtype)               # (..., K)
    value = _crossentropy_rows(_rows(y_true.astype(logits.dtype, copy=False)), _rows(logits),
                               gradient.reshape(-1, logits.shape[-1]))
    return float(value), gradient


softmax = dispatch(softmax_reference, softmax_numba)
crossentropy_from_logits = dispatch(crossentropy_from_logits_reference,
                                    crossentropy_from_logits_numba)
