"""Argument checks shared across the package, with errors that name the argument."""
import numpy as np


def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)
