"""The NumPy functions the reference twins share, written as the equations read."""
import numpy as np


def sigmoid(x):
    """1 / (1 + e^{-x}), evaluated as (1 + tanh(x/2)) / 2: the same number, no overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(x):
    """Softmax over the last axis, shifted by the maximum for stability."""
    exp = np.exp(x - x.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def where_read(reads, t, value, otherwise):
    """``value`` for the sequences that read step t, ``otherwise`` for those that do not
    (``reads (B, T)`` booleans; None: every sequence reads every step): a step mask's
    carry, forwards the state, backwards the gradient."""
    return value if reads is None else np.where(reads[:, t, None], value, otherwise)
