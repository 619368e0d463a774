"""One source of randomness for the whole package.

Every random draw (weight initialisation, shuffling in ``fit``) takes a
``numpy.random.Generator``: the one given by the caller, or the package's
default generator, which ``set_seed`` resets. NumPy's global random state is
never touched.
"""
import numpy as np

from .checks import is_int_at_least

_default = np.random.default_rng()


def set_seed(seed):
    """Reset the package's default generator so a run repeats bit for bit. It is reset in
    place: whatever holds it (a Dropout layer's masks) draws from the reset state too."""
    _default.bit_generator.state = np.random.default_rng(_checked_seed(seed)).bit_generator.state


def as_generator(seed=None):
    """``None`` -> the package default; an int -> a new generator; a Generator -> itself."""
    if seed is None:
        return _default
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(_checked_seed(seed))
    raise TypeError(
        f"seed must be None, an int or a numpy.random.Generator; got {type(seed).__name__}"
    )


def _checked_seed(seed):
    """``seed`` when it is an integer >= 0, which NumPy's generators take; else an error
    naming it."""
    if not is_int_at_least(seed, 0):
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    return seed
