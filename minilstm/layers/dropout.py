r"""Dropout: zero a random share of the values while training, as Keras's layer.

In training (``forward(x, training=True)``, as ``fit`` runs it), with keep probability
q = 1 - rate and a mask m drawn afresh at each call::

    m_i ~ Bernoulli(q)                 (noise_shape: one draw shared along its axes of 1)
    y   = x ⊙ m / q                    so that E[y] = x
    dL/dx = dL/dy ⊙ m / q

and y = x otherwise (``predict``, ``evaluate``, validation). The masks come from the
layer's own generator when it is given ``seed=``, else from the generator of the model it
is built in (``Sequential(seed=n)``, or the package's, which ``minilstm.set_seed`` resets),
so that a seeded run repeats bit for bit. ``noise_generator`` names the generator, which
``gradcheck`` holds at one state so that every evaluation of the loss draws the same mask.
"""
import numpy as np

from ..checks import finite_number, fraction
from ..seeding import as_generator
from .base import Layer


class DrawsNoise:
    """What a layer that draws masks while training keeps: ``seed``, and the generator it
    draws from, ``noise_generator`` (module docstring)."""

    def _seed_noise(self, seed):
        self.seed = seed
        self._own_generator = None if seed is None else as_generator(seed)
        self.noise_generator = self._own_generator

    def _build_noise(self, rng):
        """At ``build``: its own generator, else the one it is built with."""
        self.noise_generator = self._own_generator or rng


class Dropout(DrawsNoise, Layer):
    """Drop each value with probability ``rate`` while training, scaling the rest by
    1 / (1 - rate): ``(B, ...) -> (B, ...)``.

    ``noise_shape``: the mask's shape, batch first, with 1 on the axes that share one draw
    and None for the input's own size: ``(None, 1, 20)`` drops the same features at every
    step of a ``(B, T, 20)`` sequence (Keras's). ``seed``: the layer's own generator.

    Example::

        Sequential([LSTM(256, input_shape=(100, 1)), Dropout(0.2), Dense(60, "softmax")])
    """

    supports_masking = True             # a mask of the steps passes through, as in Keras

    def __init__(self, rate, noise_shape=None, seed=None, input_shape=None, dtype="float32",
                 name=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.rate = dropout_rate("rate", rate)
        self.noise_shape = None if noise_shape is None else _checked_noise_shape(noise_shape)
        self._seed_noise(seed)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}

    def _check_build_shape(self, input_shape):
        if self.noise_shape is not None and len(self.noise_shape) != len(input_shape):
            raise ValueError(f"noise_shape {self.noise_shape} of Dropout {self.name!r} must "
                             f"have one entry per axis of its input {input_shape}")

    def _create_weights(self, input_shape, rng):
        self._build_noise(rng)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _mask_shape(self, shape):
        """The shape of the mask for input ``shape``: ``noise_shape``, its None filled."""
        if self.noise_shape is None:
            return shape
        mask_shape = tuple(size if entry is None else entry
                           for entry, size in zip(self.noise_shape, shape))
        if any(entry not in (1, size) for entry, size in zip(mask_shape, shape)):
            raise ValueError(f"noise_shape {self.noise_shape} of Dropout {self.name!r} does "
                             f"not fit input shape {shape}: each entry must be 1, None or the "
                             f"input's size")
        return mask_shape

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        self._shape = x.shape
        if not training or self.rate == 0.0:
            self._scaled_mask = None
            return x
        self._scaled_mask = dropout_mask(self.noise_generator, self._mask_shape(x.shape),
                                         self.rate, x.dtype)             # m / q, (B, ...)
        return x * self._scaled_mask

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_shape")
        if not input_gradient:
            return None
        d_out = self._check_gradient(d_out, self._shape)                 # (B, ...)
        return d_out if self._scaled_mask is None else d_out * self._scaled_mask


def dropout_rate(name, rate):
    """``rate`` as a float in [0, 1), or a ValueError naming ``name``."""
    return fraction(name, finite_number(name, rate), "the share of values dropped")


def dropout_mask(generator, shape, rate, dtype):
    """m / q of the module docstring: each value kept with probability q = 1 - ``rate``
    (Keras's draw: kept where a uniform draw is >= rate), then 1 / q, else 0."""
    kept = generator.random(shape, dtype=dtype) >= rate
    return kept.astype(dtype) / np.dtype(dtype).type(1.0 - rate)


def _checked_noise_shape(noise_shape):
    """``noise_shape`` as a tuple of None and integers >= 1, or a ValueError naming it."""
    if not isinstance(noise_shape, (tuple, list)) or not all(
            entry is None or (isinstance(entry, (int, np.integer)) and not isinstance(
                entry, bool) and entry >= 1) for entry in noise_shape):
        raise ValueError(f"noise_shape must be a tuple of integers >= 1 and None, batch "
                         f"first; got {noise_shape!r}")
    return tuple(None if entry is None else int(entry) for entry in noise_shape)
