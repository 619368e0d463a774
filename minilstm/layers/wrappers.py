"""TimeDistributed: apply one layer to every timestep, with shared weights.

    y[:, t] = layer(x[:, t])     computed as one call on (B·T, ...) rows

Backward is the inner layer's backward on the same rows, so the weight
gradients are summed over timesteps.
"""
from .base import Layer


class TimeDistributed(Layer):
    """Wrap ``layer`` to run on each timestep of a ``(B, T, ...)`` input.

    Its ``params`` and ``grads`` are the inner layer's (``kernel``, ``bias``...).

    Example::

        TimeDistributed(Dense(50, activation="softmax"))   # (None, 5, 150) -> (None, 5, 50)
    """

    supports_masking = True             # a mask of the steps passes through, as in Keras

    def __init__(self, layer, input_shape=None, name=None):
        if not isinstance(layer, Layer):
            raise TypeError(f"layer must be a minilstm Layer; got {type(layer).__name__}")
        if layer.reads_indices:
            raise ValueError(f"TimeDistributed reads arrays of values; {type(layer).__name__} "
                             f"{layer.name!r} reads indices of any rank itself: use it alone")
        if layer.stack_refusal:
            raise ValueError(f"TimeDistributed applies a layer of one input and one output "
                             f"array; {type(layer).__name__} {layer.name!r} "
                             f"{layer.stack_refusal}")
        super().__init__(name=name, dtype=layer.dtype, input_shape=input_shape)
        self.layer = layer
        self.weight_names = layer.weight_names

    def get_config(self):
        config = super().get_config()
        del config["dtype"]                      # the wrapped layer's
        return {**config, "layer": {"class_name": type(self.layer).__name__,
                                    "config": self.layer.get_config()}}

    @property
    def output_activation(self):
        return getattr(self.layer, "output_activation", None)

    @property
    def logits(self):
        return self.layer.logits.reshape(self._out_shape)

    @property
    def inner_layers(self):
        """The layer it wraps (``gradcheck`` holds its noise, a Dropout's)."""
        return (self.layer,)

    @property
    def trainable(self):
        return self.layer.trainable

    @trainable.setter
    def trainable(self, value):
        self.layer.trainable = value

    def _check_build_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r} needs input of rank >= 3 "
                f"(batch, time, ...); got shape {input_shape}"
            )

    def _create_weights(self, input_shape, rng):
        self.layer.build((None,) + tuple(input_shape[2:]), rng)
        self.params = self.layer.params

    @property
    def grads(self):
        return self.layer.grads

    def zero_grads(self):
        self.layer.zero_grads()

    def share_storage(self, params, grads):
        self.layer.share_storage(params, grads)

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        batch, steps = x.shape[:2]
        rows = self.layer.forward(x.reshape((batch * steps,) + x.shape[2:]), training=training)
        self._in_shape = x.shape
        self._out_shape = (batch, steps) + rows.shape[1:]
        return rows.reshape(self._out_shape)

    def backward(self, d_out, **kwargs):
        self._require_forward("_out_shape")
        d_out = self._check_gradient(d_out, self._out_shape)
        rows = d_out.reshape((-1,) + self._out_shape[2:])
        d_rows = self.layer.backward(rows, **kwargs)
        return None if d_rows is None else d_rows.reshape(self._in_shape)
