r"""Binary cross-entropy fused with the sigmoid, from the logits: two twins.

Over the N values z of the logits (every class of every sample and timestep: Keras's
reduction, the mean over the last axis and then over every other, is the mean over all N
values) and their targets y, with p = σ(z)::

    L      = -1/N Σ [ y log p + (1 - y) log(1 - p) ]
           =  1/N Σ [ max(z, 0) - z y + log(1 + e^{-|z|}) ]      no overflow, no log 0
    dL/dz  = (σ(z) - y) / N

The second form of L is the first with log σ(z) = -log(1 + e^{-z}) written for either sign
of z, so that neither e^{-z} overflows nor p rounds to 0 or 1 under the logarithm. Each twin
returns ``(L, dL/dz)``, as a training step needs both; the NumPy twin makes a few array
passes, the Numba twin one loop. σ is (1 + tanh(z/2)) / 2 in both (libm's tanh in the loop,
in float32 and float64 alike), and L is accumulated in float64.

The logits are float32 or float64, the dtype of the gradient; the targets, of the logits'
shape, may be of any real type (0/1 labels, or probabilities for soft targets).
"""
import numpy as np

from .backend import dispatch
from .jitting import kernel_jit
from .reference_math import sigmoid
from .shapes import require_one_float_dtype


def _check(y_true, logits):
    require_one_float_dtype(("logits",), (logits,))
    if y_true.shape != logits.shape:
        raise ValueError(f"y_true must have the logits' shape {logits.shape}; "
                         f"got {y_true.shape}")


# ---------------------------------------------------------------- NumPy twin

def _per_value(y_true, logits):
    """max(z, 0) - z y + log(1 + e^{-|z|}) for each value."""
    return np.maximum(logits, 0.0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))


def binary_crossentropy_per_row(y_true, logits):
    """The binary cross-entropy of each row (the mean over its last axis), whose mean is L:
    what a sample weight weighs (NumPy, for weighted training only)."""
    _check(y_true, logits)
    return _per_value(y_true, logits).mean(axis=-1)                     # (...)


def binary_crossentropy_from_logits_reference(y_true, logits):
    """``(L, dL/dz)``: the mean binary cross-entropy of σ(z) against ``y_true``, and its
    gradient with respect to the logits."""
    _check(y_true, logits)
    count = logits.size
    value = float(_per_value(y_true, logits).sum(dtype=np.float64) / count)
    gradient = (sigmoid(logits) - y_true) / count                        # (...)
    return value, gradient.astype(logits.dtype, copy=False)


# ---------------------------------------------------------------- Numba twin

@kernel_jit()
def _binary_crossentropy_values(y_true, logits, gradient):
    """The loss over the 1-D ``logits``; ``gradient`` receives dL/dz."""
    count = logits.shape[0]
    total = 0.0
    for i in range(count):
        z, y = logits[i], y_true[i]
        total += max(z, 0.0) - z * y + np.log1p(np.exp(-abs(z)))
        gradient[i] = (0.5 * (1.0 + np.tanh(0.5 * z)) - y) / count
    return total / count


def binary_crossentropy_from_logits_numba(y_true, logits):
    """Same contract as ``binary_crossentropy_from_logits_reference``, in one jitted loop."""
    _check(y_true, logits)
    gradient = np.empty(logits.shape, logits.dtype)                      # (...)
    value = _binary_crossentropy_values(
        np.ascontiguousarray(y_true, dtype=logits.dtype).reshape(-1),
        np.ascontiguousarray(logits).reshape(-1), gradient.reshape(-1))
    return float(value), gradient


binary_crossentropy_from_logits = dispatch(binary_crossentropy_from_logits_reference,
                                           binary_crossentropy_from_logits_numba)
