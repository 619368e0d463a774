"""Argument checks shared across the package, with errors that name the argument."""
import argparse

import numpy as np


def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def sample_shape(name, shape):
    """``shape``, one sample's shape without the batch axis (``(50, 1)``; None for an axis
    of any size), as a tuple of ints and None; a ValueError naming ``name`` when it is not
    a non-empty tuple or list of integers >= 1 and None."""
    if not isinstance(shape, (tuple, list)) or not shape or any(
            size is not None and (isinstance(size, bool) or not isinstance(size, (int, np.integer))
                                  or size < 1) for size in shape):
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
