"""Learning addition (tutorial 2): sums of random integers as character sequences.

    random_sum_pairs(2, 2, 10)  -> X [[3, 10], [7, 1]], y [13, 8]
    to_string(X, y, 2, 10)      -> [' 3+10', '  7+1'], ['13', ' 8']

Terms are joined by '+' and left-padded with spaces to
``n_numbers * ceil(log10(largest + 1)) + n_numbers - 1`` characters; sums to
``ceil(log10(n_numbers * (largest + 1)))``. The alphabet is the digits, '+' and
' ' (12 symbols); strings are integer-encoded, then one-hot encoded.
"""
import math

import numpy as np

from ..checks import positive_int
from ..seeding import as_generator
from .echo import one_hot_encode as one_hot_of_integers

ALPHABET = tuple("0123456789+ ")


def input_length(n_numbers, largest):
    return n_numbers * math.ceil(math.log10(largest + 1)) + n_numbers - 1


def output_length(n_numbers, largest):
    return math.ceil(math.log10(n_numbers * (largest + 1)))


def random_sum_pairs(n_examples, n_numbers, largest, seed=None):
    """``X (n_examples, n_numbers)`` integers in ``[1, largest]`` and their sums ``y``."""
    for name, value in (("n_examples", n_examples), ("n_numbers", n_numbers),
                        ("largest", largest)):
        positive_int(name, value)
    X = as_generator(seed).integers(1, largest + 1, size=(n_examples, n_numbers))
    return X, X.sum(axis=1)


def to_string(X, y, n_numbers, largest):
    """The padded strings of the module docstring, for every row of ``X`` and ``y``.
    (``tolist`` first: Python's ints format about 2.5x faster than NumPy's scalars.)"""
    width_in, width_out = input_length(n_numbers, largest), output_length(n_numbers, largest)
    X_text = ["+".join(map(str, row)).rjust(width_in) for row in np.asarray(X).tolist()]
    y_text = [str(v).rjust(width_out) for v in np.asarray(y).tolist()]
    for texts, width, what in ((X_text, width_in, "terms"), (y_text, width_out, "sum")):
        too_long = next((text for text in texts if len(text) > width), None)
        if too_long is not None:
            raise ValueError(f"{too_long!r} ({what}) is longer than the {width} characters "
                             f"that n_numbers={n_numbers}, largest={largest} allow")
    return X_text, y_text


def integer_encode(strings, alphabet=ALPHABET):
    """Equal-length strings -> ``(n, length)`` indices into ``alphabet``.

    Each character's code point is looked up in the sorted code points of ``alphabet``,
    for all strings at once (a loop over the characters took about 1.6 ms for the 1,000
    strings of an addition epoch, this about 0.2 ms)."""
    lengths = {len(text) for text in strings}
    if len(lengths) > 1:
        raise ValueError(f"strings must have one length to be encoded together; "
                         f"got {sorted(lengths)}")
    length = lengths.pop() if lengths else 0
    if length == 0:
        return np.empty((len(strings), 0), dtype=np.int64)
    points = np.array(list(strings), dtype=f"<U{length}").view(np.uint32)     # (n·length,)
    points = points.reshape(len(strings), length)                               # (n, length)
    symbols = np.array([ord(char) for char in alphabet], dtype=np.uint32)       # (S,)
    order = np.argsort(symbols)
    sorted_symbols = symbols[order]
    slots = np.searchsorted(sorted_symbols, points).clip(0, len(symbols) - 1)  # (n, length)
    unknown = sorted_symbols[slots] != points
    if unknown.any():
        row, column = (int(i) for i in np.argwhere(unknown)[0])
        text = strings[row]
        raise ValueError(f"character {text[column]!r} at position {column} of {text!r} is not "
                         f"in the alphabet {''.join(alphabet)!r}")
    return order[slots].astype(np.int64)                                         # (n, length)


def one_hot_encode(encoded, n_symbols=len(ALPHABET)):
    """Indices ``(..., length)`` in ``[0, n_symbols - 1]`` -> one-hot float32
    ``(..., length, n_symbols)`` (the echo tutorial's encoding, checked the same way)."""
    return one_hot_of_integers(encoded, n_symbols)


def invert(sequences, alphabet=ALPHABET):
    """One-hot or probability sequences ``(n, length, n_symbols)`` -> strings (argmax)."""
    sequences = np.asarray(sequences)
    if sequences.ndim != 3 or sequences.shape[-1] != len(alphabet):
        raise ValueError(f"sequences must be one-hot or probability sequences of shape (n, "
                         f"length, {len(alphabet)}); got shape {sequences.shape}")
    return ["".join(alphabet[i] for i in row) for row in sequences.argmax(axis=-1)]


def generate_data(n_samples, n_numbers, largest, seed=None):
    """The tutorial's ``generate_data``: one-hot ``X (n, in_length, 12)`` and
    ``y (n, out_length, 12)``."""
    X, y = random_sum_pairs(n_samples, n_numbers, largest, seed)
    return encode_pairs(X, y, n_numbers, largest)


def encode_pairs(X, y, n_numbers, largest):
    """Integer terms and sums -> the one-hot sequences the model reads and writes."""
    X_text, y_text = to_string(X, y, n_numbers, largest)
    return one_hot_encode(integer_encode(X_text)), one_hot_encode(integer_encode(y_text))
