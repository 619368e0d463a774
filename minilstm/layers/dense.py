r"""Dense: a fully connected layer on the last axis.

    z = x W + b          x (..., I), W (I, U), b (U,)
    y = activation(z)

Backward, from dL/dy::

    dz = activation'(dL/dy)      (or dL/dz directly, with skip_activation=True)
    dW = Σ_rows xᵀ dz     db = Σ_rows dz     dx = dz Wᵀ

Works on 2-D ``(B, I)`` and 3-D ``(B, T, I)`` inputs, like Keras. The products are the
kernel ``minilstm/kernels/dense.py``'s; the activation is applied here.
"""
from .. import activations, initializers
from ..checks import flag, positive_int
from ..kernels import dense as dense_kernel
from .base import Layer, keras_2_input_shape


class Dense(Layer):
    """Fully connected layer.

    Args:
        units: output size U.
        activation: ``None``/``'linear'``, ``'relu'``, ``'tanh'``, ``'sigmoid'``,
            ``'hard_sigmoid'``, ``'softmax'`` (``minilstm.activations``).
        use_bias: add ``bias (U,)``.
        kernel_initializer, bias_initializer: names or callables.
        input_dim / input_shape: the input size when this is a model's first layer.
        dtype, name: see ``Layer``.

    Example::

        Dense(5)                       # (None, 20) -> (None, 5): 105 parameters
    """

    supports_masking = True             # a mask of the steps passes through, as in Keras

    weight_names = ("kernel", "bias")

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 input_dim=None, input_shape=None, trainable=True, dtype="float32", name=None):
        super().__init__(name=name, dtype=dtype,
                         input_shape=keras_2_input_shape(input_shape, input_dim))
        self.trainable = trainable
        self.units = positive_int("units", units)
        self.output_activation = activations.canonical_name(activation)
        self._activate, self._activation_backward = activations.get(activation)
        self.use_bias = flag("use_bias", use_bias)
        self.kernel_initializer = initializers.checked("kernel_initializer", kernel_initializer)
        self.bias_initializer = initializers.checked("bias_initializer", bias_initializer)

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
        bias = self.params["bias"] if self.use_bias else None
        z = dense_kernel.forward(x, self.params["kernel"], bias)   # (..., U)
        self._x, self.logits = x, z
        self._out = self._activate(z)                          # (..., U)
        return self._out

    def backward(self, d_out, skip_activation=False, input_gradient=True):
        """dL/dx from dL/dy; with ``skip_activation=True``, ``d_out`` is dL/dz."""
        self._require_forward("_out")
        d_out = self._check_gradient(d_out, self._out.shape)
        d_z = d_out if skip_activation else self._activation_backward(d_out, self._out)
        d_x, d_kernel, d_bias = dense_kernel.backward(
            self._x, d_z, self.params["kernel"], out=self._gradient_outputs(*self.weight_names),
            input_gradient=input_gradient)
        if self.use_bias:
            self._add_grads(self.weight_names, (d_kernel, d_bias))
        else:
            self._add_grad("kernel", d_kernel)
        return d_x
