r"""Damped sine waves (tutorial 3): predict the next values of a decaying wave.

    value_i = 0.5 + 0.5 sin(2π i / period) e^{-decay i}

An example draws ``period`` uniformly from the integers 10..20 and ``decay``
uniformly from [0.01, 0.1), takes ``length + output`` values of the wave, and
splits them into the input (the first ``length``) and the target (the rest).
"""
import numpy as np

from ..checks import finite_number, positive_int, positive_number
from ..seeding import as_generator


PERIODS = np.arange(10, 21)                                           # 10..20, drawn uniformly


def generate_sequence(length, period, decay):
    """``length`` values of one damped sine wave, as a float64 array ``(length,)``: a
    positive ``period`` (in steps) and a finite ``decay`` (negative: a growing wave)."""
    positive_int("length", length)
    positive_number("period", period)
    finite_number("decay", decay)
    i = np.arange(length)
    return 0.5 + 0.5 * np.sin(2.0 * np.pi * i / period) * np.exp(-decay * i)


def generate_examples(length, n_patterns, output, seed=None):
    """``n_patterns`` examples: ``X (n, length, 1)`` and ``y (n, output)``, float32.

    ``seed`` is an int, a ``numpy.random.Generator`` or ``None`` (the package's).
    """
    for name, value in (("length", length), ("n_patterns", n_patterns), ("output", output)):
        positive_int(name, value)
    rng = as_generator(seed)
    periods = rng.integers(PERIODS[0], PERIODS[-1] + 1, size=n_patterns)
    decays = rng.uniform(0.01, 0.1, size=n_patterns)
    i = np.arange(length + output)                                   # (L + O,)
    # the sines of the 11 periods, looked up per example: the same numbers as sin(2π i /
    # period) computed per example, without its n x (L + O) float64 sines (10,000 of the
    # tutorial's examples in 8.9 ms instead of 19.4, ad hoc)
    sines = np.sin(2.0 * np.pi * i / PERIODS[:, None])               # (11, L + O)
    waves = 0.5 + 0.5 * sines[periods - PERIODS[0]] \
        * np.exp(-decays[:, None] * i)                               # (n, L + O)
    waves = waves.astype(np.float32)
    return waves[:, :length, None], waves[:, length:]                # (n, L, 1), (n, O)
