r"""Dense: a fully connected layer on the last axis.

    z = x W + b          x (..., I), W (I, U), b (U,)
    y = activation(z)

Backward, from dL/dy::

    dz = activation'(dL/dy)      (or dL/dz directly, with skip_activation=True)
    dW = Σ_rows xᵀ dz     db = Σ_rows dz     dx = dz Wᵀ

Works on 2-D ``(B, I)`` and 3-D ``(B, T, I)`` inputs, like Keras.
"""
import numpy as np

from .. import activations, initializers
from ..checks import positive_int
from ..kernels.vector_products import flat_rows_product
from .base import Layer


class Dense(Layer):
    """Fully connected layer.

    Args:
        units: output size U.
        activation: ``None``/``'linear'``, ``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'softmax'``.
        use_bias: add ``bias (U,)``.
        kernel_initializer, bias_initializer: names or callables.
        input_dim / input_shape: the input size when this is a model's first layer.
        dtype, name: see ``Layer``.

    Example::

        Dense(5)                       # (None, 20) -> (None, 5): 105 parameters
    """

    weight_names = ("kernel", "bias")

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 input_dim=None, input_shape=None, dtype="float32", name=None):
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.units = positive_int("units", units)
        self.output_activation = activations.canonical_name(activation)
        self._activate, self._activation_backward = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": self.output_activation, "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}

    def _check_build_shape(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Dense layer {self.name!r} needs an input shape (batch, ..., features) with a "
                f"known feature size; got {input_shape}"
            )

    def _create_weights(self, input_shape, rng):
        self._add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer, rng)
        if self.use_bias:
            self._add_weight("bias", (self.units,), self.bias_initializer, rng)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        z = flat_rows_product(x, self.params["kernel"])        # (..., U)
        if self.use_bias:
            z += self.params["bias"]
        self._x, self.logits = x, z
        self._out = self._activate(z)                          # (..., U)
        return self._out

    def backward(self, d_out, skip_activation=False, input_gradient=True):
        """dL/dx from dL/dy; with ``skip_activation=True``, ``d_out`` is dL/dz."""
        d_out = self._check_gradient(d_out, self._out.shape)
        d_z = d_out if skip_activation else self._activation_backward(d_out, self._out)
        rows_x = self._x.reshape(-1, self._x.shape[-1])        # (rows, I)
        rows_dz = d_z.reshape(-1, self.units)                  # (rows, U)
        (out,) = self._gradient_outputs("kernel")
        self._add_grad("kernel", np.matmul(rows_x.T, rows_dz, out=out))  # (I, U)
        if self.use_bias:
            (out,) = self._gradient_outputs("bias")
            self._add_grad("bias", np.add.reduce(rows_dz, axis=0, out=out))  # (U,)
        if not input_gradient:
            return None
        return flat_rows_product(d_z, self.params["kernel"].T)  # (..., I)
