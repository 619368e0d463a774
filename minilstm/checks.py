"""Argument checks shared across the package, with errors that name the argument."""
import argparse
import math
import os

import numpy as np


def is_int_at_least(value, minimum):
    """Whether ``value`` is an integer, Python's or NumPy's but not a bool, >= ``minimum``."""
    return (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            and value >= minimum)


def is_real_number(value):
    """Whether ``value`` is a real number, Python's or NumPy's, and not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def flag(name, value):
    """``value`` as a bool when it is True or False (Python's, NumPy's, or the integers 1
    and 0); else a ValueError naming ``name``: ``bool('False')`` is True, so a string read
    from a config file would have turned the option on."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer))
                                               and value in (0, 1)):
        return bool(value)
    raise ValueError(f"{name} must be True or False; got {value!r}")


def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not an integer >= 1."""
    if not is_int_at_least(value, 1):
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def finite_number(name, value):
    """``value`` as a float, or a ValueError naming ``name`` when it is not a finite real
    number (a bool is refused, and so is a NaN)."""
    if not is_real_number(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return float(value)


def fraction(name, value, meaning=None):
    """``value`` as a float in [0, 1), or a ValueError naming ``name`` (and what the value
    is, ``meaning``, when given)."""
    if not (is_real_number(value) and 0.0 <= value < 1.0):
        what = f", {meaning}" if meaning else ""
        raise ValueError(f"{name} must be in [0, 1){what}; got {value!r}")
    return float(value)


def positive_number(name, value):
    """``value`` as a float, or a ValueError naming ``name`` when it is not a finite number
    > 0."""
    if not is_real_number(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def require_finite(array, label):
    """A ValueError naming ``label`` when ``array`` holds a NaN or an infinity: how many,
    and the index of the first."""
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{label} contains {int(bad.sum())} non-finite values (NaN or inf); "
            f"the first at index {first}"
        )


def first_non_index(array, limit):
    """The first value of ``array`` (of a real dtype) that is no integer in [0, ``limit``),
    as a Python number, or None when all are: an index that NumPy would read from the end
    (-1) or round down (2.5) is named rather than taken."""
    flat = np.asarray(array).reshape(-1)
    valid = np.isfinite(flat) & (flat == np.floor(flat)) & (flat >= 0) & (flat < limit)
    return None if valid.all() else flat[np.argmin(valid)].item()


def name_argument(value):
    """``value``, a name given to a layer or a model, when it is None (the default name) or
    a non-empty string without '/', the separator of a weight's key (``'lstm/kernel'``), as
    Keras 3 requires; else a ValueError naming it."""
    if value is not None and (not isinstance(value, str) or not value or "/" in value):
        raise ValueError(f"name must be a non-empty string without '/'; got {value!r}")
    return value


def sample_shape(name, shape):
    """``shape``, one sample's shape without the batch axis (``(50, 1)``; None for an axis
    of any size), as a tuple of ints and None; a ValueError naming ``name`` when it is not
    a non-empty tuple or list of integers >= 1 and None."""
    if not isinstance(shape, (tuple, list)) or not shape or any(
            size is not None and not is_int_at_least(size, 1) for size in shape):
        raise ValueError(f"{name} must be a non-empty tuple of positive ints or None, without "
                         f"the batch axis (e.g. (50, 1)); got {shape!r}")
    return tuple(None if size is None else int(size) for size in shape)


def int_argument_at_least(minimum):
    """An ``argparse`` type: the command-line text as an integer >= ``minimum``, else an
    error that argparse prints naming the option (``argument --epochs: must be ...``)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}; got {text!r}")
        return value
    return parse


positive_int_argument = int_argument_at_least(1)      # counts: epochs, units, workers
non_negative_int_argument = int_argument_at_least(0)  # seeds, and counts where 0 means none


def existing_file_argument(text):
    """An ``argparse`` type: a path to a file that exists, checked before any work starts."""
    if not os.path.isfile(text):
        what = "is a folder, not a file" if os.path.isdir(text) else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {what}")
    return text


def output_file_argument(text):
    """An ``argparse`` type: a path a file can be written to (its folder exists, and it is
    not a folder itself), checked before any work starts rather than after the training."""
    folder = os.path.dirname(text) or "."
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: give a file name in it")
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder!r} does not exist")
    return text
