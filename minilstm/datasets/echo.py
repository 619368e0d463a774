"""Echo of random integer sequences (tutorial 1).

A pair is ``n_in`` random integers in ``[0, cardinality - 1]`` and, as the target,
their first ``n_out`` followed by zeros to length ``n_in``::

    [12, 20, 36, 40, 12] -> [12, 20, 0, 0, 0]

Both one-hot encoded: ``X, y`` of shape ``(batch, n_in, cardinality)``.
"""
import numpy as np

from ..checks import positive_int
from ..seeding import as_generator


def generate_sequence(length, n_unique, seed=None):
    """``length`` random integers in ``[0, n_unique - 1]``, as an int array."""
    positive_int("length", length)
    positive_int("n_unique", n_unique)
    return as_generator(seed).integers(0, n_unique, size=length)


def one_hot_encode(sequence, n_unique):
    """Integers ``(..., length)`` -> one-hot float32 ``(..., length, n_unique)``."""
    positive_int("n_unique", n_unique)
    sequence = np.asarray(sequence)
    if not np.issubdtype(sequence.dtype, np.integer):
        raise TypeError(f"sequence must hold integers; got dtype {sequence.dtype}")
    if sequence.size and (sequence.min() < 0 or sequence.max() >= n_unique):
        raise ValueError(f"sequence values must be in [0, {n_unique - 1}]; got values from "
                         f"{sequence.min()} to {sequence.max()}")
    return _one_hot(sequence, n_unique)


def _one_hot(sequence, n_unique):
    """``one_hot_encode`` of integers already known to lie in ``[0, n_unique - 1]``."""
    encoded = np.zeros(sequence.shape + (n_unique,), dtype=np.float32)  # (..., length, n)
    rows = encoded.reshape(-1, n_unique)                                 # (size, n), a view
    rows[np.arange(sequence.size), sequence.reshape(-1)] = 1.0   # 4x faster than put_along_axis
    return encoded


def one_hot_decode(encoded):
    """One-hot (or probabilities) ``(..., length, n_unique)`` -> integers ``(..., length)``."""
    return np.asarray(encoded).argmax(axis=-1)


def get_pairs(n_pairs, n_in, n_out, cardinality, seed=None):
    """``n_pairs`` one-hot pairs ``X, y``, each ``(n_pairs, n_in, cardinality)``."""
    positive_int("n_pairs", n_pairs)
    positive_int("n_in", n_in)
    positive_int("n_out", n_out)
    positive_int("cardinality", cardinality)
    if n_out > n_in:
        raise ValueError(f"n_out must be at most n_in ({n_in}); got {n_out}")
    sequences = as_generator(seed).integers(0, cardinality, size=(n_pairs, n_in))
    both = np.zeros((2, n_pairs, n_in), dtype=sequences.dtype)   # inputs, targets
    both[0] = sequences
    both[1, :, :n_out] = sequences[:, :n_out]
    X, y = _one_hot(both, cardinality)      # one encoding for both: one call per pair saved
    return X, y


def get_pair(n_in, n_out, cardinality, seed=None):
    """One pair, as the tutorial's ``get_pair``: ``X, y`` of shape ``(1, n_in, cardinality)``."""
    return get_pairs(1, n_in, n_out, cardinality, seed)
