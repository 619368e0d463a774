"""Argument checks shared across the package, with errors that name the argument."""
import argparse

import numpy as np


def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def positive_int_argument(text):
    """An ``argparse`` type: the command-line ``text`` as an integer >= 1, else an error
    that argparse prints naming the option (``argument --epochs: must be ...``)."""
    try:
        return positive_int("the value", int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1; got {text!r}") from None
