r"""Masking: mark the steps whose features all equal ``mask_value`` as not read, as Keras's.

For x ``(B, T, F)`` and the value v::

    s_bt = 1 if any_f x_btf ≠ v else 0          the mask of the steps (B, T)
    y    = x ⊙ s                               a step not read is zeroed
    dL/dx = dL/dy ⊙ s

The mask goes to the layers after it (``Layer`` protocol): an LSTM carries its state over
the steps not read, and a model leaves them out of its loss where the mask reaches its
output.
"""
import numpy as np

from ..checks import finite_number
from .base import Layer


class Masking(Layer):
    """Skip the steps of a sequence whose every feature is ``mask_value`` (padding).

    Example::

        Sequential([Masking(mask_value=0.0, input_shape=(None, 3)), LSTM(8), Dense(1)])
    """

    makes_mask = True

    def __init__(self, mask_value=0.0, input_shape=None, dtype="float32", name=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.mask_value = finite_number("mask_value", mask_value)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}

    def _check_build_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"Masking {self.name!r} needs input shape (batch, steps, features); "
                             f"got {input_shape}")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_mask(self, x, mask):
        """True at the steps with a feature other than ``mask_value`` ``(B, T)``."""
        return np.any(np.asarray(x) != self.mask_value, axis=-1)

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        self._kept = self.compute_mask(x, None)[..., None].astype(x.dtype)   # (B, T, 1)
        self._shape = x.shape
        return x * self._kept                                                 # (B, T, F)

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_kept")
        d_out = self._check_gradient(d_out, self._shape)
        return d_out * self._kept if input_gradient else None
