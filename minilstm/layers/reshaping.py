"""RepeatVector: repeat a vector n times along a new time axis.

    y[:, t] = x      for t = 1..n        x (B, F) -> y (B, n, F)
    dL/dx = Σ_t dL/dy[:, t]

``backward`` also takes that sum itself, (B, F), which the layer after a RepeatVector may
form more cheaply than dL/dy (``Layer.gives_summed_input_gradient``: an LSTM's
Σ_t dz_t Wᵀ is one product of B rows instead of B·n).
"""
import numpy as np

from ..checks import positive_int
from .base import Layer


class RepeatVector(Layer):
    """Repeat the input ``n`` times: ``(B, F) -> (B, n, F)``, as Keras's layer."""

    takes_summed_output_gradient = True

    def __init__(self, n, input_shape=None, dtype="float32", name=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.n = positive_int("n", n)

    def get_config(self):
        return {**super().get_config(), "n": self.n}

    def _check_build_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"RepeatVector {self.name!r} takes 2-D input (batch, features); got "
                f"shape {input_shape}: put it after an LSTM without return_sequences"
            )

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        self._batch_shape = x.shape
        repeated = np.empty((x.shape[0], self.n, x.shape[1]), dtype=x.dtype)  # (B, n, F)
        repeated[...] = x[:, None, :]           # 0.6x the time of np.repeat at (10, 2, 100)
        return repeated

    def backward(self, d_out, input_gradient=True):
        """dL/dx from dL/dy ``(B, n, F)``, or from Σ_t dL/dy_t ``(B, F)``, which it is."""
        self._require_forward("_batch_shape")
        batch, features = self._batch_shape
        if isinstance(d_out, np.ndarray) and d_out.ndim == 2:
            d_sum = self._check_gradient(d_out, (batch, features), "d_out summed over steps",
                                         shape_name="shape")                  # (B, F)
        else:
            d_sum = self._check_gradient(d_out, (batch, self.n, features)).sum(axis=1)
        return d_sum if input_gradient else None                        # (B, F)
